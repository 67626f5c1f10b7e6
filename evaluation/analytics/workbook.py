"""The coverage workbook for committee staff (DESIGN.md): a README sheet with the data dictionary, the filters, the
snapshot time and a citable id; Coverage matrix coloured and labelled like the heatmap; Money by region and year;
Stability; Uncovered; Red flags; Contracts; Providers. Frozen headers, autofilters, tenge formats, a chart of money
by year, no text ever written as a formula. Sheets are written row by row in xlsxwriter's constant-memory mode.

Each sheet is the table its page shows (evaluation.analytics.tables, from the same functions of coverage, stability,
flags and money), and each CSV of `coverage/tables/` is the same sheet. Rows about NGOs and contracts come from the
querysets of the user's own list pages, so a sheet never shows a row its reader's lists would not."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contracts.models import Contract
from contracts.permissions import follows_contracts
from contracts.views import contracts_for_list
from core.exports import new_workbook, table_rows, write_sheet
from core.models import Region, ServiceType
from core.util import year_end, year_start
from evaluation.analytics.charts import CELL_COLOURS, VERDICT_COLOURS
from evaluation.analytics.coverage import CellStatus, CoverageMatrix, coverage_matrix, uncovered_cells
from evaluation.analytics.flags import RULES, Flag, FlagKind, red_flags
from evaluation.analytics.money import money_by
from evaluation.analytics.stability import Verdict, stability_table, thresholds
from evaluation.analytics.tables import (
    CoverageCellTable,
    FlagTable,
    MoneyByRegionTable,
    StabilityTable,
    UncoveredTable,
)
from providers.models import Provider

Rows = Iterable[Sequence]
Sheet = tuple[Rows, list[int]]  # the rows (header first) and the positions of the money columns


def scope_regions(user, region) -> list[Region] | None:
    """Return the regions of the user's scope: an officer of a regional body sees their region; others the country
    (or the region chosen on screen)."""
    if region is not None:
        return [region]
    own = user.officer_region if user is not None and user.is_authenticated else None
    return [own] if own else None


def citable_id(*, now: dt.datetime, year: int, first: int, last: int, region=None, service=None, today=None) -> str:
    """Return a short id that names this snapshot and its filters, to cite in a report."""
    digest = hashlib.sha256(
        f"{now.isoformat()}|{year}|{first}|{last}|{getattr(region, 'pk', '')}|{getattr(service, 'pk', '')}".encode()
    ).hexdigest()[:6]
    return f"GSZ-{year}-{first}{last}-{timezone.localtime(now):%Y%m%d%H%M}-{digest}"


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _services(service) -> list | None:
    return [service] if service else None


# -- the tables: each returns the rows of its sheet and CSV, header first, with its money columns -------------------


def workbook_matrix(*, user=None, year, region=None, service=None, today, **_filters) -> CoverageMatrix:
    return coverage_matrix(year, today=today, regions=scope_regions(user, region), service_types=_services(service))


def coverage_sheet(*, user=None, year, region=None, service=None, today, matrix=None, **_filters) -> Sheet:
    """Every cell of the year's matrix with the figures behind its status."""
    matrix = matrix or workbook_matrix(user=user, year=year, region=region, service=service, today=today)
    return table_rows(CoverageCellTable(matrix.cells))


def money_sheet(*, user=None, year, first, last, region=None, service=None, today, **_filters) -> Sheet:
    """Planned, paid and unpaid money of every region (of the scope) by year, over the window and the year."""
    first_year, last_year = min(first, year), max(last, year)
    money = money_by(first_year, last_year, by=("region",), service_type=service)
    regions = scope_regions(user, region) or list(Region.objects.filter(level=Region.Level.FIRST))
    rows = []
    for reg in regions:
        for y in range(first_year, last_year + 1):
            planned, paid = money.get((reg.pk,), {}).get(y, (Decimal(0), Decimal(0)))
            rows.append(
                {
                    "region": reg,
                    "year": y,
                    "planned": _money(planned),
                    "paid": _money(paid),
                    "unpaid": _money(planned - paid),
                }
            )
    return table_rows(MoneyByRegionTable(rows))


def stability_sheet(*, user=None, first, last, region=None, service=None, today, **_filters) -> Sheet:
    """Funding stability of every region × service of the scope over the window."""
    rows = stability_table(
        first, last, today=today, regions=scope_regions(user, region), service_types=_services(service)
    )
    return table_rows(StabilityTable(rows, years=range(first, last + 1)))


def uncovered_sheet(*, user=None, year, region=None, service=None, today, **_filters) -> Sheet:
    """The failed, gap and never cells of the year."""
    cells = uncovered_cells(year, today=today, regions=scope_regions(user, region), service_types=_services(service))
    return table_rows(UncoveredTable(cells))


def workbook_flags(*, user=None, year, region=None, service=None, today) -> list[Flag]:
    """Return the red flags of the year in the scope (region-level flags of a service's region stay)."""
    regions = scope_regions(user, region)
    flags = red_flags(today=today, year=year, region=regions[0] if regions else None)
    if service is not None:
        flags = [f for f in flags if f.service_type is None or f.service_type.pk == service.pk]
    return flags


def flag_sheet(*, user=None, year, region=None, service=None, today, **_filters) -> Sheet:
    """Every red flag of the year with its rule in words."""
    return table_rows(FlagTable(workbook_flags(user=user, year=year, region=region, service=service, today=today)))


def workbook_contracts(*, user=None, year, first, last, region=None, service=None, today):
    """Return the contracts of the user's contract list (all of them for the scheduled command, which has no user)
    that serve the window's years, in the region and service chosen, with money and flags."""
    if user is None:
        contracts = Contract.objects.select_related("provider", "region", "service_type", "agency")
        contracts = contracts.with_money_and_flags(today)
    else:
        contracts = contracts_for_list(user)
    contracts = contracts.serving_between(year_start(min(first, year)), year_end(max(last, year)))
    regions = scope_regions(user, region)
    if regions:
        contracts = contracts.filter(region__in=regions)
    if service:
        contracts = contracts.filter(service_type=service)
    return contracts.order_by("region__kato", "service_type_id", "start_date", "pk")


def contract_sheet(*, user=None, year, first, last, region=None, service=None, today, **_filters) -> Sheet:
    """The contracts serving the window's years. Payments and flags only for readers whose contract list shows them
    (the public summary otherwise). Rows are generated: the largest sheet streams."""
    details = user is None or follows_contracts(user)
    contracts = workbook_contracts(
        user=user, year=year, first=first, last=last, region=region, service=service, today=today
    )
    header = [
        _("number"), _("status"), _("NGO"), _("BIN"), _("region"), _("service"), _("agency"), _("start"), _("end"),
        _("terminated on"), _("total, ₸"),
    ]  # fmt: skip
    if details:
        header += [_("paid, ₸"), _("value reduced"), _("late payment"), _("reports overdue")]
    yes = _("yes")

    def rows() -> Iterator[list]:
        yield header
        for c in contracts.iterator(chunk_size=2000):
            row = [
                c.number, c.get_status_display(), c.provider.name, c.provider.bin, c.region.name, c.service_type.name,
                c.agency.name, c.start_date, c.end_date, c.terminated_on or "", _money(c.total),
            ]  # fmt: skip
            if details:
                row += [
                    _money(c.paid),
                    yes if c.has_reduction else "",
                    yes if c.late_payments else "",
                    yes if c.overdue_reports else "",
                ]
            yield row

    return rows(), [10, 11] if details else [10]


def workbook_providers(*, user=None, region=None):
    """Return the NGOs of the user's registry list (all of them for the scheduled command, which has no user), those
    registered in or working in the region of the scope."""
    providers = Provider.objects.all() if user is None else Provider.objects.listable_by(user)
    regions = scope_regions(user, region)
    if regions:
        providers = providers.filter(Q(home_region__in=regions) | Q(service_areas__region__in=regions)).distinct()
    return providers.order_by("name_ru", "pk")


def provider_sheet(*, user=None, first, last, region=None, today, **_filters) -> Sheet:
    """The NGOs of the reader's registry with their service areas, contracts and money in the window."""
    money = money_by(first, last, by=("provider",), paid=False)
    providers = (
        workbook_providers(user=user, region=region)
        .select_related("home_region")
        .annotate(areas=Count("service_areas", distinct=True), contract_count=Count("contracts", distinct=True))
    )
    header = [
        _("NGO"), _("BIN"), _("home region"), _("status"), _("service areas"), _("contracts"),
        _("money in the window, ₸"),
    ]  # fmt: skip
    rows = [header]
    for p in providers:
        total = sum((planned for planned, _paid in money.get((p.pk,), {}).values()), Decimal(0))
        rows.append(
            [p.name, p.bin, p.home_region.name, p.get_status_display(), p.areas, p.contract_count, _money(total)]
        )
    return rows, [6]


def price_rows(*, user=None, year, region=None, service=None) -> list:
    """The price per child served of the year per region × service type (contracts.prices): the spreads."""
    from contracts.models import Tranche
    from contracts.prices import price_spreads, year_prices

    tranches = Tranche.objects.serving([year])
    regions = scope_regions(user, region)
    if regions:
        tranches = tranches.filter(contract__region__in=regions)
    if service:
        tranches = tranches.filter(contract__service_type=service)
    spreads = price_spreads(year_prices(tranches))
    names = {r.pk: r for r in Region.objects.filter(pk__in=[s.region_id for s in spreads])}
    services = {t.pk: t for t in ServiceType.objects.filter(pk__in=[s.service_type_id for s in spreads])}
    for spread in spreads:
        spread.region, spread.service_type = names[spread.region_id], services[spread.service_type_id]
    return spreads


def price_sheet(*, user=None, year, region=None, service=None, today=None, **_filters) -> Sheet:
    """The median and spread of the price per child served per region × service type in the year."""
    header = [
        _("region"),
        _("service type"),
        _("contract years with a price"),
        _("median per child, ₸"),
        _("lower quartile, ₸"),
        _("upper quartile, ₸"),
        _("lowest, ₸"),
        _("highest, ₸"),
    ]
    rows = [
        [str(s.region.name), str(s.service_type.name), s.count, s.median, s.q1, s.q3, s.low, s.high]
        for s in price_rows(user=user, year=year, region=region, service=service)
    ]
    return [[str(h) for h in header], *rows], [3, 4, 5, 6, 7]


TABLES: dict[str, Callable[..., Sheet]] = {
    "coverage": coverage_sheet,
    "money": money_sheet,
    "stability": stability_sheet,
    "uncovered": uncovered_sheet,
    "flags": flag_sheet,
    "contracts": contract_sheet,
    "providers": provider_sheet,
    "prices": price_sheet,
}


def table_sheet(name: str, **filters) -> Sheet:
    """Return the rows and money columns of one table of the workbook (its sheet, and its CSV)."""
    return TABLES[name](**filters)


def sheet_names() -> dict[str, str]:
    """Return each table's sheet name in the active language (Excel allows 31 characters)."""
    names = {
        "readme": _("README"),
        "coverage": _("Coverage matrix"),
        "coverage_cells": _("Coverage cells"),
        "money": _("Money by region and year"),
        "stability": _("Stability"),
        "uncovered": _("Uncovered"),
        "flags": _("Red flags"),
        "contracts": _("Contracts"),
        "providers": _("Providers"),
        "prices": _("Price per child"),
    }
    return {key: name[:31] for key, name in names.items()}


def dictionary() -> list[tuple[str, str]]:
    """Return what each sheet holds, for the README sheet."""
    limits = thresholds()
    return [
        (
            sheet_names()["coverage"],
            _(
                "Regions × service types for the year, each cell labelled with its status and "
                "coloured like the heatmap."
            ),
        ),
        (
            sheet_names()["coverage_cells"],
            _(
                "One row per cell with the money planned and paid, contracts, providers, "
                "children served, bids per call and figures per 1,000 children."
            ),
        ),
        (
            sheet_names()["money"],
            _(
                "Money of contracts serving each year, planned (tranche after amendments) and paid,"
                " by region; the national total by year is at the top with its chart."
            ),
        ),
        (
            sheet_names()["stability"],
            _(
                "Funding stability per region and service over the window: money by year, "
                "coefficient of variation, drops above %(drop)s, gap days, multi-year share, "
                "late start, provider churn, single-bid and failed-call shares, verdict."
            )
            % {"drop": f"{limits.drop:.0%}"},
        ),
        (
            sheet_names()["uncovered"],
            _(
                "Cells in failed, gap or never: since when, the calls tried, and NGOs "
                "registered there that did not bid."
            ),
        ),
        (sheet_names()["flags"], _("Every red flag with its rule in words.")),
        (sheet_names()["contracts"], _("Contracts serving the years of the window, with money and flags.")),
        (sheet_names()["providers"], _("NGOs with their service areas, contracts and money in the window.")),
        (
            sheet_names()["prices"],
            _(
                "Price per child served in the year (tranche ÷ children served in the accepted annual report) per "
                "region and service type: median, quartiles, lowest and highest."
            ),
        ),
    ]


def write_workbook(
    output,
    *,
    user=None,
    year: int,
    first: int,
    last: int,
    region=None,
    service=None,
    today: dt.date,
    now: dt.datetime,
    citable: str,
    language: str,
) -> None:
    """Write the coverage workbook to a file or a binary stream."""
    with translation.override(language):
        _write(
            output,
            user=user,
            year=year,
            first=first,
            last=last,
            region=region,
            service=service,
            today=today,
            now=now,
            citable=citable,
        )


def _write(output, *, user, year, first, last, region, service, today, now, citable) -> None:
    names = sheet_names()
    book = new_workbook(output)
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    money_format = book.add_format({"num_format": '#,##0 "₸"'})
    header = book.add_format({"bold": True, "bg_color": "#E9ECEF", "text_wrap": True, "valign": "top"})
    status_formats = {
        status: book.add_format({"bg_color": fill, "font_color": text, "border": 1, "border_color": "#ffffff"})
        for status, (fill, text) in CELL_COLOURS.items()
    }
    limits = thresholds()

    # README
    readme = book.add_worksheet(names["readme"])
    readme.set_column(0, 0, 34)
    readme.set_column(1, 1, 110)
    lines = [
        (_("State social order: coverage and funding stability"), None, title),
        (_("Citable id"), citable, bold),
        (_("Snapshot time"), timezone.localtime(now).strftime("%Y-%m-%d %H:%M (Asia/Almaty)"), bold),
        (_("Year of the coverage matrix"), str(year), bold),
        (_("Stability window"), f"{first}–{last}", bold),
        (
            _("Region"),
            region.name
            if region
            else (", ".join(r.name for r in scope_regions(user, None) or []) or _("all regions")),
            bold,
        ),
        (_("Service"), service.name if service else _("all services"), bold),
        (
            _("Thresholds"),
            _(
                "drop: a fall of more than %(drop)s from one year to the next; volatile: coefficient of "
                "variation above %(cv)s; interrupted: a gap of %(gap)d days or more"
            )
            % {"drop": f"{limits.drop:.0%}", "cv": limits.cv, "gap": limits.gap_days},
            bold,
        ),
        ("", None, None),
        (_("Sheets"), None, title),
        *[(sheet, text, bold) for sheet, text in dictionary()],
        ("", None, None),
        (_("Cell statuses (first that applies)"), None, title),
        (CellStatus.NA.label, _("the region did not exist in the year"), bold),
        (CellStatus.NO_DATA.label, _("the year is before the region's data is complete in the system"), bold),
        (CellStatus.COVERED.label, _("a signed contract serves at least one day of the year"), bold),
        (
            CellStatus.ENDING.label,
            _("covered, but every contract ends in the year and nothing is signed or called for the next year"),
            bold,
        ),
        (CellStatus.FAILED.label, _("a call for the year failed or was cancelled after publication"), bold),
        (CellStatus.GAP.label, _("served in the five years before, not in this one (interrupted)"), bold),
        (CellStatus.NEVER.label, _("never served"), bold),
        ("", None, None),
        (_("Verdicts (first that applies)"), None, title),
        (Verdict.UNFUNDED.label, _("no money in any year of the window"), bold),
        (Verdict.INTERRUPTED.label, _("a gap of %(gap)d days or more") % {"gap": limits.gap_days}, bold),
        (Verdict.VOLATILE.label, _("coefficient of variation above %(cv)s, or any drop") % {"cv": limits.cv}, bold),
        (Verdict.STABLE.label, _("otherwise"), bold),
        ("", None, None),
        (_("Red flags"), None, title),
        *[(FlagKind(kind).label, str(rule), bold) for kind, rule in RULES.items()],
        ("", None, None),
        (
            _("Notes"),
            _(
                "Money is in tenge. Child population figures in the demo data are round illustrative numbers. "
                "Missing data is shown as missing, never as zero."
            ),
            bold,
        ),
    ]
    for row, (label, text, fmt) in enumerate(lines):
        if fmt:
            readme.write_string(row, 0, str(label), fmt)
        else:
            readme.write_string(row, 0, str(label))
        if text is not None:
            readme.write_string(row, 1, str(text), wrap)

    # Coverage matrix (wide, coloured) and the cells (long)
    matrix = workbook_matrix(user=user, year=year, region=region, service=service, today=today)
    sheet = book.add_worksheet(names["coverage"])
    sheet.write_string(0, 0, _("Region"), header)
    for col, service_type in enumerate(matrix.service_types, start=1):
        sheet.write_string(0, col, service_type.name, header)
    for row, (reg, cells) in enumerate(matrix.rows(), start=1):
        sheet.write_string(row, 0, reg.name, bold)
        for col, cell in enumerate(cells, start=1):
            sheet.write_string(row, col, str(cell.status_label), status_formats[CellStatus(cell.status)])
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, len(matrix.regions), len(matrix.service_types))
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, len(matrix.service_types), 16)
    sheet.set_row(0, 60)

    rows, money_columns = coverage_sheet(matrix=matrix, year=year, today=today)
    write_sheet(book, book.add_worksheet(names["coverage_cells"]), rows, money_columns=money_columns)

    # Money: national total by year first (the chart reads it), then every region and year.
    rows, _money_columns = money_sheet(
        user=user, year=year, first=first, last=last, region=region, service=service, today=today
    )
    money_sheet_rows = list(rows)
    totals: dict[int, list[Decimal]] = {}
    for row in money_sheet_rows[1:]:
        totals.setdefault(row[2], [Decimal(0), Decimal(0)])
        totals[row[2]][0] += row[3]
        totals[row[2]][1] += row[4]

    money_sheet_ = book.add_worksheet(names["money"])
    money_sheet_.write_string(0, 0, _("year"), header)
    money_sheet_.write_string(0, 1, _("planned, ₸"), header)
    money_sheet_.write_string(0, 2, _("paid, ₸"), header)
    years = sorted(totals)
    for i, y in enumerate(years, start=1):
        money_sheet_.write_number(i, 0, y)
        money_sheet_.write_number(i, 1, float(totals[y][0]), money_format)
        money_sheet_.write_number(i, 2, float(totals[y][1]), money_format)
    start = len(years) + 3
    for c, title_text in enumerate(money_sheet_rows[0]):
        money_sheet_.write_string(start, c, title_text, header)
    for r, row in enumerate(money_sheet_rows[1:], start=start + 1):
        money_sheet_.write_string(r, 0, row[0])
        money_sheet_.write_string(r, 1, row[1])
        money_sheet_.write_number(r, 2, row[2])
        for c in (3, 4, 5):
            money_sheet_.write_number(r, c, float(row[c]), money_format)
    money_sheet_.freeze_panes(1, 0)
    money_sheet_.autofilter(start, 0, start + len(money_sheet_rows) - 1, 5)
    money_sheet_.set_column(0, 0, 30)
    money_sheet_.set_column(1, 5, 18)
    if years:
        chart = book.add_chart({"type": "column"})
        for col, name in ((1, _("planned")), (2, _("paid"))):
            chart.add_series(
                {
                    "name": name,
                    "categories": [names["money"], 1, 0, len(years), 0],
                    "values": [names["money"], 1, col, len(years), col],
                }
            )
        chart.set_title({"name": _("Money by year, ₸")})
        chart.set_y_axis({"num_format": '#,##0 "₸"'})
        money_sheet_.insert_chart(0, 7, chart, {"x_scale": 1.6, "y_scale": 1.2})

    for key in ("stability", "uncovered", "flags", "contracts", "providers", "prices"):
        rows, money_columns = table_sheet(
            key, user=user, year=year, first=first, last=last, region=region, service=service, today=today
        )
        worksheet = book.add_worksheet(names[key])
        if key == "stability":
            rows = list(rows)
            count = write_sheet(book, worksheet, rows, money_columns=money_columns)
            _colour_verdicts(book, worksheet, count, column=rows[0].index(_("verdict")))
        else:
            write_sheet(book, worksheet, rows, money_columns=money_columns)
    book.close()


def _colour_verdicts(book, worksheet, count: int, *, column: int) -> None:
    """Colour the verdicts of the Stability sheet like the page (conditional formats, which constant-memory mode
    allows once the rows are written)."""
    for verdict, (fill, text) in VERDICT_COLOURS.items():
        label = str(Verdict(verdict).label).replace('"', '""')
        worksheet.conditional_format(
            1,
            column,
            max(count, 1),
            column,
            {
                "type": "cell",
                "criteria": "==",
                "value": f'"{label}"',
                "format": book.add_format({"bg_color": fill, "font_color": text}),
            },
        )


def workbook_bytes(**kwargs) -> bytes:
    output = io.BytesIO()
    write_workbook(output, **kwargs)
    return output.getvalue()

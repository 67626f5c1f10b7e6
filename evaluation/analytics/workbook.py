"""The coverage workbook for committee staff (DESIGN.md): a README sheet with the data dictionary, the filters, the
snapshot time and a citable id; Coverage matrix coloured and labelled like the heatmap; Money by region and year;
Stability; Uncovered; Red flags; Contracts; Providers. Frozen headers, autofilters, tenge formats, a chart of money
by year, no text ever written as a formula. Sheets are written row by row in xlsxwriter's constant-memory mode.

Each table is a function returning rows (header first), so the CSV of a table, its sheet and the pages all come
from the same functions of evaluation.analytics.coverage, .stability, .flags and .money."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contracts.models import Contract
from core.exports import new_workbook, write_sheet
from core.models import Region, Role
from evaluation.analytics.coverage import CellStatus, coverage_matrix, uncovered_cells
from evaluation.analytics.flags import RULES, FlagKind, red_flags
from evaluation.analytics.money import money_by
from evaluation.analytics.stability import Verdict, stability_table, thresholds
from providers.models import Provider
from tenders.models import Call

STATUS_COLOURS = {
    CellStatus.COVERED: ("#198754", "#ffffff"),
    CellStatus.ENDING: ("#a3cfbb", "#212529"),
    CellStatus.FAILED: ("#dc3545", "#ffffff"),
    CellStatus.GAP: ("#fd7e14", "#212529"),
    CellStatus.NEVER: ("#6f1d1b", "#ffffff"),
    CellStatus.NA: ("#e9ecef", "#6c757d"),
    CellStatus.NO_DATA: ("#f8f9fa", "#6c757d"),
}


def scope_regions(user, region) -> list[Region] | None:
    """Return the regions of the user's scope: an officer of a regional body sees their region; others the country
    (or the region chosen on screen)."""
    if region is not None:
        return [region]
    if (
        user is not None
        and user.is_authenticated
        and user.role == Role.OFFICER
        and user.agency
        and user.agency.region_id
    ):
        return [user.agency.region]
    return None


def citable_id(*, now: dt.datetime, year: int, first: int, last: int, region=None, service=None, today=None) -> str:
    """Return a short id that names this snapshot and its filters, to cite in a report."""
    digest = hashlib.sha256(
        f"{now.isoformat()}|{year}|{first}|{last}|{getattr(region, 'pk', '')}|{getattr(service, 'pk', '')}".encode()
    ).hexdigest()[:6]
    return f"GSZ-{year}-{first}{last}-{timezone.localtime(now):%Y%m%d%H%M}-{digest}"


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def coverage_rows(*, user=None, year, first=None, last=None, region=None, service=None, today, matrix=None) -> list:
    matrix = matrix or coverage_matrix(
        year, today=today, regions=scope_regions(user, region), service_types=[service] if service else None
    )
    header = [
        _("region"),
        _("KATO"),
        _("service"),
        _("year"),
        _("status"),
        _("uncovered since"),
        _("planned, ₸"),
        _("paid, ₸"),
        _("contracts"),
        _("providers"),
        _("children served"),
        _("submitted bids per call"),
        _("children (population)"),
        _("₸ per 1,000 children"),
        _("children served per 1,000 children"),
    ]
    rows = [header]
    for cell in matrix.cells:
        rows.append(
            [
                cell.region.name,
                cell.region.kato,
                cell.service_type.name,
                cell.year,
                cell.status_label,
                cell.since or "",
                _money(cell.money_planned),
                _money(cell.money_paid),
                len(cell.contract_ids),
                cell.provider_count,
                "" if cell.children_served is None else cell.children_served,
                "" if cell.submitted_bids_per_call is None else cell.submitted_bids_per_call,
                cell.population or "",
                "" if cell.money_per_1000 is None else _money(cell.money_per_1000),
                "" if cell.children_per_1000 is None else cell.children_per_1000,
            ]
        )
    return rows


def money_rows(*, user=None, year, first, last, region=None, service=None, today) -> list:
    first_year = min(first, year)
    money = money_by(first_year, max(last, year), by=("region",), service_type=service)
    regions = scope_regions(user, region) or list(Region.objects.filter(level=Region.Level.FIRST))
    rows = [[_("region"), _("KATO"), _("year"), _("planned, ₸"), _("paid, ₸"), _("unpaid, ₸")]]
    for reg in regions:
        for y in range(first_year, max(last, year) + 1):
            planned, paid = money.get((reg.pk,), {}).get(y, (Decimal(0), Decimal(0)))
            rows.append([reg.name, reg.kato, y, _money(planned), _money(paid), _money(planned - paid)])
    return rows


def stability_rows(*, user=None, year=None, first, last, region=None, service=None, today) -> list:
    table = stability_table(
        first, last, today=today, regions=scope_regions(user, region), service_types=[service] if service else None
    )
    years = list(range(first, last + 1))
    header = [
        _("region"),
        _("service"),
        *[str(y) for y in years],
        _("coefficient of variation"),
        _("drops"),
        _("gap days"),
        _("longest gap, days"),
        _("multi-year share"),
        _("late start, median days"),
        _("provider churn"),
        _("single-bid share"),
        _("failed-call share"),
        _("verdict"),
    ]
    rows = [header]
    for r in table:
        rows.append(
            [
                r.region.name,
                r.service_type.name,
                *[_money(r.money[y]) if y in r.years else _("n/a") for y in years],
                "" if r.cv is None else r.cv,
                ", ".join(f"{c.year}→{c.next_year}" for c in r.drops),
                "" if r.gap_days is None else r.gap_days,
                "" if r.longest_gap is None else r.longest_gap,
                "" if r.multi_year_share is None else r.multi_year_share,
                "" if r.late_start_median is None else r.late_start_median,
                "" if r.churn is None else r.churn,
                "" if r.single_bid_share is None else r.single_bid_share,
                "" if r.failed_call_share is None else r.failed_call_share,
                r.verdict_label,
            ]
        )
    return rows


def uncovered_rows(*, user=None, year, first=None, last=None, region=None, service=None, today) -> list:
    cells = uncovered_cells(
        year, today=today, regions=scope_regions(user, region), service_types=[service] if service else None
    )
    rows = [
        [
            _("region"),
            _("service"),
            _("status"),
            _("uncovered since"),
            _("days uncovered"),
            _("calls tried"),
            _("NGOs registered there that did not bid"),
        ]
    ]
    for u in cells:
        rows.append(
            [
                u.region.name,
                u.service_type.name,
                CellStatus(u.status).label,
                u.since or "",
                "" if u.days is None else u.days,
                "; ".join(f"{t.number} ({Call.Status(t.status).label})" for t in u.tried_calls),
                "; ".join(p.name for p in u.idle_providers),
            ]
        )
    return rows


def flag_rows(*, user=None, year, first=None, last=None, region=None, service=None, today) -> list:
    regions = scope_regions(user, region)
    flags = red_flags(today=today, year=year, region=regions[0] if regions else None)
    if service is not None:
        flags = [f for f in flags if f.service_type is None or f.service_type.pk == service.pk]
    rows = [[_("flag"), _("rule"), _("number"), _("region"), _("service"), _("agency"), _("year"), _("detail")]]
    for f in flags:
        rows.append(
            [
                f.kind_label,
                str(f.rule),
                f.number,
                f.region.name,
                f.service_type.name if f.service_type else "",
                f.agency.name if f.agency else "",
                f.year or "",
                f.detail,
            ]
        )
    return rows


def contract_rows(*, user=None, year, first, last, region=None, service=None, today):
    """Yield the contracts serving the window's years, header first (a generator: the largest sheet streams)."""
    contracts = Contract.objects.in_scope(user) if user is not None else Contract.objects.all()
    contracts = contracts.serving_between(dt.date(min(first, year), 1, 1), dt.date(max(last, year), 12, 31))
    regions = scope_regions(user, region)
    if regions:
        contracts = contracts.filter(region__in=regions)
    if service:
        contracts = contracts.filter(service_type=service)
    contracts = contracts.select_related("provider", "region", "service_type", "agency").with_money_and_flags(today)
    yield [
        _("number"), _("status"), _("NGO"), _("BIN"), _("region"), _("service"), _("agency"), _("start"), _("end"),
        _("terminated on"), _("total, ₸"), _("paid, ₸"), _("value reduced"), _("late payment"), _("reports overdue"),
    ]  # fmt: skip
    yes = _("yes")
    for c in contracts.order_by("region__kato", "service_type_id", "start_date", "pk").iterator(chunk_size=2000):
        yield [
            c.number, c.get_status_display(), c.provider.name, c.provider.bin, c.region.name, c.service_type.name,
            c.agency.name, c.start_date, c.end_date, c.terminated_on or "", _money(c.total), _money(c.paid),
            yes if c.has_reduction else "", yes if c.late_payments else "", yes if c.overdue_reports else "",
        ]  # fmt: skip


def provider_rows(*, user=None, year, first, last, region=None, service=None, today) -> list:
    providers = Provider.objects.all()
    regions = scope_regions(user, region)
    if regions:
        providers = providers.filter(Q(home_region__in=regions) | Q(service_areas__region__in=regions)).distinct()
    money = money_by(first, last, by=("provider",))
    providers = providers.select_related("home_region").annotate(
        areas=Count("service_areas", distinct=True), contract_count=Count("contracts", distinct=True)
    )
    rows = [
        [
            _("NGO"),
            _("BIN"),
            _("home region"),
            _("status"),
            _("service areas"),
            _("contracts"),
            _("money in the window, ₸"),
        ]
    ]
    for p in providers.order_by("name_ru", "pk"):
        total = sum((planned for planned, _paid in money.get((p.pk,), {}).values()), Decimal(0))
        rows.append(
            [p.name, p.bin, p.home_region.name, p.get_status_display(), p.areas, p.contract_count, _money(total)]
        )
    return rows


TABLES: dict[str, Callable[..., list]] = {
    "coverage": coverage_rows,
    "money": money_rows,
    "stability": stability_rows,
    "uncovered": uncovered_rows,
    "flags": flag_rows,
    "contracts": contract_rows,
    "providers": provider_rows,
}
MONEY_COLUMNS = {
    "coverage": (6, 7, 13),
    "money": (3, 4, 5),
    "contracts": (10, 11),
    "providers": (6,),
}


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
        for status, (fill, text) in STATUS_COLOURS.items()
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
    matrix = coverage_matrix(
        year, today=today, regions=scope_regions(user, region), service_types=[service] if service else None
    )
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

    tables = [
        (
            "coverage_cells",
            coverage_rows(user=user, year=year, region=region, service=service, today=today, matrix=matrix),
            MONEY_COLUMNS["coverage"],
        ),
    ]

    # Money: national total by year first (the chart reads it), then every region and year.
    money_sheet_rows = money_rows(
        user=user, year=year, first=first, last=last, region=region, service=service, today=today
    )
    totals: dict[int, list[Decimal]] = {}
    for row in money_sheet_rows[1:]:
        totals.setdefault(row[2], [Decimal(0), Decimal(0)])
        totals[row[2]][0] += row[3]
        totals[row[2]][1] += row[4]

    for key, rows, money_cols in tables:
        write_sheet(book, book.add_worksheet(names[key]), rows, money_columns=money_cols)

    money_sheet = book.add_worksheet(names["money"])
    money_sheet.write_string(0, 0, _("year"), header)
    money_sheet.write_string(0, 1, _("planned, ₸"), header)
    money_sheet.write_string(0, 2, _("paid, ₸"), header)
    years = sorted(totals)
    for i, y in enumerate(years, start=1):
        money_sheet.write_number(i, 0, y)
        money_sheet.write_number(i, 1, float(totals[y][0]), money_format)
        money_sheet.write_number(i, 2, float(totals[y][1]), money_format)
    start = len(years) + 3
    for c, title_text in enumerate(money_sheet_rows[0]):
        money_sheet.write_string(start, c, title_text, header)
    for r, row in enumerate(money_sheet_rows[1:], start=start + 1):
        money_sheet.write_string(r, 0, row[0])
        money_sheet.write_string(r, 1, row[1])
        money_sheet.write_number(r, 2, row[2])
        for c in (3, 4, 5):
            money_sheet.write_number(r, c, float(row[c]), money_format)
    money_sheet.freeze_panes(1, 0)
    money_sheet.autofilter(start, 0, start + len(money_sheet_rows) - 1, 5)
    money_sheet.set_column(0, 0, 30)
    money_sheet.set_column(1, 5, 18)
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
        money_sheet.insert_chart(0, 7, chart, {"x_scale": 1.6, "y_scale": 1.2})

    for key in ("stability", "uncovered", "flags", "contracts", "providers"):
        rows = TABLES[key](user=user, year=year, first=first, last=last, region=region, service=service, today=today)
        write_sheet(book, book.add_worksheet(names[key]), rows, money_columns=MONEY_COLUMNS.get(key, ()))
    book.close()


def workbook_bytes(**kwargs) -> bytes:
    output = io.BytesIO()
    write_workbook(output, **kwargs)
    return output.getvalue()

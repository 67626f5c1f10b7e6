"""Red flags per call or contract, each with its rule in words (DESIGN.md, "Red flags"; days are calendar days in
Asia/Almaty, except the submission window, measured like `tenders.rules` in the unit of the rule in force).

Each kind is found by one or two grouped queries that return only the flagged calls, contracts, tranches, reports
or periods; where a rule compares calendar days or exact percentages the database narrows the candidates and the
exact comparison runs in Python on those rows. The number of queries is fixed whatever the data size (twenty-two for
every kind at once).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contracts.models import Actual, Contract, Payment, Report, ReportingPeriod, Target, Tranche, signed_q
from contracts.prices import year_prices
from core.calendar import WorkCalendar
from core.models import Agency, Region, ServiceType
from core.templatetags.gsz import money
from core.util import local_date, start_of_day
from evaluation.analytics.coverage import region_status, table_regions
from evaluation.analytics.stability import default_window
from evaluation.analytics.stats import ZERO
from evaluation.models import RegionPopulation
from tenders import rules as call_rules
from tenders.models import ABNORMALLY_LOW_SHARE, Bid, Call

LATE_SIGNATURE_DAYS = 15
CONCENTRATION_SHARE = Decimal("0.5")
CONCENTRATION_MIN_AWARDS = 2
MONEY = models.DecimalField(max_digits=16, decimal_places=2)


class FlagKind(models.TextChoices):
    SINGLE_BID = "single-bid", _("single bid")
    SHORT_WINDOW = "short-window", _("short submission window")
    LOW_PRICE = "low-price", _("abnormally low winning price")
    PRICE_LIMIT = "price-limit", _("price outside limits")
    OTHERS_REJECTED = "others-rejected", _("all other bids rejected")
    CONCENTRATION = "concentration", _("concentration")
    VALUE_REDUCED = "value-reduced", _("value reduced by amendment")
    EARLY_TERMINATION = "early-termination", _("termination before the end")
    LATE_SIGNATURE = "late-signature", _("late signature")
    LATE_PAYMENT = "late-payment", _("fixed-part payment late or missing")
    OVERDUE_REPORTS = "overdue-reports", _("reports overdue")
    MISSING_DATA = "missing-data", _("missing data")


RULES: dict[str, str] = {
    FlagKind.SINGLE_BID: _("Exactly one bid was submitted by the deadline."),
    FlagKind.SHORT_WINDOW: _(
        "The submission period, from publication (or the opening of submissions, if later) to the deadline, is "
        "below the minimum in force on the day of publication: 5 working days from 1 January 2025, 15 calendar "
        "days before (settings)."
    ),
    # xgettext:no-python-format
    FlagKind.LOW_PRICE: _("The winning price is below 70% of the call's budget."),
    FlagKind.PRICE_LIMIT: _(
        "The price per child served in a contract year (the tranche ÷ the children served in the accepted annual "
        "report) is below the minimum or above the maximum set for the service type and year."
    ),
    FlagKind.OTHERS_REJECTED: _("Every submitted bid except the winner's was rejected."),
    FlagKind.CONCENTRATION: _(
        # xgettext:no-python-format
        "One NGO holds more than 50% of a region and service's money over the window, with at least 2 contracts."
    ),
    FlagKind.VALUE_REDUCED: _("An amendment reduced the contract's value."),
    FlagKind.EARLY_TERMINATION: _("The contract was terminated before its end date."),
    FlagKind.LATE_SIGNATURE: _(
        "The later of the two signatures came more than 15 days after the award (unsigned: counted up to today)."
    ),
    FlagKind.LATE_PAYMENT: _(
        "A fixed-part payment was made after its planned date, or the planned date has passed and the fixed part "
        "is not fully paid."
    ),
    FlagKind.OVERDUE_REPORTS: _(
        "A report is past its due date and has not been submitted, or was returned and not submitted again."
    ),
    FlagKind.MISSING_DATA: _(
        "Data the evaluation needs is missing: no accepted annual report or no indicator actuals for a contract "
        "year that has ended, or no child population for a region and year. Missing data is never read as "
        "“no problem”."
    ),
}


@dataclass
class Flag:
    """One red flag on a call, a contract (or one of its years), or a region × service or region × year."""

    kind: str
    rule: str
    call_id: int | None
    contract_id: int | None
    number: str  # the call's or the contract's number; empty for region-level flags
    region: Region
    service_type: ServiceType | None
    agency: Agency | None
    year: int | None
    detail: str
    provider_id: int | None = None

    @property
    def kind_label(self) -> str:
        return FlagKind(self.kind).label


def _day(value: dt.date) -> str:
    return f"{value:%d.%m.%Y}"


class _Builder:
    """Collects flags and turns ids into the region, service and agency objects (three queries in all)."""

    def __init__(self) -> None:
        self.raw: list[dict] = []

    def add(self, kind: str, *, region_id: int, detail: str, **values) -> None:
        self.raw.append({"kind": kind, "region_id": region_id, "detail": detail, **values})

    def build(self) -> list[Flag]:
        # Whole reference tables (tens to hundreds of rows): one query each whatever the number of flags.
        regions = Region.objects.in_bulk()
        services = ServiceType.objects.in_bulk()
        agencies = Agency.objects.in_bulk()
        flags = [
            Flag(
                kind=r["kind"],
                rule=RULES[r["kind"]],
                call_id=r.get("call_id"),
                contract_id=r.get("contract_id"),
                number=r.get("number", ""),
                region=regions[r["region_id"]],
                service_type=services.get(r.get("service_id")),
                agency=agencies.get(r.get("agency_id")),
                year=r.get("year"),
                detail=r["detail"],
                provider_id=r.get("provider_id"),
            )
            for r in self.raw
        ]
        order = {kind: i for i, kind in enumerate(FlagKind.values)}
        flags.sort(key=lambda f: (order[f.kind], f.region.kato, f.year or 0, f.number, f.contract_id or 0))
        return flags


def red_flags(
    *,
    today: dt.date,
    year: int | None = None,
    region: Region | int | None = None,
    agency: Agency | int | None = None,
    kinds: Iterable[str] | None = None,
    window: tuple[int, int] | None = None,
) -> list[Flag]:
    """Return the red flags as of `today`, ordered by kind, region (KATO), year and number.

    `year` keeps flags of calls and contracts whose years include it, and per-year flags (payments, reports,
    missing data) of that year. `region` and `agency` keep the flags of their calls and contracts; region-level
    flags (concentration, missing population) carry no agency, so an agency filter leaves them out. Concentration
    is measured over `window` (default: the five years up to `year`, or the last five complete years)."""
    wanted = set(kinds) if kinds is not None else set(FlagKind.values)
    region_id = region if isinstance(region, int) or region is None else region.pk
    agency_id = agency if isinstance(agency, int) or agency is None else agency.pk
    if window is None:
        window = (year - 4, year) if year is not None else default_window(today)
    cutoff = start_of_day(today)
    builder = _Builder()

    def scope(queryset: QuerySet, prefix: str = "") -> QuerySet:
        if region_id is not None:
            queryset = queryset.filter(**{f"{prefix}region_id": region_id})
        if agency_id is not None:
            queryset = queryset.filter(**{f"{prefix}agency_id": agency_id})
        return queryset

    def calls() -> QuerySet[Call]:
        queryset = scope(Call.objects.filter(published_at__isnull=False)).annotate(
            end_year=F("start_year") + F("duration_years") - 1
        )
        if year is not None:
            queryset = queryset.filter(start_year__lte=year, end_year__gte=year)
        return queryset.order_by()

    def contracts(prefix: str = "") -> Q:
        if year is None:
            return Q()
        return Q(**{f"{prefix}start_date__year__lte": year, f"{prefix}end_date__year__gte": year})

    call_fields = ("id", "number", "region_id", "service_type_id", "agency_id", "start_year")

    def add_call(kind: str, row: tuple, detail: str) -> None:
        call_id, number, r_id, service_id, a_id, start_year = row[:6]
        builder.add(
            kind,
            call_id=call_id,
            number=number,
            region_id=r_id,
            service_id=service_id,
            agency_id=a_id,
            year=start_year,
            detail=detail,
        )

    if FlagKind.SINGLE_BID in wanted:
        for row in calls().with_submitted_bids(cutoff).filter(submitted_bids=1).values_list(*call_fields):
            add_call(FlagKind.SINGLE_BID, row, gettext("1 bid submitted by the deadline"))

    if FlagKind.SHORT_WINDOW in wanted:
        # The database keeps windows shorter than any minimum could span (holidays included); the rule decides.
        near = dt.timedelta(days=max(m.days * (3 if m.working else 1) + 15 for m in call_rules.submission_minimums()))
        work_calendar = WorkCalendar()
        for row in (
            calls()
            .filter(Q(deadline__lt=F("opens_at") + near) | Q(deadline__lt=F("published_at") + near))
            .values_list(*call_fields, "published_at", "opens_at", "deadline")
        ):
            published_at, opens_at, deadline = row[6:]
            short = call_rules.window_shortfall(published_at, opens_at, deadline, work_calendar)
            if short is not None:
                length, minimum = short
                detail = gettext(
                    "%(length)s from %(start)s to the deadline %(deadline)s; minimum %(minimum)d (%(period)s)"
                ) % {
                    "length": call_rules.days_text(length, minimum.working),
                    "start": _day(call_rules.window_start(published_at, opens_at)),
                    "deadline": _day(local_date(deadline)),
                    "minimum": minimum.days,
                    "period": minimum.period_text(),
                }
                add_call(FlagKind.SHORT_WINDOW, row, detail)

    if FlagKind.LOW_PRICE in wanted:
        slack = ABNORMALLY_LOW_SHARE + Decimal("0.001")  # SQLite compares decimals as floats; Python decides
        for row in (
            Bid.objects.filter(status=Bid.Status.WINNER, call__in=calls().values("pk"))
            .order_by()
            .values_list(
                "call_id",
                "call__number",
                "call__region_id",
                "call__service_type_id",
                "call__agency_id",
                "call__start_year",
                "price",
            )
            .annotate(budget=Sum("call__budget_lines__amount"))
            .filter(price__lt=F("budget") * slack)
        ):
            price, total = row[6], row[7]
            if price < total * ABNORMALLY_LOW_SHARE:
                detail = gettext("winning price %(price)s is %(share)s%% of the budget %(budget)s") % {
                    "price": money(price),
                    "share": f"{price * 100 / total:.1f}",
                    "budget": money(total),
                }
                add_call(FlagKind.LOW_PRICE, row, detail)

    if FlagKind.OTHERS_REJECTED in wanted:
        # A winner, at least one rejected bid, and no other submitted bid that is neither the winner nor rejected.
        submitted = Bid.objects.submitted_at_deadline().filter(call=OuterRef("pk"))
        for row in (
            calls()
            .filter(Exists(submitted.filter(status=Bid.Status.WINNER)))
            .exclude(Exists(submitted.exclude(status__in=[Bid.Status.WINNER, Bid.Status.REJECTED])))
            .annotate(rejected=Count("bids", filter=Q(bids__status=Bid.Status.REJECTED)))
            .filter(rejected__gte=1)
            .values_list(*call_fields, "rejected")
        ):
            detail = gettext("%(n)d other submitted bids, all rejected") % {"n": row[6]}
            add_call(FlagKind.OTHERS_REJECTED, row, detail)

    if FlagKind.CONCENTRATION in wanted and agency_id is None:
        _concentration(builder, window, region_id, year)

    contract_fields = ("id", "number", "region_id", "service_type_id", "agency_id")

    def add_contract(kind: str, row: tuple, year_of: int | None, detail: str) -> None:
        contract_id, number, r_id, service_id, a_id = row[:5]
        builder.add(
            kind,
            contract_id=contract_id,
            number=number,
            region_id=r_id,
            service_id=service_id,
            agency_id=a_id,
            year=year_of,
            detail=detail,
        )

    if FlagKind.VALUE_REDUCED in wanted:
        for row in (
            scope(Contract.objects.filter(contracts()))
            .filter(amendments__value_change__lt=0)
            .order_by()
            .values_list(*contract_fields)
            .annotate(
                n=Count("amendments"), reduced=Sum("amendments__value_change"), first=Min("amendments__effective_date")
            )
        ):
            detail = gettext("%(n)d reductions, %(amount)s in all, the first from %(day)s") % {
                "n": row[5],
                "amount": money(row[6]),
                "day": _day(row[7]),
            }
            add_contract(FlagKind.VALUE_REDUCED, row, row[7].year, detail)

    if FlagKind.EARLY_TERMINATION in wanted:
        for row in (
            scope(Contract.objects.filter(contracts()))
            .filter(terminated_on__isnull=False, terminated_on__lte=F("end_date"))
            .order_by()
            .values_list(*contract_fields, "terminated_on", "end_date")
        ):
            terminated_on, end = row[5], row[6]
            detail = gettext("terminated on %(day)s, %(days)d days before the end date %(end)s") % {
                "day": _day(terminated_on),
                "days": (end - terminated_on).days + 1,
                "end": _day(end),
            }
            add_contract(FlagKind.EARLY_TERMINATION, row, terminated_on.year, detail)

    if FlagKind.PRICE_LIMIT in wanted:
        for price in year_prices(scope(Tranche.objects.serving([year] if year is not None else None), "contract__")):
            if price.outside:
                detail = gettext(
                    "%(year)d: %(price)s per child (%(tranche)s ÷ %(children)d children); limits %(low)s–%(high)s"
                ) % {
                    "year": price.year,
                    "price": money(price.per_child),
                    "tranche": money(price.tranche),
                    "children": price.children,
                    "low": money(price.limit.min_per_child),
                    "high": money(price.limit.max_per_child),
                }
                builder.add(
                    FlagKind.PRICE_LIMIT,
                    contract_id=price.contract_id,
                    number=price.number,
                    region_id=price.region_id,
                    service_id=price.service_type_id,
                    agency_id=price.agency_id,
                    year=price.year,
                    detail=detail,
                )

    if FlagKind.LATE_SIGNATURE in wanted:
        _late_signatures(add_contract, add_call, calls, scope, contracts, today, cutoff)

    if FlagKind.LATE_PAYMENT in wanted:
        _late_payments(builder, scope, year, today)

    if FlagKind.OVERDUE_REPORTS in wanted:
        periods = ReportingPeriod.objects.overdue(today).filter(signed_q("contract__"))
        periods = periods.exclude(start__gte=F("contract__terminated_on"))  # periods after a termination never run
        if year is not None:
            periods = periods.filter(year=year)
        for row in (
            scope(periods, "contract__")
            .order_by()
            .values_list(
                "contract_id",
                "contract__number",
                "contract__region_id",
                "contract__service_type_id",
                "contract__agency_id",
                "year",
            )
            .annotate(n=Count("pk"), first_due=Min("due_date"))
        ):
            detail = gettext("%(n)d reports of %(year)d overdue, the first due %(day)s") % {
                "n": row[6],
                "year": row[5],
                "day": _day(row[7]),
            }
            add_contract(FlagKind.OVERDUE_REPORTS, row, row[5], detail)

    if FlagKind.MISSING_DATA in wanted:
        _missing_reports(add_contract, scope, year, today)
        if agency_id is None:
            _missing_population(builder, region_id, year, today)

    return builder.build()


def _concentration(builder: _Builder, window: tuple[int, int], region_id: int | None, year: int | None) -> None:
    """Flag an NGO holding more than half of a region × service's money over the window, with 2 or more contracts
    there that have money in the window."""
    first, last = window
    if year is not None and not first <= year <= last:
        return
    tranches = Tranche.objects.serving(range(first, last + 1))
    if region_id is not None:
        tranches = tranches.filter(contract__region_id=region_id)
    by_cell: dict[tuple[int, int], list[tuple[int, Decimal, int]]] = defaultdict(list)
    for r_id, service_id, provider_id, total, awards in (
        tranches.order_by()
        .values_list("contract__region_id", "contract__service_type_id", "contract__provider_id")
        .annotate(total=Sum("amount"), awards=Count("contract", distinct=True))
    ):
        by_cell[(r_id, service_id)].append((provider_id, total, awards))
    for (r_id, service_id), providers in by_cell.items():
        cell_total = sum((p[1] for p in providers), ZERO)
        for provider_id, total, awards in providers:
            if cell_total > 0 and total / cell_total > CONCENTRATION_SHARE and awards >= CONCENTRATION_MIN_AWARDS:
                detail = gettext("one NGO holds %(share)s%% of %(total)s in %(first)d–%(last)d (%(n)d contracts)") % {
                    "share": f"{total * 100 / cell_total:.1f}",
                    "total": money(cell_total),
                    "first": first,
                    "last": last,
                    "n": awards,
                }
                builder.add(
                    FlagKind.CONCENTRATION,
                    region_id=r_id,
                    service_id=service_id,
                    provider_id=provider_id,
                    year=last,
                    detail=detail,
                )


AddRow = Callable[..., None]
Scope = Callable[..., QuerySet]


def _late_signatures(
    add_contract: AddRow,
    add_call: AddRow,
    calls: Callable[[], QuerySet[Call]],
    scope: Scope,
    contracts: Callable[..., Q],
    today: dt.date,
    cutoff: dt.datetime,
) -> None:
    """Flag contracts whose later signature came more than 15 days after the award, unsigned ones counted up to
    today, and awarded calls still without a contract after 15 days."""
    near = dt.timedelta(days=LATE_SIGNATURE_DAYS - 1)  # the database narrows by hours, calendar days decide
    signed = signed_q()
    late_signed = signed & (
        Q(agency_signed_at__gt=F("call__decided_at") + near) | Q(provider_signed_at__gt=F("call__decided_at") + near)
    )
    unsigned = ~signed & Q(call__decided_at__lt=cutoff - near)
    for row in (
        scope(Contract.objects.filter(contracts()))
        .filter(call__decided_at__isnull=False)
        .filter(late_signed | unsigned)
        .order_by()
        .values_list(
            "id",
            "number",
            "region_id",
            "service_type_id",
            "agency_id",
            "call__decided_at",
            "agency_signed_at",
            "provider_signed_at",
            "start_date",
        )
    ):
        decided, agency_signed, provider_signed, start = row[5:]
        award_day = local_date(decided)
        if agency_signed and provider_signed:
            signed_day = local_date(max(agency_signed, provider_signed))
            days = (signed_day - award_day).days
            detail = gettext("signed %(days)d days after the award (%(award)s → %(signed)s)") % {
                "days": days,
                "award": _day(award_day),
                "signed": _day(signed_day),
            }
        else:
            days = (today - award_day).days
            detail = gettext("not signed %(days)d days after the award of %(award)s") % {
                "days": days,
                "award": _day(award_day),
            }
        if days > LATE_SIGNATURE_DAYS:
            add_contract(FlagKind.LATE_SIGNATURE, row, start.year, detail)
    for row in (
        calls()
        .filter(status=Call.Status.AWARDED, decided_at__lt=cutoff - near)
        .exclude(Exists(Contract.objects.filter(call=OuterRef("pk"))))
        .values_list("id", "number", "region_id", "service_type_id", "agency_id", "start_year", "decided_at")
    ):
        award_day = local_date(row[6])
        days = (today - award_day).days
        if days > LATE_SIGNATURE_DAYS:
            detail = gettext("no contract %(days)d days after the award of %(award)s") % {
                "days": days,
                "award": _day(award_day),
            }
            add_call(FlagKind.LATE_SIGNATURE, row, detail)


def _late_payments(builder: _Builder, scope: Scope, year: int | None, today: dt.date) -> None:
    """Flag tranches with a fixed-part payment after the planned date, or whose planned date has passed (before any
    termination) with the fixed part not fully paid by today: two grouped queries, one flag per tranche."""
    tranches = scope(Tranche.objects.serving([year] if year is not None else None), "contract__")
    fields = (
        "contract_id",
        "contract__number",
        "contract__region_id",
        "contract__service_type_id",
        "contract__agency_id",
        "year",
        "planned_date",
        "fixed_amount",
    )
    found: dict[tuple, dict] = {}
    for row in (
        Payment.objects.late(today)
        .filter(tranche__in=tranches)
        .order_by()
        .values_list(*(f"tranche__{name}" for name in fields))
        .annotate(last_paid=Max("date"))
    ):
        found.setdefault(row[:8], {})["late"] = row[8]
    for row in tranches.fixed_part_short(today).order_by().values_list(*fields, "fixed_paid"):
        found.setdefault(row[:8], {})["paid"] = row[8]
    for key, parts in found.items():
        contract_id, number, r_id, service_id, a_id, tranche_year, planned, fixed_amount = key
        texts = []
        if "late" in parts:
            texts.append(
                gettext("paid after the planned date %(planned)s (last payment %(day)s)")
                % {"planned": _day(planned), "day": _day(parts["late"])}
            )
        if "paid" in parts:
            texts.append(
                gettext("%(paid)s of the fixed part %(fixed)s paid; planned for %(planned)s")
                % {"paid": money(parts["paid"]), "fixed": money(fixed_amount), "planned": _day(planned)}
            )
        builder.add(
            FlagKind.LATE_PAYMENT,
            contract_id=contract_id,
            number=number,
            region_id=r_id,
            service_id=service_id,
            agency_id=a_id,
            year=tranche_year,
            detail=f"{tranche_year}: " + "; ".join(texts),
        )


def _missing_reports(add_contract: AddRow, scope: Scope, year: int | None, today: dt.date) -> None:
    """Flag contract years that have ended (the year, or the contract's service in it) without an accepted annual
    report, and accepted annual reports of such years that lack an actual for a target of the year (or have none)."""
    annual = Report.objects.filter(
        period__contract=OuterRef("contract"), period__year=OuterRef("year"), period__kind=ReportingPeriod.Kind.ANNUAL
    )
    ended = Q(year__lt=today.year) | (
        Q(year=today.year) & (Q(contract__end_date__lt=today) | Q(contract__terminated_on__lte=today))
    )
    tranches = Tranche.objects.serving([year] if year is not None else None).filter(ended)
    fields = ("contract_id", "contract__number", "contract__region_id", "contract__service_type_id")
    for row in (
        scope(tranches, "contract__")
        .filter(~Exists(annual.filter(status=Report.Status.ACCEPTED)))
        .annotate(has_report=Exists(annual.exclude(status=Report.Status.DRAFT)))
        .order_by()
        .values_list(*fields, "contract__agency_id", "year", "has_report")
    ):
        tranche_year, has_report = row[5:]
        if has_report:
            detail = gettext("%(year)d: the annual report is not accepted") % {"year": tranche_year}
        else:
            detail = gettext("%(year)d: no annual report") % {"year": tranche_year}
        add_contract(FlagKind.MISSING_DATA, row, tranche_year, detail)

    # Accepted annual reports: an actual for every target of the year (and at least one actual).
    actual_of_target = Actual.objects.filter(report=OuterRef(OuterRef("pk")), indicator=OuterRef("indicator"))
    target_without_actual = Target.objects.filter(
        contract=OuterRef("period__contract"), year=OuterRef("period__year")
    ).exclude(Exists(actual_of_target))
    period_ended = Q(period__year__lt=today.year) | (
        Q(period__year=today.year)
        & (Q(period__contract__end_date__lt=today) | Q(period__contract__terminated_on__lte=today))
    )
    reports = Report.objects.filter(
        period_ended, status=Report.Status.ACCEPTED, period__kind=ReportingPeriod.Kind.ANNUAL
    )
    if year is not None:
        reports = reports.filter(period__year=year)
    for row in (
        scope(reports, "period__contract__")
        .annotate(
            lacks_actual=Exists(target_without_actual), has_actual=Exists(Actual.objects.filter(report=OuterRef("pk")))
        )
        .filter(Q(lacks_actual=True) | Q(has_actual=False))
        .order_by()
        .values_list(
            *(f"period__{name}" for name in fields), "period__contract__agency_id", "period__year", "has_actual"
        )
    ):
        report_year, has_actual = row[5:]
        if not has_actual:
            detail = gettext("%(year)d: no indicator actuals in the accepted annual report") % {"year": report_year}
        else:
            detail = gettext("%(year)d: a target has no actual in the accepted annual report") % {"year": report_year}
        add_contract(FlagKind.MISSING_DATA, row, report_year, detail)


def _missing_population(builder: _Builder, region_id: int | None, year: int | None, today: dt.date) -> None:
    """Flag region-years (that exist and have data) without an entered child population."""
    years = [year] if year is not None else list(range(default_window(today)[0], default_window(today)[1] + 1))
    regions = table_regions([region_id] if region_id is not None else None)
    entered = set(
        RegionPopulation.objects.filter(year__in=years, region_id__in=[r.pk for r in regions]).values_list(
            "region_id", "year"
        )
    )
    for region in regions:
        for y in years:
            if region_status(region, y) is None and (region.pk, y) not in entered:
                builder.add(
                    FlagKind.MISSING_DATA,
                    region_id=region.pk,
                    year=y,
                    detail=gettext("%(year)d: no child population for the region") % {"year": y},
                )

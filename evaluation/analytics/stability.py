"""Funding stability per region × service type, per provider and per agency over a window of years.

The definitions are DESIGN.md's "Exposing uncovered regions and unstable funding", exactly:

- money of a year is the sum of the tranches for that year of the contracts serving it, zero years included; the
  years of the window that are ``n/a`` or ``no data`` for the region are left out;
- a drop is (m[y] − m[y+1]) ÷ m[y] above ``GSZ["STABILITY_DROP"]`` (unrounded, only when m[y] > 0);
- the coefficient of variation is the population standard deviation ÷ the mean (0 when the mean is 0);
- gap days are the days from max(window start, the earliest start of a contract serving in the window) to
  min(window end, today) on which no contract serves, trailing gaps included; serving intervals are
  [start, min(end, terminated_on − 1)] of signed contracts, merged;
- multi-year share: the share of money in contracts with two or more tranches;
- late start: for each contract starting in the window, the days from 1 January of its first tranche year to the
  later of its start and its second signature; the median (the mean of the middle two when even);
- provider churn: of the pairs of consecutive covered years, the share in which the main provider (the most money
  that year; ties to the lower id) changed;
- single-bid and failed-call shares: of the calls that ended awarded, failed or cancelled after publication;
- the verdict, the first that applies: unfunded, interrupted (a gap of ``GSZ["STABILITY_GAP_DAYS"]`` days or
  more), volatile (coefficient of variation above ``GSZ["STABILITY_CV"]`` or any drop), stable.

Money and calls are aggregated in the database by grouped queries; the serving intervals of the (few) contracts of
each cell come from one query for the whole table and are merged in Python. The number of queries is fixed whatever
the number of contracts, tranches or calls.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Greatest, TruncDate
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, Tranche, last_serving_day
from core.models import Agency, Region, ServiceType
from core.util import start_of_day, year_end, year_start
from evaluation.analytics.coverage import region_status, table_regions, table_service_types
from evaluation.analytics.money import money_by, tranches
from evaluation.analytics.stats import (
    ZERO,
    Interval,
    YearChange,
    coefficient_of_variation,
    gap_runs,
    gap_totals,
    longest_run,
    median,
    share,
    year_changes,
)
from providers.models import Provider
from tenders.models import MAX_DURATION_YEARS, Call

WINDOW_YEARS = 5


class Verdict(models.TextChoices):
    UNFUNDED = "unfunded", _("unfunded")
    INTERRUPTED = "interrupted", _("interrupted")
    VOLATILE = "volatile", _("volatile")
    STABLE = "stable", _("stable")
    NO_DATA = "no_data", _("no data")  # every year of the window is n/a or no data for the region


@dataclass(frozen=True)
class Thresholds:
    """The thresholds of the verdicts (settings GSZ["STABILITY_DROP"], ["STABILITY_CV"], ["STABILITY_GAP_DAYS"]),
    exposed so every page and sheet can state them."""

    drop: Decimal
    cv: Decimal
    gap_days: int


def gsz_decimal(name: str) -> Decimal:
    """Return a GSZ setting as an exact Decimal (0.3 stays 0.3, not a binary float)."""
    return Decimal(str(settings.GSZ[name]))


def thresholds() -> Thresholds:
    """Return the current stability thresholds from the settings."""
    return Thresholds(
        drop=gsz_decimal("STABILITY_DROP"),
        cv=gsz_decimal("STABILITY_CV"),
        gap_days=int(settings.GSZ["STABILITY_GAP_DAYS"]),
    )


def default_window(today: dt.date) -> tuple[int, int]:
    """Return the last five complete years before `today`: (first year, last year)."""
    return today.year - WINDOW_YEARS, today.year - 1


@dataclass
class StabilityRow:
    """Funding stability of one region × service type over the window."""

    region: Region
    service_type: ServiceType
    first_year: int
    last_year: int
    years: list[int]  # the window's years that count for the region (not n/a, not no data)
    money: dict[int, Decimal]  # year → money, zero years included
    total: Decimal
    changes: list[YearChange]
    cv: Decimal | None  # None only when no year counts
    gap_days: int | None  # None when no contract serves in the window
    longest_gap: int | None
    gaps: list[tuple[dt.date, dt.date]]  # the uncovered runs (first day, last day)
    multi_year_share: Decimal | None  # None when there is no money
    late_start_days: list[int]  # one per contract starting in the window, by contract id
    late_start_median: Decimal | None
    main_providers: dict[int, int]  # covered year → main provider id
    churn_pairs: int
    churn_changes: int
    churn: Decimal | None
    calls_ended: int
    single_bid_calls: int
    failed_calls: int
    single_bid_share: Decimal | None
    failed_call_share: Decimal | None
    verdict: str
    contract_ids: list[int] = field(default_factory=list)

    @property
    def drops(self) -> list[YearChange]:
        return [c for c in self.changes if c.is_drop]

    @property
    def verdict_label(self) -> str:
        return Verdict(self.verdict).label


@dataclass(kw_only=True)
class PartyStabilityRow:
    """Money of one provider or one agency by year over the window, judged by the same verdict as a region ×
    service: gap days count the days on which none of its contracts serves (from its first contract in the window
    up to the window's end or today), and drops and the coefficient of variation are those of its yearly money."""

    years: list[int]
    money: dict[int, Decimal]
    total: Decimal
    changes: list[YearChange]
    cv: Decimal
    years_funded: int
    longest_run: int  # consecutive years with money
    gap_days: int | None  # None when none of its contracts serves in the window
    longest_gap: int | None
    verdict: str

    @property
    def drops(self) -> list[YearChange]:
        return [c for c in self.changes if c.is_drop]

    @property
    def verdict_label(self) -> str:
        return Verdict(self.verdict).label


@dataclass(kw_only=True)
class ProviderStabilityRow(PartyStabilityRow):
    """A provider's money by year over the window, and how dependent it is on its largest agency."""

    provider: Provider
    largest_agency: Agency | None
    largest_agency_share: Decimal | None


@dataclass(kw_only=True)
class AgencyStabilityRow(PartyStabilityRow):
    """The money one agency spent by year over the window."""

    agency: Agency


def verdict_of(
    *, total: Decimal, longest_gap: int | None, cv: Decimal, changes: list[YearChange], limits: Thresholds
) -> Verdict:
    """Return the verdict, the first that applies: unfunded, interrupted, volatile, stable."""
    if total == 0:
        return Verdict.UNFUNDED
    if longest_gap is not None and longest_gap >= limits.gap_days:
        return Verdict.INTERRUPTED
    if cv > limits.cv or any(c.is_drop for c in changes):
        return Verdict.VOLATILE
    return Verdict.STABLE


def _multi_year_amount() -> Case:
    """Return the tranche amount when its contract has another tranche (two or more in all), else 0."""
    other = Tranche.objects.filter(contract=OuterRef("contract")).exclude(pk=OuterRef("pk"))
    return Case(When(Exists(other), then=F("amount")), default=Value(ZERO), output_field=models.DecimalField())


def stability_table(
    first_year: int,
    last_year: int,
    *,
    today: dt.date,
    regions: QuerySet[Region] | Iterable[Region | int] | None = None,
    service_types: QuerySet[ServiceType] | Iterable[ServiceType | int] | None = None,
) -> list[StabilityRow]:
    """Return the stability of every region (first-level units by KATO unless a selection is given) × service type
    over first_year … last_year as of `today`, in matrix order."""
    limits = thresholds()
    region_list = table_regions(regions)
    service_list = table_service_types(service_types)
    region_ids = [r.pk for r in region_list]
    service_ids = [s.pk for s in service_list]
    window_first, window_last = year_start(first_year), year_end(last_year)

    # Money by cell × year × provider, with the part in multi-year contracts.
    money: dict[tuple, Decimal] = defaultdict(Decimal)
    multi: dict[tuple, Decimal] = defaultdict(Decimal)
    provider_money: dict[tuple, dict[int, Decimal]] = defaultdict(dict)
    for r in (
        Tranche.objects.serving(range(first_year, last_year + 1))
        .filter(contract__region_id__in=region_ids, contract__service_type_id__in=service_ids)
        .order_by()
        .values("contract__region_id", "contract__service_type_id", "year", "contract__provider_id")
        .annotate(total=Sum("amount"), multi=Sum(_multi_year_amount()))
    ):
        key = (r["contract__region_id"], r["contract__service_type_id"], r["year"])
        money[key] += r["total"]
        multi[key] += r["multi"]
        provider_money[key][r["contract__provider_id"]] = r["total"]

    # Serving intervals of the contracts serving in the window: one query for the whole table. For those starting in
    # it, also the date (Asia/Almaty) of the second signature and the first tranche year, for the late start.
    first_tranche = Tranche.objects.filter(contract=OuterRef("pk")).order_by("year").values("year")[:1]
    starts_in_window = Q(start_date__gte=window_first)
    contracts: dict[tuple, list[tuple]] = defaultdict(list)
    for row in (
        Contract.objects.serving_between(window_first, window_last)
        .filter(region_id__in=region_ids, service_type_id__in=service_ids)
        .annotate(
            signed_day=Case(
                When(starts_in_window, then=TruncDate(Greatest("agency_signed_at", "provider_signed_at"))),
                output_field=models.DateField(),
            ),
            first_tranche_year=Case(
                When(starts_in_window, then=Subquery(first_tranche)), output_field=models.IntegerField()
            ),
        )
        .order_by()
        .values_list(
            "region_id",
            "service_type_id",
            "id",
            "provider_id",
            "start_date",
            "end_date",
            "terminated_on",
            "signed_day",
            "first_tranche_year",
        )
    ):
        contracts[(row[0], row[1])].append(row[2:])

    # Calls that ended awarded, failed or cancelled after publication, by cell and years; a call's bids count only
    # once its deadline passed before the snapshot day (never for a call cancelled before its deadline).
    calls: dict[tuple, list[tuple[int, int, int, int, int]]] = defaultdict(list)
    for r in (
        Call.objects.filter(region_id__in=region_ids, service_type_id__in=service_ids)
        .filter(
            Q(status__in=[Call.Status.AWARDED, Call.Status.FAILED])
            | Q(status=Call.Status.CANCELLED, published_at__isnull=False)
        )
        .with_submitted_bids(start_of_day(today))
        .annotate(end_year=F("start_year") + F("duration_years") - 1)
        .filter(start_year__lte=last_year, start_year__gte=first_year - MAX_DURATION_YEARS + 1)
        .filter(end_year__gte=first_year)
        .order_by()
        .values("region_id", "service_type_id", "start_year", "end_year")
        .annotate(
            ended=Count("pk"),
            single=Count("pk", filter=Q(submitted_bids=1)),
            failed=Count("pk", filter=~Q(status=Call.Status.AWARDED)),
        )
    ):
        calls[(r["region_id"], r["service_type_id"])].append(
            (r["start_year"], r["end_year"], r["ended"], r["single"], r["failed"])
        )

    rows = []
    for region in region_list:
        years = [y for y in range(first_year, last_year + 1) if region_status(region, y) is None]
        for service in service_list:
            key = (region.pk, service.pk)
            rows.append(
                _row(
                    region,
                    service,
                    first_year,
                    last_year,
                    years,
                    today=today,
                    limits=limits,
                    money={y: money.get((*key, y), ZERO) for y in years},
                    multi=sum((multi.get((*key, y), ZERO) for y in years), ZERO),
                    provider_money={y: provider_money.get((*key, y), {}) for y in years},
                    contracts=contracts.get(key, []),
                    calls=calls.get(key, []),
                )
            )
    return rows


def _row(
    region: Region,
    service: ServiceType,
    first_year: int,
    last_year: int,
    years: list[int],
    *,
    today: dt.date,
    limits: Thresholds,
    money: dict[int, Decimal],
    multi: Decimal,
    provider_money: dict[int, dict[int, Decimal]],
    contracts: list[tuple],
    calls: list[tuple[int, int, int, int, int]],
) -> StabilityRow:
    total = sum(money.values(), ZERO)
    changes = year_changes(money, years, limits.drop)
    cv = coefficient_of_variation([money[y] for y in years])
    gap_days = longest_gap = None
    gaps: list[tuple[dt.date, dt.date]] = []
    late: list[int] = []
    main: dict[int, int] = {}
    contract_ids: list[int] = []
    if years:
        window_first, window_last = year_start(years[0]), year_end(years[-1])
        intervals: list[tuple[dt.date, dt.date]] = []
        providers_by_year: dict[int, set[int]] = defaultdict(set)  # a year is covered when a contract serves a day
        for contract_id, provider_id, start, end, terminated_on, signed_day, tranche_year in sorted(contracts):
            last = last_serving_day(end, terminated_on)
            if start > window_last or last < window_first:
                continue
            intervals.append((start, last))
            contract_ids.append(contract_id)
            for year in range(max(start.year, years[0]), min(last.year, years[-1]) + 1):
                providers_by_year[year].add(provider_id)
            if start >= window_first and signed_day is not None:
                base = year_start(tranche_year if tranche_year is not None else start.year)
                late.append((max(start, signed_day) - base).days)
        runs = gap_runs(intervals, window_first, window_last, today)
        if runs is not None:
            gaps = runs
            gap_days, longest_gap = gap_totals(runs)
        for year in sorted(providers_by_year):
            serving_providers, amounts = providers_by_year[year], provider_money.get(year, {})
            main[year] = min(serving_providers | set(amounts), key=lambda p: (-amounts.get(p, ZERO), p))
    pairs = [(y, y + 1) for y in years if y in main and y + 1 in main]
    changed = sum(1 for y, n in pairs if main[y] != main[n])
    region_window = (years[0], years[-1]) if years else None
    ended = single = failed = 0
    for start_year, end_year, n_ended, n_single, n_failed in calls:
        if region_window and start_year <= region_window[1] and end_year >= region_window[0]:
            ended, single, failed = ended + n_ended, single + n_single, failed + n_failed
    if not years:
        verdict = Verdict.NO_DATA
    else:
        verdict = verdict_of(total=total, longest_gap=longest_gap, cv=cv, changes=changes, limits=limits)
    return StabilityRow(
        region=region,
        service_type=service,
        first_year=first_year,
        last_year=last_year,
        years=years,
        money=money,
        total=total,
        changes=changes,
        cv=cv,
        gap_days=gap_days,
        longest_gap=longest_gap,
        gaps=gaps,
        multi_year_share=share(multi, total),
        late_start_days=late,
        late_start_median=median(late),
        main_providers=main,
        churn_pairs=len(pairs),
        churn_changes=changed,
        churn=share(changed, len(pairs)),
        calls_ended=ended,
        single_bid_calls=single,
        failed_calls=failed,
        single_bid_share=share(single, ended),
        failed_call_share=share(failed, ended),
        verdict=verdict,
        contract_ids=contract_ids,
    )


def _party_intervals(field_name: str, first: dt.date, last: dt.date, ids: list[int] | None) -> dict[int, list]:
    """Return the serving intervals of the contracts serving first … last, by provider or agency (one query)."""
    contracts = Contract.objects.serving_between(first, last)
    if ids is not None:
        contracts = contracts.filter(**{f"{field_name}__in": ids})
    intervals: dict[int, list[Interval]] = defaultdict(list)
    for party, start, end, terminated_on in contracts.order_by().values_list(
        field_name, "start_date", "end_date", "terminated_on"
    ):
        intervals[party].append((start, last_serving_day(end, terminated_on)))
    return intervals


def _party(
    years: list[int], amounts: dict[int, Decimal], intervals: list[Interval], today: dt.date, limits: Thresholds
) -> dict:
    """Return the figures and the verdict of one provider or agency (the fields of PartyStabilityRow)."""
    money = {y: amounts.get(y, ZERO) for y in years}
    total = sum(money.values(), ZERO)
    changes = year_changes(money, years, limits.drop)
    cv = coefficient_of_variation(list(money.values())) or ZERO
    runs = gap_runs(intervals, year_start(years[0]), year_end(years[-1]), today)
    gap_days, longest_gap = gap_totals(runs) if runs is not None else (None, None)
    return {
        "years": years,
        "money": money,
        "total": total,
        "changes": changes,
        "cv": cv,
        "years_funded": sum(1 for v in money.values() if v > 0),
        "longest_run": longest_run(years, [y for y, v in money.items() if v > 0]),
        "gap_days": gap_days,
        "longest_gap": longest_gap,
        "verdict": verdict_of(total=total, longest_gap=longest_gap, cv=cv, changes=changes, limits=limits),
    }


def provider_stability(
    first_year: int,
    last_year: int,
    *,
    today: dt.date,
    providers: QuerySet[Provider] | Iterable[Provider | int] | None = None,
) -> list[ProviderStabilityRow]:
    """Return each provider's money by year over the window (money.money_by: tranches of contracts serving the
    year), its coefficient of variation, drops, longest run of funded years, gap days, verdict and the share of its
    money from its largest agency (ties to the lower agency id). Without a selection: the providers with money in
    the window, most money first."""
    limits = thresholds()
    years = list(range(first_year, last_year + 1))
    ids = [p if isinstance(p, int) else p.pk for p in providers] if providers is not None else None
    by_year: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    by_agency: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for (provider_id, agency_id), money in money_by(
        first_year, last_year, by=("provider", "agency"), provider=ids, paid=False
    ).items():
        for year, (planned, _paid) in money.items():
            by_year[provider_id][year] += planned
            by_agency[provider_id][agency_id] += planned
    intervals = _party_intervals("provider_id", year_start(first_year), year_end(last_year), ids)
    # Objects by subquery, not by a list of ids: one query whatever their number (SQLite splits long lists).
    window = tranches(first_year, last_year, provider=ids)
    chosen = Provider.objects.filter(pk__in=ids if ids is not None else window.values("contract__provider_id"))
    provider_objects = {p.pk: p for p in chosen}
    agency_objects = {a.pk: a for a in Agency.objects.filter(pk__in=window.values("contract__agency_id"))}
    rows = []
    for provider_id in ids if ids is not None else list(by_year):
        if provider_id not in provider_objects:
            continue
        figures = _party(years, by_year.get(provider_id, {}), intervals.get(provider_id, []), today, limits)
        agencies = by_agency.get(provider_id, {})
        largest = min(agencies, key=lambda a: (-agencies[a], a)) if agencies else None
        rows.append(
            ProviderStabilityRow(
                provider=provider_objects[provider_id],
                largest_agency=agency_objects.get(largest) if largest else None,
                largest_agency_share=share(agencies[largest], figures["total"]) if largest else None,
                **figures,
            )
        )
    rows.sort(key=lambda r: (-r.total, r.provider.pk))
    return rows


def agency_stability(
    first_year: int,
    last_year: int,
    *,
    today: dt.date,
    agencies: QuerySet[Agency] | Iterable[Agency | int] | None = None,
) -> list[AgencyStabilityRow]:
    """Return each agency's money by year over the window (money.money_by: tranches of its contracts serving the
    year), its coefficient of variation, drops, longest run of funded years, gap days and verdict. Without a
    selection: the agencies with money in the window, most money first."""
    limits = thresholds()
    years = list(range(first_year, last_year + 1))
    ids = [a if isinstance(a, int) else a.pk for a in agencies] if agencies is not None else None
    by_year = {
        agency_id: {year: planned for year, (planned, _paid) in money.items()}
        for (agency_id,), money in money_by(first_year, last_year, by=("agency",), agency=ids, paid=False).items()
    }
    intervals = _party_intervals("agency_id", year_start(first_year), year_end(last_year), ids)
    window = tranches(first_year, last_year, agency=ids)
    chosen = Agency.objects.filter(pk__in=ids if ids is not None else window.values("contract__agency_id"))
    agency_objects = {a.pk: a for a in chosen}
    rows = [
        AgencyStabilityRow(
            agency=agency_objects[a], **_party(years, by_year.get(a, {}), intervals.get(a, []), today, limits)
        )
        for a in (ids if ids is not None else list(by_year))
        if a in agency_objects
    ]
    rows.sort(key=lambda r: (-r.total, r.agency.pk))
    return rows

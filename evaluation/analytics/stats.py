"""Shared helpers of the system-level analytics (coverage, funding stability, red flags): the serving and money
rules expressed as querysets, the regions and service types of a table, serving intervals and their arithmetic, and
small Decimal statistics. Everything here is pure or a queryset; nothing runs a query per row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Aggregate, CharField, Count, F, IntegerField, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from contracts.models import Contract, Tranche
from core.models import Region, ServiceType
from tenders.models import Bid

ZERO = Decimal("0")
ONE_DAY = dt.timedelta(days=1)
THOUSAND = Decimal("1000")


# -- dates -------------------------------------------------------------------------------------------------------


def year_start(year: int) -> dt.date:
    return dt.date(year, 1, 1)


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def local_date(moment: dt.datetime | None) -> dt.date | None:
    """Return the calendar date of a moment in the project's time zone (Asia/Almaty)."""
    return timezone.localtime(moment).date() if moment is not None else None


def start_of_day(day: dt.date) -> dt.datetime:
    """Return midnight at the start of `day` in the project's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def last_serving_day(end: dt.date, terminated_on: dt.date | None) -> dt.date:
    """Return the last day a contract serves: its end date, or the day before its termination if earlier."""
    return min(end, terminated_on - ONE_DAY) if terminated_on else end


# -- the rules as querysets ---------------------------------------------------------------------------------------


def serving_contracts(first: dt.date, last: dt.date) -> QuerySet[Contract]:
    """Return contracts that serve at least one day from `first` to `last`: the one serving rule
    (`ContractQuerySet.serving_between`), without contracts terminated on or before their start, which serve no day."""
    return Contract.objects.serving_between(first, last).exclude(terminated_on__lte=F("start_date"))


def serving_tranches(years: Iterable[int] | None = None) -> QuerySet[Tranche]:
    """Return tranches whose contract serves the tranche's year: money of a contract in year y is its tranche for y
    (amendments change the tranche in place), counted only while the contract serves y.

    With `years`, only tranches of those years, and the rule is spelled with each year's dates (plain date
    comparisons the database can index, no per-row functions); without, for every year, by the year's parts."""
    signed = Q(contract__agency_signed_at__isnull=False, contract__provider_signed_at__isnull=False)
    never_served = Q(contract__terminated_on__lte=F("contract__start_date"))
    if years is not None:
        per_year = Q(pk__in=[])
        for year in sorted(set(years)):
            first, last = year_start(year), year_end(year)
            per_year |= Q(
                Q(contract__terminated_on__isnull=True) | Q(contract__terminated_on__gt=first),
                year=year,
                contract__start_date__lte=last,
                contract__end_date__gte=first,
            )
        return Tranche.objects.filter(signed & per_year).exclude(never_served)
    terminated_after_new_year = Q(contract__terminated_on__year__gt=F("year")) | (
        Q(contract__terminated_on__year=F("year"))
        & (Q(contract__terminated_on__month__gt=1) | Q(contract__terminated_on__day__gt=1))
    )
    return (
        Tranche.objects.filter(
            signed, contract__start_date__year__lte=F("year"), contract__end_date__year__gte=F("year")
        )
        .filter(Q(contract__terminated_on__isnull=True) | terminated_after_new_year)
        .exclude(never_served)
    )


def submitted_bid_count() -> Coalesce:
    """Return an annotation of a call's submitted bids at the deadline (drafts and withdrawn ones do not count)."""
    counted = (
        Bid.objects.submitted_at_deadline()
        .filter(call=OuterRef("pk"))
        .order_by()
        .values("call")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def deadline_reached(deadline: dt.datetime, cancelled_at: dt.datetime | None, cutoff: dt.datetime) -> bool:
    """Return whether a call's deadline passed by `cutoff` without the call being cancelled before it. Callers pass
    the start of the snapshot day as the cutoff, so a deadline later that day never reveals how many bids exist."""
    return deadline <= cutoff and (cancelled_at is None or cancelled_at >= deadline)


class JoinedIds(Aggregate):
    """Return the group's values as one comma-separated string (STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite),
    so a grouped query can carry the ids behind each number; `parse_ids` reads it back."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(distinct)s%(expressions)s)"
    allow_distinct = True
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # Set on a copy, not passed as arguments: Aggregate.as_sql passes its own template when there is a filter.
        clone = self.copy()
        clone.function = "STRING_AGG"
        clone.template = "%(function)s(%(distinct)s(%(expressions)s)::text, ',')"
        return super(JoinedIds, clone).as_sql(compiler, connection, **extra_context)


def parse_ids(joined: str | None) -> list[int]:
    """Return the sorted ids of a JoinedIds value (None for an empty group)."""
    return sorted(int(part) for part in joined.split(",")) if joined else []


# -- the regions and services of a table ---------------------------------------------------------------------------


def _ids(items: Iterable[Model | int]) -> list[int]:
    return [item if isinstance(item, int) else item.pk for item in items]


def table_regions(regions: QuerySet[Region] | Iterable[Region | int] | Region | None = None) -> list[Region]:
    """Return the regions of a table ordered by KATO: the first-level units unless a selection is given."""
    if regions is None:
        return list(Region.objects.filter(level=Region.Level.FIRST).order_by("kato"))
    if isinstance(regions, Region):
        regions = [regions]
    if isinstance(regions, QuerySet):
        return list(regions.order_by("kato"))
    return list(Region.objects.filter(pk__in=_ids(regions)).order_by("kato"))


def table_service_types(
    service_types: QuerySet[ServiceType] | Iterable[ServiceType | int] | ServiceType | None = None,
) -> list[ServiceType]:
    """Return the service types of a table in their reference order: all unless a selection is given."""
    if service_types is None:
        return list(ServiceType.objects.order_by("id"))
    if isinstance(service_types, ServiceType):
        service_types = [service_types]
    if isinstance(service_types, QuerySet):
        return list(service_types.order_by("id"))
    return list(ServiceType.objects.filter(pk__in=_ids(service_types)).order_by("id"))


def region_year_status(region: Region, year: int) -> str | None:
    """Return "na" when the region did not exist in the year, "no_data" when the year is before the region's
    data_from_year, else None (the coverage statuses of the same names)."""
    if region.valid_from is not None and region.valid_from.year > year:
        return "na"
    if region.data_from_year is not None and year < region.data_from_year:
        return "no_data"
    return None


# -- intervals -----------------------------------------------------------------------------------------------------

Interval = tuple[dt.date, dt.date]


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Return the union of inclusive day intervals as disjoint sorted intervals (touching ones are joined)."""
    merged: list[Interval] = []
    for start, last in sorted(i for i in intervals if i[0] <= i[1]):
        if merged and start <= merged[-1][1] + ONE_DAY:
            if last > merged[-1][1]:
                merged[-1] = (merged[-1][0], last)
        else:
            merged.append((start, last))
    return merged


def uncovered_runs(merged: Sequence[Interval], first: dt.date, last: dt.date) -> list[Interval]:
    """Return the runs of days from `first` to `last` inclusive that no interval of `merged` (disjoint, sorted)
    covers, trailing ones included."""
    runs: list[Interval] = []
    cursor = first
    for start, end in merged:
        if end < cursor:
            continue
        if start > last:
            break
        if start > cursor:
            runs.append((cursor, min(start - ONE_DAY, last)))
        cursor = max(cursor, end + ONE_DAY)
        if cursor > last:
            return runs
    if cursor <= last:
        runs.append((cursor, last))
    return runs


def run_days(run: Interval) -> int:
    return (run[1] - run[0]).days + 1


# -- statistics ----------------------------------------------------------------------------------------------------


def decimal_mean(values: Sequence[Decimal]) -> Decimal | None:
    """Return the arithmetic mean, or None for no values."""
    if not values:
        return None
    return sum(values, ZERO) / len(values)


def coefficient_of_variation(values: Sequence[Decimal]) -> Decimal | None:
    """Return the population standard deviation ÷ the mean (0 when the mean is 0; None for no values)."""
    mean = decimal_mean(values)
    if mean is None:
        return None
    if mean == 0:
        return ZERO
    variance = sum(((v - mean) ** 2 for v in values), ZERO) / len(values)
    return variance.sqrt() / mean


def median(values: Sequence[int | Decimal]) -> Decimal | None:
    """Return the median: the middle value, or the mean of the middle two when the count is even."""
    if not values:
        return None
    ordered = sorted(Decimal(v) for v in values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def share(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """Return part ÷ whole unrounded, or None when the whole is 0."""
    if not whole:
        return None
    return Decimal(part) / Decimal(whole)


def per_thousand(value: Decimal | int | None, population: int | None) -> Decimal | None:
    """Return value per 1,000 of the population, or None when either is missing."""
    if value is None or not population:
        return None
    return Decimal(value) * THOUSAND / Decimal(population)


def longest_run(years: Sequence[int], funded: Iterable[int]) -> int:
    """Return the longest run of consecutive years of `years` that are in `funded`."""
    funded = set(funded)
    best = current = 0
    previous = None
    for year in sorted(years):
        if year in funded:
            current = current + 1 if previous is not None and previous == year - 1 and current else 1
            best = max(best, current)
        else:
            current = 0
        previous = year
    return best


# -- thresholds ----------------------------------------------------------------------------------------------------


def gsz_decimal(name: str) -> Decimal:
    """Return a GSZ setting as an exact Decimal (0.3 stays 0.3, not a binary float)."""
    return Decimal(str(settings.GSZ[name]))


@dataclass(frozen=True)
class YearChange:
    """The change of money from one year to the next; a drop is (before − after) ÷ before above the threshold."""

    year: int
    next_year: int
    before: Decimal
    after: Decimal
    is_drop: bool

    @property
    def change(self) -> Decimal:
        return self.after - self.before

    @property
    def relative(self) -> Decimal | None:
        """Return (after − before) ÷ before unrounded, or None when before is 0."""
        return share(self.after - self.before, self.before)


def year_changes(money: dict[int, Decimal], years: Sequence[int], drop_threshold: Decimal) -> list[YearChange]:
    """Return the change between each pair of consecutive years; a drop only when the earlier year had money."""
    changes = []
    for year, next_year in zip(years, years[1:], strict=False):
        before, after = money.get(year, ZERO), money.get(next_year, ZERO)
        is_drop = before > 0 and (before - after) / before > drop_threshold
        changes.append(YearChange(year, next_year, before, after, is_drop))
    return changes

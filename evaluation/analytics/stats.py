"""Interval arithmetic and small Decimal statistics of the analytics: serving intervals and the runs of days between
them, means, the coefficient of variation, medians, shares, runs of funded years and year-to-year changes. Pure
functions: no queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal("0")
ONE_DAY = dt.timedelta(days=1)
THOUSAND = Decimal("1000")


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
    """Return the number of days of an inclusive run."""
    return (run[1] - run[0]).days + 1


def gap_runs(intervals: Sequence[Interval], first: dt.date, last: dt.date, today: dt.date) -> list[Interval] | None:
    """Return the runs of days without service from max(`first`, the earliest start) to min(`last`, `today`),
    trailing ones included; None when there is no interval at all (nothing served, so no gap can be measured)."""
    if not intervals:
        return None
    span_first = max(first, min(i[0] for i in intervals))
    span_last = min(last, today)
    if span_first > span_last:
        return []
    return uncovered_runs(merge_intervals(intervals), span_first, span_last)


def gap_totals(runs: Sequence[Interval]) -> tuple[int, int]:
    """Return the days of the runs in all and the days of the longest run (0 and 0 for none)."""
    return sum(run_days(r) for r in runs), max((run_days(r) for r in runs), default=0)


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

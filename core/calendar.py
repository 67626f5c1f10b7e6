"""Working days on Kazakhstan's calendar: the one answer wherever a rule speaks of working days.

A day is a working day unless it is a Saturday, a Sunday or a public holiday, with the transfers the government
announces each year (a holiday moved onto a weekday, and the weekend day that is worked instead). The published
calendar comes from the `holidays` package (`country_holidays("KZ")`: New Year 1–2 January, Nauryz 21–23 March,
the days off observed when a holiday falls on a weekend, and the announced transfers); an administrator corrects
or extends it day by day through `core.CalendarOverride` (the admin), which always wins.

Counting: `working_days_between(a, b)` counts the working days after `a` up to and including `b` (the day of an
event itself is not counted, as in "five working days from publication"); `add_working_days(a, n)` is the day on
which that count first reaches `n`, so `working_days_between(a, add_working_days(a, n)) == n`.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

ONE_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=64)
def _published(year: int):
    """Kazakhstan's published calendar of one year (cached: it never changes while the process runs)."""
    return holidays.country_holidays("KZ", years=year)


class WorkCalendar:
    """The calendar with the administrator's overrides read once (one query), for many questions in a row."""

    def __init__(self, overrides: dict[dt.date, bool] | None = None) -> None:
        if overrides is None:
            from core.models import CalendarOverride

            overrides = dict(CalendarOverride.objects.values_list("date", "is_working_day"))
        self.overrides = overrides

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return _published(day.year).is_working_day(day)

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """Return the day on which the n-th working day after `day` falls (n ≥ 0; n = 0 returns `day`)."""
        if n < 0:
            raise ValueError("n must not be negative")
        while n > 0:
            day += ONE_DAY
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Return the number of working days after `start` up to and including `end` (0 when `end` ≤ `start`)."""
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count


def is_working_day(day: dt.date) -> bool:
    """Return whether `day` is a working day in Kazakhstan (overrides first)."""
    return WorkCalendar().is_working_day(day)


def add_working_days(day: dt.date, n: int) -> dt.date:
    """Return the day on which the n-th working day after `day` falls."""
    return WorkCalendar().add_working_days(day, n)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Return the number of working days after `start` up to and including `end`."""
    return WorkCalendar().working_days_between(start, end)

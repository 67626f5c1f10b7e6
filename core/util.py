"""Small date, number and language helpers used across apps."""

import calendar
import datetime as dt

from django.utils import timezone
from django.utils.translation import get_language


def add_months(day: dt.date, months: int) -> dt.date:
    """Return the same day `months` later, clamped to the month's last day (29 Feb + 12 months = 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def today() -> dt.date:
    """Return today's date in Asia/Almaty."""
    return timezone.localdate()


def translated(obj, field: str = "name") -> str:
    """Return `obj.<field>_<active language>` (ru, kk or en), or the Russian value where that one is empty or the
    model has no column for the language: the one rule for every model with `name_ru`, `name_kk`, … columns."""
    language = (get_language() or "ru")[:2]
    return getattr(obj, f"{field}_{language}", "") or getattr(obj, f"{field}_ru")


def year_start(year: int) -> dt.date:
    """Return 1 January of the year."""
    return dt.date(year, 1, 1)


def year_end(year: int) -> dt.date:
    """Return 31 December of the year."""
    return dt.date(year, 12, 31)


def local_date(moment: dt.datetime | None) -> dt.date | None:
    """Return the calendar date of a moment in the project's time zone (Asia/Almaty); None stays None."""
    return timezone.localtime(moment).date() if moment is not None else None


def start_of_day(day: dt.date) -> dt.datetime:
    """Return midnight at the start of `day` in the project's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

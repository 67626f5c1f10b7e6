"""The call timelines in force: the one answer for the minimum submission period, the last day terms may change
and the complaint standstill. Thresholds are settings (`GSZ["SUBMISSION_MINIMUMS"]`,
`["AMENDMENT_MIN_WORKING_DAYS"]`, `["STANDSTILL_WORKING_DAYS"]`); working days are Kazakhstan's (core.calendar).

The submission period runs from the day of publication (or of the opening of submissions, if later) to the day of
the deadline, both as dates in Asia/Almaty: in working days it counts the working days after the start up to and
including the deadline's day; in calendar days the days between the two dates. A call is held to the minimum in
force on the day it was (or, for a draft, would be) published, so calls published before 2025 keep their rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from core.calendar import WorkCalendar
from core.util import local_date

WORKING, CALENDAR = "working", "calendar"


@dataclass(frozen=True)
class SubmissionMinimum:
    """One threshold: from `since`, at least `days` working or calendar days."""

    since: dt.date
    days: int
    unit: str  # WORKING or CALENDAR
    until: dt.date | None = None  # the first day of the next threshold, if any
    first: bool = False  # the oldest threshold: it applies to everything published before the next one

    @property
    def working(self) -> bool:
        return self.unit == WORKING

    def period_text(self) -> str:
        """When the threshold applies: "in force from 01.01.2025" or "for calls published before 01.01.2025"."""
        if self.first and self.until:
            return gettext("for calls published before %(day)s") % {"day": f"{self.until:%d.%m.%Y}"}
        return gettext("in force from %(day)s") % {"day": f"{self.since:%d.%m.%Y}"}

    def describe(self) -> str:
        """The rule in words, e.g. "at least 5 working days (in force from 01.01.2025)"."""
        return gettext("at least %(amount)s (%(period)s)") % {
            "amount": days_text(self.days, self.working),
            "period": self.period_text(),
        }

    def length(self, start: dt.date, deadline: dt.date, calendar: WorkCalendar | None = None) -> int:
        """The submission period from `start` to `deadline` in this threshold's unit."""
        if self.working:
            return (calendar or WorkCalendar()).working_days_between(start, deadline)
        return (deadline - start).days

    def earliest_deadline(self, start: dt.date, calendar: WorkCalendar | None = None) -> dt.date:
        """The first day a deadline may fall on for a period starting on `start`."""
        if self.working:
            return (calendar or WorkCalendar()).add_working_days(start, self.days)
        return start + dt.timedelta(days=self.days)


def days_text(days: int, working: bool) -> str:
    """ "5 working days" / "15 calendar days", translated with plurals."""
    if working:
        return ngettext("%(n)d working day", "%(n)d working days", days) % {"n": days}
    return ngettext("%(n)d calendar day", "%(n)d calendar days", days) % {"n": days}


def submission_minimums() -> list[SubmissionMinimum]:
    """Every threshold of the setting, oldest first."""
    rows = sorted(settings.GSZ["SUBMISSION_MINIMUMS"], key=lambda row: row[0])
    return [
        SubmissionMinimum(since, int(days), unit, until=rows[i + 1][0] if i + 1 < len(rows) else None, first=i == 0)
        for i, (since, days, unit) in enumerate(rows)
    ]


def submission_minimum(published_on: dt.date) -> SubmissionMinimum:
    """The threshold in force for a call published on `published_on` (the oldest one for earlier days)."""
    minimums = submission_minimums()
    current = minimums[0]
    for minimum in minimums:
        if minimum.since <= published_on:
            current = minimum
    return current


def window_start(published_at: dt.datetime, opens_at: dt.datetime | None) -> dt.date:
    """The day the submission period starts: publication, or the opening of submissions if later."""
    return local_date(max(published_at, opens_at) if opens_at else published_at)


def earliest_deadline(
    published_at: dt.datetime, opens_at: dt.datetime | None = None, calendar: WorkCalendar | None = None
) -> dt.date:
    """The first day a deadline may fall on for a call published at `published_at`."""
    return submission_minimum(local_date(published_at)).earliest_deadline(
        window_start(published_at, opens_at), calendar
    )


def window_shortfall(
    published_at: dt.datetime,
    opens_at: dt.datetime | None,
    deadline: dt.datetime,
    calendar: WorkCalendar | None = None,
) -> tuple[int, SubmissionMinimum] | None:
    """(the period's length, the minimum) when the period is below the minimum in force at publication, else None."""
    minimum = submission_minimum(local_date(published_at))
    length = minimum.length(window_start(published_at, opens_at), local_date(deadline), calendar)
    return (length, minimum) if length < minimum.days else None


# -- changes of terms and the standstill ---------------------------------------------------------------------------


def amendment_min_working_days() -> int:
    return int(settings.GSZ["AMENDMENT_MIN_WORKING_DAYS"])


def terms_may_change(deadline: dt.datetime, now: dt.datetime) -> bool:
    """Whether at least the set number of working days are left before the deadline's day (else extend first)."""
    days = WorkCalendar().working_days_between(local_date(now), local_date(deadline))
    return days >= amendment_min_working_days()


def earliest_deadline_after_change(now: dt.datetime) -> dt.date:
    """The first day a deadline may fall on after a change of terms."""
    return WorkCalendar().add_working_days(local_date(now), amendment_min_working_days())


def standstill_working_days() -> int:
    return int(settings.GSZ["STANDSTILL_WORKING_DAYS"])


def standstill_until(now: dt.datetime) -> dt.datetime:
    """The end of the complaint standstill after a result announced at `now`: the same time of day, the set number of
    working days later."""
    local = timezone.localtime(now)
    day = WorkCalendar().add_working_days(local.date(), standstill_working_days())
    return timezone.make_aware(dt.datetime.combine(day, local.time().replace(tzinfo=None)))


def rules_in_force_context(request) -> dict:
    """The call-timeline rules for the admin's "rules in force" section."""
    from core.models import CalendarOverride

    return {
        "minimums": [
            {"period": m.period_text(), "amount": days_text(m.days, m.working)} for m in submission_minimums()
        ],
        "amendment": days_text(amendment_min_working_days(), working=True),
        "standstill": days_text(standstill_working_days(), working=True),
        "overrides": CalendarOverride.objects.count(),
    }

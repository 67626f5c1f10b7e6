"""Working days on Kazakhstan's calendar (core.calendar), hand-worked across New Year, Nauryz and transfers."""

import datetime as dt

import pytest

from core.calendar import WorkCalendar, add_working_days, is_working_day, working_days_between
from core.models import CalendarOverride

D = dt.date
pytestmark = pytest.mark.django_db


def test_the_published_calendar_has_new_year_nauryz_and_the_announced_transfers():
    assert not is_working_day(D(2025, 1, 1))
    assert not is_working_day(D(2025, 1, 2))
    assert not is_working_day(D(2025, 1, 3))  # Friday, a day off transferred from Sunday 5 January 2025
    assert is_working_day(D(2025, 1, 5))  # that Sunday is worked
    for day in (21, 22, 23, 24, 25):  # Nauryz 21–23 March 2025 (Fri–Sun), observed on Monday and Tuesday
        assert not is_working_day(D(2025, 3, day))
    assert is_working_day(D(2025, 3, 26))
    assert not is_working_day(D(2026, 3, 28))  # an ordinary Saturday


def test_five_working_days_across_new_year():
    # From Tuesday 31.12.2024: 1–3 Jan off, Sat 4 off, Sun 5 worked (1), Mon 6 (2), Tue 7 Orthodox Christmas off,
    # 8 (3), 9 (4), 10 (5).
    assert add_working_days(D(2024, 12, 31), 5) == D(2025, 1, 10)
    assert working_days_between(D(2024, 12, 31), D(2025, 1, 10)) == 5
    assert working_days_between(D(2024, 12, 31), D(2025, 1, 9)) == 4


def test_five_working_days_across_nauryz():
    # From Thursday 20.03.2025: 21–25 March off, 26 (1), 27 (2), 28 (3), Mon 31 (4), Tue 1 April (5).
    assert add_working_days(D(2025, 3, 20), 5) == D(2025, 4, 1)
    assert working_days_between(D(2025, 3, 20), D(2025, 3, 31)) == 4


def test_an_override_by_decree_wins_over_the_published_calendar():
    # Friday 27.03.2026 declared a day off, Saturday 28.03.2026 worked instead (a transfer by decree).
    before = add_working_days(D(2026, 3, 26), 2)
    assert before == D(2026, 3, 30)  # Fri 27 (1), Mon 30 (2)
    CalendarOverride.objects.create(date=D(2026, 3, 27), is_working_day=False, reason="Decree: transfer")
    CalendarOverride.objects.create(date=D(2026, 3, 28), is_working_day=True, reason="Decree: transfer")
    assert not is_working_day(D(2026, 3, 27))
    assert is_working_day(D(2026, 3, 28))
    assert add_working_days(D(2026, 3, 26), 2) == D(2026, 3, 30)  # Sat 28 (1), Mon 30 (2)
    assert add_working_days(D(2026, 3, 26), 1) == D(2026, 3, 28)


def test_counting_edges():
    calendar = WorkCalendar({})
    assert calendar.add_working_days(D(2026, 6, 1), 0) == D(2026, 6, 1)
    assert calendar.working_days_between(D(2026, 6, 5), D(2026, 6, 1)) == 0
    with pytest.raises(ValueError, match="negative"):
        calendar.add_working_days(D(2026, 6, 1), -1)


def test_the_calendar_reads_overrides_once(django_assert_num_queries):
    with django_assert_num_queries(1):
        calendar = WorkCalendar()
        calendar.working_days_between(D(2025, 1, 1), D(2025, 12, 31))

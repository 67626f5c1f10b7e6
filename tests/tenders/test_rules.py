"""The call timelines in force (tenders.rules): thresholds by date, working days, the form and the admin page."""

import datetime as dt

import pytest
from django.urls import reverse

from core.models import CalendarOverride
from tenders import rules
from tenders.models import Call
from tests.factories import almaty
from tests.tenders.util import as_user, call_data, local_input

pytestmark = pytest.mark.django_db
D = dt.date


def test_the_minimum_in_force_depends_on_the_day_of_publication():
    before, after = rules.submission_minimum(D(2024, 12, 31)), rules.submission_minimum(D(2025, 1, 1))
    assert (before.days, before.working) == (15, False)
    assert (after.days, after.working) == (5, True)
    # Published Tuesday 31.12.2024: 15 calendar days; published Thursday 02.01.2025: 5 working days (Sun 5 Jan
    # worked, Tue 7 Jan a holiday) → Friday 10 January.
    assert rules.earliest_deadline(almaty(D(2024, 12, 31), 10)) == D(2025, 1, 15)
    assert rules.earliest_deadline(almaty(D(2025, 1, 2), 10)) == D(2025, 1, 10)
    # Submissions opening later than publication start the period.
    assert rules.earliest_deadline(almaty(D(2025, 3, 1)), almaty(D(2025, 3, 20), 9)) == D(2025, 4, 1)


def test_thresholds_are_settings(settings):
    settings.GSZ = {
        **settings.GSZ,
        "SUBMISSION_MINIMUMS": ((D(2000, 1, 1), 20, "calendar"), (D(2026, 1, 1), 7, "working")),
    }
    assert rules.submission_minimum(D(2025, 6, 1)).days == 20
    assert rules.submission_minimum(D(2026, 6, 1)).describe() == "at least 7 working days (in force from 01.01.2026)"


def test_window_shortfall_gives_the_length_and_the_rule():
    length, minimum = rules.window_shortfall(almaty(D(2025, 3, 20), 10), None, almaty(D(2025, 3, 31), 18))
    assert (length, minimum.days, minimum.working) == (4, 5, True)
    assert rules.window_shortfall(almaty(D(2025, 3, 20), 10), None, almaty(D(2025, 4, 1), 18)) is None


def test_terms_may_change_with_two_working_days_left():
    deadline = almaty(D(2025, 3, 27), 18)  # Thursday after Nauryz
    assert rules.terms_may_change(deadline, almaty(D(2025, 3, 25), 9))  # Wed 26 (1), Thu 27 (2)
    assert not rules.terms_may_change(deadline, almaty(D(2025, 3, 26), 9))
    # Friday 20.03.2025: Nauryz until Tuesday 25, so the first working days are Wednesday 26 and Thursday 27.
    assert rules.earliest_deadline_after_change(almaty(D(2025, 3, 20), 9)) == D(2025, 3, 27)


def test_the_standstill_counts_working_days_and_a_transfer_by_decree():
    # Announced Monday 29.12.2025 at 15:00: Tue 30, Wed 31, (1–2 January), Mon 5, Tue 6, (7 January), Thu 8.
    assert rules.standstill_until(almaty(D(2025, 12, 29), 15)) == almaty(D(2026, 1, 8), 15)
    CalendarOverride.objects.create(date=D(2026, 1, 3), is_working_day=True, reason="Decree: Saturday worked")
    assert rules.standstill_until(almaty(D(2025, 12, 29), 15)) == almaty(D(2026, 1, 6), 15)


def test_the_call_form_shows_the_earliest_deadline_and_refuses_an_earlier_one(client, clock, officer):
    # The clock: Tuesday 24.11.2026 10:00; 5 working days → Tuesday 1 December.
    as_user(client, officer)
    page = client.get(reverse("tenders:call-create")).content.decode()
    assert "Earliest allowed deadline if published today: 01.12.2026" in page

    response = client.post(
        reverse("tenders:call-create"),
        call_data(
            opens_at=local_input(almaty(D(2026, 11, 24), 10)), deadline=local_input(almaty(D(2026, 11, 30), 18))
        ),
    )

    assert response.status_code == 400  # the form is shown again with its errors
    assert "The deadline must fall on 01.12.2026 or later" in response.content.decode()
    assert not Call.objects.exists()


def test_the_admin_index_shows_the_rules_in_force(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Rules in force: call timelines" in page
    assert "5 working days" in page
    assert "15 calendar days" in page
    assert "Minimum submission period (for calls published before 01.01.2025)" in page

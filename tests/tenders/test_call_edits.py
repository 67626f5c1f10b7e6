"""Editing a draft call: a page opened before someone else changed the call gets a clear message instead of a
duplicate-key error, and the form itself refuses a deadline in the past and a budget line outside the call's years.

The clock starts at 2026-11-24 10:00 Almaty time."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from core.exceptions import InvalidTransition
from core.models import AuditEvent
from tenders import services
from tenders.forms import BudgetLineFormSet, CallForm, local_input
from tenders.models import Call, CallBudgetLine
from tests import factories
from tests.tenders.util import as_user, call_edit_data

pytestmark = pytest.mark.django_db

STALE = "This call was changed by someone else after you opened this page. Reload the page and make your change again."


@pytest.fixture
def draft(officer, clock):
    """A draft for 2027–2028 with one budget line, for 2027 (the 2028 line is still to add)."""
    return factories.CallFactory(
        agency=officer.agency, created_by=officer, draft=True, duration_years=2, budget=[5_000_000]
    )


def with_line(data: dict, year: int, amount: int = 6_000_000) -> dict:
    """Type a budget line into the first empty row of the page."""
    return {**data, "budget-1-year": str(year), "budget-1-amount": str(amount), "budget-1-funding_source": "local"}


def state(call: Call) -> tuple:
    return (
        list(CallBudgetLine.objects.filter(call=call).values_list("year", "amount")),
        Call.objects.filter(pk=call.pk).values().get(),
        AuditEvent.objects.for_object(call).count(),
    )


def test_a_budget_line_added_from_a_stale_page_for_a_year_added_meanwhile_is_refused_with_a_message(
    client, draft, officer
):
    stale = with_line(call_edit_data(draft, officer), 2028)  # the page was opened with the 2027 line only
    CallBudgetLine.objects.create(call=draft, year=2028, amount=Decimal("7000000"))  # a colleague adds 2028
    before = state(draft)
    as_user(client, officer)

    response = client.post(reverse("tenders:call-edit", args=[draft.pk]), stale)

    assert response.status_code == 400
    assert STALE in response.content.decode()
    assert state(draft) == before


def test_a_duplicate_line_reaching_the_database_is_a_stale_page_message_not_a_500(draft, officer):
    """Two saves racing past the form's check: the database refuses the second, the service says why."""
    data = with_line(call_edit_data(draft, officer), 2028)
    form = CallForm(data, instance=draft, user=officer)
    budget = BudgetLineFormSet(data, instance=draft, prefix="budget")
    assert form.is_valid(), form.errors
    assert budget.is_valid(), budget.errors
    CallBudgetLine.objects.create(call=draft, year=2028, amount=Decimal("7000000"))  # after the check, before save

    with pytest.raises(InvalidTransition) as error:
        services.save_call(form=form, formsets=[budget], acting_user=officer)

    assert error.value.messages == [STALE]
    assert list(CallBudgetLine.objects.filter(call=draft).values_list("year", "amount")) == [
        (2027, Decimal("5000000")),
        (2028, Decimal("7000000")),
    ]


def test_a_budget_line_for_a_year_outside_the_call_is_refused_in_the_form(client, draft, officer):
    before = state(draft)
    as_user(client, officer)

    response = client.post(
        reverse("tenders:call-edit", args=[draft.pk]), with_line(call_edit_data(draft, officer), 2030)
    )

    assert response.status_code == 400
    assert "A budget line must be for a year of the call, 2027–2028 (not 2030)." in response.content.decode()
    assert state(draft) == before


def test_shortening_the_call_below_its_budget_lines_is_refused_in_the_form(client, draft, officer):
    as_user(client, officer)
    data = with_line(call_edit_data(draft, officer), 2028)

    response = client.post(reverse("tenders:call-edit", args=[draft.pk]), {**data, "duration_years": "1"})

    assert response.status_code == 400
    assert "A budget line must be for a year of the call, 2027–2027 (not 2028)." in response.content.decode()


def test_a_budget_line_for_a_year_of_the_call_is_saved(client, draft, officer):
    as_user(client, officer)

    response = client.post(
        reverse("tenders:call-edit", args=[draft.pk]), with_line(call_edit_data(draft, officer), 2028)
    )

    assert response.status_code == 302
    assert list(draft.budget_lines.values_list("year", flat=True)) == [2027, 2028]


def test_editing_a_draft_to_a_deadline_in_the_past_is_refused_in_the_form(client, draft, officer):
    before = state(draft)
    as_user(client, officer)
    yesterday = local_input(dt.datetime.fromisoformat("2026-11-23 18:00+05:00"))
    data = call_edit_data(draft, officer, deadline=yesterday)
    data["opens_at"] = local_input(dt.datetime.fromisoformat("2026-11-20 09:00+05:00"))

    response = client.post(reverse("tenders:call-edit", args=[draft.pk]), data)

    assert response.status_code == 400
    assert "The deadline cannot be in the past." in response.content.decode()
    assert state(draft) == before

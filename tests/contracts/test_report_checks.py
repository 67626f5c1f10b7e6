"""Accountant-grade checks on reports (issue 11): no report before its period begins, expenses against the tranche
(refused above it, a warning above the year's unspent balance, totals shown to both parties), and the target beside
each actual's field."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from contracts import services
from contracts.models import Report, ReportingPeriod
from core.exceptions import InvalidTransition
from core.models import Indicator
from tests import factories


def management(total: int) -> dict:
    return {
        "expenses-TOTAL_FORMS": str(total),
        "expenses-INITIAL_FORMS": "0",
        "expenses-MIN_NUM_FORMS": "0",
        "expenses-MAX_NUM_FORMS": "1000",
    }


def post(*amounts, submit=False) -> dict:
    data = {"narrative": "Сопровождено 40 детей.", "children_served": "40", "families_served": "20"}
    data.update(management(len(amounts)))
    for i, amount in enumerate(amounts):
        data[f"expenses-{i}-item"] = f"Статья {i + 1}"
        data[f"expenses-{i}-amount"] = str(amount)
    if submit:
        data["submit"] = "1"
    return data


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def contract(clock, officer, provider, ngo_user):
    """A 2026 contract with a 1 000 000 ₸ tranche and a target for case management."""
    contract = factories.ContractFactory(agency=officer.agency, provider=provider, tranches=["1000000"])
    factories.TargetFactory(
        contract=contract, year=2026, indicator=Indicator.objects.get(code="cm-closed-positive"), value="70"
    )
    return contract


def quarter(contract, number) -> ReportingPeriod:
    return contract.periods.get(kind=ReportingPeriod.Kind.QUARTERLY, quarter=number)


def test_a_report_is_refused_before_its_period_begins(clock, officer, provider, ngo_user, client):
    future = factories.ContractFactory(agency=officer.agency, provider=provider, call__start_year=2027)
    period = future.periods.order_by("start").first()
    client.force_login(ngo_user)

    response = client.post(reverse("contracts:report-edit", args=[period.pk]), post(1000, submit=True))

    assert Report.objects.get(period=period).status == Report.Status.DRAFT  # the draft is kept, not submitted
    assert "starts on 01.01.2027" in " ".join(messages_of(response))
    with pytest.raises(InvalidTransition):
        services.submit_report(report=Report.objects.get(period=period), acting_user=ngo_user)
    clock.move_to("2027-01-01 09:00+05:00")
    services.submit_report(report=Report.objects.get(period=period), acting_user=ngo_user)
    assert Report.objects.get(period=period).status == Report.Status.SUBMITTED


def test_expenses_above_the_tranche_are_refused_and_nothing_is_saved(client, ngo_user, contract):
    client.force_login(ngo_user)
    period = quarter(contract, 1)

    response = client.post(reverse("contracts:report-edit", args=[period.pk]), post(600000, 400001, submit=True))

    assert response.status_code == 400
    assert "exceed the tranche of 1,000,000 ₸ for 2026" in response.content.decode().replace("\xa0", " ")
    assert not Report.objects.filter(period=period).exists()


def test_expenses_above_the_years_remaining_balance_are_saved_with_a_warning(client, ngo_user, contract):
    client.force_login(ngo_user)
    first = client.post(reverse("contracts:report-edit", args=[quarter(contract, 1).pk]), post(700000, submit=True))
    assert not any("exceed what is left" in m for m in messages_of(first))

    second = client.post(reverse("contracts:report-edit", args=[quarter(contract, 2).pk]), post(400000))

    assert second.status_code == 302
    assert any("exceed what is left of the year's tranche" in m for m in messages_of(second))
    assert Report.objects.get(period=quarter(contract, 2)).expenses.get().amount == Decimal("400000")


def test_both_parties_see_the_expense_total_beside_the_tranche_and_balance(client, ngo_user, officer, contract):
    client.force_login(ngo_user)
    client.post(reverse("contracts:report-edit", args=[quarter(contract, 1).pk]), post(300000, 100000, submit=True))
    report = Report.objects.get(period=quarter(contract, 1))

    for user in (ngo_user, officer):
        client.force_login(user)
        page = client.get(report.get_absolute_url())
        assert page.context["expense_total"] == Decimal("400000")
        assert page.context["balance"].tranche.amount == Decimal("1000000")
        assert page.context["balance_after"] == Decimal("600000")
        html = page.content.decode().replace("\xa0", " ")
        assert "Total of this report" in html
        assert "600,000 ₸" in html


def test_the_actuals_form_shows_each_target_next_to_its_field(client, ngo_user, contract):
    client.force_login(ngo_user)
    indicator = Indicator.objects.get(code="cm-closed-positive")

    page = client.get(reverse("contracts:report-edit", args=[contract.periods.get(kind="annual").pk]))

    assert page.context["form"].fields[f"actual_{indicator.pk}"].help_text == "Target: 70"
    assert "Target: 70" in page.content.decode()

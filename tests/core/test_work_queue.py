"""The officer's work queue on the dashboard (issue 11): every thing waiting, each linked to where it is done."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from contracts.panels import officer_contracts
from tenders.models import Bid, Call
from tenders.panels import officer_queue
from tests import factories


def test_an_awarded_call_past_its_standstill_without_a_contract_waits_for_one(clock, officer, client):
    waiting = factories.AwardedCallFactory(agency=officer.agency, created_by=officer, number="ГСЗ-WAIT")
    in_standstill = factories.AwardedCallFactory(
        agency=officer.agency, created_by=officer, standstill_until=timezone.now() + dt.timedelta(days=2)
    )
    contracted = factories.ContractFactory(agency=officer.agency).call

    queue = officer_queue(officer)

    assert list(queue["awaiting_contract"]) == [waiting]
    assert in_standstill not in queue["awaiting_contract"]
    assert contracted not in queue["awaiting_contract"]
    client.force_login(officer)
    html = client.get(reverse("core:dashboard")).content.decode()
    assert reverse("contracts:prepare", args=[waiting.pk]) in html


def test_unanswered_questions_are_listed_per_call_and_linked_to_it(clock, officer, client):
    call = factories.CallFactory(agency=officer.agency, created_by=officer)
    factories.QuestionFactory(call=call)
    factories.QuestionFactory(call=call)
    factories.QuestionFactory(call=call, answer="Да.", answered_at=timezone.now())

    (row,) = officer_queue(officer)["questions"]

    assert (row, row.unanswered) == (call, 2)
    client.force_login(officer)
    html = client.get(reverse("core:dashboard")).content.decode()
    assert f'href="{call.get_absolute_url()}#qa"' in html


def test_calls_under_evaluation_show_the_bids_short_of_quorum(clock, officer):
    now = timezone.now()
    call = factories.CallFactory(
        agency=officer.agency,
        status=Call.Status.EVALUATION,
        opens_at=now - dt.timedelta(days=20),
        deadline=now - dt.timedelta(days=1),
    )
    factories.BidFactory(call=call, status=Bid.Status.ADMITTED)

    (row,) = officer_queue(officer)["evaluating"]

    assert (row, row.short_of_quorum) == (call, 1)


def test_overdue_payments_are_kept_apart_from_the_next_thirty_days(clock, officer):
    # Today is 24 November 2026.
    contract = factories.ContractFactory(agency=officer.agency, tranches=False)
    overdue = factories.TrancheFactory(contract=contract, year=2025, planned_date=dt.date(2025, 3, 1))
    upcoming = factories.TrancheFactory(contract=contract, year=2026, planned_date=dt.date(2026, 12, 10))
    factories.TrancheFactory(contract=contract, year=2027, planned_date=dt.date(2027, 3, 1))  # later than 30 days
    paid = factories.TrancheFactory(contract=contract, year=2024, planned_date=dt.date(2024, 3, 1))
    factories.PaymentFactory(tranche=paid, amount=paid.fixed_amount)

    panel = officer_contracts(officer)

    assert panel["overdue_payments"] == [overdue]
    assert panel["overdue_payments_count"] == 1
    assert panel["upcoming_payments"] == [upcoming]


def test_the_officers_own_region_is_outlined_on_the_dashboard_map(clock, officer, committee, client):
    region = officer.officer_region
    assert region is not None
    client.force_login(officer)

    html = client.get(reverse("core:dashboard")).content.decode()

    assert html.count('class="own-region"') == 1
    own = html.split('class="own-region"')[1].split("</a>")[0]
    assert f"region={region.pk}#heatmap" in html.split('class="own-region"')[0].rsplit("<a ", 1)[1]
    assert 'stroke-width="5"' in own
    client.force_login(committee)
    assert 'class="own-region"' not in client.get(reverse("core:dashboard")).content.decode()

"""Quorum before closing the scoring, and substitute members (issue 11: the quorum deadlock)."""

import pytest
from django.urls import reverse

from core.exceptions import InvalidTransition
from core.models import AuditEvent
from tenders import services
from tenders.models import Bid, Call, CommissionMember
from tests import factories
from tests.tenders.util import as_user, evaluating_call, score

S80 = [8, 8, 8, 8, 8]


def recuse(member, bid):
    services.declare(member=member, bid=bid, has_conflict=True, note="родственник")


def test_closing_the_scoring_is_refused_while_a_bid_lacks_quorum_naming_the_bid_and_why(officer, clock, experts):
    call, (first, second), members = evaluating_call(officer, clock, experts, bids=2)
    for member in members:
        score(member, first, S80)
    recuse(members[0], second)
    score(members[1], second, S80)
    score(members[2], second, S80, submit=False)

    with pytest.raises(InvalidTransition) as error:
        services.close_scoring(call=call, acting_user=officer)

    text = " ".join(error.value.messages)
    assert str(second.provider) in text
    assert str(first.provider) not in text
    assert "1 of 3 complete sheets; recused: 1, not submitted yet: 1." in text
    call.refresh_from_db()
    assert call.scoring_closed_at is None
    assert not AuditEvent.objects.filter(action="scoring closed").exists()


def test_closing_is_refused_while_a_bid_is_neither_admitted_nor_rejected(officer, clock, experts):
    call = factories.CallFactory(agency=officer.agency, status=Call.Status.EVALUATION)
    factories.BidFactory(call=call, status=Bid.Status.SUBMITTED)

    with pytest.raises(InvalidTransition) as error:
        services.close_scoring(call=call, acting_user=officer)

    assert error.value.messages == ["Scoring cannot close: admit or reject every bid first."]


def test_a_substitute_appointed_by_the_chair_declares_scores_and_brings_the_bid_to_quorum(officer, clock, experts):
    call, (bid,), members = evaluating_call(officer, clock, experts, bids=1)
    chair = members[0].user
    recuse(members[0], bid)
    for member in members[1:]:
        score(member, bid, S80)
    assert services.award_outcome(call)[0] == "wait"
    newcomer = factories.ExpertFactory(username="substitute")

    substitute = services.appoint_substitute(call=call, user=newcomer, acting_user=chair)
    score(substitute, bid, S80)
    services.close_scoring(call=call, acting_user=chair)
    winner = services.award_call(call=call, acting_user=officer)

    assert (substitute.is_substitute, substitute.is_chair) == (True, False)
    assert winner == bid
    event = AuditEvent.objects.for_object(call).get(action="substitute member appointed")
    assert (event.actor, event.changes["note"]) == (chair, str(newcomer))


def test_no_substitute_after_scoring_closes(officer, clock, experts):
    call, (bid,), members = evaluating_call(officer, clock, experts, bids=1)
    for member in members:
        score(member, bid, S80)
    services.close_scoring(call=call, acting_user=officer)

    with pytest.raises(InvalidTransition):
        services.appoint_substitute(call=call, user=factories.ExpertFactory(), acting_user=officer)
    assert CommissionMember.objects.filter(call=call).count() == 3


def test_the_chair_seats_a_substitute_on_the_commission_page_a_member_may_not(client, officer, clock, experts):
    call, (bid,), members = evaluating_call(officer, clock, experts, bids=1)
    newcomer = factories.ExpertFactory(username="substitute")
    url = reverse("tenders:commission", args=[call.pk])

    as_user(client, members[1].user)
    assert client.get(url).status_code == 403
    as_user(client, members[0].user)
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"] is None
    assert page.context["substitute_form"] is not None
    assert client.post(url, {"remove": members[1].pk}).status_code == 403

    response = client.post(url, {"substitute": newcomer.pk})

    assert response.status_code == 302
    assert CommissionMember.objects.get(call=call, user=newcomer).is_substitute

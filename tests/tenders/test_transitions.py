"""The state changes of calls, bids and complaints as model methods: each checks TRANSITIONS, sets its time, saves
its own fields and writes its audit event; the services and views call them."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.exceptions import InvalidTransition
from core.models import AuditEvent
from tenders import services
from tenders.models import Bid, Call, Complaint
from tests import factories
from tests.tenders.test_views import bid_data
from tests.tenders.util import as_user

pytestmark = pytest.mark.django_db


def events(obj) -> list[tuple[str, dict]]:
    """Return the object's audit events, oldest first, as (action, changes)."""
    return [(e.action, e.changes) for e in reversed(AuditEvent.objects.for_object(obj))]


# -- bids --------------------------------------------------------------------------------------------------------


def test_editing_a_withdrawn_bid_reopens_it_as_a_draft_on_the_timeline(client, call, provider, ngo_user):
    bid = factories.BidFactory(call=call, provider=provider, created_by=ngo_user, submitted=True)
    services.withdraw_bid(bid=bid, acting_user=ngo_user)
    as_user(client, ngo_user)

    response = client.post(reverse("tenders:bid-edit", args=[bid.pk]), bid_data(bid, price="9500000"))

    assert response.status_code == 302
    bid.refresh_from_db()
    assert bid.status == Bid.Status.DRAFT
    actions = [action for action, _changes in events(bid)]
    assert actions == ["withdrawn", "bid reopened", "bid edited"]
    assert events(bid)[1][1]["status"] == ["withdrawn", "draft"]


def test_a_draft_bid_cannot_be_reopened(call, provider, ngo_user):
    bid = factories.BidFactory(call=call, provider=provider, created_by=ngo_user)
    with pytest.raises(InvalidTransition):
        bid.reopen(by=ngo_user)
    assert not AuditEvent.objects.for_object(bid).exists()


def test_rejecting_a_bid_sets_the_reason_and_its_time_with_the_status(call, provider, officer, clock):
    bid = factories.BidFactory(call=call, provider=provider, submitted=True)

    bid.reject(by=officer, reason="Нет справок", now=timezone.now())

    bid.refresh_from_db()
    assert (bid.status, bid.decision_reason, bid.decided_at) == (Bid.Status.REJECTED, "Нет справок", timezone.now())
    assert events(bid) == [("rejected", {"status": ["submitted", "rejected"], "note": "Нет справок"})]


def test_admitting_a_rejected_bid_clears_the_reason(call, provider, officer, clock):
    bid = factories.BidFactory(call=call, provider=provider, submitted=True)
    bid.reject(by=officer, reason="Нет справок", now=timezone.now())

    bid.admit(by=officer, now=timezone.now())

    bid.refresh_from_db()
    assert (bid.status, bid.decision_reason) == (Bid.Status.ADMITTED, "")


def test_a_winner_or_a_next_ranked_winner_is_named_so_on_the_timeline(call, officer):
    first = factories.BidFactory(call=call, status=Bid.Status.ADMITTED)
    second = factories.BidFactory(call=call, status=Bid.Status.NOT_SELECTED)

    first.win(by=officer)
    second.win(by=officer, next_ranked=True)

    assert [a for a, _c in events(first)] == ["winner"]
    assert [a for a, _c in events(second)] == ["winner (next ranked)"]


# -- calls -------------------------------------------------------------------------------------------------------


def test_a_call_is_cancelled_with_its_reason_and_time(call, officer, clock):
    call.cancel(by=officer, reason="Изменилась потребность", now=timezone.now())

    call.refresh_from_db()
    assert (call.status, call.status_reason, call.cancelled_at) == (
        Call.Status.CANCELLED,
        "Изменилась потребность",
        timezone.now(),
    )
    assert events(call)[-1] == (
        "cancelled",
        {"status": ["published", "cancelled"], "note": "Изменилась потребность"},
    )


def test_an_awarded_call_cannot_be_cancelled(officer):
    call = factories.AwardedCallFactory(agency=officer.agency)
    with pytest.raises(InvalidTransition):
        call.cancel(by=officer, reason="Поздно", now=timezone.now())
    assert Call.objects.get(pk=call.pk).status == Call.Status.AWARDED


def test_returning_an_award_to_evaluation_undoes_the_award(officer, clock):
    call = factories.AwardedCallFactory(agency=officer.agency, scoring_closed_at=timezone.now())

    call.return_to_evaluation(by=officer, note="Жалоба удовлетворена")

    call.refresh_from_db()
    assert call.status == Call.Status.EVALUATION
    assert (call.decided_at, call.standstill_until, call.scoring_closed_at) == (None, None, None)
    assert events(call)[-1] == (
        "back to evaluation",
        {"status": ["awarded", "evaluation"], "note": "Жалоба удовлетворена"},
    )


def test_failing_after_the_winner_declined_shows_both_steps_and_keeps_no_reason(officer, clock):
    call = factories.AwardedCallFactory(agency=officer.agency)

    call.fail_after_decline(by=officer, now=timezone.now())

    call.refresh_from_db()
    assert (call.status, call.decided_at, call.status_reason) == (Call.Status.FAILED, timezone.now(), "")
    assert [(a, c["status"]) for a, c in events(call)] == [
        ("back to evaluation", ["awarded", "evaluation"]),
        ("failed", ["evaluation", "failed"]),
    ]


def test_scoring_closes_once_during_evaluation(officer, clock):
    call = factories.CallFactory(agency=officer.agency, status=Call.Status.EVALUATION)
    call.close_scoring(by=officer, now=timezone.now())
    with pytest.raises(InvalidTransition):
        call.close_scoring(by=officer, now=timezone.now())
    assert [a for a, _c in events(call)] == ["scoring closed"]


def test_a_draft_copy_takes_the_terms_and_none_of_the_history(officer, clock):
    call = factories.CallFactory(
        agency=officer.agency,
        duration_years=2,
        status=Call.Status.CANCELLED,
        cancelled_at=timezone.now(),
        status_reason="Ошибка в смете",
        amendment_required=True,
    )
    factories.CallTargetFactory(call=call)
    now = timezone.now()

    new = call.draft_copy(number="ГСЗ-COPY", by=officer, opens_at=now, deadline=now + dt.timedelta(days=21))

    assert (new.number, new.status, new.reannounced_from, new.created_by) == ("ГСЗ-COPY", "draft", call, officer)
    assert (new.title_ru, new.region, new.service_type, new.duration_years) == (
        call.title_ru,
        call.region,
        call.service_type,
        2,
    )
    assert (new.published_at, new.cancelled_at, new.status_reason, new.amendment_required) == (None, None, "", False)
    assert (new.opens_at, new.deadline) == (now, now + dt.timedelta(days=21))
    assert [(b.year, b.amount) for b in new.budget_lines.all()] == [
        (b.year, b.amount) for b in call.budget_lines.all()
    ]
    assert [(c.name_ru, c.weight) for c in new.criteria.all()] == [(c.name_ru, c.weight) for c in call.criteria.all()]
    assert new.targets.count() == 1


# -- complaints -------------------------------------------------------------------------------------------------


def test_a_filed_complaint_starts_its_own_timeline(call, provider, ngo_user):
    complaint = services.file_complaint(
        call=call, provider=provider, acting_user=ngo_user, kind=Complaint.Kind.TERMS, text="Срок слишком короткий"
    )
    assert [a for a, _c in events(complaint)] == ["complaint filed"]
    assert "complaint filed" in [a for a, _c in events(call)]


def test_deciding_a_complaint_is_a_transition_on_the_complaint(call, provider, officer, clock):
    complaint = factories.ComplaintFactory(call=call, provider=provider)

    services.decide_complaint(complaint=complaint, acting_user=officer, upheld=True, decision="Срок продлить")

    complaint.refresh_from_db()
    assert (complaint.status, complaint.decided_by, complaint.decided_at) == (
        Complaint.Status.UPHELD,
        officer,
        timezone.now(),
    )
    assert events(complaint) == [("complaint upheld", {"status": ["submitted", "upheld"], "note": "Срок продлить"})]
    assert ("complaint upheld", {"note": "Срок продлить"}) in events(call)  # the call's timeline keeps it too


def test_a_decided_complaint_cannot_be_decided_again(call, provider, officer):
    complaint = factories.ComplaintFactory(call=call, provider=provider)
    complaint.reject(by=officer, decision="Не подтвердилось", now=timezone.now())
    with pytest.raises(InvalidTransition, match="already decided"):
        complaint.uphold(by=officer, decision="Передумали", now=timezone.now())
    assert Complaint.objects.get(pk=complaint.pk).status == Complaint.Status.REJECTED


# -- services that left the views ---------------------------------------------------------------------------------


def test_starting_a_bid_twice_returns_the_same_draft(call, provider, ngo_user):
    first = services.start_bid(call=call, provider=provider, acting_user=ngo_user)
    second = services.start_bid(call=call, provider=provider, acting_user=ngo_user)
    assert first == second
    assert (first.status, first.price) == (Bid.Status.DRAFT, call.total)
    assert [a for a, _c in events(first)] == ["bid started"]


def test_a_bid_cannot_be_started_after_the_deadline(call, provider, ngo_user, clock):
    clock.move_to(call.deadline)
    with pytest.raises(InvalidTransition):
        services.start_bid(call=call, provider=provider, acting_user=ngo_user)
    assert not Bid.objects.exists()

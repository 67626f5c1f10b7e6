"""The call page receives the steps a user may take from its view (the predicates of tenders.permissions), in the
order of the call's life; the template renders them and decides nothing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tenders.models import Bid, Call
from tests import factories
from tests.tenders.util import as_user


def actions(client, user, call) -> list[str]:
    as_user(client, user)
    return [action.name for action in client.get(call.get_absolute_url()).context["actions"]]


def call_in(officer, status: str, **kwargs) -> Call:
    now = timezone.now()
    if status != Call.Status.PUBLISHED or kwargs.pop("past_deadline", False):
        kwargs.setdefault("opens_at", now - dt.timedelta(days=20))
        kwargs.setdefault("deadline", now - dt.timedelta(days=1))
    return factories.CallFactory(agency=officer.agency, created_by=officer, status=status, **kwargs)


@pytest.mark.parametrize(
    ("status", "kwargs", "expected"),
    [
        (Call.Status.DRAFT, {"draft": True}, ["publish", "cancel"]),
        (Call.Status.PUBLISHED, {}, ["extend", "cancel"]),
        (Call.Status.PUBLISHED, {"past_deadline": True}, ["open", "cancel"]),
        (Call.Status.PUBLISHED, {"past_deadline": True, "amendment_required": True}, ["extend", "open", "cancel"]),
        (Call.Status.EVALUATION, {}, ["fail", "close-scoring", "cancel"]),  # no admitted bid: the call fails
        (Call.Status.AWARDED, {}, []),
        (Call.Status.FAILED, {}, ["reannounce"]),
        (Call.Status.CANCELLED, {}, ["reannounce"]),
    ],
)
def test_the_officer_of_the_agency_gets_the_steps_of_the_calls_status(
    client, clock, officer, status, kwargs, expected
):
    call = call_in(officer, status, **kwargs)
    assert actions(client, officer, call) == expected


def test_a_call_whose_best_bid_reaches_the_minimum_offers_the_award(client, clock, officer):
    call = call_in(officer, Call.Status.EVALUATION, quorum=1)
    bid = factories.BidFactory(call=call, status=Bid.Status.ADMITTED)
    member = factories.CommissionMemberFactory(call=call, user=factories.ExpertFactory(), is_chair=True)
    factories.score_sheet(member, bid, [8] * 5)

    assert actions(client, officer, call) == ["award", "close-scoring", "cancel"]


@pytest.mark.parametrize(
    ("setup", "note"),
    [
        ("undecided", "Admit or reject every bid first."),
        ("wait", "Waiting for a quorum of complete score sheets on every admitted bid."),
    ],
)
def test_a_call_that_cannot_be_decided_yet_says_why(client, clock, officer, setup, note):
    call = call_in(officer, Call.Status.EVALUATION)
    status = Bid.Status.SUBMITTED if setup == "undecided" else Bid.Status.ADMITTED
    factories.BidFactory(call=call, status=status)
    as_user(client, officer)

    page = client.get(call.get_absolute_url())

    assert [a.name for a in page.context["actions"]] == ["close-scoring", "cancel"]
    assert page.context["action_note"] == note
    assert note in page.content.decode()


def test_the_chair_of_the_commission_may_close_scoring_from_the_call_page(client, clock, officer, expert):
    call = call_in(officer, Call.Status.EVALUATION)
    factories.CommissionMemberFactory(call=call, user=expert, is_chair=True)
    as_user(client, expert)

    page = client.get(call.get_absolute_url())

    assert [a.name for a in page.context["actions"]] == ["close-scoring"]
    assert reverse("tenders:call-close-scoring", args=[call.pk]) in page.content.decode()
    assert page.context["action_note"] is None  # only the agency decides the call


def test_a_member_who_does_not_chair_gets_no_step(client, clock, officer, expert):
    call = call_in(officer, Call.Status.EVALUATION)
    factories.CommissionMemberFactory(call=call, user=expert, is_chair=False)
    assert actions(client, expert, call) == []


@pytest.mark.parametrize("role", ["other_officer", "expert", "ngo", "committee", "admin"])
def test_nobody_but_the_agencys_officers_gets_a_step(client, clock, users, officer, role):
    for status in (Call.Status.PUBLISHED, Call.Status.EVALUATION, Call.Status.FAILED):
        call = call_in(officer, status)
        as_user(client, users[role])
        page = client.get(call.get_absolute_url())
        assert page.context["actions"] == []
        assert 'data-testid="officer-actions"' not in page.content.decode()


def test_each_step_posts_to_its_own_url(client, clock, officer):
    call = call_in(officer, Call.Status.PUBLISHED, past_deadline=True, amendment_required=True)
    as_user(client, officer)

    page = client.get(call.get_absolute_url())

    html = page.content.decode()
    for name in ("call-extend", "call-open", "call-cancel"):
        assert f'action="{reverse(f"tenders:{name}", args=[call.pk])}"' in html
    assert 'data-testid="open-bids"' in html
    assert 'name="deadline"' in html  # the extension asks for the new deadline
    assert 'data-confirm="Cancel this call?"' in html


def test_a_draft_that_cannot_be_published_shows_why_beside_the_button(client, clock, officer):
    call = factories.CallFactory(agency=officer.agency, draft=True, criteria=[30, 20, 20, 15, 5])
    as_user(client, officer)

    page = client.get(call.get_absolute_url())

    assert [a.name for a in page.context["actions"]] == ["publish", "cancel"]
    assert "The criteria weights sum to 90, not 100." in page.content.decode()


def test_the_ngo_continues_its_draft_only_while_the_call_accepts_bids(client, clock, call, provider, ngo_user):
    bid = factories.BidFactory(call=call, provider=provider, created_by=ngo_user)
    as_user(client, ngo_user)
    edit = reverse("tenders:bid-edit", args=[bid.pk])

    assert edit in client.get(call.get_absolute_url()).content.decode()
    clock.move_to(call.deadline)
    assert edit not in client.get(call.get_absolute_url()).content.decode()


# -- the bids page: the officer's admission and each member's next step ---------------------------------------------


def bid_rows(client, user, call) -> list[dict]:
    return as_user(client, user).get(reverse("tenders:call-bids", args=[call.pk])).context["rows"]


def test_the_officer_admits_or_rejects_each_opened_bid_until_scoring_closes(client, clock, officer):
    call = call_in(officer, Call.Status.EVALUATION)
    submitted = factories.BidFactory(call=call, status=Bid.Status.SUBMITTED)
    admitted = factories.BidFactory(call=call, status=Bid.Status.ADMITTED)

    rows = {row["bid"]: row for row in bid_rows(client, officer, call)}
    assert (rows[submitted]["can_admit"], rows[submitted]["can_reject"]) == (True, True)
    assert (rows[admitted]["can_admit"], rows[admitted]["can_reject"]) == (False, True)

    Call.objects.filter(pk=call.pk).update(scoring_closed_at=timezone.now())
    rows = bid_rows(client, officer, call)
    assert [(row["can_admit"], row["can_reject"]) for row in rows] == [(False, False), (False, False)]


def test_a_member_declares_then_scores_an_admitted_bid(client, clock, officer, expert):
    call = call_in(officer, Call.Status.EVALUATION)
    bid = factories.BidFactory(call=call, status=Bid.Status.ADMITTED)
    member = factories.CommissionMemberFactory(call=call, user=expert)

    assert [row["step"] for row in bid_rows(client, expert, call)] == ["declare"]
    factories.ConflictDeclarationFactory(member=member, bid=bid, has_conflict=False)
    assert [row["step"] for row in bid_rows(client, expert, call)] == ["score"]
    Call.objects.filter(pk=call.pk).update(scoring_closed_at=timezone.now())
    assert [row["step"] for row in bid_rows(client, expert, call)] == [None]


def test_a_member_with_a_conflict_is_recused_and_the_officer_has_no_member_step(client, clock, officer, expert):
    call = call_in(officer, Call.Status.EVALUATION)
    bid = factories.BidFactory(call=call, status=Bid.Status.ADMITTED)
    member = factories.CommissionMemberFactory(call=call, user=expert)
    factories.ConflictDeclarationFactory(member=member, bid=bid, has_conflict=True)

    assert [row["step"] for row in bid_rows(client, expert, call)] == ["recused"]
    assert [row["step"] for row in bid_rows(client, officer, call)] == [None]

"""Races that only PostgreSQL's row locks can prove (DESIGN.md: "Submission is refused by the server at or after the
deadline, with the call row locked during the check so a bid and the opening cannot race").

Each test starts threads on a barrier so they hit the database together, gives every deadline-sensitive call an
explicit `now=`, and checks invariants of the outcome — never timings. Skipped on SQLite by tests/conftest.py.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from core.exceptions import InvalidTransition
from core.models import AuditEvent
from tenders import services
from tenders.models import Bid, Call
from tests import factories
from tests.tenders.util import admit_all, appoint, open_call, score, submitted_bid

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SUBMITTERS = 12


def race(tasks: list[Callable[[], Any]]) -> list[tuple[str, Any]]:
    """Run the tasks in threads released together; return ("ok", value), ("refused", messages) or
    ("integrity", message) for each, in the order given. Anything else is an ("error", repr)."""
    barrier = threading.Barrier(len(tasks), timeout=30)
    outcomes: list[tuple[str, Any] | None] = [None] * len(tasks)

    def run(i: int, task: Callable[[], Any]) -> None:
        translation.activate("en")  # the language is per thread
        try:
            barrier.wait()
            outcomes[i] = ("ok", task())
        except InvalidTransition as error:
            outcomes[i] = ("refused", error.messages)
        except IntegrityError as error:
            outcomes[i] = ("integrity", str(error))
        except Exception as error:  # reported by the assertion below, with the thread's error
            outcomes[i] = ("error", repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, task)) for i, task in enumerate(tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    assert all(outcome is not None and outcome[0] != "error" for outcome in outcomes), outcomes
    return outcomes


def audit_ids(obj, action: str) -> list[int]:
    return list(AuditEvent.objects.for_object(obj).filter(action=action).values_list("id", flat=True))


@pytest.fixture
def call(officer):
    """A published call of the officer's agency whose deadline is an hour away (tests pass `now` explicitly)."""
    return factories.CallFactory(agency=officer.agency, deadline=timezone.now() + dt.timedelta(hours=1))


def test_bids_racing_the_deadline_and_the_opening_are_either_in_before_it_or_refused(call, officer):
    drafts = [factories.BidFactory(call=call) for _ in range(SUBMITTERS)]
    # Half claim a time before the deadline, half a time at or after it (the first of them exactly at it).
    moments = [call.deadline - dt.timedelta(milliseconds=10 * (i + 1)) for i in range(SUBMITTERS // 2)] + [
        call.deadline + dt.timedelta(milliseconds=10 * i) for i in range(SUBMITTERS // 2)
    ]

    def submit(bid: Bid, now: dt.datetime) -> Callable[[], dt.datetime]:
        return lambda: services.submit_bid(bid=bid, acting_user=bid.created_by, now=now).submitted_at

    def opening() -> str:
        return services.open_bids(call=call, acting_user=officer, now=call.deadline).status

    outcomes = race([*(submit(b, m) for b, m in zip(drafts, moments, strict=True)), opening])
    *submits, opened = outcomes

    assert opened == ("ok", Call.Status.EVALUATION)
    succeeded = set()
    for bid, moment, (kind, value) in zip(drafts, moments, submits, strict=True):
        assert kind in ("ok", "refused"), (kind, value)
        if kind == "ok":
            assert value == moment < call.deadline
            succeeded.add(bid.pk)
        elif moment >= call.deadline:
            assert value == [services.bids_closed_message(call, moment)]
    # No bid lost or duplicated: the same rows, one per provider, each submitted exactly when its submit succeeded.
    rows = {b.pk: b for b in Bid.objects.filter(call=call)}
    assert set(rows) == {b.pk for b in drafts}
    assert Bid.objects.filter(call=call).values("provider").distinct().count() == SUBMITTERS
    assert {pk for pk, b in rows.items() if b.status == Bid.Status.SUBMITTED} == succeeded
    assert {pk for pk, b in rows.items() if b.status == Bid.Status.DRAFT} == {b.pk for b in drafts} - succeeded
    # Nothing was submitted after the opening: every "submitted" event precedes the one "bids opened" event.
    (opened_event,) = audit_ids(Call.objects.get(pk=call.pk), "bids opened")
    submitted_events = [event for bid in drafts for event in audit_ids(bid, "submitted")]
    assert len(submitted_events) == len(succeeded)
    assert all(event < opened_event for event in submitted_events)


def test_a_submission_waiting_on_the_lock_is_refused_once_the_bids_are_opened(call, officer):
    """However the threads interleave, the bids whose submission lost the race to the opening stay drafts."""
    drafts = [factories.BidFactory(call=call) for _ in range(SUBMITTERS)]
    before = call.deadline - dt.timedelta(seconds=1)

    outcomes = race(
        [
            *(lambda b=b: services.submit_bid(bid=b, acting_user=b.created_by, now=before).status for b in drafts),
            lambda: services.open_bids(call=call, acting_user=officer, now=call.deadline).status,
        ]
    )

    *submits, opened = outcomes
    assert opened == ("ok", Call.Status.EVALUATION)
    refused = [value for kind, value in submits if kind == "refused"]
    assert all(
        value == ["The call is not accepting bids: the deadline has passed or it is not open."] for value in refused
    )
    submitted = Bid.objects.filter(call=call, status=Bid.Status.SUBMITTED).count()
    assert submitted == len(submits) - len(refused)
    assert Bid.objects.filter(call=call, status=Bid.Status.DRAFT).count() == len(refused)


def test_a_double_submission_gives_one_submitted_bid(call):
    bid = factories.BidFactory(call=call)
    now = call.deadline - dt.timedelta(minutes=5)

    outcomes = race([lambda: services.submit_bid(bid=bid, acting_user=bid.created_by, now=now).status] * 2)

    assert sorted(kind for kind, _value in outcomes) == ["ok", "refused"]
    assert Bid.objects.filter(call=call, status=Bid.Status.SUBMITTED).count() == 1
    assert len(audit_ids(bid, "submitted")) == 1


def test_two_requests_starting_a_bid_for_the_same_ngo_leave_one_live_bid(call, provider, ngo_user):
    def start() -> int:
        with transaction.atomic():
            return Bid.objects.create(
                call=call, provider=provider, price=call.total, proposal="", created_by=ngo_user
            ).pk

    outcomes = race([start, start])

    assert sorted(kind for kind, _value in outcomes) == ["integrity", "ok"]
    assert Bid.objects.filter(call=call, provider=provider).live().count() == 1


def test_two_awards_at_once_award_the_call_once(clock, call, officer):
    experts = [factories.ExpertFactory() for _ in range(3)]
    bids = [submitted_bid(call) for _ in range(2)]
    call = open_call(call, clock, officer)
    admit_all(call, officer)
    for member in appoint(call, experts, officer):
        score(member, Bid.objects.get(pk=bids[0].pk), [8] * 5)  # 80.0
        score(member, Bid.objects.get(pk=bids[1].pk), [7] * 5)  # 70.0

    outcomes = race([lambda: services.award_call(call=call, acting_user=officer).pk] * 2)

    assert sorted(kind for kind, _value in outcomes) == ["ok", "refused"]
    assert Bid.objects.filter(call=call, status=Bid.Status.WINNER).count() == 1
    assert len(audit_ids(Call.objects.get(pk=call.pk), "awarded")) == 1
    assert len(audit_ids(Bid.objects.get(pk=bids[0].pk), "winner")) == 1


PAIRS = 6


def stale_edit(bid: Bid, proposal: str):
    """Return a task saving the bid's edit page as a tab read it now (forms validated here, saved in the thread)."""
    from tenders.forms import BidForm, CostItemFormSet
    from tests.tenders.util import management

    data = {"price": str(bid.price), "proposal": proposal, "price_justification": "", **management("items", 0)}
    stale = Bid.objects.select_related("call", "provider").get(pk=bid.pk)
    form = BidForm(data, instance=stale, call=stale.call, provider=stale.provider)
    items = CostItemFormSet(data, instance=stale, prefix="items")
    assert form.is_valid(), form.errors
    assert items.is_valid(), items.errors
    return lambda: services.save_bid(form=form, items=items, acting_user=bid.created_by).status


def test_a_draft_saved_in_one_tab_while_another_submits_never_reverts_the_submission(call):
    """The finding: the stale edit used to save the whole row back as a draft with no submission time."""
    bids = [factories.BidFactory(call=call) for _ in range(PAIRS)]
    now = call.deadline - dt.timedelta(minutes=5)
    tasks = []
    for bid in bids:
        tasks.append(lambda b=bid: services.submit_bid(bid=b, acting_user=b.created_by, now=now).submitted_at)
        tasks.append(stale_edit(bid, "Правка из второй вкладки"))

    outcomes = race(tasks)

    for i, bid in enumerate(bids):
        submitted, edited = outcomes[2 * i], outcomes[2 * i + 1]
        bid.refresh_from_db()
        assert submitted == ("ok", now)  # a draft's submission is never refused because of an edit
        assert (bid.status, bid.submitted_at) == (Bid.Status.SUBMITTED, now)
        assert len(audit_ids(bid, "submitted")) == 1
        if edited[0] == "ok":  # the edit got the lock first: it is saved, and precedes the submission
            assert bid.proposal == "Правка из второй вкладки"
            assert audit_ids(bid, "bid edited")[0] < audit_ids(bid, "submitted")[0]
        else:  # the submission got it first: the edit is refused, saying so, and changed nothing
            assert edited[0] == "refused"
            assert edited[1][0].startswith("Your bid was submitted at ")
            assert bid.proposal != "Правка из второй вкладки"
            assert audit_ids(bid, "bid edited") == []


def test_an_edit_arriving_while_the_submission_holds_the_lock_is_refused_once_it_commits(call):
    """The same finding with the order fixed: the submission holds the locks (its transaction open) when the stale
    edit starts, so the edit must wait for it and then find the bid submitted."""
    bid = factories.BidFactory(call=call)
    now = call.deadline - dt.timedelta(minutes=5)
    edit = stale_edit(bid, "Правка из второй вкладки")
    held = threading.Barrier(2, timeout=30)

    def submit() -> dt.datetime:
        with transaction.atomic():
            submitted = services.submit_bid(bid=bid, acting_user=bid.created_by, now=now).submitted_at
            held.wait()  # the edit starts now, while this transaction still holds the rows
        return submitted

    def late_edit() -> str:
        held.wait()
        return edit()

    outcomes = race([submit, late_edit])

    assert outcomes[0] == ("ok", now)
    assert outcomes[1][0] == "refused"
    assert outcomes[1][1][0].startswith("Your bid was submitted at ")
    bid.refresh_from_db()
    assert (bid.status, bid.submitted_at) == (Bid.Status.SUBMITTED, now)
    assert audit_ids(bid, "bid edited") == []


def test_two_submissions_at_once_record_one_event_and_keep_the_first_time(call):
    bid = factories.BidFactory(call=call)
    first, second = call.deadline - dt.timedelta(minutes=5), call.deadline - dt.timedelta(minutes=4)

    outcomes = race(
        [
            lambda at=at: services.submit_bid(bid=bid, acting_user=bid.created_by, now=at).submitted_at
            for at in (first, second)
        ]
    )

    (won,) = [value for kind, value in outcomes if kind == "ok"]
    (refused,) = [value for kind, value in outcomes if kind == "refused"]
    assert refused[0].startswith("Your bid was already submitted at ")
    bid.refresh_from_db()
    assert bid.submitted_at == won  # the time of the submission that won, never moved by the other
    assert len(audit_ids(bid, "submitted")) == 1

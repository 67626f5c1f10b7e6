"""May this user do this to this call or bid? Rows are scoped by the visible_to querysets; the role questions are
the User's (`is_officer_of`, `member_of`, `sees_all`)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext

from tenders.models import Bid, Call, CommissionMember, ConflictDeclaration


def is_call_officer(user, call: Call) -> bool:
    """Return whether the user is an officer of the call's agency."""
    return user.is_authenticated and user.is_officer_of(call.agency_id)


def can_create_call(user) -> bool:
    return user.is_authenticated and user.is_officer and user.agency_id is not None


def can_edit_call(user, call: Call) -> bool:
    return is_call_officer(user, call) and call.status in (Call.Status.DRAFT, Call.Status.PUBLISHED)


def can_manage_call(user, call: Call) -> bool:
    """Publish, cancel, extend, re-announce, appoint the commission, open, admit, award, decide complaints."""
    return is_call_officer(user, call)


def membership(user, call: Call) -> CommissionMember | None:
    """Return the user's commission seat on the call, if any."""
    if not user.is_authenticated:
        return None
    return CommissionMember.objects.filter(call=call, user=user).first()


def is_chair(user, call: Call) -> bool:
    """Return whether the user chairs the call's commission."""
    seat = membership(user, call)
    return seat is not None and seat.is_chair


# -- the officer's steps through a call's life (the services check the status again, under a lock) ---------------


def can_publish(user, call: Call) -> bool:
    return can_manage_call(user, call) and call.status == Call.Status.DRAFT


def can_extend(user, call: Call, now: dt.datetime | None = None) -> bool:
    """Before the deadline, or after it while an upheld complaint about the terms requires an amendment."""
    return (
        can_manage_call(user, call)
        and call.status == Call.Status.PUBLISHED
        and (not call.deadline_passed(now) or call.amendment_required)
    )


def can_open_bids(user, call: Call, now: dt.datetime | None = None) -> bool:
    return can_manage_call(user, call) and call.status == Call.Status.PUBLISHED and call.deadline_passed(now)


def can_decide_call(user, call: Call) -> bool:
    """Award the call or declare it failed (which one the scores decide: `services.award_outcome`)."""
    return can_manage_call(user, call) and call.status == Call.Status.EVALUATION


def can_close_scoring(user, call: Call) -> bool:
    """The agency's officers or the chair of the commission, while the commission scores."""
    return (
        call.status == Call.Status.EVALUATION
        and call.scoring_closed_at is None
        and (can_manage_call(user, call) or is_chair(user, call))
    )


def can_appoint_substitute(user, call: Call) -> bool:
    """The agency's officers or the chair seat a substitute member while the commission scores."""
    return (
        call.status == Call.Status.EVALUATION
        and call.scoring_closed_at is None
        and (can_manage_call(user, call) or is_chair(user, call))
    )


def can_reannounce(user, call: Call) -> bool:
    return can_manage_call(user, call) and call.status in (Call.Status.FAILED, Call.Status.CANCELLED)


def can_cancel(user, call: Call) -> bool:
    return can_manage_call(user, call) and call.status in (
        Call.Status.DRAFT,
        Call.Status.PUBLISHED,
        Call.Status.EVALUATION,
    )


def can_prepare_contract(user, call: Call) -> bool:
    """Prepare the contract of an awarded call (the contracts app checks the standstill)."""
    return can_manage_call(user, call) and call.status == Call.Status.AWARDED


def can_list_complaints(user) -> bool:
    """Complaints concern agencies, NGOs and those who oversee them; experts have none in their scope."""
    return user.is_authenticated and not user.is_expert


def can_see_timeline(user) -> bool:
    """A call's timeline is for everyone signed in but NGO members (it names who acted)."""
    return user.is_authenticated and not user.is_ngo


def can_answer(user, call: Call) -> bool:
    return can_manage_call(user, call)


# -- bids --------------------------------------------------------------------------------------------------------


def can_decide_admission(user, call: Call) -> bool:
    """The agency's officers admit or reject opened bids while the commission scores."""
    return can_manage_call(user, call) and call.status == Call.Status.EVALUATION and call.scoring_closed_at is None


def member_step(seat: CommissionMember | None, call: Call, bid: Bid, declared: bool | None) -> str | None:
    """Return what a commission member does next on a bid: "declare" a conflict or none, then "score" an admitted
    bid while scoring is open, or nothing ("recused"); None for anyone without a seat or outside the evaluation.
    `declared` is the member's declaration on the bid (None: not made yet, True: a conflict)."""
    if seat is None or call.status != Call.Status.EVALUATION:
        return None
    if declared is None:
        return "declare"
    if declared:
        return "recused"
    if bid.status == Bid.Status.ADMITTED and call.scoring_closed_at is None:
        return "score"
    return None


def can_see_bids(user, call: Call) -> bool:
    """Return whether the user may see the bids of a call: only after its deadline, as its officer or member."""
    if not call.deadline_passed(timezone.now()) or call.status in (Call.Status.DRAFT, Call.Status.PUBLISHED):
        return False
    if not user.is_authenticated:
        return False
    if user.sees_all:
        return True
    return is_call_officer(user, call) or membership(user, call) is not None


def can_see_protocol(user, call: Call) -> bool:
    """Return whether the user may read (and print) the call's evaluation protocol: whoever may see its bids."""
    return can_see_bids(user, call)


def can_bid(user) -> bool:
    return user.is_authenticated and user.is_ngo


def can_edit_bid(user, bid: Bid) -> bool:
    """Return whether an NGO member may edit the bid now: a draft or withdrawn bid of an open call."""
    return (
        user.is_authenticated
        and user.member_of(bid.provider_id)
        and bid.status in (Bid.Status.DRAFT, Bid.Status.WITHDRAWN)
        and bid.call.is_accepting_bids()
    )


def score_refusal(seat: CommissionMember | None, bid: Bid) -> str | None:
    """Return why a commission member may not open the score sheet of this bid, or None (no seat: None too)."""
    if seat is None:
        return None
    declared = ConflictDeclaration.objects.filter(member=seat, bid=bid).values_list("has_conflict", flat=True).first()
    if declared is None:
        return gettext("Declare whether you have a conflict of interest with this bidder before scoring.")
    if declared:
        return gettext("You are recused from this bid: you declared a conflict of interest with the bidder.")
    return None


def can_withdraw_bid(user, bid: Bid) -> bool:
    """The bidding NGO, while the call accepts bids."""
    return (
        user.is_authenticated
        and bid.status == Bid.Status.SUBMITTED
        and bid.call.is_accepting_bids()
        and user.member_of(bid.provider_id)
    )


def can_decline_award(user, bid: Bid) -> bool:
    """The winner's NGO or the agency's officers, while the call stands awarded."""
    return (
        bid.status == Bid.Status.WINNER
        and bid.call.status == Call.Status.AWARDED
        and (can_manage_call(user, bid.call) or (user.is_authenticated and user.member_of(bid.provider_id)))
    )


def can_ask(user, call: Call, now: dt.datetime | None = None) -> bool:
    """NGO members ask clarification questions while the call accepts bids."""
    return user.is_authenticated and user.is_ngo and call.is_accepting_bids(now)


def can_complain(user, call: Call, now: dt.datetime | None = None) -> bool:
    """NGO members complain about the terms while the call accepts bids, about the result during the standstill."""
    return user.is_authenticated and user.is_ngo and (call.is_accepting_bids(now) or call.in_standstill(now))

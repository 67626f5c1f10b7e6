"""May this user do this to this call or bid? Rows are scoped by the visible_to querysets."""

from __future__ import annotations

from django.utils import timezone

from core.models import Role
from tenders.models import Bid, Call, CommissionMember


def is_call_officer(user, call: Call) -> bool:
    """Return whether the user is an officer of the call's agency."""
    return user.is_authenticated and user.role == Role.OFFICER and user.agency_id == call.agency_id


def can_create_call(user) -> bool:
    return user.is_authenticated and user.role == Role.OFFICER and user.agency_id is not None


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


def can_see_bids(user, call: Call) -> bool:
    """Return whether the user may see the bids of a call: only after its deadline, as its officer or member."""
    if not call.deadline_passed(timezone.now()) or call.status in (Call.Status.DRAFT, Call.Status.PUBLISHED):
        return False
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.role in (Role.COMMITTEE, Role.ADMIN):
        return True
    return is_call_officer(user, call) or membership(user, call) is not None


def can_bid(user) -> bool:
    return user.is_authenticated and user.role == Role.NGO


def can_edit_bid(user, bid: Bid) -> bool:
    """Return whether an NGO member may edit the bid now: a draft or withdrawn bid of an open call."""
    return (
        user.is_authenticated
        and user.role == Role.NGO
        and bid.provider.memberships.filter(user=user).exists()
        and bid.status in (Bid.Status.DRAFT, Bid.Status.WITHDRAWN)
        and bid.call.is_accepting_bids()
    )

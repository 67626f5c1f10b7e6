"""Qualification requirements of a call, checked automatically as of its deadline (the officer decides)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from tenders.models import Bid, Call


@dataclass(frozen=True)
class Check:
    label: str
    required: str
    actual: str
    ok: bool


def qualification_checks(call: Call, provider, staff) -> list[Check]:
    """Return each requirement with what is required, what the provider has as of the deadline, and whether it is met.

    `staff` is the staffing plan (StaffMember objects) whose certificates are checked on the deadline date.
    """
    on = timezone.localdate(call.deadline)
    checks = [
        Check(
            _("Organisation verified and not suspended"),
            _("yes"),
            provider.get_status_display(),
            provider.may_bid,
        )
    ]
    qualified = sum(1 for member in staff if member.is_active and member.may_work_with_children(on))
    checks.append(
        Check(
            _("Staff in the plan who may work with children on the deadline"),
            str(call.min_qualified_staff),
            str(qualified),
            qualified >= call.min_qualified_staff,
        )
    )
    experience = provider.experience_years(on)
    checks.append(
        Check(
            _("Years of experience"),
            str(call.min_experience_years),
            str(experience),
            experience >= call.min_experience_years,
        )
    )
    if call.requires_ngo_listing:
        current = provider.listing_is_current(on)
        checks.append(Check(_("Current NGO-database listing"), _("yes"), _("yes") if current else _("no"), current))
    return checks


def bid_checks(bid: Bid) -> list[Check]:
    return qualification_checks(bid.call, bid.provider, list(bid.staff.all()))

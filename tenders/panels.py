"""Dashboard panels of the competition cycle."""

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import dashboard, registry, search
from core.models import Agency, Role
from providers.models import Provider, ServiceArea
from tenders import permissions, scoring
from tenders.models import Bid, Call, CommissionMember, Complaint, ConflictDeclaration, ScoreSheet


def officer_queue(user) -> dict | None:
    """The officer's work queue of calls, each item linked to where it is done: drafts to publish, calls closing
    within a week, calls past their deadline to open, calls whose bids the commission scores (with the bids short of
    quorum), awarded calls past their standstill with no contract yet, unanswered questions per call, complaints."""
    if not user.agency_id:
        return None
    now = timezone.now()
    calls = Call.objects.visible_to(user).filter(agency_id=user.agency_id).select_related("region", "service_type")
    evaluating = list(calls.filter(status=Call.Status.EVALUATION).order_by("deadline")[:10])
    for call in evaluating:
        call.short_of_quorum = len(scoring.quorum_gaps(call))
    return {
        "drafts": calls.filter(status=Call.Status.DRAFT).order_by("deadline")[:10],
        "closing": calls.accepting_bids(now).filter(deadline__lte=now + dt.timedelta(days=7)).order_by("deadline"),
        "to_open": calls.past_deadline_unopened(now).order_by("deadline"),
        "evaluating": evaluating,
        "awaiting_contract": calls.awaiting_contract(now).order_by("standstill_until")[:10],
        "complaints": Complaint.objects.visible_to(user)
        .filter(call__agency_id=user.agency_id, status=Complaint.Status.SUBMITTED)
        .select_related("call", "provider")
        .order_by("filed_at"),
        "questions": calls.filter(status=Call.Status.PUBLISHED).with_unanswered_questions().order_by("deadline")[:10],
    }


def ngo_calls(user) -> dict | None:
    """Open calls matching the NGO's service areas, with days left, and the NGO's own live bids."""
    providers = Provider.objects.of_user(user)
    if not providers.exists():
        return None
    now = timezone.now()
    areas = ServiceArea.objects.filter(provider__in=providers).values_list("region_id", "service_type_id")
    match = Q(pk__in=[])
    for region_id, service_id in set(areas):
        match |= Q(region_id=region_id, service_type_id=service_id)
    open_calls = list(
        Call.objects.visible_to(user)
        .accepting_bids(now)
        .filter(match)
        .select_related("region", "service_type")
        .with_total()
        .order_by("deadline")[:15]
    )
    for call in open_calls:
        call.days_left = (call.deadline - now).days
    bids = (
        Bid.objects.visible_to(user)
        .filter(provider__in=providers)
        .live()
        .select_related("call", "provider")
        .order_by("-call__deadline")[:15]
    )
    return {"open_calls": open_calls, "bids": bids}


def commission_work(user) -> dict | None:
    """Calls the user sits on that are under evaluation, with declarations and sheets still to do."""
    seats = list(
        CommissionMember.objects.visible_to(user)
        .filter(user=user, call__status=Call.Status.EVALUATION, call__scoring_closed_at__isnull=True)
        .select_related("call")
        .annotate(admitted=Count("call__bids", filter=Q(call__bids__status=Bid.Status.ADMITTED), distinct=True))
    )
    if not seats and user.is_officer:
        return None
    declared = dict(
        ConflictDeclaration.objects.filter(member__in=seats)
        .values("member")
        .annotate(n=Count("id"))
        .values_list("member", "n")
    )
    sheets = dict(
        ScoreSheet.objects.filter(member__in=seats, submitted_at__isnull=False)
        .values("member")
        .annotate(n=Count("id"))
        .values_list("member", "n")
    )
    rows = [(seat, seat.admitted, declared.get(seat.pk, 0), sheets.get(seat.pk, 0)) for seat in seats]
    return {"rows": rows}


def calls_overview(user) -> dict:
    """National picture of calls by status, with single-bid and failed counts."""
    by_status = dict(Call.objects.visible_to(user).values("status").annotate(n=Count("id")).values_list("status", "n"))
    single = (
        Call.objects.visible_to(user)
        .filter(status=Call.Status.AWARDED)
        .annotate(n=Count("bids", filter=~Q(bids__status__in=[Bid.Status.DRAFT, Bid.Status.WITHDRAWN])))
        .filter(n=1)
        .count()
    )
    rows = [(Call.Status(s).label, by_status.get(s, 0)) for s in Call.Status.values if s != Call.Status.DRAFT]
    return {"rows": rows, "single": single}


def find_calls(user, term: str, limit: int) -> list[search.Hit]:
    """Return the calls the user may open whose number or title holds the term."""
    found = search.matching(Call.objects.visible_to(user), term).select_related("agency", "region")
    return [
        search.Hit(
            title=f"{call.number} — {call.title}",
            url=call.get_absolute_url(),
            detail=f"{call.agency.short_name} · {call.region} · {call.get_status_display()}",
        )
        for call in found.order_by("-deadline", "pk")[:limit]
    ]


def find_agencies(user, term: str, limit: int) -> list[search.Hit]:
    """Return the agencies whose name, short name or BIN holds the term, each linked to its calls."""
    found = search.matching(Agency.objects.visible_to(user), term).select_related("region")[:limit]
    calls = reverse("tenders:call-list")
    return [
        search.Hit(title=agency.name, url=f"{calls}?{urlencode({'agency': agency.pk})}", detail=agency.choice_label)
        for agency in found
    ]


def register_all() -> None:
    search.register(search.Searcher(key="calls", order=10, label=_("Calls"), find=find_calls))
    search.register(search.Searcher(key="agencies", order=40, label=_("Agencies"), find=find_agencies))
    from tenders.rules import rules_in_force_context

    registry.register(
        "rules-in-force",
        registry.Block(
            key="tenders-timelines",
            order=10,
            template="tenders/includes/rules_in_force.html",
            context=rules_in_force_context,
        ),
    )
    dashboard.register(
        dashboard.Panel(
            key="tenders-officer",
            title=_("Calls: your work queue"),
            roles=frozenset({Role.OFFICER}),
            template="tenders/panels/officer.html",
            context=officer_queue,
            order=20,
            width="col-lg-12",
        )
    )
    dashboard.register(
        dashboard.Panel(
            key="tenders-ngo",
            title=_("Open calls in your service areas"),
            roles=frozenset({Role.NGO}),
            template="tenders/panels/ngo.html",
            context=ngo_calls,
            order=20,
            width="col-lg-12",
        )
    )
    dashboard.register(
        dashboard.Panel(
            key="tenders-commission",
            title=_("Commissions: bids to declare and score"),
            roles=frozenset({Role.EXPERT, Role.OFFICER}),
            template="tenders/panels/commission.html",
            context=commission_work,
            order=30,
        )
    )
    dashboard.register(
        dashboard.Panel(
            key="tenders-overview",
            title=_("Calls nationally"),
            roles=frozenset({Role.COMMITTEE, Role.ADMIN}),
            template="tenders/panels/overview.html",
            context=calls_overview,
            order=30,
        )
    )
    registry.register(
        registry.NAV,
        registry.Link(
            key="calls",
            order=10,
            label=_("Calls"),
            url_name="tenders:call-list",
            current=frozenset({"tenders:*"}),
            excluded=frozenset({"tenders:complaint-list"}),
        ),
    )
    registry.register(
        registry.NAV,
        registry.Link(
            key="complaints",
            order=40,
            predicate=permissions.can_list_complaints,
            label=_("Complaints"),
            url_name="tenders:complaint-list",
            current=frozenset({"tenders:complaint-list"}),
        ),
    )

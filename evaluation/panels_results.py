"""Panels and page sections of result evaluations."""

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from contracts.models import Report, ReportingPeriod
from core import dashboard, registry
from core.models import Role
from evaluation import permissions, views
from evaluation.models import Evaluator, ResultEvaluation


def officer_evaluations(user) -> dict | None:
    """Contract years with an accepted annual report but no evaluation yet, and evaluations awaiting conclusion."""
    if not user.agency_id:
        return None
    evaluated = ResultEvaluation.objects.filter(contract=OuterRef("contract"), year=OuterRef("year"))
    ready = (
        ReportingPeriod.objects.visible_to(user)
        .filter(
            contract__agency_id=user.agency_id, kind=ReportingPeriod.Kind.ANNUAL, report__status=Report.Status.ACCEPTED
        )
        .annotate(done=Exists(evaluated))
        .filter(done=False)
        .select_related("contract__provider")
        .order_by("-year", "contract__number")
    )
    return {
        "ready": ready[:8],
        "ready_count": ready.count(),
        "open": ResultEvaluation.objects.visible_to(user)
        .filter(contract__agency_id=user.agency_id, status=ResultEvaluation.Status.OPEN)
        .select_related("contract__provider")[:8],
    }


def my_evaluations(user) -> dict | None:
    seats = (
        Evaluator.objects.filter(
            user=user,
            evaluation__in=ResultEvaluation.objects.visible_to(user),
            evaluation__status=ResultEvaluation.Status.OPEN,
        )
        .select_related("evaluation__contract__provider")
        .order_by("evaluation__opened_at")
    )
    if not seats.exists():
        return None if user.is_officer else {"seats": []}
    seats = list(seats)
    for seat in seats:
        seat.step = permissions.evaluator_step(seat, seat.evaluation)
    return {"seats": seats}


def ngo_results(user) -> dict | None:
    evaluations = (
        ResultEvaluation.objects.visible_to(user)
        .filter(contract__provider__memberships__user=user, status=ResultEvaluation.Status.SUBMITTED)
        .select_related("contract")
    )
    if not evaluations.exists():
        return None
    return {"evaluations": evaluations.order_by("-year")[:8]}


def register_all() -> None:
    dashboard.register(
        dashboard.Panel(
            key="evaluation-officer",
            title=_("Result evaluations"),
            roles=frozenset({Role.OFFICER}),
            template="evaluation/panels/officer.html",
            context=officer_evaluations,
            order=35,
        )
    )
    dashboard.register(
        dashboard.Panel(
            key="evaluation-mine",
            title=_("Your evaluations of results"),
            roles=frozenset({Role.EXPERT, Role.OFFICER}),
            template="evaluation/panels/mine.html",
            context=my_evaluations,
            order=31,
        )
    )
    dashboard.register(
        dashboard.Panel(
            key="evaluation-ngo",
            title=_("Evaluations of your results"),
            roles=frozenset({Role.NGO}),
            template="evaluation/panels/ngo.html",
            context=ngo_results,
            order=40,
        )
    )
    sections = [
        ("evaluation-contract", "contract-detail", "evaluation/sections/contract.html", views.contract_section),
        ("evaluation-provider", "provider-detail", "evaluation/sections/provider.html", views.provider_section),
        ("evaluation-bid", "bid-detail", "evaluation/sections/bid.html", views.bid_section),
        ("evaluation-call-bids", "call-bids", "evaluation/sections/call_bids.html", views.call_bids_section),
        ("evaluation-prices", "contract-detail", "evaluation/sections/contract_prices.html", views.contract_prices),
        ("evaluation-call-prices", "call-detail", "evaluation/sections/contract_prices.html", views.call_prices),
    ]
    for key, slot, template, context in sections:
        registry.register(slot, registry.Block(key=key, template=template, context=context))

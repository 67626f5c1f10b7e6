"""Panels and page sections of result evaluations."""

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from contracts.models import Report, ReportingPeriod
from core import dashboard, sections
from core.models import Role
from evaluation import views
from evaluation.models import Evaluator, ResultEvaluation


def officer_evaluations(user) -> dict | None:
    """Contract years with an accepted annual report but no evaluation yet, and evaluations awaiting conclusion."""
    if not user.agency_id:
        return None
    evaluated = ResultEvaluation.objects.filter(contract=OuterRef("contract"), year=OuterRef("year"))
    ready = (
        ReportingPeriod.objects.filter(
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
        "open": ResultEvaluation.objects.filter(
            contract__agency_id=user.agency_id, status=ResultEvaluation.Status.OPEN
        ).select_related("contract__provider")[:8],
    }


def my_evaluations(user) -> dict | None:
    seats = (
        Evaluator.objects.filter(user=user, evaluation__status=ResultEvaluation.Status.OPEN)
        .select_related("evaluation__contract__provider")
        .order_by("evaluation__opened_at")
    )
    if not seats.exists():
        return None if user.role == Role.OFFICER else {"seats": []}
    return {"seats": seats}


def ngo_results(user) -> dict | None:
    evaluations = ResultEvaluation.objects.filter(
        contract__provider__memberships__user=user, status=ResultEvaluation.Status.SUBMITTED
    ).select_related("contract")
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
    sections.register(
        sections.Section(
            key="evaluation-contract",
            slot="contract-detail",
            template="evaluation/sections/contract.html",
            context=views.contract_section,
        )
    )
    sections.register(
        sections.Section(
            key="evaluation-provider",
            slot="provider-detail",
            template="evaluation/sections/provider.html",
            context=views.provider_section,
        )
    )
    sections.register(
        sections.Section(
            key="evaluation-bid", slot="bid-detail", template="evaluation/sections/bid.html", context=views.bid_section
        )
    )
    sections.register(
        sections.Section(
            key="evaluation-call-bids",
            slot="call-bids",
            template="evaluation/sections/call_bids.html",
            context=views.call_bids_section,
        )
    )

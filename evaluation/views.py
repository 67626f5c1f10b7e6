from decimal import Decimal
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from contracts.models import Contract, Payment, Report, ReportingPeriod
from contracts.permissions import can_see_details as can_see_contract_details
from core import audit
from core.audit import Action
from core.exceptions import InvalidTransition
from core.exports import ExportMixin
from core.models import AuditEvent, Indicator
from core.views import ActionView, action_views
from evaluation import permissions, services
from evaluation.analytics.forms import RankingForm
from evaluation.analytics.views import AnalyticsPageMixin
from evaluation.council import agency_rule, council_result
from evaluation.filters import EvaluationFilter, IndicatorFilter
from evaluation.forms import (
    CouncilConclusionForm,
    EvaluationScoreForm,
    IndicatorForm,
    OpenEvaluationForm,
    ReasonForm,
)
from evaluation.models import CRITERIA, Evaluator, ResultEvaluation
from evaluation.outcomes import contract_years, outcome_payments, outcomes_for
from evaluation.profiles import provider_profile, ranking, summaries
from evaluation.tables import EvaluationTable, IndicatorTable, RankingTable
from providers.models import Provider
from tenders.models import Bid


class ProviderProfileView(DetailView):
    template_name = "evaluation/provider_profile.html"
    context_object_name = "provider"

    def get_queryset(self):
        return Provider.objects.visible_to(self.request.user).select_related("home_region")

    def get_object(self, queryset=None):
        provider = super().get_object(queryset)
        if not permissions.can_see_profile(self.request.user, provider):
            raise PermissionDenied
        return provider

    def get_context_data(self, **kwargs):
        profile = provider_profile(self.object)
        # The track record counts every evaluation; each links only where the reader may open it.
        openable = set(
            ResultEvaluation.objects.visible_to(self.request.user)
            .filter(pk__in=[e.pk for e in profile.evaluations])
            .values_list("pk", flat=True)
        )
        for evaluation in profile.evaluations:
            evaluation.openable = evaluation.pk in openable
        return super().get_context_data(profile=profile, **kwargs)


class RankingView(AnalyticsPageMixin, ExportMixin, SingleTableMixin, TemplateView):
    """Providers of a service (and region) ranked by shrunk outcome score."""

    template_name = "evaluation/ranking.html"
    form_class = RankingForm
    table_class = RankingTable
    paginate_by = 500  # a ranking is read whole
    export_basename = "ranking"

    def dispatch(self, request, *args, **kwargs):
        if not permissions.can_see_ranking(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def ranked(self) -> tuple[list, Decimal | None]:
        rows, overall = ranking(service_type=self.params["service"], region=self.params["region"])
        for rank, row in enumerate(rows, start=1):
            row.rank = rank
        return rows, overall

    def get_table_data(self):
        return self.ranked[0]

    def get_context_data(self, **kwargs):
        rows, overall = self.ranked
        return super().get_context_data(rows=rows, overall=overall, **kwargs)


class EvaluationListView(ExportMixin, SingleTableMixin, FilterView):
    template_name = "evaluation/evaluation_list.html"
    table_class = EvaluationTable
    filterset_class = EvaluationFilter
    paginate_by = 30
    export_basename = "evaluations"

    def get_queryset(self):
        return (
            ResultEvaluation.objects.visible_to(self.request.user)
            .select_related("contract__provider", "contract__region", "contract__service_type")
            .order_by("-opened_at", "-id")
        )


class OpenEvaluationView(View):
    template_name = "evaluation/open.html"

    def setup_contract(self, request, pk, year):
        contract = get_object_or_404(
            Contract.objects.visible_to(request.user).select_related("provider", "agency"), pk=pk
        )
        if not permissions.can_open_evaluation(request.user, contract):
            raise PermissionDenied
        stage = request.POST.get("stage") or request.GET.get("stage") or ResultEvaluation.Stage.PRELIMINARY
        if stage not in ResultEvaluation.Stage.values:
            stage = ResultEvaluation.Stage.PRELIMINARY
        existing = ResultEvaluation.objects.filter(contract=contract, year=year, stage=stage).first()
        return contract, existing, stage

    def get(self, request, pk, year):
        contract, existing, stage = self.setup_contract(request, pk, year)
        if existing:
            return redirect(existing)
        form = OpenEvaluationForm(initial={"stage": stage})
        return render(request, self.template_name, {"contract": contract, "year": year, "form": form})

    def post(self, request, pk, year):
        contract, existing, stage = self.setup_contract(request, pk, year)
        if existing:
            return redirect(existing)
        form = OpenEvaluationForm(request.POST)
        if form.is_valid():
            try:
                evaluation = services.open_evaluation(
                    contract=contract,
                    year=year,
                    evaluators=list(form.cleaned_data["evaluators"]),
                    acting_user=request.user,
                    stage=form.cleaned_data["stage"],
                )
            except InvalidTransition as error:
                form.add_error(None, error.messages[0])
            else:
                messages.success(request, _("The evaluation is open; the evaluators are told."))
                return redirect(evaluation)
        return render(request, self.template_name, {"contract": contract, "year": year, "form": form}, status=400)


def evidence(contract: Contract, year: int) -> dict:
    """What the council sees beside the form: targets vs actuals, report timeliness, payments, amendments."""
    outcomes = outcomes_for([contract])
    periods = list(
        ReportingPeriod.objects.filter(contract=contract, year=year).select_related("report").order_by("due_date")
    )
    for period in periods:
        period.report_obj = getattr(period, "report", None)
    return {
        "outcome": outcomes.get((contract.pk, year)),
        "periods": periods,
        "payments": Payment.objects.filter(tranche__contract=contract, tranche__year=year).select_related("tranche"),
        "tranche": contract.tranches.filter(year=year).first(),
        "amendments": contract.amendments.all(),
        "summary": summaries([contract.provider_id])[contract.provider_id],
    }


class EvaluationDetailView(DetailView):
    template_name = "evaluation/evaluation_detail.html"
    context_object_name = "evaluation"

    def get_queryset(self):
        return ResultEvaluation.objects.visible_to(self.request.user).select_related(
            "contract__provider", "contract__agency", "contract__region", "contract__service_type"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        evaluation, user = self.object, self.request.user
        me = evaluation.evaluators.filter(user=user).first() if user.is_authenticated else None
        evaluators = list(evaluation.evaluators.select_related("user").prefetch_related("scores"))
        result = council_result(evaluation)
        submitted_own = me is not None and me.submitted_at is not None
        manage = permissions.can_conclude(user, evaluation)
        means = result.means or {}
        recorded = {c.criterion: c for c in evaluation.conclusions.all()}
        context.update(
            {
                "contract": evaluation.contract,
                "me": me,
                "my_step": permissions.evaluator_step(me, evaluation),
                "evaluators": evaluators,
                "result": result,
                "criteria": CRITERIA,
                "criterion_means": [(label, means.get(code)) for code, label in CRITERIA],
                "criterion_rows": [(label, means.get(code), recorded.get(code)) for code, label in CRITERIA],
                "agency_rule": agency_rule(evaluation.threshold),
                "conclusion_form": CouncilConclusionForm(),
                "show_scores": manage or submitted_own or evaluation.status == ResultEvaluation.Status.SUBMITTED,
                "can_conclude": manage and evaluation.status == ResultEvaluation.Status.OPEN and result.has_quorum,
                "can_reopen": manage and evaluation.status == ResultEvaluation.Status.SUBMITTED,
                "score_form": EvaluationScoreForm(),
                "reason_form": ReasonForm(),
                "events": AuditEvent.objects.for_object(evaluation)[:30],
                **evidence(evaluation.contract, evaluation.year),
            }
        )
        # The council sees each report's status as evidence; the report itself opens only within the reader's scope.
        openable = set(
            Report.objects.visible_to(user)
            .filter(period__in=[p.pk for p in context["periods"]])
            .values_list("pk", flat=True)
        )
        for period in context["periods"]:
            period.report_openable = period.report_obj is not None and period.report_obj.pk in openable
        return context


class EvaluationActionView(ActionView):
    """POST-only steps of the council: evaluators declare and score; the agency's officers conclude and reopen."""

    model = ResultEvaluation

    def allowed(self, user, evaluation):
        return permissions.can_conclude(user, evaluation)


class EvaluatorStepView(EvaluationActionView):
    def allowed(self, user, evaluation):
        return self.evaluator(evaluation) is not None

    def evaluator(self, evaluation):
        return Evaluator.objects.filter(evaluation=evaluation, user=self.request.user).first()


class DeclareView(EvaluatorStepView):
    def act(self, evaluation):
        services.declare(
            evaluator=self.evaluator(evaluation), has_conflict=self.request.POST.get("has_conflict") == "1"
        )
        return _("Your declaration is recorded.")


class ScoreView(EvaluatorStepView):
    def act(self, evaluation):
        form = EvaluationScoreForm(self.request.POST)
        if not form.is_valid():
            raise InvalidTransition(_("Score every criterion from 0 to 5 and write a comment."))
        services.submit_scores(
            evaluator=self.evaluator(evaluation), values=form.values(), comment=form.cleaned_data["comment"]
        )
        return _("Your scores are submitted.")


class ConcludeView(EvaluationActionView):
    def act(self, evaluation):
        form = CouncilConclusionForm(self.request.POST)
        if not form.is_valid():
            raise InvalidTransition(_("Record the council's conclusion on every criterion."))
        services.conclude(evaluation=evaluation, acting_user=self.request.user, conclusions=form.conclusions())
        return _("The evaluation is concluded.")


class ReopenView(EvaluationActionView):
    def act(self, evaluation):
        services.reopen(
            evaluation=evaluation, acting_user=self.request.user, reason=self.request.POST.get("reason", "")
        )
        return _("The evaluation is reopened.")


evaluation_action_view = action_views(declare=DeclareView, score=ScoreView, conclude=ConcludeView, reopen=ReopenView)


class IndicatorListView(ExportMixin, SingleTableMixin, FilterView):
    template_name = "evaluation/indicator_list.html"
    table_class = IndicatorTable
    filterset_class = IndicatorFilter
    paginate_by = 100
    export_basename = "indicators"

    def get_queryset(self):
        deletable = Indicator.objects.deletable_by(self.request.user).filter(pk=OuterRef("pk"))
        return (
            Indicator.objects.visible_to(self.request.user)
            .select_related("service_type")
            .annotate(can_delete=Exists(deletable))
            .order_by("service_type_id", "kind", "code")
        )

    def get_table_kwargs(self):
        return {} if permissions.can_manage_indicators(self.request.user) else {"exclude": ("delete",)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_manage=permissions.can_manage_indicators(self.request.user), **kwargs)


class IndicatorCreateView(View):
    template_name = "evaluation/indicator_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not permissions.can_manage_indicators(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(request, self.template_name, {"form": IndicatorForm()})

    def post(self, request):
        form = IndicatorForm(request.POST)
        if form.is_valid():
            indicator = form.save(commit=False)
            if request.user.is_officer:  # an agency's own indicator; an admin's joins the reference catalogue
                indicator.created_by_agency = request.user.agency
            indicator.save()
            audit.record(
                actor=request.user, action=Action.CREATED, target=indicator, changes=audit.model_changes(form)
            )
            messages.success(request, _("The indicator is added to the catalogue."))
            return redirect("evaluation:indicator-list")
        return render(request, self.template_name, {"form": form}, status=400)


class IndicatorDeleteView(ActionView):
    """Delete an indicator from the catalogue, unless calls, contracts or reports use it."""

    def get_queryset(self):
        return Indicator.objects.visible_to(self.request.user)

    def allowed(self, user, indicator):
        return permissions.can_delete_indicator(user, indicator)

    def act(self, indicator):
        services.delete_indicator(indicator=indicator, acting_user=self.request.user)
        return _("The indicator is deleted.")

    def get_success_url(self, indicator):
        return reverse("evaluation:indicator-list")


def contract_section(request, object):
    """Targets and actuals per year, outcome scores, outcome payments and evaluations on the contract page, for those
    who may see the contract's details (the public sees the summary: actuals and payments are not public facts)."""
    contract = object
    if not contract.is_signed or not can_see_contract_details(request.user, contract):
        return None
    outcomes = outcomes_for([contract])
    years = sorted((o for (cid, _y), o in outcomes.items() if cid == contract.pk), key=lambda o: o.year)
    evaluations = {
        (e.year, e.stage): e for e in ResultEvaluation.objects.visible_to(request.user).filter(contract=contract)
    }
    last_year = max(contract_years(contract), default=None)
    annual_accepted = set(
        ReportingPeriod.objects.filter(
            contract=contract, kind="annual", report__status=Report.Status.ACCEPTED
        ).values_list("year", flat=True)
    )
    may_open = permissions.can_open_evaluation(request.user, contract)
    for outcome in years:
        outcome.evaluation = evaluations.get((outcome.year, ResultEvaluation.Stage.PRELIMINARY))
        outcome.final = evaluations.get((outcome.year, ResultEvaluation.Stage.FINAL))
        outcome.can_open = may_open and outcome.evaluation is None and outcome.year in annual_accepted
        outcome.can_open_final = (
            may_open and outcome.final is None and outcome.year == last_year and outcome.year in annual_accepted
        )
    return {
        "contract": contract,  # the section's template links by it (the slot passes the contract as `object`)
        "years": years,
        "outcome_payments": outcome_payments(contract, outcomes) if contract.call.outcome_share else [],
    }


def contract_prices(request, object):
    """The price per child served of each contract year, beside its limits (contracts.prices), for those who may
    see the contract's details."""
    contract = object
    if not contract.is_signed or not can_see_contract_details(request.user, contract):
        return None
    from contracts.models import Tranche
    from contracts.prices import year_prices

    return {"prices": year_prices(Tranche.objects.filter(contract=contract))}


def call_prices(request, object):
    """The price per child served of the call's contract on the call page (the contract's rule and readers)."""
    contract = Contract.objects.visible_to(request.user).filter(call=object).first()
    return contract_prices(request, contract) if contract is not None else None


def provider_section(request, object):
    if not permissions.can_see_profile(request.user, object):
        return None
    return {"summary": summaries([object.pk])[object.pk]}


def bid_section(request, object):
    if request.user.is_ngo or not permissions.can_see_profile(request.user, object.provider):
        return None
    return {"summary": summaries([object.provider_id])[object.provider_id], "provider": object.provider}


def call_bids_section(request, object):
    """The bidders' track records beside the list of bids (a fixed number of queries)."""
    bids = list(Bid.objects.visible_to(request.user).filter(call=object).select_related("provider"))
    if not bids or not permissions.can_see_ranking(request.user):
        return None
    records = summaries([b.provider_id for b in bids])
    return {"rows": [(b.provider, records[b.provider_id]) for b in bids]}

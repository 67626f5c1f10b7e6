from decimal import Decimal
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError
from django.http import Http404
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
from core.exceptions import InvalidTransition
from core.exports import ExportMixin
from core.models import AuditEvent, Indicator
from evaluation import permissions, services
from evaluation.analytics.forms import RankingForm
from evaluation.analytics.views import AnalyticsPageMixin
from evaluation.council import council_result
from evaluation.filters import EvaluationFilter, IndicatorFilter
from evaluation.forms import EvaluationScoreForm, IndicatorForm, OpenEvaluationForm, ReasonForm
from evaluation.models import CRITERIA, Evaluator, ResultEvaluation
from evaluation.outcomes import outcome_payments, outcomes_for
from evaluation.profiles import provider_profile, ranking, summaries
from evaluation.tables import EvaluationTable, IndicatorTable, RankingTable
from providers.models import Provider


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
        return super().get_context_data(profile=provider_profile(self.object), **kwargs)


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
        existing = ResultEvaluation.objects.filter(contract=contract, year=year).first()
        return contract, existing

    def get(self, request, pk, year):
        contract, existing = self.setup_contract(request, pk, year)
        if existing:
            return redirect(existing)
        return render(request, self.template_name, {"contract": contract, "year": year, "form": OpenEvaluationForm()})

    def post(self, request, pk, year):
        contract, existing = self.setup_contract(request, pk, year)
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
        context.update(
            {
                "contract": evaluation.contract,
                "me": me,
                "evaluators": evaluators,
                "result": result,
                "criteria": CRITERIA,
                "show_scores": manage or submitted_own or evaluation.status == ResultEvaluation.Status.SUBMITTED,
                "can_conclude": manage and evaluation.status == ResultEvaluation.Status.OPEN and result.has_quorum,
                "can_reopen": manage and evaluation.status == ResultEvaluation.Status.SUBMITTED,
                "score_form": EvaluationScoreForm(),
                "reason_form": ReasonForm(),
                "events": AuditEvent.objects.for_object(evaluation)[:30],
                **evidence(evaluation.contract, evaluation.year),
            }
        )
        return context


class EvaluatorActionView(View):
    def post(self, request, pk, action):
        evaluation = get_object_or_404(ResultEvaluation.objects.visible_to(request.user), pk=pk)
        try:
            if action in ("declare", "score"):
                evaluator = Evaluator.objects.filter(evaluation=evaluation, user=request.user).first()
                if evaluator is None:
                    raise PermissionDenied
                if action == "declare":
                    services.declare(evaluator=evaluator, has_conflict=request.POST.get("has_conflict") == "1")
                    messages.success(request, _("Your declaration is recorded."))
                else:
                    form = EvaluationScoreForm(request.POST)
                    if not form.is_valid():
                        raise InvalidTransition(_("Score every criterion from 0 to 5 and write a comment."))
                    services.submit_scores(
                        evaluator=evaluator, values=form.values(), comment=form.cleaned_data["comment"]
                    )
                    messages.success(request, _("Your scores are submitted."))
            elif action in ("conclude", "reopen"):
                if not permissions.can_conclude(request.user, evaluation):
                    raise PermissionDenied
                if action == "conclude":
                    services.conclude(evaluation=evaluation, acting_user=request.user)
                    messages.success(request, _("The evaluation is concluded."))
                else:
                    services.reopen(
                        evaluation=evaluation, acting_user=request.user, reason=request.POST.get("reason", "")
                    )
                    messages.success(request, _("The evaluation is reopened."))
            else:
                raise Http404
        except InvalidTransition as error:
            messages.error(request, error.messages[0])
        return redirect(evaluation)


class IndicatorListView(ExportMixin, SingleTableMixin, FilterView):
    template_name = "evaluation/indicator_list.html"
    table_class = IndicatorTable
    filterset_class = IndicatorFilter
    paginate_by = 100
    export_basename = "indicators"

    def get_queryset(self):
        return Indicator.objects.select_related("service_type").order_by("service_type_id", "kind", "code")

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
            indicator = form.save()
            audit.record(actor=request.user, action="created", target=indicator, changes=audit.model_changes(form))
            messages.success(request, _("The indicator is added to the catalogue."))
            return redirect("evaluation:indicator-list")
        return render(request, self.template_name, {"form": form}, status=400)


class IndicatorDeleteView(View):
    def post(self, request, pk):
        if not permissions.can_manage_indicators(request.user):
            raise PermissionDenied
        indicator = get_object_or_404(Indicator, pk=pk)
        try:
            with transaction.atomic():
                audit.record(actor=request.user, action="deleted", target=indicator, note=indicator.code)
                indicator.delete()
        except ProtectedError:
            messages.error(request, _("The indicator is used by calls, contracts or reports and cannot be deleted."))
        else:
            messages.success(request, _("The indicator is deleted."))
        return redirect(reverse("evaluation:indicator-list"))


def contract_section(request, object):
    """Targets and actuals per year, outcome scores, outcome payments and evaluations on the contract page, for those
    who may see the contract's details (the public sees the summary: actuals and payments are not public facts)."""
    contract = object
    if not contract.is_signed or not can_see_contract_details(request.user, contract):
        return None
    outcomes = outcomes_for([contract])
    years = sorted((o for (cid, _y), o in outcomes.items() if cid == contract.pk), key=lambda o: o.year)
    evaluations = {e.year: e for e in ResultEvaluation.objects.filter(contract=contract)}
    annual_accepted = set(
        ReportingPeriod.objects.filter(
            contract=contract, kind="annual", report__status=Report.Status.ACCEPTED
        ).values_list("year", flat=True)
    )
    for outcome in years:
        outcome.evaluation = evaluations.get(outcome.year)
        outcome.can_open = (
            permissions.can_open_evaluation(request.user, contract)
            and outcome.evaluation is None
            and outcome.year in annual_accepted
        )
    return {
        "contract": contract,  # the section's template links by it (the slot passes the contract as `object`)
        "years": years,
        "outcome_payments": outcome_payments(contract, outcomes) if contract.call.outcome_share else [],
    }


def provider_section(request, object):
    if not permissions.can_see_profile(request.user, object):
        return None
    return {"summary": summaries([object.pk])[object.pk]}


def bid_section(request, object):
    if not permissions.can_see_profile(request.user, object.provider) or request.user.role == "ngo":
        return None
    return {"summary": summaries([object.provider_id])[object.provider_id], "provider": object.provider}


def call_bids_section(request, object):
    """The bidders' track records beside the list of bids (a fixed number of queries)."""
    bids = list(object.bids.exclude(status__in=["draft", "withdrawn"]).select_related("provider"))
    if not bids or not permissions.can_see_ranking(request.user):
        return None
    records = summaries([b.provider_id for b in bids])
    return {"rows": [(b.provider, records[b.provider_id]) for b in bids]}

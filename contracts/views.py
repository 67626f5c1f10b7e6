import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from contracts import permissions, services
from contracts.filters import ContractFilter, PeriodFilter
from contracts.forms import (
    AmountAmendmentForm,
    EndDateAmendmentForm,
    ExpenseFormSet,
    PaymentForm,
    PrepareContractForm,
    ReportForm,
    ReturnForm,
    ScopeAmendmentForm,
    TargetFormSet,
    TerminationForm,
    TrancheFormSet,
)
from contracts.models import (
    Amendment,
    Contract,
    ContractDocument,
    Payment,
    Report,
    ReportExpense,
    ReportingPeriod,
    Target,
    Tranche,
    paid_by_tranche,
)
from contracts.tables import ContractTable, PeriodTable
from core import audit
from core.audit import Action
from core.documents import document_response
from core.exceptions import InvalidTransition
from core.exports import ExportMixin
from core.forms import DocumentForm
from core.models import AuditEvent, Indicator
from core.util import today
from core.views import ActionView, PermittedObjectMixin, action_views
from tenders.models import Bid, Call


def contracts_for_list(user):
    """Return the contracts of the list: the user's scope with money and flags; everyone else sees all contracts
    (public facts) in summary."""
    if permissions.follows_contracts(user):
        contracts = Contract.objects.in_scope(user)
    else:
        contracts = Contract.objects.visible_to(user)
    return contracts.select_related("provider", "region", "service_type", "agency").with_money_and_flags(today())


@method_decorator(login_not_required, name="dispatch")
class ContractListView(ExportMixin, SingleTableMixin, FilterView):
    table_class = ContractTable
    filterset_class = ContractFilter
    template_name = "contracts/contract_list.html"
    paginate_by = 25
    export_basename = "contracts"

    def get_queryset(self):
        return contracts_for_list(self.request.user).order_by("-start_date", "-id")

    def get_table_kwargs(self):
        if not permissions.follows_contracts(self.request.user):  # the summary: no payments, reports or flags
            return {"exclude": ("paid", "next_due", "flags")}
        return {}


def tranche_rows(contract: Contract, user) -> list[dict]:
    """Return each tranche with what was paid of each part, what remains, and whether its fixed part is late (the
    payments only where the user may see the contract's details)."""
    tranches = list(Tranche.objects.visible_to(user).filter(contract=contract))
    paid = paid_by_tranche(tranches)
    payments = {}
    for payment in Payment.objects.visible_to(user).filter(tranche__contract=contract).order_by("date", "id"):
        payments.setdefault(payment.tranche_id, []).append(payment)
    on = today()
    rows = []
    for tranche in tranches:
        fixed_paid, outcome_paid = paid[tranche.pk]["fixed"], paid[tranche.pk]["outcome"]
        these = payments.get(tranche.pk, [])
        for payment in these:
            payment.tranche = tranche
        rows.append(
            {
                "tranche": tranche,
                "fixed_paid": fixed_paid,
                "outcome_paid": outcome_paid,
                "paid": fixed_paid + outcome_paid,
                "remaining": tranche.amount - fixed_paid - outcome_paid,
                "payments": these,
                "late": any(p.is_late for p in these),
                "missing": tranche.planned_date < on and fixed_paid < tranche.fixed_amount,
            }
        )
    return rows


@method_decorator(login_not_required, name="dispatch")
class ContractDetailView(DetailView):
    template_name = "contracts/contract_detail.html"

    def get_queryset(self):
        return Contract.objects.visible_to(self.request.user).select_related(
            "provider", "agency", "region", "service_type", "call", "bid"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contract, user = self.object, self.request.user
        details = permissions.can_see_details(user, contract)
        periods = list(
            ReportingPeriod.objects.visible_to(user)
            .filter(contract=contract)
            .select_related("report")
            .with_state(today())
        )
        for period in periods:
            period.report_obj = getattr(period, "report", None)
            period.overdue = period.state in ReportingPeriod.OVERDUE_STATES
            period.awaiting_report = period.state in ReportingPeriod.AWAITING_NGO
            period.can_fill = permissions.can_edit_report(user, period.report_obj, contract)
        amendments = list(Amendment.objects.visible_to(user).filter(contract=contract).select_related("created_by"))
        can_manage = permissions.can_manage(user, contract) and contract.status == Contract.Status.ACTIVE
        context.update(
            {
                "details": details,
                "tranches": tranche_rows(contract, user),
                "amendments": amendments,
                "value_reduced": any(a.is_reduction for a in amendments),
                "terminated": contract.status == Contract.Status.TERMINATED,
                "outcome_part": bool(contract.call.outcome_share),
                "targets": Target.objects.visible_to(user).filter(contract=contract).select_related("indicator"),
                "periods": periods,
                "documents": ContractDocument.objects.visible_to(user).filter(contract=contract, report__isnull=True),
                "can_sign": permissions.can_sign(user, contract),
                "can_manage": can_manage,
                "can_add_document": can_manage or permissions.is_contract_member(user, contract),
                "is_member": permissions.is_contract_member(user, contract),
                "events": AuditEvent.objects.for_object(contract)[:50] if details else [],
                "document_form": DocumentForm(),
            }
        )
        return context


class PrepareContractView(View):
    """Prepare the contract of an awarded call past its standstill, pre-filled from the call and the winning bid."""

    template_name = "contracts/prepare.html"

    def setup_call(self, request, pk):
        call = get_object_or_404(Call.objects.visible_to(request.user).select_related("agency", "region"), pk=pk)
        if not permissions.can_prepare(request.user, call):
            raise PermissionDenied
        if hasattr(call, "contract"):
            return call, redirect(call.contract)
        return call, None

    def initial(self, call):
        winner = Bid.objects.visible_to(self.request.user).filter(call=call, status=Bid.Status.WINNER).first()
        if winner is None:
            raise Http404
        start, end = services.default_dates(call)
        tranches = services.default_tranches(call, winner.price)
        for t in tranches:
            t["planned_date"] = t["planned_date"] or start + dt.timedelta(days=30)
        targets = [{"year": t.year, "indicator": t.indicator, "value": t.value} for t in call.targets.all()]
        number = f"Д-{call.number}"
        return (
            winner,
            {"number": number, "start_date": start, "end_date": end, "scope": call.description_ru},
            tranches,
            targets,
        )

    def get(self, request, pk):
        call, done = self.setup_call(request, pk)
        if done:
            return done
        winner, initial, tranches, targets = self.initial(call)
        context = {
            "call": call,
            "winner": winner,
            "form": PrepareContractForm(initial=initial),
            "tranches": TrancheFormSet(initial=tranches, prefix="tranches"),
            "targets": TargetFormSet(initial=targets, prefix="targets"),
            "in_standstill": call.in_standstill(),
        }
        return render(request, self.template_name, context)

    def post(self, request, pk):
        call, done = self.setup_call(request, pk)
        if done:
            return done
        winner, _initial, _tranches, _targets = self.initial(call)
        form = PrepareContractForm(request.POST)
        tranches = TrancheFormSet(request.POST, prefix="tranches")
        targets = TargetFormSet(request.POST, prefix="targets")
        if form.is_valid() and tranches.is_valid() and targets.is_valid():
            try:
                contract = services.prepare_contract(
                    call=call,
                    acting_user=request.user,
                    number=form.cleaned_data["number"],
                    start_date=form.cleaned_data["start_date"],
                    end_date=form.cleaned_data["end_date"],
                    scope=form.cleaned_data["scope"],
                    tranches=[f.cleaned_data for f in tranches if f.cleaned_data],
                    targets=[f.cleaned_data for f in targets if f.cleaned_data and not f.cleaned_data.get("DELETE")],
                )
            except InvalidTransition as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("The contract is prepared. Sign it; the NGO then counter-signs."))
                return redirect(contract)
        context = {
            "call": call,
            "winner": winner,
            "form": form,
            "tranches": tranches,
            "targets": targets,
            "in_standstill": call.in_standstill(),
        }
        return render(request, self.template_name, context, status=400)


class ContractActionMixin(PermittedObjectMixin):
    """Pages that act on one contract: fetched through visible_to (404), checked by `allowed` (403)."""

    def get_queryset(self):
        return Contract.objects.visible_to(self.request.user).select_related("provider", "call")

    def allowed(self, user, contract) -> bool:
        return permissions.can_manage(user, contract)


class SignView(ContractActionMixin, ActionView):
    def allowed(self, user, contract):
        return permissions.can_sign(user, contract)

    def act(self, contract):
        contract = services.sign(contract=contract, acting_user=self.request.user)
        if contract.status == Contract.Status.ACTIVE:
            return _("Signed by both parties: the contract is active.")
        return _("Signed. Waiting for the other party.")


class PaymentCreateView(ContractActionMixin, View):
    template_name = "contracts/form_page.html"

    def get(self, request, pk):
        contract = self.get_permitted_object()
        return render(
            request,
            self.template_name,
            {"contract": contract, "form": PaymentForm(contract=contract), "title": _("Record a payment")},
        )

    def post(self, request, pk):
        contract = self.get_permitted_object()
        form = PaymentForm(request.POST, contract=contract)
        if form.is_valid():
            try:
                services.record_payment(acting_user=request.user, **form.cleaned_data)
            except InvalidTransition as error:
                form.add_error(None, error.messages[0])
            else:
                messages.success(request, _("The payment is recorded."))
                return redirect(contract)
        return render(
            request,
            self.template_name,
            {"contract": contract, "form": form, "title": _("Record a payment")},
            status=400,
        )


AMENDMENTS = {
    "amount": (AmountAmendmentForm, _("Change the amount and tranches")),
    "end-date": (EndDateAmendmentForm, _("Change the end date")),
    "scope": (ScopeAmendmentForm, _("Change the scope")),
    "terminate": (TerminationForm, _("Terminate the contract")),
}


class AmendmentView(ContractActionMixin, View):
    template_name = "contracts/form_page.html"

    def make_form(self, kind, contract, data=None):
        if kind not in AMENDMENTS:
            raise Http404
        form_class, title = AMENDMENTS[kind]
        if form_class is AmountAmendmentForm:
            return form_class(data, contract=contract), title
        initial = {"end_date": contract.end_date, "scope": contract.scope}
        return form_class(data, initial=initial), title

    def get(self, request, pk, kind):
        contract = self.get_permitted_object()
        form, title = self.make_form(kind, contract)
        return render(
            request,
            self.template_name,
            {"contract": contract, "form": form, "title": title, "warning": kind in ("amount", "terminate")},
        )

    def post(self, request, pk, kind):
        contract = self.get_permitted_object()
        form, title = self.make_form(kind, contract, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            common = {
                "contract": contract,
                "acting_user": request.user,
                "reason_code": data["reason_code"],
                "reason_text": data["reason_text"],
            }
            try:
                if kind == "amount":
                    services.amend_amounts(amounts=form.amounts(), effective_date=data["effective_date"], **common)
                elif kind == "end-date":
                    services.amend_end_date(end_date=data["end_date"], **common)
                elif kind == "scope":
                    services.amend_scope(scope=data["scope"], **common)
                else:
                    services.terminate(on=data["on"], **common)
            except InvalidTransition as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("The amendment is recorded."))
                return redirect(contract)
        return render(
            request,
            self.template_name,
            {"contract": contract, "form": form, "title": title, "warning": kind in ("amount", "terminate")},
            status=400,
        )


class DocumentUploadView(ContractActionMixin, ActionView):
    def allowed(self, user, contract):
        return permissions.can_see_details(user, contract) and (
            permissions.is_contract_officer(user, contract) or permissions.is_contract_member(user, contract)
        )

    def act(self, contract):
        request = self.request
        form = DocumentForm(request.POST, request.FILES)
        if not form.is_valid():
            raise InvalidTransition([error for errors in form.errors.values() for error in errors])
        report = None
        if request.POST.get("report"):
            report = get_object_or_404(Report, pk=request.POST["report"], period__contract=contract)
        with transaction.atomic():
            ContractDocument.from_form(form, contract=contract, report=report, uploaded_by=request.user)
            audit.record(
                actor=request.user, action=Action.DOCUMENT_ADDED, target=contract, note=form.cleaned_data["title"]
            )
        return _("The document is added.")

    def get_success_url(self, contract):
        back = str(self.request.POST.get("next", ""))
        return back if back.startswith("/contracts/") else contract.get_absolute_url()


class DocumentView(View):
    """A document of a contract or of one of its reports: a detail, hidden (404) outside the contract's parties,
    committee staff and admins, although the contract itself is public."""

    def get(self, request, pk, doc):
        document = get_object_or_404(ContractDocument.objects.visible_to(request.user), contract_id=pk, pk=doc)
        return document_response(document.file, document.original_name or document.title)


# -- reports -------------------------------------------------------------------------------------------------------


class PeriodListView(ExportMixin, SingleTableMixin, FilterView):
    """Reports and their schedule: what is due, overdue, to review."""

    table_class = PeriodTable
    filterset_class = PeriodFilter
    template_name = "contracts/period_list.html"
    paginate_by = 30
    export_basename = "reports"

    def get_queryset(self):
        return (
            ReportingPeriod.objects.visible_to(self.request.user)
            .select_related("contract__provider", "report")
            .with_state(today())
            .order_by("due_date", "contract__number")
        )


def period_targets(period: ReportingPeriod) -> dict:
    """Return {indicator id: target} of the contract for the period's year."""
    return dict(period.contract.targets.filter(year=period.year).values_list("indicator_id", "value"))


def actual_indicators(period: ReportingPeriod):
    """Return the indicators a report states actuals for: the contract's targets of that year."""
    ids = period.contract.targets.filter(year=period.year).values("indicator")
    return Indicator.objects.filter(pk__in=ids)


class ReportEditView(View):
    """The NGO fills a report for a period: a draft is created on the first save."""

    template_name = "contracts/report_form.html"

    def setup_period(self, request, pk):
        period = get_object_or_404(
            ReportingPeriod.objects.visible_to(request.user).select_related("contract__provider"), pk=pk
        )
        report = Report.objects.filter(period=period).first()
        if report and not permissions.can_edit_report(request.user, report, period.contract):
            return period, report, redirect(report)
        if not permissions.can_edit_report(request.user, report, period.contract):
            if report is None and permissions.can_see_details(request.user, period.contract):
                raise Http404  # nothing reported yet
            raise PermissionDenied
        return period, report, None

    def context(self, period, report, form, expenses):
        balance = period.tranche_balance(excluding=report)
        return {
            "period": period,
            "contract": period.contract,
            "report": report,
            "returned": report is not None and report.status == Report.Status.RETURNED,
            "form": form,
            "expenses": expenses,
            "tranche": balance.tranche if balance else None,
            "spent": balance.spent if balance else Decimal(0),
            "balance": balance.balance if balance else None,
            "document_form": DocumentForm(),
            "documents": report.documents.all() if report else [],
            "report_total": sum((e.amount for e in report.expenses.all()), Decimal(0)) if report else Decimal(0),
        }

    def get(self, request, pk):
        period, report, done = self.setup_period(request, pk)
        if done:
            return done
        actuals = {a.indicator_id: a.value for a in report.actuals.all()} if report else {}
        form = ReportForm(
            instance=report, indicators=actual_indicators(period), actuals=actuals, targets=period_targets(period)
        )
        expenses = ExpenseFormSet(
            instance=report or Report(),
            prefix="expenses",
            queryset=ReportExpense.objects.filter(report=report) if report else ReportExpense.objects.none(),
            balance=period.tranche_balance(excluding=report),
        )
        return render(request, self.template_name, self.context(period, report, form, expenses))

    def post(self, request, pk):
        period, report, done = self.setup_period(request, pk)
        if done:
            return done
        instance = report or Report(period=period, created_by=request.user)
        form = ReportForm(
            request.POST, instance=instance, indicators=actual_indicators(period), targets=period_targets(period)
        )
        expenses = ExpenseFormSet(
            request.POST,
            instance=instance,
            prefix="expenses",
            queryset=ReportExpense.objects.filter(report=report) if report else ReportExpense.objects.none(),
            balance=period.tranche_balance(excluding=report),
        )
        if not (form.is_valid() and expenses.is_valid()):
            return render(request, self.template_name, self.context(period, report, form, expenses), status=400)
        report = services.save_report(form=form, expenses=expenses, acting_user=request.user)
        if expenses.over_balance:
            messages.warning(
                request,
                _("The expenses exceed what is left of the year's tranche after the other reports: check them."),
            )
        if "submit" in request.POST:
            try:
                services.submit_report(report=report, acting_user=request.user)
            except InvalidTransition as error:
                messages.error(request, error.messages[0])
                return redirect("contracts:report-edit", pk=period.pk)
            if report.is_late:
                messages.warning(request, _("The report is submitted after its due date and is marked late."))
            else:
                messages.success(request, _("The report is submitted."))
            return redirect(report)
        messages.success(request, _("The draft is saved."))
        return redirect("contracts:report-edit", pk=period.pk)


class ReportDetailView(DetailView):
    template_name = "contracts/report_detail.html"

    def get_queryset(self):
        return Report.objects.visible_to(self.request.user).select_related("period__contract__provider")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report, user = self.object, self.request.user
        contract = report.period.contract
        targets = {t.indicator_id: t.value for t in contract.targets.filter(year=report.period.year)}
        actuals = [(a, targets.get(a.indicator_id)) for a in report.actuals.select_related("indicator")]
        expenses = list(report.expenses.all())
        expense_total = sum((e.amount for e in expenses), Decimal(0))
        balance = report.period.tranche_balance(excluding=report)
        context.update(
            {
                "contract": contract,
                "actuals": actuals,
                "expenses": expenses,
                "expense_total": expense_total,
                "balance": balance,
                "balance_after": balance.balance - expense_total if balance else None,
                "documents": ContractDocument.objects.visible_to(user).filter(report=report),
                "can_review": permissions.can_review_report(user, report),
                "can_edit": permissions.can_edit_report(user, report, contract),
                "return_form": ReturnForm(),
                "events": AuditEvent.objects.for_object(report)[:30],
            }
        )
        return context


class ReportReviewView(ActionView):
    """The agency's officer accepts a submitted report or returns it with a comment."""

    def get_queryset(self):
        return Report.objects.visible_to(self.request.user).select_related("period__contract")

    def allowed(self, user, report):
        return permissions.can_manage(user, report.period.contract)


class AcceptReportView(ReportReviewView):
    def act(self, report):
        services.accept_report(report=report, acting_user=self.request.user)
        return _("The report is accepted.")


class ReturnReportView(ReportReviewView):
    def act(self, report):
        form = ReturnForm(self.request.POST)
        comment = form.cleaned_data["comment"] if form.is_valid() else ""
        services.return_report(report=report, acting_user=self.request.user, comment=comment)
        return _("The report is returned to the NGO with your comment.")


report_review_view = action_views(accept=AcceptReportView, **{"return": ReturnReportView})

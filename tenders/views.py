import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from core import audit
from core.actions import PageAction
from core.audit import Action
from core.documents import document_response
from core.exceptions import InvalidTransition, Refused
from core.exports import FORMATS, ExportMixin
from core.forms import DocumentForm
from core.models import AuditEvent
from core.views import ActionView, PermittedObjectMixin, action_views
from providers.models import Provider
from tenders import permissions, protocol, qualification, scoring, services
from tenders.filters import CallFilter, ComplaintFilter
from tenders.forms import (
    AnswerForm,
    BidForm,
    BudgetLineFormSet,
    CallForm,
    CommissionMemberForm,
    ComplaintForm,
    CostItemFormSet,
    CriterionFormSet,
    DecisionForm,
    DeclarationForm,
    ExtendDeadlineForm,
    QuestionForm,
    ReasonForm,
    ScoreForm,
    SubstituteForm,
    TargetFormSet,
)
from tenders.models import (
    DEFAULT_CRITERIA,
    Bid,
    BidDocument,
    Call,
    CallDocument,
    CommissionMember,
    Complaint,
    ConflictDeclaration,
    Criterion,
    Question,
    ScoreSheet,
)
from tenders.tables import BidTable, CallTable, ComplaintTable


def calls_for_list(user):
    """Return visible calls with their budget and, only after the deadline, the number of submitted bids."""
    return (
        Call.objects.visible_to(user)
        .select_related("agency", "region", "service_type")
        .with_total()
        .with_submitted_bids(timezone.now())
    )


@method_decorator(login_not_required, name="dispatch")
class CallListView(ExportMixin, SingleTableMixin, FilterView):
    table_class = CallTable
    filterset_class = CallFilter
    template_name = "tenders/call_list.html"
    paginate_by = 25
    export_basename = "calls"

    def get_queryset(self):
        return calls_for_list(self.request.user).order_by("-deadline", "-id")

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_create=permissions.can_create_call(self.request.user), **kwargs)


def call_actions(user, call: Call, now: dt.datetime, award_outcome: str | None) -> list[PageAction]:
    """Return the steps the user may take on the call now, in the order of the call's life (each one a predicate
    of tenders.permissions; the services check again under a lock)."""
    actions = []

    def url(name: str) -> str:
        return reverse(f"tenders:{name}", args=[call.pk])

    if permissions.can_publish(user, call):
        actions.append(PageAction("publish", url("call-publish"), _("Publish"), "btn-success"))
    if permissions.can_extend(user, call, now):
        actions.append(
            PageAction(
                "extend",
                url("call-extend"),
                _("Extend the deadline"),
                "btn-outline-primary btn-sm",
                "deadline",
                form_class="flex-wrap",
            )
        )
    if permissions.can_open_bids(user, call, now):
        actions.append(PageAction("open", url("call-open"), _("Open the bids"), "btn-primary", testid="open-bids"))
    if permissions.can_decide_call(user, call) and award_outcome == "award":
        actions.append(
            PageAction("award", url("call-award"), _("Award to the best bid"), "btn-success", testid="award")
        )
    if permissions.can_decide_call(user, call) and award_outcome == "fail":
        actions.append(
            PageAction("fail", url("call-fail"), _("Declare failed"), "btn-warning", "reason", placeholder=_("Reason"))
        )
    if permissions.can_close_scoring(user, call):
        actions.append(
            PageAction("close-scoring", url("call-close-scoring"), _("Close scoring"), "btn-outline-secondary")
        )
    if permissions.can_reannounce(user, call):
        actions.append(PageAction("reannounce", url("call-reannounce"), _("Re-announce as a new draft")))
    if permissions.can_cancel(user, call):
        actions.append(
            PageAction(
                "cancel",
                url("call-cancel"),
                _("Cancel the call"),
                "btn-outline-danger btn-sm",
                "required-reason",
                placeholder=_("Reason for cancellation"),
                confirm=_("Cancel this call?"),
            )
        )
    return actions


AWARD_NOTES = {
    "undecided": gettext_lazy("Admit or reject every bid first."),
    "wait": gettext_lazy("Waiting for a quorum of complete score sheets on every admitted bid."),
}


@method_decorator(login_not_required, name="dispatch")
class CallDetailView(DetailView):
    template_name = "tenders/call_detail.html"

    def get_queryset(self):
        return Call.objects.visible_to(self.request.user).select_related("agency", "region", "service_type")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        call, user, now = self.object, self.request.user, timezone.now()
        manage = permissions.can_manage_call(user, call)
        questions = list(Question.objects.visible_to(user).filter(call=call).select_related("asked_by"))
        for question in questions:
            question.can_answer = question.answered_at is None and permissions.can_answer(user, call)
        ngo = permissions.can_bid(user)
        my_bids = list(Bid.objects.visible_to(user).filter(call=call).live().select_related("provider")) if ngo else []
        for bid in my_bids:
            bid.call = call
            bid.can_continue = permissions.can_edit_bid(user, bid)
        deadline_passed = call.deadline_passed(now)
        results = None
        if call.status in (Call.Status.AWARDED, Call.Status.FAILED) and call.imported_bid_count is None:
            ranked = services.ranking(call)
            results = {
                "ranked": ranked,
                "winner": next((r for r in ranked if r.bid.status == Bid.Status.WINNER), None),
                "submitted": call.bids.submitted_at_deadline().count(),
                "admitted": len(ranked),
            }
        award_outcome = services.award_outcome(call)[0] if call.status == Call.Status.EVALUATION else None
        publication_errors = services.publication_errors(call, now) if call.status == Call.Status.DRAFT else []
        actions = call_actions(user, call, now, award_outcome)
        action_note = AWARD_NOTES.get(award_outcome) if permissions.can_decide_call(user, call) else None
        # The one rule of how many bids a call shows (None while sealed, for ever when cancelled before the deadline).
        submitted_count = (
            Call.objects.with_submitted_bids(now).values_list("submitted_bids", flat=True).get(pk=call.pk)
        )
        context.update(
            {
                "now": now,
                "budget_lines": call.budget_lines.all(),
                "criteria": call.criteria.all(),
                "targets": call.targets.select_related("indicator"),
                "documents": CallDocument.objects.visible_to(user).filter(call=call),
                "questions": questions,
                # Decisions are public; the complainant, their NGO and their text are not (the complaint's page).
                "complaint_decisions": call.complaints.decided().order_by("decided_at", "pk"),
                "commission": CommissionMember.objects.visible_to(user).filter(call=call).select_related("user"),
                "accepting": call.is_accepting_bids(now),
                "deadline_passed": deadline_passed,
                "submitted_count": submitted_count,
                "sealed_for_ever": call.sealed_for_ever,
                "single_bid": submitted_count == 1,
                "results": results,
                "my_bids": my_bids,
                "my_providers": list(Provider.objects.of_user(user)) if ngo else [],
                "can_manage": manage,
                "can_edit": permissions.can_edit_call(user, call),
                "can_appoint_substitute": permissions.can_appoint_substitute(user, call),
                "can_see_bids": permissions.can_see_bids(user, call),
                "can_prepare_contract": permissions.can_prepare_contract(user, call),
                "member": permissions.membership(user, call),
                "can_bid": ngo and call.is_accepting_bids(now) and not my_bids,
                "can_ask": permissions.can_ask(user, call, now),
                "can_complain": permissions.can_complain(user, call, now),
                "events": AuditEvent.objects.for_object(call)[:50] if permissions.can_see_timeline(user) else [],
                "actions": actions,
                "action_note": action_note,
                "show_actions": bool(actions or action_note or (manage and publication_errors)),
                "reason_form": ReasonForm(),
                "extend_form": ExtendDeadlineForm(),
                "answer_form": AnswerForm(),
                "question_form": QuestionForm(),
                "document_form": DocumentForm(),
                "publication_errors": publication_errors,
                "award_outcome": award_outcome,
            }
        )
        return context


class CallFormView(View):
    """Create or edit a call with its budget lines, criteria and targets on one page."""

    template_name = "tenders/call_form.html"

    def get_call(self, request, pk):
        if pk is None:
            if not permissions.can_create_call(request.user):
                raise PermissionDenied
            return Call(agency=request.user.agency, created_by=request.user)
        call = get_object_or_404(Call.objects.visible_to(request.user), pk=pk)
        if not permissions.can_edit_call(request.user, call):
            raise PermissionDenied
        return call

    def forms(self, request, call, data=None):
        creating = call.pk is None
        form = CallForm(data, instance=call, user=request.user)
        kwargs = {"instance": call}
        budget = BudgetLineFormSet(data, prefix="budget", **kwargs)
        criteria = CriterionFormSet(data, prefix="criteria", **kwargs)
        targets = TargetFormSet(data, prefix="targets", call_form=form, **kwargs)
        if creating and data is None:
            criteria = CriterionFormSet(prefix="criteria", instance=call, queryset=Criterion.objects.none())
            criteria.extra = len(DEFAULT_CRITERIA)
            criteria.initial = [{"name_ru": ru, "name_kk": kk, "weight": w} for ru, kk, _en, w in DEFAULT_CRITERIA]
        if call.pk and call.status == Call.Status.PUBLISHED:
            budget = None  # money and years are fixed once published
        return form, budget, criteria, targets

    def get(self, request, pk=None):
        call = self.get_call(request, pk)
        form, budget, criteria, targets = self.forms(request, call)
        return render(
            request,
            self.template_name,
            {"form": form, "budget": budget, "criteria": criteria, "targets": targets, "call": call},
        )

    def post(self, request, pk=None):
        call = self.get_call(request, pk)
        form, budget, criteria, targets = self.forms(request, call, request.POST)
        formsets = [f for f in (budget, criteria, targets) if f is not None]
        if not (form.is_valid() and all(f.is_valid() for f in formsets)):
            return render(
                request,
                self.template_name,
                {"form": form, "budget": budget, "criteria": criteria, "targets": targets, "call": call},
                status=400,
            )
        try:
            call = services.save_call(form=form, formsets=formsets, acting_user=request.user)
        except InvalidTransition as error:
            for message in error.messages:
                form.add_error(None, message)
            context = {"form": form, "budget": budget, "criteria": criteria, "targets": targets, "call": call}
            return render(request, self.template_name, context, status=400)
        messages.success(request, _("The call is saved."))
        return redirect(call)


class CallActionView(ActionView):
    """POST-only actions on a call by its officer."""

    model = Call

    def allowed(self, user, call) -> bool:
        return permissions.can_manage_call(user, call)


class PublishView(CallActionView):
    def act(self, call):
        services.publish_call(call=call, acting_user=self.request.user)
        return _("The call is published.")


class CancelView(CallActionView):
    def act(self, call):
        form = ReasonForm(self.request.POST)
        if not form.is_valid():
            raise InvalidTransition(_("Give a reason for the cancellation."))
        services.cancel_call(call=call, acting_user=self.request.user, reason=form.cleaned_data["reason"])
        return _("The call is cancelled.")


class ExtendView(CallActionView):
    def act(self, call):
        form = ExtendDeadlineForm(self.request.POST)
        if not form.is_valid():
            raise InvalidTransition(_("Enter the new deadline."))
        services.extend_deadline(call=call, acting_user=self.request.user, new_deadline=form.cleaned_data["deadline"])
        return _("The deadline is extended; bidders are told.")


class ReannounceView(CallActionView):
    def act(self, call):
        self.new_call = services.reannounce(call=call, acting_user=self.request.user)
        return _("A new draft is created from the call; check its dates and publish it.")

    def get_success_url(self, call):
        return self.new_call.get_absolute_url()

    def get_failure_url(self, call):
        return call.get_absolute_url()


class OpenBidsView(CallActionView):
    def act(self, call):
        services.open_bids(call=call, acting_user=self.request.user)
        return _("The bids are opened. Admit or reject each one.")


class AwardView(CallActionView):
    def act(self, call):
        bid = services.award_call(call=call, acting_user=self.request.user)
        return _("Awarded to %(provider)s. The standstill for complaints has started.") % {"provider": bid.provider}


class FailView(CallActionView):
    def act(self, call):
        form = ReasonForm(self.request.POST)
        services.fail_call(call=call, acting_user=self.request.user, reason=form.data.get("reason", ""))
        return _("The call is declared failed.")


class CloseScoringView(CallActionView):
    def allowed(self, user, call):
        member = permissions.membership(user, call)
        return bool(member and member.is_chair) or permissions.can_manage_call(user, call)

    def act(self, call):
        services.close_scoring(call=call, acting_user=self.request.user)
        return _("Scoring is closed.")


class DocumentUploadView(CallActionView):
    def allowed(self, user, call):
        return permissions.can_edit_call(user, call)

    def act(self, call):
        form = DocumentForm(self.request.POST, self.request.FILES)
        if not form.is_valid():
            raise InvalidTransition([e for errors in form.errors.values() for e in errors])
        with transaction.atomic():
            CallDocument.from_form(form, call=call)
            audit.record(
                actor=self.request.user, action=Action.DOCUMENT_ADDED, target=call, note=form.cleaned_data["title"]
            )
        return _("The document is added.")


@method_decorator(login_not_required, name="dispatch")
class CallDocumentView(View):
    def get(self, request, pk, doc):
        document = get_object_or_404(CallDocument.objects.visible_to(request.user), call_id=pk, pk=doc)
        return document_response(document.file, document.original_name or document.title)


class CommissionView(View):
    """The commission of a call: the agency's officers appoint and remove members; while the commission scores, they
    or the chair seat a substitute."""

    template_name = "tenders/commission.html"

    def setup_call(self, request, pk):
        call = get_object_or_404(Call.objects.visible_to(request.user), pk=pk)
        self.manage = permissions.can_manage_call(request.user, call)
        self.substitute = permissions.can_appoint_substitute(request.user, call)
        if not (self.manage or self.substitute):
            raise PermissionDenied
        return call

    def context(self, request, call, form=None, substitute_form=None) -> dict:
        members = list(CommissionMember.objects.visible_to(request.user).filter(call=call).select_related("user"))
        if self.manage and form is None:
            form = CommissionMemberForm(call=call)
        if self.substitute and substitute_form is None:
            substitute_form = SubstituteForm(call=call)
        return {
            "call": call,
            "form": form if self.manage else None,
            "substitute_form": substitute_form if self.substitute else None,
            "can_manage": self.manage,
            "members": members,
            "below_quorum": len(members) < call.quorum,
            "quorum_gaps": scoring.quorum_gaps(call) if call.status == Call.Status.EVALUATION else [],
        }

    def get(self, request, pk):
        call = self.setup_call(request, pk)
        return render(request, self.template_name, self.context(request, call))

    def post(self, request, pk):
        call = self.setup_call(request, pk)
        if "substitute" in request.POST:
            return self.post_substitute(request, call)
        if not self.manage:
            raise PermissionDenied
        if "remove" in request.POST:
            member = get_object_or_404(CommissionMember, call=call, pk=request.POST["remove"])
            try:
                services.remove_member(member=member, acting_user=request.user)
                messages.success(request, _("The member is removed."))
            except InvalidTransition as error:
                messages.error(request, error.messages[0])
            return redirect("tenders:commission", pk=call.pk)
        form = CommissionMemberForm(request.POST, call=call)
        if form.is_valid():
            try:
                services.appoint_member(
                    call=call,
                    user=form.cleaned_data["user"],
                    is_chair=form.cleaned_data["is_chair"],
                    acting_user=request.user,
                )
                messages.success(request, _("The member is appointed."))
                return redirect("tenders:commission", pk=call.pk)
            except InvalidTransition as error:
                form.add_error(None, error.messages[0])
        return render(request, self.template_name, self.context(request, call, form=form), status=400)

    def post_substitute(self, request, call):
        if not self.substitute:
            raise PermissionDenied
        form = SubstituteForm(request.POST, call=call)
        if form.is_valid():
            try:
                services.appoint_substitute(call=call, user=form.cleaned_data["substitute"], acting_user=request.user)
                messages.success(request, _("The substitute is appointed: they declare conflicts and score."))
                return redirect("tenders:commission", pk=call.pk)
            except InvalidTransition as error:
                form.add_error(None, error.messages[0])
        return render(request, self.template_name, self.context(request, call, substitute_form=form), status=400)


# -- bids -------------------------------------------------------------------------------------------------------


class CallProtocolView(PermittedObjectMixin, TemplateView):
    """The call's evaluation protocol, a record to print: members, declarations, scores per criterion, ranking and
    decision (for whoever may see the bids)."""

    model = Call
    template_name = "tenders/call_protocol.html"

    def allowed(self, user, obj) -> bool:
        return permissions.can_see_protocol(user, obj)

    def get_context_data(self, **kwargs):
        call = self.get_permitted_object()
        return super().get_context_data(call=call, protocol=protocol.protocol(call), **kwargs)


class CallBidsView(ExportMixin, SingleTableMixin, View):
    """The bids of a call after its deadline, for its officers, commission and committee staff."""

    table_class = BidTable
    template_name = "tenders/call_bids.html"
    export_basename = "bids"
    table_pagination = False

    def dispatch(self, request, *args, **kwargs):
        self.call = get_object_or_404(Call.objects.visible_to(request.user), pk=kwargs["pk"])
        if not permissions.can_see_bids(request.user, self.call):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return Bid.objects.visible_to(self.request.user).filter(call=self.call).select_related("provider", "call")

    def get_table_data(self):
        return self.get_queryset()

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") in FORMATS:  # any other value is ignored: the page
            return super().get(request, *args, **kwargs)
        bids = list(self.get_queryset().prefetch_related("staff"))
        results = {r.bid.pk: r for r in scoring.bid_results(self.call, bids)}
        rows = [{"bid": b, "checks": qualification.bid_checks(b), "result": results.get(b.pk)} for b in bids]
        member = permissions.membership(request.user, self.call)
        declared = {}
        if member:
            declared = dict(ConflictDeclaration.objects.filter(member=member).values_list("bid_id", "has_conflict"))
        decide = permissions.can_decide_admission(request.user, self.call)
        for row in rows:
            bid = row["bid"]
            row["declared"] = declared.get(bid.pk)
            row["step"] = permissions.member_step(member, self.call, bid, row["declared"])
            row["can_admit"] = decide and bid.status != Bid.Status.ADMITTED
            row["can_reject"] = decide and bid.status != Bid.Status.REJECTED
        context = {
            "call": self.call,
            "rows": rows,
            "table": self.get_table(),
            "can_manage": permissions.can_manage_call(request.user, self.call),
            "member": member,
            "reason_form": ReasonForm(),
            "award_outcome": services.award_outcome(self.call)[0]
            if self.call.status == Call.Status.EVALUATION
            else None,
        }
        return render(request, self.template_name, context)

    def get_context_data(self, **kwargs):
        return kwargs


class BidStartView(View):
    """An NGO member starts a bid on an open call for one of their organisations."""

    def post(self, request, pk):
        call = get_object_or_404(Call.objects.visible_to(request.user), pk=pk)
        if not permissions.can_bid(request.user):
            raise PermissionDenied
        provider = get_object_or_404(Provider.objects.of_user(request.user), pk=request.POST.get("provider"))
        try:
            bid = services.start_bid(call=call, provider=provider, acting_user=request.user)
        except InvalidTransition as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(call)
        return redirect("tenders:bid-edit", pk=bid.pk)


class BidEditView(View):
    """The NGO edits its draft (or withdrawn) bid. Every write goes through a service that locks the bid and re-reads
    its status; a bid that can no longer be edited (the deadline passed, or it was submitted meanwhile from another
    tab) sends the NGO to its bid page with the reason, never to a bare "not allowed" page."""

    template_name = "tenders/bid_form.html"

    def get_bid(self, request, pk):
        bid = get_object_or_404(Bid.objects.visible_to(request.user).select_related("call", "provider"), pk=pk)
        if not (permissions.can_bid(request.user) and request.user.member_of(bid.provider_id)):
            raise PermissionDenied
        return bid

    def refused(self, request, bid, reasons):
        for reason in reasons:
            messages.error(request, reason)
        return redirect(bid)

    def context(self, bid, form, items, document_form=None):
        staff = list(form.fields["staff"].queryset) if form else []
        return {
            "bid": bid,
            "call": bid.call,
            "form": form,
            "items": items,
            "checks": qualification.qualification_checks(bid.call, bid.provider, list(bid.staff.all())),
            "document_form": document_form or DocumentForm(),
            "documents": BidDocument.objects.visible_to(self.request.user).filter(bid=bid),
            "staff_count": len(staff),
        }

    def dispatch(self, request, pk):
        if request.method not in ("GET", "HEAD", "POST"):
            return self.http_method_not_allowed(request)
        bid = self.get_bid(request, pk)
        refusal = services.bid_edit_refusal(bid.call, bid)
        if refusal:
            return self.refused(request, bid, [refusal])
        try:
            return self.post(request, bid) if request.method == "POST" else self.get(request, bid)
        except InvalidTransition as error:  # refused under the lock: changed meanwhile or the deadline came
            return self.refused(request, bid, error.messages)

    def get(self, request, bid):
        form = BidForm(instance=bid, call=bid.call, provider=bid.provider)
        return render(
            request, self.template_name, self.context(bid, form, CostItemFormSet(instance=bid, prefix="items"))
        )

    def post(self, request, bid):
        if "upload" in request.POST:
            document_form = DocumentForm(request.POST, request.FILES)
            if document_form.is_valid():
                services.add_bid_document(bid=bid, form=document_form, acting_user=request.user)
                messages.success(request, _("The document is added."))
                return redirect("tenders:bid-edit", pk=bid.pk)
            form = BidForm(instance=bid, call=bid.call, provider=bid.provider)
            items = CostItemFormSet(instance=bid, prefix="items")
            return render(request, self.template_name, self.context(bid, form, items, document_form), status=400)
        form = BidForm(request.POST, instance=bid, call=bid.call, provider=bid.provider)
        items = CostItemFormSet(request.POST, instance=bid, prefix="items")
        if not (form.is_valid() and items.is_valid()):
            return render(request, self.template_name, self.context(bid, form, items), status=400)
        bid = services.save_bid(form=form, items=items, acting_user=request.user)
        if "submit" in request.POST:
            try:
                services.submit_bid(bid=bid, acting_user=request.user)
            except InvalidTransition as error:
                for message in error.messages:
                    messages.error(request, message)
                return redirect("tenders:bid-edit", pk=bid.pk)
            messages.success(request, _("Your bid is submitted. You can withdraw it until the deadline."))
            return redirect(bid)
        messages.success(request, _("The draft is saved."))
        return redirect("tenders:bid-edit", pk=bid.pk)


class BidDetailView(DetailView):
    template_name = "tenders/bid_detail.html"

    def get_queryset(self):
        return Bid.objects.visible_to(self.request.user).select_related("call", "provider", "call__agency")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        bid, user = self.object, self.request.user
        call = bid.call
        own = user.member_of(bid.provider_id)
        member = permissions.membership(user, call)
        manage = permissions.can_manage_call(user, call)
        result = scoring.bid_results(call, [bid])[0]
        my_sheet = ScoreSheet.objects.filter(member=member, bid=bid).first() if member else None
        if member is not None:  # a member sees the others' scores only after submitting their own
            show_scores = my_sheet is not None and my_sheet.submitted_at is not None
        elif own:
            show_scores = call.status in (Call.Status.AWARDED, Call.Status.FAILED)
        else:
            show_scores = manage or user.sees_all
        staff = list(bid.staff.all())
        on = timezone.localdate(call.deadline)
        for m in staff:
            m.child_ok = m.may_work_with_children(on)
        context.update(
            {
                "call": call,
                "own": own,
                "checks": qualification.bid_checks(bid),
                "cost_items": bid.cost_items.all(),
                "documents": BidDocument.objects.visible_to(user).filter(bid=bid),
                "staff": staff,
                "show_staff_names": own or member is not None,
                "result": result,
                "show_scores": show_scores,
                "sheets": ScoreSheet.objects.filter(bid=bid, submitted_at__isnull=False)
                .select_related("member__user")
                .prefetch_related("scores__criterion")
                if show_scores
                else [],
                "member": member,
                "can_manage": manage,
                "can_edit": permissions.can_edit_bid(user, bid),
                "can_withdraw": permissions.can_withdraw_bid(user, bid),
                "can_decline": permissions.can_decline_award(user, bid),
                "abnormally_low": bid.is_abnormally_low(call.total),
                "reason_form": ReasonForm(),
                "events": AuditEvent.objects.for_object(bid)[:30],
            }
        )
        return context


class BidActionView(ActionView):
    """POST-only actions on a bid; back to the page it came from when that is a call's page."""

    def get_queryset(self):
        return Bid.objects.visible_to(self.request.user).select_related("call", "provider")

    def get_success_url(self, bid):
        back = self.request.POST.get("next", "")
        return back if back.startswith("/calls/") else bid.get_absolute_url()


class WithdrawBidView(BidActionView):
    def allowed(self, user, bid):
        return user.is_ngo  # an NGO sees only its own bids

    def act(self, bid):
        services.withdraw_bid(bid=bid, acting_user=self.request.user)
        return _("Your bid is withdrawn. You may edit and submit it again before the deadline.")


class AdmitBidView(BidActionView):
    admit = True

    def allowed(self, user, bid):
        return permissions.can_manage_call(user, bid.call)

    def act(self, bid):
        services.decide_admission(
            bid=bid, acting_user=self.request.user, admit=self.admit, reason=self.request.POST.get("reason", "")
        )
        return _("Decision recorded.")


class RejectBidView(AdmitBidView):
    admit = False


class DeclineBidView(BidActionView):
    def allowed(self, user, bid):
        return user.is_ngo or permissions.can_manage_call(user, bid.call)

    def act(self, bid):
        nxt = services.decline_award(bid=bid, acting_user=self.request.user)
        return _("The award is declined.") + (" " + _("The next-ranked bid wins.") if nxt else "")


bid_action_view = action_views(
    withdraw=WithdrawBidView, admit=AdmitBidView, reject=RejectBidView, decline=DeclineBidView
)


class BidDocumentView(View):
    def get(self, request, pk, doc):
        document = get_object_or_404(BidDocument.objects.visible_to(request.user), bid_id=pk, pk=doc)
        return document_response(document.file, document.original_name or document.title)


# -- commission -------------------------------------------------------------------------------------------------


class DeclareView(BidActionView):
    """A commission member declares a conflict of interest (or none) with a bidder."""

    def allowed(self, user, bid):
        return permissions.membership(user, bid.call) is not None

    def act(self, bid):
        form = DeclarationForm(self.request.POST)
        if not form.is_valid():
            raise InvalidTransition(_("Choose whether you have a conflict of interest."))
        services.declare(
            member=permissions.membership(self.request.user, bid.call),
            bid=bid,
            has_conflict=form.cleaned_data["has_conflict"],
            note=form.cleaned_data["note"],
        )
        return _("Your declaration is recorded.")

    def get_success_url(self, bid):
        return reverse("tenders:call-bids", args=[bid.call_id])


class ScoreView(View):
    template_name = "tenders/score_form.html"

    def setup_objects(self, request, pk):
        bid = get_object_or_404(Bid.objects.visible_to(request.user).select_related("call", "provider"), pk=pk)
        member = permissions.membership(request.user, bid.call)
        if member is None:
            raise PermissionDenied
        refusal = permissions.score_refusal(member, bid)
        if refusal:
            raise Refused(refusal)
        return bid, member

    def render_form(self, request, bid, member, form, status=200):
        sheet = ScoreSheet.objects.filter(member=member, bid=bid).first()
        staff = list(bid.staff.all())
        on = timezone.localdate(bid.call.deadline)
        for m in staff:
            m.child_ok = m.may_work_with_children(on)
        return render(
            request,
            self.template_name,
            {
                "bid": bid,
                "call": bid.call,
                "form": form,
                "sheet": sheet,
                "staff": staff,
                "checks": qualification.bid_checks(bid),
                "cost_items": bid.cost_items.all(),
            },
            status=status,
        )

    def get(self, request, pk):
        bid, member = self.setup_objects(request, pk)
        sheet = ScoreSheet.objects.filter(member=member, bid=bid).first()
        initial = {s.criterion_id: (s.value, s.comment) for s in sheet.scores.all()} if sheet else {}
        form = ScoreForm(criteria=bid.call.criteria.all(), initial_scores=initial)
        return self.render_form(request, bid, member, form)

    def post(self, request, pk):
        bid, member = self.setup_objects(request, pk)
        form = ScoreForm(request.POST, criteria=bid.call.criteria.all())
        if not form.is_valid():
            return self.render_form(request, bid, member, form, status=400)
        try:
            services.save_scores(member=member, bid=bid, values=form.values(), submit="submit" in request.POST)
        except InvalidTransition as error:
            form.add_error(None, error.messages[0])
            return self.render_form(request, bid, member, form, status=400)
        if "submit" in request.POST:
            messages.success(request, _("Your score sheet is submitted: it counts towards the bid's quorum."))
        else:
            messages.success(
                request, _("Your draft scores are saved; submit the sheet once every criterion is scored.")
            )
        return redirect("tenders:call-bids", pk=bid.call_id)


# -- questions and complaints -----------------------------------------------------------------------------------


class AskView(ActionView):
    model = Call

    def allowed(self, user, call):
        return permissions.can_bid(user)

    def act(self, call):
        form = QuestionForm(self.request.POST)
        if not form.is_valid():
            raise InvalidTransition(_("Write your question."))
        services.ask_question(call=call, acting_user=self.request.user, text=form.cleaned_data["text"])
        return _("Your question is sent. The answer will be public on this page.")


class AnswerView(ActionView):
    def get_queryset(self):
        return Question.objects.visible_to(self.request.user).select_related("call")

    def allowed(self, user, question):
        return permissions.can_manage_call(user, question.call)

    def act(self, question):
        form = AnswerForm(self.request.POST)
        if not form.is_valid():
            raise InvalidTransition(_("Write the answer."))
        services.answer_question(question=question, acting_user=self.request.user, answer=form.cleaned_data["answer"])
        return _("The answer is published.")

    def get_success_url(self, question):
        return question.call.get_absolute_url()


class ComplaintCreateView(View):
    template_name = "tenders/complaint_form.html"

    def setup_call(self, request, pk):
        call = get_object_or_404(Call.objects.visible_to(request.user), pk=pk)
        if not permissions.can_bid(request.user):
            raise PermissionDenied
        return call

    def get(self, request, pk):
        call = self.setup_call(request, pk)
        return render(
            request,
            self.template_name,
            {"call": call, "form": ComplaintForm(), "providers": Provider.objects.of_user(request.user)},
        )

    def post(self, request, pk):
        call = self.setup_call(request, pk)
        form = ComplaintForm(request.POST)
        provider = Provider.objects.of_user(request.user).filter(pk=request.POST.get("provider")).first()
        if form.is_valid() and provider:
            try:
                services.file_complaint(
                    call=call,
                    provider=provider,
                    acting_user=request.user,
                    kind=form.cleaned_data["kind"],
                    text=form.cleaned_data["text"],
                )
                messages.success(request, _("Your complaint is filed."))
                return redirect(call)
            except InvalidTransition as error:
                form.add_error(None, error.messages[0])
        elif not provider:
            form.add_error(None, _("Choose your organisation."))
        return render(
            request,
            self.template_name,
            {"call": call, "form": form, "providers": Provider.objects.of_user(request.user)},
            status=400,
        )


class ComplaintListView(ExportMixin, SingleTableMixin, FilterView):
    table_class = ComplaintTable
    filterset_class = ComplaintFilter
    template_name = "tenders/complaint_list.html"
    paginate_by = 25
    export_basename = "complaints"

    def get_queryset(self):
        return (
            Complaint.objects.visible_to(self.request.user)
            .select_related("call", "provider")
            .order_by("-filed_at", "-id")
        )


class ComplaintDetailView(DetailView):
    template_name = "tenders/complaint_detail.html"

    def get_queryset(self):
        return Complaint.objects.visible_to(self.request.user).select_related("call", "provider")

    def get_context_data(self, **kwargs):
        manage = permissions.can_manage_call(self.request.user, self.object.call)
        return super().get_context_data(
            can_decide=manage and self.object.status == Complaint.Status.SUBMITTED,
            form=DecisionForm(),
            events=AuditEvent.objects.for_object(self.object)[:30],
            **kwargs,
        )


class ComplaintDecideView(ActionView):
    def get_queryset(self):
        return Complaint.objects.visible_to(self.request.user).select_related("call")

    def allowed(self, user, complaint):
        return permissions.can_manage_call(user, complaint.call)

    def act(self, complaint):
        form = DecisionForm(self.request.POST)
        if not form.is_valid():
            raise InvalidTransition(_("Choose the decision and write its text."))
        services.decide_complaint(
            complaint=complaint,
            acting_user=self.request.user,
            upheld=form.cleaned_data["upheld"],
            decision=form.cleaned_data["decision"],
        )
        return _("The decision is recorded and the complainant is told.")

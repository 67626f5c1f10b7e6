import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from core import audit
from core.documents import document_response
from core.exceptions import InvalidTransition
from core.exports import ExportMixin
from core.forms import DocumentForm
from core.mail import notify
from core.models import AuditEvent, Role
from providers.models import Provider
from tenders import permissions, qualification, scoring, services
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


@method_decorator(login_not_required, name="dispatch")
class CallDetailView(DetailView):
    template_name = "tenders/call_detail.html"

    def get_queryset(self):
        return Call.objects.visible_to(self.request.user).select_related("agency", "region", "service_type")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        call, user, now = self.object, self.request.user, timezone.now()
        manage = permissions.can_manage_call(user, call)
        member = permissions.membership(user, call)
        questions = call.questions.select_related("asked_by")
        if not manage:
            questions = questions.filter(Q(answered_at__isnull=False) | Q(asked_by_id=user.pk or 0))
        my_bids = []
        if user.is_authenticated and user.role == Role.NGO:
            my_bids = list(
                Bid.objects.filter(call=call, provider__memberships__user=user).live().select_related("provider")
            )
        providers = list(Provider.objects.of_user(user)) if user.is_authenticated and user.role == Role.NGO else []
        deadline_passed = call.deadline_passed(now)
        results = None
        if call.status in (Call.Status.AWARDED, Call.Status.FAILED):
            ranked = services.ranking(call)
            results = {
                "ranked": ranked,
                "winner": next((r for r in ranked if r.bid.status == Bid.Status.WINNER), None),
                "submitted": call.bids.submitted_at_deadline().count(),
                "admitted": len(ranked),
            }
        context.update(
            {
                "now": now,
                "budget_lines": call.budget_lines.all(),
                "criteria": call.criteria.all(),
                "targets": call.targets.select_related("indicator"),
                "documents": call.documents.all(),
                "questions": questions,
                "commission": call.commission.select_related("user"),
                "accepting": call.is_accepting_bids(now),
                "deadline_passed": deadline_passed,
                "submitted_count": call.bids.submitted_at_deadline().count() if deadline_passed else None,
                "results": results,
                "my_bids": my_bids,
                "my_providers": providers,
                "can_manage": manage,
                "can_edit": permissions.can_edit_call(user, call),
                "can_see_bids": permissions.can_see_bids(user, call),
                "member": member,
                "can_bid": permissions.can_bid(user) and call.is_accepting_bids(now) and not my_bids,
                "can_ask": user.is_authenticated and user.role == Role.NGO and call.is_accepting_bids(now),
                "can_complain": user.is_authenticated
                and user.role == Role.NGO
                and (call.is_accepting_bids(now) or call.in_standstill(now)),
                "events": AuditEvent.objects.for_object(call)[:50]
                if user.is_authenticated and user.role != Role.NGO
                else [],
                "reason_form": ReasonForm(),
                "extend_form": ExtendDeadlineForm(),
                "answer_form": AnswerForm(),
                "question_form": QuestionForm(),
                "document_form": DocumentForm(),
                "publication_errors": services.publication_errors(call, now)
                if call.status == Call.Status.DRAFT
                else [],
                "award_outcome": services.award_outcome(call)[0] if call.status == Call.Status.EVALUATION else None,
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
        targets = TargetFormSet(data, prefix="targets", **kwargs)
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
        creating = call.pk is None
        form, budget, criteria, targets = self.forms(request, call, request.POST)
        formsets = [f for f in (budget, criteria, targets) if f is not None]
        if not (form.is_valid() and all(f.is_valid() for f in formsets)):
            return render(
                request,
                self.template_name,
                {"form": form, "budget": budget, "criteria": criteria, "targets": targets, "call": call},
                status=400,
            )
        published = call.pk is not None and call.status == Call.Status.PUBLISHED
        if published and call.deadline - timezone.now() < dt.timedelta(days=services.MIN_DAYS_FOR_TERMS_CHANGE):
            form.add_error(
                None,
                _("Fewer than %(days)d days are left: extend the deadline before changing the terms.")
                % {"days": services.MIN_DAYS_FOR_TERMS_CHANGE},
            )
            context = {"form": form, "budget": budget, "criteria": criteria, "targets": targets, "call": call}
            return render(request, self.template_name, context, status=400)
        changes = audit.model_changes(form)
        with transaction.atomic():
            call = form.save()
            for formset in formsets:
                formset.instance = call
                formset.save()
            audit.record(
                actor=request.user,
                action="created" if creating else ("terms amended" if published else "edited"),
                target=call,
                changes=changes,
            )
            if published:
                notify(
                    recipients=services.bidder_users(call),
                    template="tenders/email/amended.txt",
                    context={"call": call},
                )
        messages.success(request, _("The call is saved."))
        return redirect(call)


class CallActionView(View):
    """POST-only actions on a call by its officer: fetch through visible_to (404), check (403), act, redirect."""

    def allowed(self, user, call) -> bool:
        return permissions.can_manage_call(user, call)

    def act(self, request, call):  # returns a success message or a redirect target
        raise NotImplementedError

    def post(self, request, pk):
        call = get_object_or_404(Call.objects.visible_to(request.user), pk=pk)
        if not self.allowed(request.user, call):
            raise PermissionDenied
        try:
            result = self.act(request, call)
        except InvalidTransition as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(call)
        if isinstance(result, Call):
            return redirect(result)
        messages.success(request, result)
        return redirect(call)


class PublishView(CallActionView):
    def act(self, request, call):
        services.publish_call(call=call, acting_user=request.user)
        return _("The call is published.")


class CancelView(CallActionView):
    def act(self, request, call):
        form = ReasonForm(request.POST)
        if not form.is_valid():
            raise InvalidTransition(_("Give a reason for the cancellation."))
        services.cancel_call(call=call, acting_user=request.user, reason=form.cleaned_data["reason"])
        return _("The call is cancelled.")


class ExtendView(CallActionView):
    def act(self, request, call):
        form = ExtendDeadlineForm(request.POST)
        if not form.is_valid():
            raise InvalidTransition(_("Enter the new deadline."))
        services.extend_deadline(call=call, acting_user=request.user, new_deadline=form.cleaned_data["deadline"])
        return _("The deadline is extended; bidders are told.")


class ReannounceView(CallActionView):
    def act(self, request, call):
        new = services.reannounce(call=call, acting_user=request.user)
        messages.success(request, _("A new draft is created from the call; check its dates and publish it."))
        return new


class OpenBidsView(CallActionView):
    def act(self, request, call):
        services.open_bids(call=call, acting_user=request.user)
        return _("The bids are opened. Admit or reject each one.")


class AwardView(CallActionView):
    def act(self, request, call):
        bid = services.award_call(call=call, acting_user=request.user)
        return _("Awarded to %(provider)s. The standstill for complaints has started.") % {"provider": bid.provider}


class FailView(CallActionView):
    def act(self, request, call):
        form = ReasonForm(request.POST)
        services.fail_call(call=call, acting_user=request.user, reason=form.data.get("reason", ""))
        return _("The call is declared failed.")


class CloseScoringView(CallActionView):
    def allowed(self, user, call):
        member = permissions.membership(user, call)
        return bool(member and member.is_chair) or permissions.can_manage_call(user, call)

    def act(self, request, call):
        services.close_scoring(call=call, acting_user=request.user)
        return _("Scoring is closed.")


class DocumentUploadView(CallActionView):
    def allowed(self, user, call):
        return permissions.can_edit_call(user, call)

    def act(self, request, call):
        form = DocumentForm(request.POST, request.FILES)
        if not form.is_valid():
            raise InvalidTransition([e for errors in form.errors.values() for e in errors])
        with transaction.atomic():
            CallDocument.from_form(form, call=call)
            audit.record(actor=request.user, action="document added", target=call, note=form.cleaned_data["title"])
        return _("The document is added.")


@method_decorator(login_not_required, name="dispatch")
class CallDocumentView(View):
    def get(self, request, pk, doc):
        call = get_object_or_404(Call.objects.visible_to(request.user), pk=pk)
        document = get_object_or_404(CallDocument, call=call, pk=doc)
        return document_response(document.file, document.original_name or document.title)


class CommissionView(View):
    template_name = "tenders/commission.html"

    def setup_call(self, request, pk):
        call = get_object_or_404(Call.objects.visible_to(request.user), pk=pk)
        if not permissions.can_manage_call(request.user, call):
            raise PermissionDenied
        return call

    def get(self, request, pk):
        call = self.setup_call(request, pk)
        return render(
            request,
            self.template_name,
            {"call": call, "form": CommissionMemberForm(call=call), "members": call.commission.select_related("user")},
        )

    def post(self, request, pk):
        call = self.setup_call(request, pk)
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
        return render(
            request,
            self.template_name,
            {"call": call, "form": form, "members": call.commission.select_related("user")},
            status=400,
        )


# -- bids -------------------------------------------------------------------------------------------------------


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
        if request.GET.get("export"):
            return super().get(request, *args, **kwargs)
        bids = list(self.get_queryset().prefetch_related("staff"))
        results = {r.bid.pk: r for r in scoring.bid_results(self.call, bids)}
        rows = [{"bid": b, "checks": qualification.bid_checks(b), "result": results.get(b.pk)} for b in bids]
        member = permissions.membership(request.user, self.call)
        declared = {}
        if member:
            declared = dict(ConflictDeclaration.objects.filter(member=member).values_list("bid_id", "has_conflict"))
        for row in rows:
            row["declared"] = declared.get(row["bid"].pk)
        context = {
            "call": self.call,
            "rows": rows,
            "table": self.get_table(),
            "export_links": self.export_links(),
            "can_manage": permissions.can_manage_call(request.user, self.call),
            "member": member,
            "reason_form": ReasonForm(),
            "award_outcome": services.award_outcome(self.call)[0]
            if self.call.status == Call.Status.EVALUATION
            else None,
        }
        return render(request, self.template_name, context)

    def export_links(self):
        return {fmt: f"?export={fmt}" for fmt in ("xlsx", "csv")}

    def get_context_data(self, **kwargs):
        return kwargs


class BidStartView(View):
    """An NGO member starts a bid on an open call for one of their organisations."""

    def post(self, request, pk):
        call = get_object_or_404(Call.objects.visible_to(request.user), pk=pk)
        if not permissions.can_bid(request.user):
            raise PermissionDenied
        provider = get_object_or_404(Provider.objects.of_user(request.user), pk=request.POST.get("provider"))
        if not call.is_accepting_bids():
            messages.error(request, _("The call is not accepting bids: the deadline has passed or it is not open."))
            return redirect(call)
        existing = Bid.objects.filter(call=call, provider=provider).live().first()
        if existing:
            return redirect("tenders:bid-edit", pk=existing.pk)
        withdrawn = Bid.objects.filter(call=call, provider=provider, status=Bid.Status.WITHDRAWN).first()
        if withdrawn:
            return redirect("tenders:bid-edit", pk=withdrawn.pk)
        try:
            with transaction.atomic():
                bid = Bid.objects.create(
                    call=call, provider=provider, price=call.total, proposal="", created_by=request.user
                )
                audit.record(actor=request.user, action="bid started", target=bid)
        except IntegrityError:  # a double click: the other request created it
            bid = Bid.objects.filter(call=call, provider=provider).live().first()
        return redirect("tenders:bid-edit", pk=bid.pk)


class BidEditView(View):
    template_name = "tenders/bid_form.html"

    def get_bid(self, request, pk):
        bid = get_object_or_404(Bid.objects.visible_to(request.user).select_related("call", "provider"), pk=pk)
        if not permissions.can_edit_bid(request.user, bid):
            raise PermissionDenied
        return bid

    def context(self, bid, form, items, document_form=None):
        staff = list(form.fields["staff"].queryset) if form else []
        return {
            "bid": bid,
            "call": bid.call,
            "form": form,
            "items": items,
            "checks": qualification.qualification_checks(bid.call, bid.provider, list(bid.staff.all())),
            "document_form": document_form or DocumentForm(),
            "documents": bid.documents.all(),
            "staff_count": len(staff),
        }

    def get(self, request, pk):
        bid = self.get_bid(request, pk)
        form = BidForm(instance=bid, call=bid.call, provider=bid.provider)
        return render(
            request, self.template_name, self.context(bid, form, CostItemFormSet(instance=bid, prefix="items"))
        )

    def post(self, request, pk):
        bid = self.get_bid(request, pk)
        if "upload" in request.POST:
            document_form = DocumentForm(request.POST, request.FILES)
            if document_form.is_valid():
                with transaction.atomic():
                    BidDocument.from_form(document_form, bid=bid)
                    audit.record(actor=request.user, action="document added", target=bid)
                messages.success(request, _("The document is added."))
                return redirect("tenders:bid-edit", pk=bid.pk)
            form = BidForm(instance=bid, call=bid.call, provider=bid.provider)
            items = CostItemFormSet(instance=bid, prefix="items")
            return render(request, self.template_name, self.context(bid, form, items, document_form), status=400)
        form = BidForm(request.POST, instance=bid, call=bid.call, provider=bid.provider)
        items = CostItemFormSet(request.POST, instance=bid, prefix="items")
        if not (form.is_valid() and items.is_valid()):
            return render(request, self.template_name, self.context(bid, form, items), status=400)
        changes = audit.model_changes(form)
        with transaction.atomic():
            form.save()
            items.save()
            if bid.status == Bid.Status.WITHDRAWN:
                bid.status = Bid.Status.DRAFT
                bid.save(update_fields=["status"])
            # The staffing plan names NGO staff: personal data is recorded as changed, never by value.
            audit.record(actor=request.user, action="bid edited", target=bid, changes=changes, sensitive=("staff",))
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
        own = user.role == Role.NGO
        member = permissions.membership(user, call)
        manage = permissions.can_manage_call(user, call)
        result = scoring.bid_results(call, [bid])[0]
        my_sheet = ScoreSheet.objects.filter(member=member, bid=bid).first() if member else None
        if member is not None:  # a member sees the others' scores only after submitting their own
            show_scores = my_sheet is not None and my_sheet.submitted_at is not None
        elif own:
            show_scores = call.status in (Call.Status.AWARDED, Call.Status.FAILED)
        else:
            show_scores = manage or user.is_superuser or user.role in (Role.COMMITTEE, Role.ADMIN)
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
                "documents": bid.documents.all(),
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
                "can_withdraw": own and bid.status == Bid.Status.SUBMITTED and call.is_accepting_bids(),
                "can_decline": (own or manage)
                and bid.status == Bid.Status.WINNER
                and call.status == Call.Status.AWARDED,
                "abnormally_low": bid.is_abnormally_low(call.total),
                "reason_form": ReasonForm(),
                "events": AuditEvent.objects.for_object(bid)[:30],
            }
        )
        return context


class BidActionView(View):
    def post(self, request, pk, action):
        bid = get_object_or_404(Bid.objects.visible_to(request.user).select_related("call", "provider"), pk=pk)
        own = request.user.role == Role.NGO
        manage = permissions.can_manage_call(request.user, bid.call)
        try:
            if action == "withdraw" and own:
                services.withdraw_bid(bid=bid, acting_user=request.user)
                messages.success(
                    request, _("Your bid is withdrawn. You may edit and submit it again before the deadline.")
                )
            elif action in ("admit", "reject") and manage:
                services.decide_admission(
                    bid=bid, acting_user=request.user, admit=action == "admit", reason=request.POST.get("reason", "")
                )
                messages.success(request, _("Decision recorded."))
            elif action == "decline" and (own or manage):
                nxt = services.decline_award(bid=bid, acting_user=request.user)
                messages.success(
                    request, _("The award is declined.") + (" " + _("The next-ranked bid wins.") if nxt else "")
                )
            elif action in ("withdraw", "admit", "reject", "decline"):
                raise PermissionDenied
            else:
                raise Http404
        except InvalidTransition as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/calls/") else bid)


class BidDocumentView(View):
    def get(self, request, pk, doc):
        bid = get_object_or_404(Bid.objects.visible_to(request.user), pk=pk)
        document = get_object_or_404(BidDocument, bid=bid, pk=doc)
        return document_response(document.file, document.original_name or document.title)


# -- commission -------------------------------------------------------------------------------------------------


class DeclareView(View):
    def post(self, request, pk):
        bid = get_object_or_404(Bid.objects.visible_to(request.user).select_related("call", "provider"), pk=pk)
        member = permissions.membership(request.user, bid.call)
        if member is None:
            raise PermissionDenied
        form = DeclarationForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose whether you have a conflict of interest."))
        else:
            try:
                services.declare(
                    member=member,
                    bid=bid,
                    has_conflict=form.cleaned_data["has_conflict"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("Your declaration is recorded."))
            except InvalidTransition as error:
                messages.error(request, error.messages[0])
        return redirect("tenders:call-bids", pk=bid.call_id)


class ScoreView(View):
    template_name = "tenders/score_form.html"

    def setup_objects(self, request, pk):
        bid = get_object_or_404(Bid.objects.visible_to(request.user).select_related("call", "provider"), pk=pk)
        member = permissions.membership(request.user, bid.call)
        if member is None:
            raise PermissionDenied
        declaration = ConflictDeclaration.objects.filter(member=member, bid=bid).first()
        if declaration is None or declaration.has_conflict:
            raise PermissionDenied
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
        messages.success(request, _("Your scores are saved."))
        return redirect("tenders:call-bids", pk=bid.call_id)


# -- questions and complaints -----------------------------------------------------------------------------------


class AskView(View):
    def post(self, request, pk):
        call = get_object_or_404(Call.objects.visible_to(request.user), pk=pk)
        if request.user.role != Role.NGO:
            raise PermissionDenied
        form = QuestionForm(request.POST)
        try:
            if not form.is_valid():
                raise InvalidTransition(_("Write your question."))
            services.ask_question(call=call, acting_user=request.user, text=form.cleaned_data["text"])
            messages.success(request, _("Your question is sent. The answer will be public on this page."))
        except InvalidTransition as error:
            messages.error(request, error.messages[0])
        return redirect(call)


class AnswerView(View):
    def post(self, request, pk):
        question = get_object_or_404(
            Question.objects.select_related("call"), pk=pk, call__in=Call.objects.visible_to(request.user)
        )
        if not permissions.can_manage_call(request.user, question.call):
            raise PermissionDenied
        form = AnswerForm(request.POST)
        try:
            if not form.is_valid():
                raise InvalidTransition(_("Write the answer."))
            services.answer_question(question=question, acting_user=request.user, answer=form.cleaned_data["answer"])
            messages.success(request, _("The answer is published."))
        except InvalidTransition as error:
            messages.error(request, error.messages[0])
        return redirect(question.call)


class ComplaintCreateView(View):
    template_name = "tenders/complaint_form.html"

    def setup_call(self, request, pk):
        call = get_object_or_404(Call.objects.visible_to(request.user), pk=pk)
        if request.user.role != Role.NGO:
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


def complaints_visible_to(user):
    """Return complaints a user may see: own agency's calls (officer), own NGO's (ngo), all (committee, admin)."""
    complaints = Complaint.objects.select_related("call", "provider")
    if user.is_superuser or user.role in (Role.COMMITTEE, Role.ADMIN):
        return complaints
    if user.role == Role.OFFICER:
        return complaints.filter(call__agency_id=user.agency_id)
    if user.role == Role.NGO:
        return complaints.filter(provider__memberships__user=user)
    return complaints.none()


class ComplaintListView(ExportMixin, SingleTableMixin, FilterView):
    table_class = ComplaintTable
    filterset_class = ComplaintFilter
    template_name = "tenders/complaint_list.html"
    paginate_by = 25
    export_basename = "complaints"

    def get_queryset(self):
        return complaints_visible_to(self.request.user).order_by("-filed_at", "-id")


class ComplaintDetailView(DetailView):
    template_name = "tenders/complaint_detail.html"

    def get_queryset(self):
        return complaints_visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        manage = permissions.can_manage_call(self.request.user, self.object.call)
        return super().get_context_data(
            can_decide=manage and self.object.status == Complaint.Status.SUBMITTED, form=DecisionForm(), **kwargs
        )


class ComplaintDecideView(View):
    def post(self, request, pk):
        complaint = get_object_or_404(complaints_visible_to(request.user), pk=pk)
        if not permissions.can_manage_call(request.user, complaint.call):
            raise PermissionDenied
        form = DecisionForm(request.POST)
        try:
            if not form.is_valid():
                raise InvalidTransition(_("Choose the decision and write its text."))
            services.decide_complaint(
                complaint=complaint,
                acting_user=request.user,
                upheld=form.cleaned_data["upheld"],
                decision=form.cleaned_data["decision"],
            )
            messages.success(request, _("The decision is recorded and the complainant is told."))
        except InvalidTransition as error:
            messages.error(request, error.messages[0])
        return redirect("tenders:complaint-detail", pk=complaint.pk)

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import CreateView, DeleteView, DetailView, FormView, UpdateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from core import audit
from core.actions import PageAction
from core.audit import Action
from core.exports import ExportMixin
from core.models import AuditEvent
from core.util import today
from core.views import ActionView, action_views
from providers import permissions, services
from providers.filters import ProviderFilter
from providers.forms import (
    AccessRequestForm,
    AccountForm,
    InvitationForm,
    ProviderForm,
    ReasonForm,
    ServiceAreaForm,
    StaffMemberForm,
)
from providers.models import Invitation, Membership, Provider, ServiceArea, StaffMember, oldest_valid_certificate
from providers.tables import ProviderTable


def with_counts(queryset):
    """Return providers annotated with the counts the registry shows."""
    oldest = oldest_valid_certificate(today())
    return queryset.annotate(
        service_area_count=Count("service_areas", distinct=True),
        staff_count=Count("staff", filter=Q(staff__is_active=True), distinct=True),
        child_ok_count=Count(
            "staff",
            filter=Q(
                staff__is_active=True,
                staff__no_record_certificate_date__gte=oldest,
                staff__no_record_certificate_date__lte=today(),
            ),
            distinct=True,
        ),
    )


class ProviderListView(ExportMixin, SingleTableMixin, FilterView):
    table_class = ProviderTable
    filterset_class = ProviderFilter
    template_name = "providers/provider_list.html"
    paginate_by = 25
    export_basename = "ngos"

    def dispatch(self, request, *args, **kwargs):
        if not permissions.can_view_registry(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return with_counts(Provider.objects.listable_by(self.request.user).select_related("home_region")).order_by(
            "name_ru", "id"
        )


class ProviderDetailView(DetailView):
    template_name = "providers/provider_detail.html"

    def get_queryset(self):
        return Provider.objects.visible_to(self.request.user).select_related("home_region")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        provider, user = self.object, self.request.user
        on = today()
        staff = list(StaffMember.objects.visible_to(user).filter(provider=provider))
        for member in staff:
            member.child_ok = member.may_work_with_children(on)
            member.lapsing_items = member.lapsing(on)
        personal = permissions.can_see_staff_personal_data(user, provider)
        context.update(
            {
                "today": on,
                "staff": [m for m in staff if m.is_active or personal],  # who left: the NGO's own history
                "other_name": other_name(provider),
                "active_staff": [m for m in staff if m.is_active],
                "child_ok_count": sum(1 for m in staff if m.is_active and m.child_ok),
                "lapsing_staff": [m for m in staff if m.is_active and m.lapsing_items],
                "show_personal": personal,
                "service_areas": ServiceArea.objects.visible_to(user)
                .filter(provider=provider)
                .select_related("region", "service_type"),
                "members": Membership.objects.visible_to(user).filter(provider=provider).select_related("user")
                if personal
                else None,
                "invitations": Invitation.objects.visible_to(user).filter(provider=provider, accepted_at__isnull=True)
                if personal
                else None,
                "events": AuditEvent.objects.for_object(provider)[:50],
                "can_edit": permissions.can_edit(user, provider),
                "can_verify": permissions.can_verify(user, provider),
                "actions": provider_actions(user, provider),
                "listing_current": provider.listing_is_current(on),
                "experience": provider.experience_years(on),
                "reason_form": ReasonForm(),
            }
        )
        return context


def other_name(provider: Provider) -> tuple[str, str] | None:
    """Return (language, name) of the organisation's name in the other language, when it differs from the one shown."""
    if provider.name_kk and provider.name_kk != provider.name:
        return "kk", provider.name_kk
    if provider.name_ru != provider.name:
        return "ru", provider.name_ru
    return None


def provider_actions(user, provider: Provider) -> list[PageAction]:
    """Return the status steps the user may take on the organisation (an admin or an officer of its home region)."""
    if not permissions.can_verify(user, provider):
        return []

    def url(action: str) -> str:
        return reverse("providers:provider-transition", args=[provider.pk, action])

    steps = {
        Provider.Status.UNVERIFIED: PageAction("verify", url("verify"), _("Verify"), "btn-success"),
        Provider.Status.ACTIVE: PageAction(
            "suspend",
            url("suspend"),
            _("Suspend"),
            "btn-outline-danger",
            "required-reason",
            placeholder=_("Reason for suspension"),
            form_class="suspend-form flex-wrap",
        ),
        Provider.Status.SUSPENDED: PageAction("reactivate", url("reactivate"), _("Reactivate"), "btn-success"),
    }
    return [steps[provider.status]] if provider.status in steps else []


@method_decorator(login_not_required, name="dispatch")
class RegisterView(FormView):
    """An NGO representative registers an account and their organisation in one step."""

    template_name = "providers/register.html"
    form_class = ProviderForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            messages.info(request, _("You are already signed in."))
            return redirect("core:dashboard")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("account_form", AccountForm(prefix="account"))
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        account_form = AccountForm(request.POST, prefix="account")
        if not (form.is_valid() and account_form.is_valid()):
            return self.render_to_response(self.get_context_data(form=form, account_form=account_form))
        user, provider = services.register_ngo(provider_form=form, account_form=account_form, language=language())
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _("Your organisation is registered. It can bid once an officer of its home region verifies it."),
        )
        return redirect(provider)


def language() -> str:
    """Return the active language's code (ru, kk or en), which a new account and its mail take."""
    return (get_language() or "ru")[:2]


class MemberRequiredMixin:
    """For pages that edit an organisation: the provider comes from visible_to (404) and the user must be a member."""

    provider_kwarg = "provider_pk"

    def dispatch(self, request, *args, **kwargs):
        self.provider = get_object_or_404(Provider.objects.visible_to(request.user), pk=kwargs[self.provider_kwarg])
        if not permissions.can_edit(request.user, self.provider):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self):
        return self.provider.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(provider=self.provider, **kwargs)


class ProviderUpdateView(audit.AuditedFormMixin, MemberRequiredMixin, UpdateView):
    provider_kwarg = "pk"
    form_class = ProviderForm
    template_name = "providers/provider_form.html"

    def get_object(self, queryset=None):
        return self.provider

    def form_valid(self, form):
        messages.success(self.request, _("The profile is saved."))
        return super().form_valid(form)


class ChildFormMixin(audit.AuditedFormMixin, MemberRequiredMixin):
    """Create and edit a provider's service areas and staff; the change shows on the provider's timeline."""

    template_name = "providers/child_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "provider": self.provider}

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user).filter(provider=self.provider)

    def audit_target(self, instance):
        return self.provider

    def get_context_data(self, **kwargs):
        verb = _("Edit") if getattr(self, "object", None) else _("Add")
        return super().get_context_data(form_title=f"{verb}: {self.model._meta.verbose_name}", **kwargs)

    def audit_note(self, instance) -> str:
        return f"{self.model._meta.verbose_name} #{instance.pk}"

    def form_valid(self, form):
        messages.success(self.request, _("Saved."))
        return super().form_valid(form)


class ServiceAreaCreateView(ChildFormMixin, CreateView):
    model = ServiceArea
    form_class = ServiceAreaForm
    audit_action_create = Action.SERVICE_AREA_ADDED
    audit_action_update = Action.SERVICE_AREA_EDITED


class ServiceAreaUpdateView(ChildFormMixin, UpdateView):
    model = ServiceArea
    form_class = ServiceAreaForm
    audit_action_create = Action.SERVICE_AREA_ADDED
    audit_action_update = Action.SERVICE_AREA_EDITED


class StaffCreateView(ChildFormMixin, CreateView):
    model = StaffMember
    form_class = StaffMemberForm
    audit_action_create = Action.STAFF_MEMBER_ADDED
    audit_action_update = Action.STAFF_MEMBER_EDITED


class StaffUpdateView(ChildFormMixin, UpdateView):
    model = StaffMember
    form_class = StaffMemberForm
    audit_action_create = Action.STAFF_MEMBER_ADDED
    audit_action_update = Action.STAFF_MEMBER_EDITED


class ChildDeleteView(MemberRequiredMixin, DeleteView):
    template_name = "providers/child_confirm_delete.html"

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user).filter(provider=self.provider)

    def form_valid(self, form):
        services.remove_row(provider=self.provider, row=self.get_object(), acting_user=self.request.user)
        messages.success(self.request, _("Removed."))
        return redirect(self.get_success_url())


class ServiceAreaDeleteView(ChildDeleteView):
    model = ServiceArea


class StaffDeleteView(ChildDeleteView):
    model = StaffMember


class InviteView(MemberRequiredMixin, FormView):
    form_class = InvitationForm
    template_name = "providers/child_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "provider": self.provider}

    def get_context_data(self, **kwargs):
        return super().get_context_data(form_title=_("Invite a colleague by email"), **kwargs)

    def form_valid(self, form):
        invitation = services.invite_member(
            provider=self.provider, form=form, acting_user=self.request.user, language=language()
        )
        messages.success(self.request, _("The invitation is sent to %(email)s.") % {"email": invitation.email})
        return redirect(self.provider)


@method_decorator(login_not_required, name="dispatch")
class AcceptInvitationView(FormView):
    """Join an organisation by invitation: a signed-in NGO member confirms; a newcomer creates an account."""

    template_name = "providers/invitation_accept.html"
    form_class = AccountForm

    def dispatch(self, request, *args, **kwargs):
        self.invitation = Invitation.objects.select_related("provider").filter(token=kwargs["token"]).first()
        if self.invitation is None or not self.invitation.is_open:
            raise Http404(_("This invitation does not exist or has expired."))
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        if self.request.user.is_authenticated:
            return None
        form = super().get_form(form_class)
        form.fields["email"].initial = self.invitation.email
        return form

    def get_context_data(self, **kwargs):
        can_join = permissions.can_accept_invitation(self.request.user, self.invitation)
        return super().get_context_data(invitation=self.invitation, can_join=can_join, **kwargs)

    def post(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated:
            if not permissions.can_accept_invitation(user, self.invitation):
                raise PermissionDenied
            return self.accept(user)
        form = self.get_form()
        if form.is_valid() and form.cleaned_data["email"].lower() != self.invitation.email.lower():
            form.add_error("email", _("Use the address the invitation was sent to."))
        if not form.is_valid():
            return self.form_invalid(form)
        user = services.join_with_new_account(invitation=self.invitation, account_form=form, language=language())
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return self.joined()

    def accept(self, user):
        services.accept_invitation(invitation=self.invitation, user=user)
        return self.joined()

    def joined(self):
        provider = self.invitation.provider
        messages.success(self.request, _("You are now a member of %(provider)s.") % {"provider": provider})
        return redirect(provider)


@method_decorator(login_not_required, name="dispatch")
class AccessRequestView(CreateView):
    """Someone who finds their BIN already registered asks an administrator for access."""

    form_class = AccessRequestForm
    template_name = "providers/access_request.html"

    def get_initial(self):
        return {"bin": self.request.GET.get("bin", "")}

    def form_valid(self, form):
        request_row = services.request_access(form=form, acting_user=self.request.user)
        messages.success(
            self.request,
            _("Your request is sent. An administrator will contact you at %(email)s.") % {"email": request_row.email},
        )
        return redirect("core:home")


class ProviderTransitionView(ActionView):
    """POST-only: verify, suspend or reactivate an organisation."""

    model = Provider

    def allowed(self, user, provider):
        return permissions.can_verify(user, provider)

    def act(self, provider):
        self.change(provider)
        return _("Status: %(status)s.") % {"status": provider.get_status_display()}


class VerifyView(ProviderTransitionView):
    def change(self, provider):
        provider.verify(by=self.request.user)


class SuspendView(ProviderTransitionView):
    def change(self, provider):
        form = ReasonForm(self.request.POST)
        provider.suspend(by=self.request.user, reason=form.cleaned_data["reason"] if form.is_valid() else "")


class ReactivateView(ProviderTransitionView):
    def change(self, provider):
        provider.reactivate(by=self.request.user)


provider_transition_view = action_views(verify=VerifyView, suspend=SuspendView, reactivate=ReactivateView)


class MyProviderView(View):
    """Send an NGO member to their organisation's page."""

    def get(self, request):
        provider = Provider.objects.of_user(request.user).order_by("id").first()
        if provider is None:
            raise Http404
        return redirect(provider)

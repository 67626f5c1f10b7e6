"""The Django admin, sealed like the application: a bid that is still sealed is not listed, counted, offered in a
drop-down, named in a delete confirmation or betrayed by "view on site" — for superusers too. Later apps say which
rows are sealed through `register_sealed_check`; every ModelAdmin of the project builds on `SealedSafeAdmin`."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib import admin
from django.contrib.admin.utils import NestedObjects, quote
from django.contrib.admin.views.main import ERROR_FLAG
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import router
from django.http import Http404, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.audit import without_sealed
from core.forms import AdminLockoutAuthenticationForm
from core.models import (
    Agency,
    AuditEvent,
    CalendarOverride,
    Indicator,
    LoginThrottle,
    Region,
    ServiceType,
    UnsentMail,
    User,
)

admin.site.site_header = _("State social order: administration")
admin.site.site_title = _("State social order")
admin.site.login_form = AdminLockoutAuthenticationForm  # the admin login is locked out like the main one

# -- what is sealed -------------------------------------------------------------------------------------------------

_sealed_checks: list[Callable[[Iterable], set]] = []


def register_sealed_check(function: Callable[[Iterable], set]) -> None:
    """Register `function(objects) -> the subset that is sealed` (a later app's rows that nobody may learn of)."""
    _sealed_checks.append(function)


def sealed_objects(objects: Iterable) -> set:
    """Return the objects that are sealed, as the registered checks say."""
    objects = list(objects)
    found: set = set()
    for check in _sealed_checks:
        found |= check(objects)
    return found


class _SealedCollector(NestedObjects):
    """Django's collector for delete confirmations, leaving sealed objects (and what hangs on them) out."""

    hidden: set = frozenset()

    def _nested(self, obj, seen, format_callback):
        if obj in self.hidden:
            return []
        return super()._nested(obj, seen, format_callback)


def deleted_objects(objs, request, admin_site):
    """Django's `get_deleted_objects`, but blind to sealed rows: they are not named, counted or listed as protected.

    Whether a delete is allowed never depends on them either: each admin allows deleting only rows that cannot have
    sealed dependants (a call never published, an NGO never verified), and should a sealed row turn up all the same,
    the delete is refused as if permission were lacking — the answer a row without sealed dependants would get.
    """
    try:
        first = objs[0]
    except IndexError:
        return [], {}, set(), []
    collector = _SealedCollector(using=router.db_for_write(first._meta.model), origin=objs)
    collector.collect(objs)
    everything = {obj for group in collector.model_objs.values() for obj in group} | set(collector.protected)
    collector.hidden = sealed_objects(everything)
    perms_needed: set = set()

    def format_callback(obj):
        opts = obj._meta
        if not admin_site.is_registered(obj.__class__):
            return f"{capfirst(opts.verbose_name)}: {obj}"
        model_admin = admin_site.get_model_admin(obj.__class__)
        if not model_admin.has_delete_permission(request, obj):
            perms_needed.add(opts.verbose_name)
        if not model_admin.has_view_or_change_permission(request, obj):
            return f"{capfirst(opts.verbose_name)} #{obj.pk}"  # e.g. a staff member: personal data, not named
        try:
            url = reverse(f"{admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=(quote(obj.pk),))
        except NoReverseMatch:
            return f"{capfirst(opts.verbose_name)}: {obj}"
        return format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), url, obj)

    to_delete = collector.nested(format_callback)
    protected = [format_callback(obj) for obj in collector.protected if obj not in collector.hidden]
    model_count = {}
    for model, group in collector.model_objs.items():
        visible = len(group - collector.hidden)
        if visible:
            model_count[model._meta.verbose_name_plural] = visible
    if collector.hidden:
        perms_needed.add(first._meta.verbose_name)
    return to_delete, model_count, perms_needed, protected


def _beyond_any_integer_column(value: str) -> bool:
    """Return whether a filter value is a whole number no integer column holds (the database driver would raise)."""
    digits = value.strip().removeprefix("-")
    return digits.isdigit() and not -(2**63) <= int(value) < 2**63


class SealedSafeAdmin(admin.ModelAdmin):
    """The base of every ModelAdmin here: delete confirmations blind to sealed rows; a changelist filter that no
    column can hold is answered as Django answers any invalid filter (the list with "?e=1"), never a 500."""

    def get_deleted_objects(self, objs, request):
        return deleted_objects(objs, request, self.admin_site)

    def changelist_view(self, request, extra_context=None):
        if any(_beyond_any_integer_column(v) for _key, values in request.GET.lists() for v in values):
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        return super().changelist_view(request, extra_context)


def view_on_site(request, content_type_id: int, object_id: str):
    """The admin's "view on site" jump, answering only for rows that the model's admin lists.

    Django's own view redirects for any row that exists and 404s for a missing one, so it counted sealed bids; here
    a sealed bid and a missing pk get the same 404.
    """
    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ContentType.DoesNotExist:
        raise Http404 from None
    if model is None or not admin.site.is_registered(model):
        raise Http404
    model_admin = admin.site.get_model_admin(model)
    if not model_admin.has_view_or_change_permission(request):
        raise Http404
    try:
        listed = model_admin.get_queryset(request).filter(pk=object_id).exists()
    except (ValueError, TypeError, ValidationError):
        listed = False
    if not listed:
        raise Http404
    return contenttype_views.shortcut(request, content_type_id, object_id)


# -- the shared vocabulary ------------------------------------------------------------------------------------------


@admin.register(Region)
class RegionAdmin(SealedSafeAdmin):
    list_display = ("kato", "name_ru", "name_kk", "name_en", "valid_from", "data_from_year")
    list_editable = ("data_from_year",)
    search_fields = ("kato", "name_ru", "name_kk", "name_en")


@admin.register(ServiceType)
class ServiceTypeAdmin(SealedSafeAdmin):
    list_display = ("code", "name_ru", "setting")
    search_fields = ("code", "name_ru", "name_kk", "name_en")


@admin.register(Indicator)
class IndicatorAdmin(SealedSafeAdmin):
    list_display = ("code", "name_ru", "service_type", "kind", "unit", "direction")
    list_filter = ("kind", "direction", "service_type")
    search_fields = ("code", "name_ru", "name_kk", "name_en")


@admin.register(Agency)
class AgencyAdmin(SealedSafeAdmin):
    list_display = ("name_ru", "bin", "level", "region", "evaluation_threshold")
    list_filter = ("level", "region")
    search_fields = ("name_ru", "name_kk", "bin")


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(SealedSafeAdmin):
    """Corrections to Kazakhstan's published calendar (e.g. a transfer announced by government decree)."""

    list_display = ("date", "is_working_day", "reason")
    list_filter = ("is_working_day",)
    search_fields = ("reason",)
    date_hierarchy = "date"


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SealedSafeAdmin):
    """Accounts are deactivated, never deleted: the audit log keeps naming who did what, and a delete page could
    otherwise reveal the sealed bids an account made."""

    list_display = ("username", "email", "first_name", "last_name", "role", "agency", "is_active")
    list_filter = ("role", "is_active", "agency")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Role"), {"fields": ("role", "agency", "patronymic", "preferred_language")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role"), {"fields": ("email", "first_name", "last_name", "role", "agency", "preferred_language")}),
    )

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(SealedSafeAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ("created_at", "actor", "action", "content_type", "object_repr", "ip")
    list_filter = ("action", "content_type")
    search_fields = ("object_repr", "action", "actor__username")
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return without_sealed(super().get_queryset(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LoginThrottle)
class LoginThrottleAdmin(SealedSafeAdmin):
    list_display = ("username", "ip", "failures", "last_failure_at", "locked_until")
    search_fields = ("username", "ip")


@admin.register(UnsentMail)
class UnsentMailAdmin(SealedSafeAdmin):
    """Notifications waiting for `retry_unsent_mail`: addresses and texts are personal data, so superusers only."""

    list_display = ("created_at", "subject", "attempts", "last_attempt_at", "last_error")
    readonly_fields = ("subject", "body", "recipients", "created_at", "attempts", "last_attempt_at", "last_error")

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

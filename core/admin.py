from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from core.audit import without_sealed
from core.forms import AdminLockoutAuthenticationForm
from core.models import Agency, AuditEvent, Indicator, LoginThrottle, Region, ServiceType, User

admin.site.site_header = _("State social order: administration")
admin.site.site_title = _("State social order")
admin.site.login_form = AdminLockoutAuthenticationForm  # the admin login is locked out like the main one


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("kato", "name_ru", "name_kk", "name_en", "valid_from", "data_from_year")
    list_editable = ("data_from_year",)
    search_fields = ("kato", "name_ru", "name_kk", "name_en")


@admin.register(ServiceType)
class ServiceTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ru", "setting")
    search_fields = ("code", "name_ru", "name_kk", "name_en")


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ru", "service_type", "kind", "unit", "direction")
    list_filter = ("kind", "direction", "service_type")
    search_fields = ("code", "name_ru", "name_kk", "name_en")


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name_ru", "bin", "level", "region", "evaluation_threshold")
    list_filter = ("level", "region")
    search_fields = ("name_ru", "name_kk", "bin")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
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
class LoginThrottleAdmin(admin.ModelAdmin):
    list_display = ("username", "ip", "failures", "last_failure_at", "locked_until")
    search_fields = ("username", "ip")

from django.contrib import admin

from core.admin import SealedSafeAdmin
from providers.models import AccessRequest, Invitation, Membership, Provider, ServiceArea, StaffMember


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


class ServiceAreaInline(admin.TabularInline):
    model = ServiceArea
    extra = 0


@admin.register(Provider)
class ProviderAdmin(SealedSafeAdmin):
    """An NGO is suspended, not deleted, once verified: only one never verified (which never bid) can be deleted."""

    list_display = ("name_ru", "bin", "legal_form", "home_region", "status", "registration_date")
    list_filter = ("status", "legal_form", "home_region")
    search_fields = ("name_ru", "name_kk", "bin")
    readonly_fields = ("status", "status_changed_at", "status_reason", "created_at")
    inlines = [MembershipInline, ServiceAreaInline]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status != Provider.Status.UNVERIFIED:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(StaffMember)
class StaffMemberAdmin(SealedSafeAdmin):
    """NGO staff are personal data (names, certificate dates): in the admin only superusers see them, and only the
    staff of an NGO never verified (so never named in a bid) can be deleted here; the NGO removes its own staff."""

    list_display = ("full_name", "provider", "position", "no_record_certificate_date", "is_active")
    list_filter = ("position", "is_active")
    search_fields = ("full_name", "provider__name_ru")
    autocomplete_fields = ("provider",)

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.provider.status != Provider.Status.UNVERIFIED:
            return False
        return request.user.is_superuser


@admin.register(Invitation)
class InvitationAdmin(SealedSafeAdmin):
    list_display = ("email", "provider", "invited_by", "created_at", "accepted_at")
    exclude = ("token",)


@admin.register(AccessRequest)
class AccessRequestAdmin(SealedSafeAdmin):
    list_display = ("bin", "full_name", "email", "provider", "created_at", "resolved_at")
    list_filter = ("resolved_at",)
    search_fields = ("bin", "full_name", "email")

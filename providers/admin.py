from django.contrib import admin

from providers.models import AccessRequest, Invitation, Membership, Provider, ServiceArea, StaffMember


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


class ServiceAreaInline(admin.TabularInline):
    model = ServiceArea
    extra = 0


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("name_ru", "bin", "legal_form", "home_region", "status", "registration_date")
    list_filter = ("status", "legal_form", "home_region")
    search_fields = ("name_ru", "name_kk", "bin")
    readonly_fields = ("status", "status_changed_at", "status_reason", "created_at")
    inlines = [MembershipInline, ServiceAreaInline]


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ("full_name", "provider", "position", "no_record_certificate_date", "is_active")
    list_filter = ("position", "is_active")
    search_fields = ("full_name", "provider__name_ru")
    autocomplete_fields = ("provider",)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "provider", "invited_by", "created_at", "accepted_at")
    exclude = ("token",)


@admin.register(AccessRequest)
class AccessRequestAdmin(admin.ModelAdmin):
    list_display = ("bin", "full_name", "email", "provider", "created_at", "resolved_at")
    list_filter = ("resolved_at",)
    search_fields = ("bin", "full_name", "email")

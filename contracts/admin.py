from django.contrib import admin

from contracts.models import Amendment, Contract, Payment, PriceLimit, Report, ReportingPeriod, Target, Tranche
from core.admin import SealedSafeAdmin
from tenders.models import Bid


class TrancheInline(admin.TabularInline):
    model = Tranche
    extra = 0


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Contract)
class ContractAdmin(SealedSafeAdmin):
    list_display = ("number", "provider", "region", "service_type", "start_date", "end_date", "total", "status")
    list_filter = ("status", "region", "service_type")
    search_fields = ("number", "provider__name_ru")
    readonly_fields = ("status", "agency_signed_at", "provider_signed_at", "completed_at", "terminated_on")
    inlines = [TrancheInline, TargetInline]
    # Searched, not listed: a drop-down of every bid would name sealed ones (and would not scale).
    autocomplete_fields = ("call", "bid", "provider")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "bid":  # only the bids the bid admin lists: none that is still sealed
            kwargs["queryset"] = self.admin_site.get_model_admin(Bid).get_queryset(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Payment)
class PaymentAdmin(SealedSafeAdmin):
    list_display = ("tranche", "kind", "date", "amount")
    list_filter = ("kind",)


@admin.register(Amendment)
class AmendmentAdmin(SealedSafeAdmin):
    list_display = ("contract", "kind", "reason_code", "effective_date", "value_change")
    list_filter = ("kind", "reason_code")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(SealedSafeAdmin):
    list_display = ("contract", "kind", "year", "quarter", "due_date")
    list_filter = ("kind", "year")


@admin.register(Report)
class ReportAdmin(SealedSafeAdmin):
    list_display = ("period", "status", "first_submitted_at", "reviewed_at")
    list_filter = ("status",)


@admin.register(PriceLimit)
class PriceLimitAdmin(SealedSafeAdmin):
    """Price limits per child served, per service type and year (red flag "price outside limits")."""

    list_display = ("service_type", "year", "min_per_child", "max_per_child", "basis")
    list_filter = ("service_type", "year")

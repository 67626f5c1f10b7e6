from django.contrib import admin

from contracts.models import Amendment, Contract, Payment, Report, ReportingPeriod, Target, Tranche


class TrancheInline(admin.TabularInline):
    model = Tranche
    extra = 0


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ("number", "provider", "region", "service_type", "start_date", "end_date", "total", "status")
    list_filter = ("status", "region", "service_type")
    search_fields = ("number", "provider__name_ru")
    readonly_fields = ("status", "agency_signed_at", "provider_signed_at", "completed_at", "terminated_on")
    inlines = [TrancheInline, TargetInline]


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("tranche", "kind", "date", "amount")
    list_filter = ("kind",)


@admin.register(Amendment)
class AmendmentAdmin(admin.ModelAdmin):
    list_display = ("contract", "kind", "reason_code", "effective_date", "value_change")
    list_filter = ("kind", "reason_code")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ("contract", "kind", "year", "quarter", "due_date")
    list_filter = ("kind", "year")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("period", "status", "first_submitted_at", "reviewed_at")
    list_filter = ("status",)

from django.contrib import admin

from tenders.models import Bid, Call, CallBudgetLine, CommissionMember, Complaint, Criterion, Question


class BudgetLineInline(admin.TabularInline):
    model = CallBudgetLine
    extra = 0


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


class CommissionInline(admin.TabularInline):
    model = CommissionMember
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("number", "title_ru", "agency", "region", "service_type", "start_year", "status", "deadline")
    list_filter = ("status", "region", "service_type")
    search_fields = ("number", "title_ru")
    readonly_fields = ("status", "published_at", "opened_at", "decided_at", "standstill_until", "cancelled_at")
    inlines = [BudgetLineInline, CriterionInline, CommissionInline]


@admin.register(Bid)
class BidAdmin(admin.ModelAdmin):
    """Sealed bids: before the deadline, nobody but the superuser's database access sees them — and not here."""

    list_display = ("call", "provider", "price", "status", "submitted_at")
    list_filter = ("status",)
    search_fields = ("call__number", "provider__name_ru")
    readonly_fields = ("status", "submitted_at", "decided_at")

    def get_queryset(self, request):
        return Bid.objects.visible_to(request.user).select_related("call", "provider")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("call", "asked_at", "answered_at")


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ("call", "provider", "kind", "status", "filed_at", "decided_at")
    list_filter = ("kind", "status")
    readonly_fields = ("status", "decided_at", "decided_by")

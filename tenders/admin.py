from django.contrib import admin

from core.admin import SealedSafeAdmin, register_sealed_check
from tenders.models import (
    Bid,
    BidCostItem,
    BidDocument,
    Call,
    CallBudgetLine,
    CommissionMember,
    Complaint,
    ConflictDeclaration,
    Criterion,
    Question,
    Score,
    ScoreSheet,
)


def _bid_id(obj) -> int | None:
    """Return the pk of the bid an object belongs to, or None for objects that are not part of a bid."""
    if isinstance(obj, Bid):
        return obj.pk
    if isinstance(obj, (BidCostItem, BidDocument, ConflictDeclaration, ScoreSheet, Bid.staff.through)):
        return obj.bid_id
    if isinstance(obj, Score):
        return obj.sheet.bid_id
    return None


def sealed_bid_objects(objects) -> set:
    """Return the objects belonging to a bid that is still sealed (see BidQuerySet.unsealed)."""
    owners = {obj: _bid_id(obj) for obj in objects}
    owners = {obj: pk for obj, pk in owners.items() if pk is not None}
    if not owners:
        return set()
    unsealed = set(Bid.objects.filter(pk__in=set(owners.values())).unsealed().values_list("pk", flat=True))
    return {obj for obj, pk in owners.items() if pk not in unsealed}


register_sealed_check(sealed_bid_objects)


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
class CallAdmin(SealedSafeAdmin):
    """Only a call never published can be deleted (it has no bids); a published one is cancelled instead."""

    list_display = ("number", "title_ru", "agency", "region", "service_type", "start_year", "status", "deadline")
    list_filter = ("status", "region", "service_type")
    search_fields = ("number", "title_ru")
    readonly_fields = ("status", "published_at", "opened_at", "decided_at", "standstill_until", "cancelled_at")
    inlines = [BudgetLineInline, CriterionInline, CommissionInline]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.published_at is not None:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Bid)
class BidAdmin(SealedSafeAdmin):
    """Read-only, and only bids that are no longer sealed — for superusers too: submitted to a call whose deadline
    has passed and that was not cancelled before it. The staffing plan names NGO staff: superusers only."""

    list_display = ("call", "provider", "price", "status", "submitted_at")
    list_filter = ("status",)
    search_fields = ("call__number", "provider__name_ru")
    readonly_fields = ("status", "submitted_at", "decided_at")

    def get_queryset(self, request):
        return Bid.objects.visible_to(request.user).unsealed().select_related("call", "provider")

    def get_exclude(self, request, obj=None):
        return () if request.user.is_superuser else ("staff",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Question)
class QuestionAdmin(SealedSafeAdmin):
    list_display = ("call", "asked_at", "answered_at")


@admin.register(Complaint)
class ComplaintAdmin(SealedSafeAdmin):
    list_display = ("call", "provider", "kind", "status", "filed_at", "decided_at")
    list_filter = ("kind", "status")
    readonly_fields = ("status", "decided_at", "decided_by")

"""Calls for social services, sealed bids, the commission with conflict-of-interest declarations and scores,
clarification questions, complaints, and the award or failure of a call."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.documents import RandomName, StoredDocument, private_storage, validate_document
from core.models import Agency, Indicator, Region, Role, ServiceType

MAX_DURATION_YEARS = 3
ABNORMALLY_LOW_SHARE = Decimal("0.70")
DEFAULT_CRITERIA = [
    (
        "Методология и соответствие целевой группе",
        "Әдістеме және нысаналы топқа сәйкестігі",
        "Methodology and relevance to the target group",
        30,
    ),
    ("Опыт в данной услуге", "Осы қызмет бойынша тәжірибе", "Experience in this service", 20),
    ("Квалифицированный персонал", "Білікті персонал", "Qualified staff", 20),
    (
        "Показатели результатов и план мониторинга",
        "Нәтиже көрсеткіштері және мониторинг жоспары",
        "Outcome indicators and monitoring plan",
        15,
    ),
    ("Обоснованность бюджета", "Бюджеттің негізділігі", "Budget reasonableness", 15),
]


def lang_field(obj, base: str) -> str:
    """Return obj.<base>_kk in Kazakh when filled, else obj.<base>_ru."""
    if (get_language() or "")[:2] == "kk" and getattr(obj, f"{base}_kk", ""):
        return getattr(obj, f"{base}_kk")
    return getattr(obj, f"{base}_ru")


class CallQuerySet(models.QuerySet):
    def public(self) -> CallQuerySet:
        """Return calls the public may see: everything once published (drafts never)."""
        return self.exclude(status=Call.Status.DRAFT).exclude(status=Call.Status.CANCELLED, published_at__isnull=True)

    def visible_to(self, user) -> CallQuerySet:
        """Return the calls a user may open: own agency's (drafts too) for officers, assigned ones, public ones."""
        if not user.is_authenticated:
            return self.public()
        if user.is_superuser or user.role in (Role.COMMITTEE, Role.ADMIN):
            return self.public()
        if user.role == Role.OFFICER:
            return self.filter(Q(agency_id=user.agency_id) | Q(pk__in=self.public().values("pk"))).distinct()
        return self.public()

    def accepting_bids(self, now: dt.datetime) -> CallQuerySet:
        """Return published calls whose submission window is open at `now`."""
        return self.filter(status=Call.Status.PUBLISHED, opens_at__lte=now, deadline__gt=now)

    def past_deadline_unopened(self, now: dt.datetime) -> CallQuerySet:
        """Return published calls whose deadline has passed but whose bids are not opened yet."""
        return self.filter(status=Call.Status.PUBLISHED, deadline__lte=now)

    def with_total(self) -> CallQuerySet:
        """Return calls annotated with their total budget."""
        return self.annotate(total_budget=Sum("budget_lines__amount"))

    def with_submitted_bids(self, now: dt.datetime) -> CallQuerySet:
        """Return calls annotated with `submitted_bids`: how many bids were submitted when the deadline passed, once
        it has passed by `now`; None before it, and for ever for a call cancelled before its deadline, whose bids
        stay sealed (nobody learns even how many exist)."""
        # A subquery, not Count("bids"): a join on bids beside another join (with_total's budget lines) would
        # multiply the other's sums by the number of bids, and so reveal how many bids a sealed call holds.
        counted = (
            Bid.objects.submitted_at_deadline()
            .filter(call=OuterRef("pk"))
            .order_by()
            .values("call")
            .annotate(n=Count("pk"))
            .values("n")
        )
        reached = Q(deadline__lte=now) & (Q(cancelled_at__isnull=True) | Q(cancelled_at__gte=F("deadline")))
        return self.annotate(
            submitted_bids=Case(
                When(reached, then=Coalesce(Subquery(counted, output_field=models.IntegerField()), 0)),
                default=Value(None),
                output_field=models.IntegerField(),
            )
        )


class Call(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        EVALUATION = "evaluation", _("evaluation")
        AWARDED = "awarded", _("awarded")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    TRANSITIONS = {
        Status.DRAFT: {Status.PUBLISHED, Status.CANCELLED},
        Status.PUBLISHED: {Status.EVALUATION, Status.CANCELLED},
        Status.EVALUATION: {Status.AWARDED, Status.FAILED, Status.CANCELLED},
        Status.AWARDED: {Status.EVALUATION},  # an upheld complaint about the result, before a contract is signed
        Status.FAILED: set(),
        Status.CANCELLED: set(),
    }

    number = models.CharField(_("number"), max_length=40, unique=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=300)
    title_kk = models.CharField(_("title (Kazakh)"), max_length=300, blank=True)
    description_ru = models.TextField(_("description (Russian)"))
    description_kk = models.TextField(_("description (Kazakh)"), blank=True)
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="calls")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="calls")
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("service type"), on_delete=models.PROTECT, related_name="calls"
    )
    target_group = models.CharField(_("target group"), max_length=300)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    duration_years = models.PositiveSmallIntegerField(
        _("duration (years)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_DURATION_YEARS)]
    )
    opens_at = models.DateTimeField(_("submission opens"))
    deadline = models.DateTimeField(_("deadline"))
    min_qualified_staff = models.PositiveSmallIntegerField(_("minimum staff who may work with children"), default=0)
    min_experience_years = models.PositiveSmallIntegerField(_("minimum years of experience"), default=0)
    requires_ngo_listing = models.BooleanField(_("current NGO-database listing required"), default=True)
    min_winning_score = models.DecimalField(
        _("minimum winning score"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    quorum = models.PositiveSmallIntegerField(
        _("quorum per bid"), default=3, validators=[MinValueValidator(1)], help_text=_("Complete score sheets.")
    )
    outcome_share = models.DecimalField(
        _("outcome-payment share (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Part of each tranche paid by results (only for services with an outcome indicator)."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    opened_at = models.DateTimeField(_("bids opened"), null=True, blank=True)
    scoring_closed_at = models.DateTimeField(_("scoring closed"), null=True, blank=True)
    decided_at = models.DateTimeField(_("awarded or failed"), null=True, blank=True)
    standstill_until = models.DateTimeField(_("standstill until"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    status_reason = models.TextField(_("reason"), blank=True)
    amendment_required = models.BooleanField(
        _("amendment required"), default=False, help_text=_("Set by an upheld complaint about the terms.")
    )
    draft_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    unopened_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    reannounced_from = models.ForeignKey(
        "self",
        verbose_name=_("re-announcement of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reannouncements",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-deadline", "-id"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_years__gte=1, duration_years__lte=3), name="call_duration_1_3"
            ),
            models.CheckConstraint(condition=Q(deadline__gt=models.F("opens_at")), name="call_deadline_after_opens"),
            models.CheckConstraint(
                condition=Q(min_winning_score__gte=0, min_winning_score__lte=100), name="call_min_score_range"
            ),
        ]
        indexes = [models.Index(fields=["region", "service_type", "start_year"], name="call_cell_idx")]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("tenders:call-detail", args=[self.pk])

    @property
    def title(self) -> str:
        return lang_field(self, "title")

    @property
    def description(self) -> str:
        return lang_field(self, "description")

    @property
    def years(self) -> range:
        return range(self.start_year, self.start_year + self.duration_years)

    @property
    def end_year(self) -> int:
        return self.start_year + self.duration_years - 1

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.budget_lines.all()), Decimal("0"))

    def deadline_passed(self, now: dt.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.deadline

    def is_accepting_bids(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.PUBLISHED and self.opens_at <= now < self.deadline

    def in_standstill(self, now: dt.datetime | None = None) -> bool:
        return bool(
            self.status == self.Status.AWARDED
            and self.standstill_until
            and (now or timezone.now()) < self.standstill_until
        )

    def can_go_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())


class CallBudgetLine(models.Model):
    class Source(models.TextChoices):
        REPUBLICAN = "republican", _("republican budget")
        LOCAL = "local", _("local budget")

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="budget_lines")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount, ₸"), max_digits=14, decimal_places=2, validators=[MinValueValidator(1)])
    funding_source = models.CharField(_("funding source"), max_length=12, choices=Source.choices, default=Source.LOCAL)

    class Meta:
        ordering = ["year"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(fields=["call", "year"], name="budget_line_year_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_line_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount}"


class Criterion(models.Model):
    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="criteria")
    name_ru = models.CharField(_("criterion (Russian)"), max_length=200)
    name_kk = models.CharField(_("criterion (Kazakh)"), max_length=200, blank=True)
    name_en = models.CharField(_("criterion (English)"), max_length=200, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight, %"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        constraints = [models.CheckConstraint(condition=Q(weight__gte=1, weight__lte=100), name="criterion_weight")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        language = (get_language() or "ru")[:2]
        return getattr(self, f"name_{language}", "") or self.name_ru


class CallTarget(models.Model):
    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("target value"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["year", "indicator_id"]
        verbose_name = _("target indicator")
        verbose_name_plural = _("target indicators")
        constraints = [
            models.UniqueConstraint(fields=["call", "year", "indicator"], name="call_target_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="call_target_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.indicator} = {self.value}"


class CallDocument(StoredDocument):
    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=RandomName("calls"), validators=[validate_document]
    )

    class Meta:
        verbose_name = _("call document")
        verbose_name_plural = _("call documents")


class BidQuerySet(models.QuerySet):
    def visible_to(self, user, now: dt.datetime | None = None) -> BidQuerySet:
        """Return bids a user may see. Sealed until the deadline: before it, only the bidding NGO's own members."""
        if not user.is_authenticated:
            return self.none()
        now = now or timezone.now()
        if user.role == Role.NGO:
            return self.filter(provider__memberships__user=user)
        opened = self.filter(call__deadline__lte=now).exclude(status__in=[Bid.Status.DRAFT, Bid.Status.WITHDRAWN])
        if user.is_superuser or user.role in (Role.COMMITTEE, Role.ADMIN):
            return opened
        if user.role == Role.OFFICER:
            return opened.filter(Q(call__agency_id=user.agency_id) | Q(call__commission__user=user)).distinct()
        if user.role == Role.EXPERT:
            return opened.filter(call__commission__user=user).distinct()
        return self.none()

    def live(self) -> BidQuerySet:
        """Return bids that are not withdrawn."""
        return self.exclude(status=Bid.Status.WITHDRAWN)

    def submitted_at_deadline(self) -> BidQuerySet:
        """Return bids that were submitted when the deadline passed (drafts and withdrawn ones do not count)."""
        return self.exclude(status__in=[Bid.Status.DRAFT, Bid.Status.WITHDRAWN])


class Bid(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        WITHDRAWN = "withdrawn", _("withdrawn")
        ADMITTED = "admitted", _("admitted")
        REJECTED = "rejected", _("rejected")
        WINNER = "winner", _("winner")
        NOT_SELECTED = "not_selected", _("not selected")
        DECLINED = "declined", _("declined")

    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED},
        Status.SUBMITTED: {Status.WITHDRAWN, Status.ADMITTED, Status.REJECTED},
        Status.WITHDRAWN: {Status.DRAFT, Status.SUBMITTED},
        Status.ADMITTED: {Status.WINNER, Status.NOT_SELECTED, Status.REJECTED},
        Status.REJECTED: {Status.ADMITTED},
        Status.WINNER: {Status.DECLINED, Status.ADMITTED},
        Status.NOT_SELECTED: {Status.WINNER, Status.ADMITTED},
        Status.DECLINED: set(),
    }

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="bids")
    provider = models.ForeignKey(
        "providers.Provider", verbose_name=_("NGO"), on_delete=models.PROTECT, related_name="bids"
    )
    price = models.DecimalField(_("price, ₸"), max_digits=14, decimal_places=2, validators=[MinValueValidator(1)])
    proposal = models.TextField(_("proposal"), help_text=_("How you will deliver the service and to whom."))
    price_justification = models.TextField(
        _("justification of the price"),
        blank=True,
        # xgettext:no-python-format
        help_text=_("Required when the price is below 70% of the budget."),
    )
    staff = models.ManyToManyField(
        "providers.StaffMember", verbose_name=_("staffing plan"), blank=True, related_name="bids"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("final submission"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = BidQuerySet.as_manager()

    class Meta:
        ordering = ["call", "submitted_at", "id"]
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "provider"], condition=~Q(status="withdrawn"), name="bid_one_live_per_provider"
            ),
            models.CheckConstraint(condition=Q(price__gt=0), name="bid_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.call.number}: {self.provider}"

    def get_absolute_url(self) -> str:
        return reverse("tenders:bid-detail", args=[self.pk])

    def is_abnormally_low(self, budget: Decimal) -> bool:
        """Return whether the price is below 70% of the call's budget."""
        return self.price < budget * ABNORMALLY_LOW_SHARE


class BidCostItem(models.Model):
    bid = models.ForeignKey(Bid, verbose_name=_("bid"), on_delete=models.CASCADE, related_name="cost_items")
    year = models.PositiveSmallIntegerField(_("year"))
    item = models.CharField(_("item"), max_length=200)
    amount = models.DecimalField(_("amount, ₸"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["year", "id"]
        verbose_name = _("cost estimate item")
        verbose_name_plural = _("cost estimate")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="cost_item_non_negative")]

    def __str__(self) -> str:
        return f"{self.year}: {self.item}"


class BidDocument(StoredDocument):
    bid = models.ForeignKey(Bid, verbose_name=_("bid"), on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=RandomName("bids"), validators=[validate_document]
    )

    class Meta:
        verbose_name = _("bid document")
        verbose_name_plural = _("bid documents")


class CommissionMember(models.Model):
    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="commission")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.PROTECT, related_name="commissions"
    )
    is_chair = models.BooleanField(_("chair"), default=False)

    class Meta:
        ordering = ["-is_chair", "id"]
        verbose_name = _("commission member")
        verbose_name_plural = _("commission")
        constraints = [
            models.UniqueConstraint(fields=["call", "user"], name="commission_member_unique"),
            models.UniqueConstraint(fields=["call"], condition=Q(is_chair=True), name="commission_one_chair"),
        ]

    def __str__(self) -> str:
        return str(self.user)


class ConflictDeclaration(models.Model):
    member = models.ForeignKey(
        CommissionMember, verbose_name=_("member"), on_delete=models.CASCADE, related_name="declarations"
    )
    bid = models.ForeignKey(Bid, verbose_name=_("bid"), on_delete=models.CASCADE, related_name="declarations")
    has_conflict = models.BooleanField(_("conflict of interest"))
    note = models.TextField(_("note"), blank=True)
    declared_at = models.DateTimeField(_("declared"), auto_now_add=True)

    class Meta:
        verbose_name = _("conflict-of-interest declaration")
        verbose_name_plural = _("conflict-of-interest declarations")
        constraints = [models.UniqueConstraint(fields=["member", "bid"], name="declaration_unique")]

    def __str__(self) -> str:
        return f"{self.member} / {self.bid_id}: {self.has_conflict}"


class ScoreSheet(models.Model):
    """One member's scores for one bid; complete when every criterion is scored and the sheet is submitted."""

    member = models.ForeignKey(
        CommissionMember, verbose_name=_("member"), on_delete=models.CASCADE, related_name="sheets"
    )
    bid = models.ForeignKey(Bid, verbose_name=_("bid"), on_delete=models.CASCADE, related_name="sheets")
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        constraints = [models.UniqueConstraint(fields=["member", "bid"], name="score_sheet_unique")]

    def __str__(self) -> str:
        return f"{self.member} / {self.bid_id}"


class Score(models.Model):
    sheet = models.ForeignKey(
        ScoreSheet, verbose_name=_("score sheet"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="+")
    value = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(0), MaxValueValidator(10)])
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="score_unique"),
            models.CheckConstraint(condition=Q(value__gte=0, value__lte=10), name="score_range_0_10"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


class Question(models.Model):
    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="questions")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("question"))
    asked_at = models.DateTimeField(_("asked"), auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]
        verbose_name = _("clarification question")
        verbose_name_plural = _("clarification questions")

    def __str__(self) -> str:
        return self.text[:80]


class Complaint(models.Model):
    class Kind(models.TextChoices):
        TERMS = "terms", _("about the terms of the call")
        RESULT = "result", _("about the result")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        UPHELD = "upheld", _("upheld")
        REJECTED = "rejected", _("rejected")

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="complaints")
    provider = models.ForeignKey(
        "providers.Provider", verbose_name=_("NGO"), on_delete=models.PROTECT, related_name="complaints"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("filed by"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("complaint"))
    filed_at = models.DateTimeField(_("filed"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    decision = models.TextField(_("decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return f"{self.call.number}: {self.get_kind_display()}"


def sealed_audit_events(queryset, now):
    """Remove audit events about bids (and their documents) of calls whose deadline has not passed."""
    from django.contrib.contenttypes.models import ContentType

    sealed_bids = Bid.objects.filter(call__deadline__gt=now).values_list("pk", flat=True)
    bid_type = ContentType.objects.get_for_model(Bid)
    return queryset.exclude(content_type=bid_type, object_id__in=[str(pk) for pk in sealed_bids])

"""Calls for social services, sealed bids, the commission with conflict-of-interest declarations and scores,
clarification questions, complaints, and the award or failure of a call."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import audit
from core.audit import Action
from core.documents import RandomName, StoredDocument, private_storage, validate_document
from core.exceptions import InvalidTransition
from core.models import Agency, Indicator, Region, Role, ServiceType, TranslatedNameMixin, role_of
from core.search import Searchable
from core.transitions import allowed, set_status
from core.util import translated
from core.validators import validate_single_line

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


class CallQuerySet(models.QuerySet):
    def public(self) -> CallQuerySet:
        """Return calls the public may see: everything once published (drafts never)."""
        return self.exclude(status=Call.Status.DRAFT).exclude(status=Call.Status.CANCELLED, published_at__isnull=True)

    def visible_to(self, user) -> CallQuerySet:
        """Return the calls a user may open: public ones, and every call of an officer's own agency (drafts too)."""
        if role_of(user) == Role.OFFICER:
            return self.filter(Q(agency_id=user.agency_id) | Q(pk__in=self.public().values("pk"))).distinct()
        return self.public()

    def accepting_bids(self, now: dt.datetime) -> CallQuerySet:
        """Return published calls whose submission window is open at `now`."""
        return self.filter(status=Call.Status.PUBLISHED, opens_at__lte=now, deadline__gt=now)

    def past_deadline_unopened(self, now: dt.datetime) -> CallQuerySet:
        """Return published calls whose deadline has passed but whose bids are not opened yet."""
        return self.filter(status=Call.Status.PUBLISHED, deadline__lte=now)

    def awaiting_contract(self, now: dt.datetime) -> CallQuerySet:
        """Return awarded calls whose standstill has ended without a contract prepared yet."""
        return self.filter(status=Call.Status.AWARDED, standstill_until__lte=now, contract__isnull=True)

    def with_unanswered_questions(self) -> CallQuerySet:
        """Return calls with questions still unanswered, annotated with how many (`unanswered`)."""
        return self.annotate(
            unanswered=Count("questions", filter=Q(questions__answered_at__isnull=True), distinct=True)
        ).filter(unanswered__gt=0)

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
                # A past call brought in by an import keeps the count of its bids, not the bids themselves.
                When(Q(imported_bid_count__isnull=False, deadline__lte=now), then=F("imported_bid_count")),
                When(reached, then=Coalesce(Subquery(counted, output_field=models.IntegerField()), 0)),
                default=Value(None),
                output_field=models.IntegerField(),
            )
        )


class Call(Searchable):
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

    number = models.CharField(_("number"), max_length=40, unique=True, validators=[validate_single_line])
    title_ru = models.CharField(_("title (Russian)"), max_length=300, validators=[validate_single_line])
    title_kk = models.CharField(_("title (Kazakh)"), max_length=300, blank=True, validators=[validate_single_line])
    description_ru = models.TextField(_("description (Russian)"))
    description_kk = models.TextField(_("description (Kazakh)"), blank=True)
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="calls")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="calls")
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("service type"), on_delete=models.PROTECT, related_name="calls"
    )
    target_group = models.CharField(_("target group"), max_length=300, validators=[validate_single_line])
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
    portal_announcement_number = models.CharField(
        _("portal announcement number"),
        max_length=40,
        blank=True,
        validators=[validate_single_line],
        help_text=_("The announcement's number on the national e-procurement portal."),
    )
    portal_lot_number = models.CharField(
        _("portal lot number"),
        max_length=40,
        blank=True,
        validators=[validate_single_line],
        help_text=_("The lot's number on the national e-procurement portal."),
    )
    imported_bid_count = models.PositiveSmallIntegerField(
        _("bids submitted (imported)"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("For a past call brought in by an import: how many bids were submitted (its bids are not kept)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CallQuerySet.as_manager()

    SEARCH_FIELDS = ("number", "title_ru", "title_kk")

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
        return translated(self, "title")

    @property
    def description(self) -> str:
        return translated(self, "description")

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

    @property
    def sealed_for_ever(self) -> bool:
        """Whether the call was cancelled before its deadline: its bids were never opened and count nowhere (the
        queryset form of this rule is in `BidQuerySet.unsealed` and `CallQuerySet.with_submitted_bids`)."""
        return (
            self.status == self.Status.CANCELLED
            and self.cancelled_at is not None
            and self.cancelled_at < self.deadline
        )

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
        return allowed(self, status)

    # -- changes of state: each checks TRANSITIONS, sets the status with its time, saves those fields, audits ------
    # The services (tenders.services) check the rules around them, lock the row and send the mail.

    def publish(self, *, by, now: dt.datetime) -> None:
        """Publish the draft."""
        set_status(self, self.Status.PUBLISHED, by=by, action=Action.PUBLISHED, extra={"published_at": now})

    publish.alters_data = True

    def cancel(self, *, by, reason: str, now: dt.datetime) -> None:
        """Cancel the call with a reason."""
        set_status(
            self,
            self.Status.CANCELLED,
            by=by,
            action=Action.CANCELLED,
            note=reason,
            extra={"cancelled_at": now, "status_reason": reason},
        )

    cancel.alters_data = True

    def open_bids(self, *, by, now: dt.datetime) -> None:
        """Open the bids after the deadline: the call goes to evaluation."""
        set_status(self, self.Status.EVALUATION, by=by, action=Action.BIDS_OPENED, extra={"opened_at": now})

    open_bids.alters_data = True

    @transaction.atomic
    def close_scoring(self, *, by, now: dt.datetime) -> None:
        """Close scoring, once, during evaluation."""
        if self.status != self.Status.EVALUATION or self.scoring_closed_at:
            raise InvalidTransition(gettext("Scoring can be closed once, during evaluation."))
        self.check_quorum_for_closing()
        self.scoring_closed_at = now
        self.save(update_fields=["scoring_closed_at"])
        audit.record(actor=by, action=Action.SCORING_CLOSED, target=self)

    close_scoring.alters_data = True

    def check_quorum_for_closing(self) -> None:
        """Refuse to close scoring while a bid is undecided or an admitted bid lacks its quorum (closing would leave
        the call unable to be awarded or failed); the message names each bid and why."""
        from tenders.scoring import quorum_gaps  # scoring reads these models

        if self.bids.filter(status=Bid.Status.SUBMITTED).exists():
            raise InvalidTransition(gettext("Scoring cannot close: admit or reject every bid first."))
        gaps = quorum_gaps(self)
        if gaps:
            lines = [gettext("Scoring cannot close: every admitted bid needs a quorum of complete score sheets.")]
            for gap in gaps:
                lines.append(
                    gettext(
                        "%(provider)s: %(complete)d of %(quorum)d complete sheets; recused: %(recused)d, "
                        "not submitted yet: %(pending)d."
                    )
                    % {
                        "provider": gap.bid.provider,
                        "complete": gap.complete,
                        "quorum": gap.quorum,
                        "recused": gap.recused,
                        "pending": gap.pending,
                    }
                )
            lines.append(gettext("Wait for the missing sheets or appoint a substitute member on the commission page."))
            raise InvalidTransition(lines)

    def award(self, *, by, winner: Bid, now: dt.datetime, standstill_until: dt.datetime) -> None:
        """Record the award to the winning bid; the standstill for complaints runs until `standstill_until`."""
        set_status(
            self,
            self.Status.AWARDED,
            by=by,
            action=Action.AWARDED,
            note=str(winner.provider),
            extra={"decided_at": now, "standstill_until": standstill_until},
        )

    award.alters_data = True

    @transaction.atomic
    def award_next_ranked(self, *, by, winner: Bid, now: dt.datetime, standstill_until: dt.datetime) -> None:
        """Record the award to the next-ranked bid after the winner declined; the standstill starts again."""
        self.decided_at, self.standstill_until = now, standstill_until
        self.save(update_fields=["decided_at", "standstill_until"])
        audit.record(actor=by, action=Action.AWARDED_TO_NEXT, target=self, note=str(winner.provider))

    award_next_ranked.alters_data = True

    def fail(self, *, by, now: dt.datetime, reason: str = "") -> None:
        """Declare the call failed (with the reason, if any)."""
        set_status(
            self,
            self.Status.FAILED,
            by=by,
            action=Action.FAILED,
            note=reason,
            extra={"decided_at": now, "status_reason": reason},
        )

    fail.alters_data = True

    @transaction.atomic
    def fail_after_decline(self, *, by, now: dt.datetime) -> None:
        """Fail an awarded call whose winner declined with no other bid to take its place: back to evaluation, then
        failed (both steps on the timeline)."""
        set_status(self, self.Status.EVALUATION, by=by, action=Action.BACK_TO_EVALUATION)
        set_status(
            self,
            self.Status.FAILED,
            by=by,
            action=Action.FAILED,
            note=gettext("the winner declined"),
            extra={"decided_at": now},
        )

    fail_after_decline.alters_data = True

    def return_to_evaluation(self, *, by, note: str = "") -> None:
        """Undo the award (an upheld complaint about the result): evaluation and scoring open again."""
        set_status(
            self,
            self.Status.EVALUATION,
            by=by,
            action=Action.BACK_TO_EVALUATION,
            note=note,
            extra={"standstill_until": None, "decided_at": None, "scoring_closed_at": None},
        )

    return_to_evaluation.alters_data = True

    @transaction.atomic
    def extend_deadline(self, *, by, new_deadline: dt.datetime) -> None:
        """Move the deadline; a pending change of terms is thereby made, and the reminder may go again."""
        old = self.deadline
        self.deadline = new_deadline
        self.amendment_required = False
        self.draft_reminder_sent_at = None
        self.save(update_fields=["deadline", "amendment_required", "draft_reminder_sent_at"])
        audit.record(actor=by, action=Action.DEADLINE_EXTENDED, target=self, changes={"deadline": (old, new_deadline)})

    extend_deadline.alters_data = True

    def require_amendment(self) -> None:
        """Mark that an upheld complaint about the terms requires amending the call and extending its deadline."""
        self.amendment_required = True
        self.save(update_fields=["amendment_required"])

    require_amendment.alters_data = True

    @transaction.atomic
    def draft_copy(self, *, number: str, by, opens_at: dt.datetime, deadline: dt.datetime) -> Call:
        """Create a new draft with this call's terms (budget lines, criteria, targets) and new dates."""
        kept = {
            f.attname: getattr(self, f.attname)
            for f in self._meta.concrete_fields
            if f.name not in DRAFT_COPY_RESETS and not f.primary_key
        }
        new = Call.objects.create(
            **kept,
            number=number,
            reannounced_from=self,
            created_by=by,
            opens_at=opens_at,
            deadline=deadline,
        )
        for line in self.budget_lines.all():
            line.pk, line.call = None, new
            line.save()
        for criterion in self.criteria.all():
            criterion.pk, criterion.call = None, new
            criterion.save()
        for target in self.targets.all():
            target.pk, target.call = None, new
            target.save()
        return new

    draft_copy.alters_data = True


# What a copy of a call does not take over: its identity, its history and its dates (the draft starts afresh).
DRAFT_COPY_RESETS = frozenset(
    {
        "number",
        "status",
        "published_at",
        "opened_at",
        "scoring_closed_at",
        "decided_at",
        "standstill_until",
        "cancelled_at",
        "status_reason",
        "amendment_required",
        "draft_reminder_sent_at",
        "unopened_reminder_sent_at",
        "reannounced_from",
        "portal_announcement_number",
        "portal_lot_number",
        "imported_bid_count",
        "created_by",
        "created_at",
        "opens_at",
        "deadline",
    }
)


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


class Criterion(TranslatedNameMixin, models.Model):
    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="criteria")
    name_ru = models.CharField(_("criterion (Russian)"), max_length=200, validators=[validate_single_line])
    name_kk = models.CharField(_("criterion (Kazakh)"), max_length=200, blank=True, validators=[validate_single_line])
    name_en = models.CharField(_("criterion (English)"), max_length=200, blank=True, validators=[validate_single_line])
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


class CallDocumentQuerySet(models.QuerySet):
    def visible_to(self, user) -> CallDocumentQuerySet:
        """Return the documents of the calls the user may open."""
        return self.filter(call__in=Call.objects.visible_to(user))


class CallDocument(StoredDocument):
    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=RandomName("calls"), validators=[validate_document]
    )

    objects = CallDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("call document")
        verbose_name_plural = _("call documents")


class BidQuerySet(models.QuerySet):
    def visible_to(self, user, now: dt.datetime | None = None) -> BidQuerySet:
        """Return bids a user may see: the bidding NGO's members always; others only once a bid is `unsealed`."""
        role = role_of(user)
        if role is None:
            return self.none()
        if role == Role.NGO:
            return self.filter(provider__memberships__user=user)
        opened = self.unsealed(now)
        if user.sees_all:
            return opened
        if role == Role.OFFICER:
            return opened.filter(Q(call__agency_id=user.agency_id) | Q(call__commission__user=user)).distinct()
        if role == Role.EXPERT:
            return opened.filter(call__commission__user=user).distinct()
        return self.none()

    def unsealed(self, now: dt.datetime | None = None) -> BidQuerySet:
        """Return bids that are no longer sealed: submitted to a call whose deadline has passed and that was not
        cancelled before it (such a call's bids were never opened and stay sealed for ever; drafts and withdrawn
        bids never unseal)."""
        now = now or timezone.now()
        return (
            self.filter(call__deadline__lte=now)
            .exclude(status__in=[Bid.Status.DRAFT, Bid.Status.WITHDRAWN])
            .exclude(call__status=Call.Status.CANCELLED, call__cancelled_at__lt=F("call__deadline"))
        )

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

    # -- changes of state (see Call): the services check the deadline and lock the call row around them ----------

    def submit(self, *, by, now: dt.datetime) -> None:
        """Submit (or resubmit) the bid."""
        set_status(self, self.Status.SUBMITTED, by=by, action=Action.SUBMITTED, extra={"submitted_at": now})

    submit.alters_data = True

    def withdraw(self, *, by) -> None:
        """Withdraw the submitted bid (it can be edited and submitted again before the deadline)."""
        set_status(self, self.Status.WITHDRAWN, by=by, action=Action.WITHDRAWN)

    withdraw.alters_data = True

    def reopen(self, *, by) -> None:
        """Turn a withdrawn bid back into a draft, when its NGO edits it again."""
        set_status(self, self.Status.DRAFT, by=by, action=Action.BID_REOPENED)

    reopen.alters_data = True

    def admit(self, *, by, now: dt.datetime) -> None:
        """Admit the opened bid to scoring."""
        set_status(
            self,
            self.Status.ADMITTED,
            by=by,
            action=Action.ADMITTED,
            extra={"decision_reason": "", "decided_at": now},
        )

    admit.alters_data = True

    def reject(self, *, by, reason: str, now: dt.datetime) -> None:
        """Reject the opened bid with a reason."""
        set_status(
            self,
            self.Status.REJECTED,
            by=by,
            action=Action.REJECTED,
            note=reason,
            extra={"decision_reason": reason, "decided_at": now},
        )

    reject.alters_data = True

    def win(self, *, by, next_ranked: bool = False) -> None:
        """Make the bid the winner (the next-ranked one after the winner declined)."""
        action = Action.WINNER_NEXT_RANKED if next_ranked else Action.WINNER
        set_status(self, self.Status.WINNER, by=by, action=action)

    win.alters_data = True

    def lose(self, *, by) -> None:
        """Mark the admitted bid not selected."""
        set_status(self, self.Status.NOT_SELECTED, by=by, action=Action.NOT_SELECTED)

    lose.alters_data = True

    def decline(self, *, by) -> None:
        """Record that the winner declines the contract."""
        set_status(self, self.Status.DECLINED, by=by, action=Action.DECLINED)

    decline.alters_data = True

    def readmit(self, *, by) -> None:
        """Put a decided bid back to admitted when an upheld complaint reopens the evaluation."""
        set_status(self, self.Status.ADMITTED, by=by, action=Action.BACK_TO_EVALUATION)

    readmit.alters_data = True


class BidCostItem(models.Model):
    bid = models.ForeignKey(Bid, verbose_name=_("bid"), on_delete=models.CASCADE, related_name="cost_items")
    year = models.PositiveSmallIntegerField(_("year"))
    item = models.CharField(_("item"), max_length=200, validators=[validate_single_line])
    amount = models.DecimalField(_("amount, ₸"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["year", "id"]
        verbose_name = _("cost estimate item")
        verbose_name_plural = _("cost estimate")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="cost_item_non_negative")]

    def __str__(self) -> str:
        return f"{self.year}: {self.item}"


class BidDocumentQuerySet(models.QuerySet):
    def visible_to(self, user) -> BidDocumentQuerySet:
        """Return the documents of the bids the user may see (sealed with their bid)."""
        return self.filter(bid__in=Bid.objects.visible_to(user))


class BidDocument(StoredDocument):
    bid = models.ForeignKey(Bid, verbose_name=_("bid"), on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=RandomName("bids"), validators=[validate_document]
    )

    objects = BidDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("bid document")
        verbose_name_plural = _("bid documents")


class CommissionMemberQuerySet(models.QuerySet):
    def visible_to(self, user) -> CommissionMemberQuerySet:
        """Return the commission seats of the calls the user may open (the call page names its commission)."""
        return self.filter(call__in=Call.objects.visible_to(user))


class CommissionMember(models.Model):
    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="commission")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.PROTECT, related_name="commissions"
    )
    is_chair = models.BooleanField(_("chair"), default=False)
    is_substitute = models.BooleanField(
        _("substitute"), default=False, help_text=_("Appointed during scoring to bring bids to quorum.")
    )

    objects = CommissionMemberQuerySet.as_manager()

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


class QuestionQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuestionQuerySet:
        """Return the questions of the calls the user may open: answered ones (public), the user's own, and all of
        an officer's own agency, which answers them."""
        questions = self.filter(call__in=Call.objects.visible_to(user))
        if role_of(user) is None:
            return questions.filter(answered_at__isnull=False)
        shown = Q(answered_at__isnull=False) | Q(asked_by=user)
        if user.is_officer:
            shown |= Q(call__agency_id=user.agency_id)
        return questions.filter(shown)


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

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["asked_at", "id"]
        verbose_name = _("clarification question")
        verbose_name_plural = _("clarification questions")

    def __str__(self) -> str:
        return self.text[:80]


class ComplaintQuerySet(models.QuerySet):
    def visible_to(self, user) -> ComplaintQuerySet:
        """Return complaints a user may see: about an officer's own agency's calls, an NGO's own, all for committee
        staff and administrators."""
        role = role_of(user)
        if role is None:
            return self.none()
        if user.sees_all:
            return self.all()
        if role == Role.OFFICER:
            return self.filter(call__agency_id=user.agency_id)
        if role == Role.NGO:
            return self.filter(provider__memberships__user=user)
        return self.none()

    def decided(self) -> ComplaintQuerySet:
        """Return complaints with a decision (upheld or rejected): public on the call's page, without who filed
        them or what they wrote."""
        return self.exclude(status=Complaint.Status.SUBMITTED).filter(decided_at__isnull=False)


class Complaint(models.Model):
    class Kind(models.TextChoices):
        TERMS = "terms", _("about the terms of the call")
        RESULT = "result", _("about the result")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        UPHELD = "upheld", _("upheld")
        REJECTED = "rejected", _("rejected")

    TRANSITIONS = {
        Status.SUBMITTED: {Status.UPHELD, Status.REJECTED},
        Status.UPHELD: set(),
        Status.REJECTED: set(),
    }

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

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return f"{self.call.number}: {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("tenders:complaint-detail", args=[self.pk])

    def _decide(self, to: str, *, by, decision: str, now: dt.datetime, action: Action) -> None:
        set_status(
            self,
            to,
            by=by,
            action=action,
            note=decision,
            extra={"decision": decision, "decided_by": by, "decided_at": now},
            message=gettext("This complaint is already decided."),
        )

    def uphold(self, *, by, decision: str, now: dt.datetime) -> None:
        """Uphold the complaint with the decision's text."""
        self._decide(self.Status.UPHELD, by=by, decision=decision, now=now, action=Action.COMPLAINT_UPHELD)

    uphold.alters_data = True

    def reject(self, *, by, decision: str, now: dt.datetime) -> None:
        """Reject the complaint with the decision's text."""
        self._decide(self.Status.REJECTED, by=by, decision=decision, now=now, action=Action.COMPLAINT_REJECTED)

    reject.alters_data = True


def sealed_audit_events(queryset, now):
    """Remove audit events about bids (and their documents) that are still sealed: before the deadline, drafts and
    withdrawn bids at any time, and every bid of a call cancelled before its deadline."""
    from django.contrib.contenttypes.models import ContentType

    sealed_ids = (
        Bid.objects.exclude(pk__in=Bid.objects.unsealed(now).values("pk"))
        .annotate(id_text=Cast("pk", models.CharField()))
        .values("id_text")
    )
    bid_type = ContentType.objects.get_for_model(Bid)
    return queryset.exclude(content_type=bid_type, object_id__in=sealed_ids)

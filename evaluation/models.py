"""Outcome-based evaluation of contract years by an expert council, the figures the system-level evaluation needs
that no other app owns (regions' child population), and the published OCDS releases of open data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.audit import Action
from core.models import PublicQuerySet, Region, Role, role_of
from core.transitions import set_status

# The official criteria of the expert council's conclusion (their names as the form records them in Kazakh and
# Russian: өзектілігі / актуальность, жоспардың орындалуы / выполнение плана, нәтижесі / результат, жалғастыру
# ықтималдығы / вероятность продолжения, ұзақ мерзімді оң әлеуметтік әсердің ықтималдығы / вероятность
# долгосрочного положительного социального эффекта).
CRITERIA = [
    ("relevance", _("relevance")),
    ("plan", _("fulfilment of the plan")),
    ("results", pgettext_lazy("council criterion", "result")),
    ("sustainability", _("likelihood the work continues")),
    ("long_term", _("likelihood of a long-term positive social effect")),
]
CRITERION_CODES = [code for code, _label in CRITERIA]
MIN_EVALUATORS = 3


class ResultEvaluationQuerySet(models.QuerySet):
    def visible_to(self, user) -> ResultEvaluationQuerySet:
        """Return evaluations a user may open: the agency's (officer), assigned ones (expert or officer), the NGO's
        own once concluded, all for committee staff and admins."""
        role = role_of(user)
        if role is None:
            return self.none()
        if user.sees_all:
            return self.all()
        if role == Role.OFFICER:
            return self.filter(Q(contract__agency_id=user.agency_id) | Q(evaluators__user=user)).distinct()
        if role == Role.EXPERT:
            return self.filter(evaluators__user=user).distinct()
        if role == Role.NGO:
            return self.filter(contract__provider__memberships__user=user, status=ResultEvaluation.Status.SUBMITTED)
        return self.none()


class ResultEvaluation(models.Model):
    """The expert council's evaluation of results (оценка результатов) of one contract year: preliminary (after the
    year's annual report) or final (after the contract's last year, over the whole project)."""

    class Stage(models.TextChoices):
        PRELIMINARY = "preliminary", _("preliminary")
        FINAL = "final", _("final")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("evaluation status", "open")
        SUBMITTED = "submitted", _("concluded")

    TRANSITIONS = {Status.OPEN: {Status.SUBMITTED}, Status.SUBMITTED: {Status.OPEN}}

    contract = models.ForeignKey(
        "contracts.Contract", verbose_name=_("contract"), on_delete=models.PROTECT, related_name="evaluations"
    )
    year = models.PositiveSmallIntegerField(_("contract year"))
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.PRELIMINARY)
    threshold = models.DecimalField(
        _("threshold"),
        max_digits=4,
        decimal_places=2,
        help_text=_("Copied from the agency when the evaluation opens."),
    )
    min_evaluators = models.PositiveSmallIntegerField(_("minimum evaluators"), default=MIN_EVALUATORS)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True)
    total = models.DecimalField(_("total (of 25)"), max_digits=7, decimal_places=4, null=True, blank=True)
    positive = models.BooleanField(_("positive conclusion"), null=True, blank=True)

    objects = ResultEvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("result evaluation")
        verbose_name_plural = _("result evaluations")
        constraints = [
            models.UniqueConstraint(fields=["contract", "year", "stage"], name="evaluation_contract_year_stage_unique")
        ]

    def __str__(self) -> str:
        return f"{self.contract.number}: {self.year} ({self.get_stage_display()})"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:evaluation-detail", args=[self.pk])

    @property
    def is_final(self) -> bool:
        return self.stage == self.Stage.FINAL

    # -- changes of state: each checks TRANSITIONS, sets the status with its time, saves those fields, audits ------

    def conclude(self, *, by, total: Decimal, positive: bool, now: dt.datetime) -> None:
        """Conclude with the council's total (of 25) and conclusion."""
        set_status(
            self,
            self.Status.SUBMITTED,
            by=by,
            action=Action.EVALUATION_CONCLUDED,
            note=f"{total:.2f} / 25",
            extra={"concluded_at": now, "total": total, "positive": positive},
        )

    conclude.alters_data = True

    def reopen(self, *, by, reason: str) -> None:
        """Reopen the concluded evaluation; its result is cleared until it is concluded again."""
        set_status(
            self,
            self.Status.OPEN,
            by=by,
            action=Action.EVALUATION_REOPENED,
            note=reason,
            extra={"concluded_at": None, "total": None, "positive": None},
        )

    reopen.alters_data = True


class Evaluator(models.Model):
    evaluation = models.ForeignKey(
        ResultEvaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="evaluators"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("evaluator"), on_delete=models.PROTECT, related_name="evaluations"
    )
    declared_at = models.DateTimeField(_("declared"), null=True, blank=True)
    has_conflict = models.BooleanField(_("conflict of interest"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("evaluator")
        verbose_name_plural = _("evaluators")
        constraints = [models.UniqueConstraint(fields=["evaluation", "user"], name="evaluator_unique")]

    def __str__(self) -> str:
        return str(self.user)


class EvaluatorScore(models.Model):
    evaluator = models.ForeignKey(
        Evaluator, verbose_name=_("evaluator"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.CharField(_("criterion"), max_length=20, choices=CRITERIA)
    value = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(0), MaxValueValidator(5)])

    class Meta:
        verbose_name = _("evaluation score")
        verbose_name_plural = _("evaluation scores")
        constraints = [
            models.UniqueConstraint(fields=["evaluator", "criterion"], name="evaluator_score_unique"),
            models.CheckConstraint(condition=Q(value__gte=0, value__lte=5), name="evaluator_score_0_5"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


class CriterionConclusion(models.Model):
    """The council's conclusion on one criterion (positive or negative, with a comment), as the official form records
    it beside the scores."""

    evaluation = models.ForeignKey(
        ResultEvaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="conclusions"
    )
    criterion = models.CharField(_("criterion"), max_length=20, choices=CRITERIA)
    positive = models.BooleanField(_("positive"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("conclusion on a criterion")
        verbose_name_plural = _("conclusions on criteria")
        constraints = [models.UniqueConstraint(fields=["evaluation", "criterion"], name="criterion_conclusion_unique")]

    def __str__(self) -> str:
        return f"{self.criterion}: {'+' if self.positive else '−'}"


class RegionPopulation(models.Model):
    """Children living in a region in a year (admin-editable; demo values are round illustrative figures)."""

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField(_("year"))
    children = models.PositiveIntegerField(_("children (0–17)"))
    is_illustrative = models.BooleanField(
        _("illustrative figure"), default=False, help_text=_("A round demo value, not an official statistic.")
    )

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["region__kato", "year"]
        verbose_name = _("child population")
        verbose_name_plural = _("child population")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="population_region_year_unique"),
            models.CheckConstraint(condition=Q(children__gt=0), name="population_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.region}: {self.year}"


class ReleaseQuerySet(PublicQuerySet):
    """Open data: a release holds only public facts, so everybody may read every release."""

    def of_process(self, ocid: str) -> ReleaseQuerySet:
        """Return the releases of one contracting process, oldest first."""
        return self.filter(ocid=ocid).order_by("date", "pk")

    def dated_between(self, first=None, last=None) -> ReleaseQuerySet:
        """Return releases dated from `first` (inclusive) to `last` (exclusive), oldest first."""
        releases = self
        if first is not None:
            releases = releases.filter(date__gte=first)
        if last is not None:
            releases = releases.filter(date__lt=last)
        return releases.order_by("date", "pk")

    def in_publication_order(self) -> ReleaseQuerySet:
        """Return releases in the order they were published (the change feed's order)."""
        return self.order_by("published_at", "pk")


class Release(models.Model):
    """One OCDS release: what the public may know about one event of a contracting process (one call), as JSON
    exactly as published. Immutable: never changed or deleted through the application (evaluation.analytics.ocds
    writes them)."""

    ocid = models.CharField(_("OCID"), max_length=120, help_text=_("The contracting process: prefix + call number."))
    release_id = models.CharField(_("release id"), max_length=160, unique=True)
    date = models.DateTimeField(_("release date"), help_text=_("When the event happened."))
    tags = models.JSONField(_("tags"), default=list)
    call = models.ForeignKey(
        "tenders.Call", verbose_name=_("call"), on_delete=models.PROTECT, related_name="ocds_releases"
    )
    event = models.OneToOneField(
        "core.AuditEvent",
        verbose_name=_("caused by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ocds_release",
    )
    cause = models.CharField(_("cause"), max_length=60, help_text=_("The audited action that caused the release."))
    text = models.TextField(_("release (JSON)"))
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("OCDS release")
        verbose_name_plural = _("OCDS releases")
        indexes = [
            models.Index(fields=["ocid", "date"], name="release_ocid_date_idx"),
            models.Index(fields=["date", "id"], name="release_date_idx"),
            models.Index(fields=["published_at", "id"], name="release_published_idx"),
        ]

    def __str__(self) -> str:
        return self.release_id

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError(_("Published releases cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Published releases cannot be deleted."))


class SnapshotQuerySet(PublicQuerySet):
    """Snapshots hold the analytics' aggregates, which are public facts (the committee-only pages read them through
    `can_see_analytics`, not through this scope)."""

    def current(self) -> Snapshot | None:
        """Return the newest snapshot, or None before the first one is made."""
        return self.order_by("-made_at", "-pk").first()


class Snapshot(models.Model):
    """The system-level analytics computed once, stored and numbered (its pk), so that pages and workbooks cite it
    and can be opened again with the same numbers years later. Immutable once made."""

    class Trigger(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        MANUAL = "manual", _("refreshed by hand")
        CHANGE = "change", _("after changes")

    made_at = models.DateTimeField(_("made"), default=timezone.now)
    as_of = models.DateField(_("as of"))
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    window_first = models.PositiveSmallIntegerField(_("stability window from"))
    window_last = models.PositiveSmallIntegerField(_("stability window to"))
    trigger = models.CharField(_("made"), max_length=12, choices=Trigger.choices, default=Trigger.SCHEDULED)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-made_at", "-id"]
        verbose_name = _("analytics snapshot")
        verbose_name_plural = _("analytics snapshots")

    def __str__(self) -> str:
        return f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:snapshot", args=[self.pk])


class SnapshotCell(models.Model):
    """One region × service type × year of the coverage matrix as the snapshot computed it (the derived figures —
    bids per call, per 1,000 children — are recomputed from these by the same functions)."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="cells")
    year = models.PositiveSmallIntegerField()
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    service_type = models.ForeignKey("core.ServiceType", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12)
    since = models.DateField(null=True)
    money_planned = models.DecimalField(max_digits=16, decimal_places=2)
    money_paid = models.DecimalField(max_digits=16, decimal_places=2)
    contract_ids = models.JSONField(default=list)
    provider_ids = models.JSONField(default=list)
    children_served = models.PositiveIntegerField(null=True)
    calls = models.JSONField(default=list)
    failed_calls = models.JSONField(default=list)
    calls_past_deadline = models.PositiveIntegerField(default=0)
    submitted_bids = models.PositiveIntegerField(default=0)
    population = models.PositiveIntegerField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "year", "region", "service_type"], name="snapshot_cell_unique")
        ]

    def __str__(self) -> str:
        return f"#{self.snapshot_id} {self.year} {self.region_id}×{self.service_type_id}: {self.status}"


class SnapshotStability(models.Model):
    """One region × service type of the stability table over the snapshot's default window."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="stability")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    service_type = models.ForeignKey("core.ServiceType", on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(max_length=12)
    total = models.DecimalField(max_digits=16, decimal_places=2)
    money = models.JSONField(default=dict)  # year → amount as text
    cv = models.DecimalField(max_digits=12, decimal_places=4, null=True)
    gap_days = models.IntegerField(null=True)
    single_bid_share = models.DecimalField(max_digits=8, decimal_places=4, null=True)
    failed_call_share = models.DecimalField(max_digits=8, decimal_places=4, null=True)
    churn = models.DecimalField(max_digits=8, decimal_places=4, null=True)
    contract_ids = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "region", "service_type"], name="snapshot_stability_unique")
        ]

    def __str__(self) -> str:
        return f"#{self.snapshot_id} {self.region_id}×{self.service_type_id}: {self.verdict}"


class SnapshotFlag(models.Model):
    """One red flag as the snapshot found it; `detail` holds its explanation in each language."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=30)
    call_id = models.IntegerField(null=True)
    contract_id = models.IntegerField(null=True)
    provider_id = models.IntegerField(null=True)
    number = models.CharField(max_length=60, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    service_type = models.ForeignKey("core.ServiceType", null=True, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("core.Agency", null=True, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(null=True)
    detail = models.JSONField(default=dict)  # language code → text

    class Meta:
        indexes = [models.Index(fields=["snapshot", "kind"], name="snapshot_flag_kind_idx")]

    def __str__(self) -> str:
        return f"#{self.snapshot_id} {self.kind} {self.number}"

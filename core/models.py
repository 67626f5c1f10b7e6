"""The shared vocabulary: users and roles, state bodies, regions, service types, indicators and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.documents import private_storage
from core.search import Searchable
from core.util import translated
from core.validators import validate_bin, validate_single_line


class TranslatedNameMixin:
    """Give a model with name_ru, name_kk (and name_en) a `name` in the active language (see `util.translated`)."""

    @property
    def name(self) -> str:
        return translated(self, "name")

    def __str__(self) -> str:
        return self.name


class PublicQuerySet(models.QuerySet):
    """Reference data everybody reads (regions, service types, indicators, agencies)."""

    def visible_to(self, user) -> PublicQuerySet:
        """Return every row: reference data is a public fact."""
        return self.all()


class Region(TranslatedNameMixin, models.Model):
    class Level(models.IntegerChoices):
        FIRST = 1, _("Region or city of republican significance")
        DISTRICT = 2, _("District")

    kato = models.CharField(_("KATO code"), max_length=9, unique=True, help_text=_("The 9-digit KATO code."))
    code = models.CharField(_("code"), max_length=2, blank=True, help_text=_("2-digit code of a first-level unit."))
    iso = models.CharField(_("ISO 3166-2 code"), max_length=6, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, validators=[validate_single_line])
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200, validators=[validate_single_line])
    name_en = models.CharField(_("name (English)"), max_length=200, validators=[validate_single_line])
    centre_ru = models.CharField(_("centre (Russian)"), max_length=100, blank=True, validators=[validate_single_line])
    centre_kk = models.CharField(_("centre (Kazakh)"), max_length=100, blank=True, validators=[validate_single_line])
    centre_en = models.CharField(_("centre (English)"), max_length=100, blank=True, validators=[validate_single_line])
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=Level.FIRST)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField(
        _("exists since"), null=True, blank=True, help_text=_("Set where the unit was created or re-formed recently.")
    )
    split_from = models.ForeignKey(
        "self", verbose_name=_("split from"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tile_row = models.PositiveSmallIntegerField(_("tile-grid row"), default=0)
    tile_col = models.PositiveSmallIntegerField(_("tile-grid column"), default=0)
    data_from_year = models.PositiveSmallIntegerField(
        _("data complete from year"),
        null=True,
        blank=True,
        help_text=_("The first year from which this region's contracts are fully in the system."),
    )

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["kato"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def exists_in(self, year: int) -> bool:
        """Return whether the region existed on the last day of the year."""
        return self.valid_from is None or self.valid_from.year <= year


class ServiceType(TranslatedNameMixin, models.Model):
    class Setting(models.TextChoices):
        STATIONARY = "stationary", _("stationary")
        DAY_CARE = "day-care", _("day care")
        HOME_BASED = "home-based", _("home-based")
        TEMPORARY_STAY = "temporary-stay", _("temporary stay")
        COMMUNITY = "community", _("in the community")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, validators=[validate_single_line])
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200, validators=[validate_single_line])
    name_en = models.CharField(_("name (English)"), max_length=200, validators=[validate_single_line])
    setting = models.CharField(_("setting"), max_length=20, choices=Setting.choices)

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("service type")
        verbose_name_plural = _("service types")


class IndicatorQuerySet(PublicQuerySet):
    def for_service(self, service_type: ServiceType) -> IndicatorQuerySet:
        """Return indicators of this service type and those for all services."""
        return self.filter(Q(service_type=service_type) | Q(service_type__isnull=True))

    def deletable_by(self, user) -> IndicatorQuerySet:
        """Return the indicators the user may delete (when nothing uses them): an admin any; an officer those their
        own agency added. The reference catalogue (no agency) is the admins' alone."""
        if not user.is_authenticated:
            return self.none()
        if user.is_admin:
            return self
        if user.is_officer and user.agency_id:
            return self.filter(created_by_agency_id=user.agency_id)
        return self.none()


class Indicator(TranslatedNameMixin, models.Model):
    class Kind(models.TextChoices):
        OUTPUT = "output", _("output")
        OUTCOME = "outcome", _("outcome")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("higher is better")
        LOWER = "lower", _("lower is better")

    class Unit(models.TextChoices):
        PERCENT = "percent", _("percent (0–100)")
        CHILDREN = "children", _("children")
        FAMILIES = "families", _("families")
        CASES = "cases", _("cases")
        PEOPLE = "people", _("people")
        DAYS = "days", _("days")
        VISITS = "visits", _("visits")
        SESSIONS = "sessions", _("sessions")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    service_type = models.ForeignKey(
        ServiceType,
        verbose_name=_("service type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
        help_text=_("Leave empty for an indicator of every service."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    name_ru = models.CharField(_("name (Russian)"), max_length=300, validators=[validate_single_line])
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300, validators=[validate_single_line])
    name_en = models.CharField(_("name (English)"), max_length=300, validators=[validate_single_line])
    created_by_agency = models.ForeignKey(
        "core.Agency",
        verbose_name=_("added by agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for the reference catalogue."),
    )

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["service_type_id", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")


class Agency(TranslatedNameMixin, Searchable):
    class Level(models.TextChoices):
        NATIONAL = "national", _("national")
        REGIONAL = "regional", _("regional")
        DISTRICT = "district", _("district")

    name_ru = models.CharField(_("name (Russian)"), max_length=300, validators=[validate_single_line])
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300, validators=[validate_single_line])
    short_name_ru = models.CharField(
        _("short name (Russian)"),
        max_length=80,
        blank=True,
        validators=[validate_single_line],
        help_text=_("Shown in choice lists beside the region, where full names of agencies look alike."),
    )
    short_name_kk = models.CharField(
        _("short name (Kazakh)"), max_length=80, blank=True, validators=[validate_single_line]
    )
    bin = models.CharField(_("BIN"), max_length=12, unique=True, validators=[validate_bin])
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies",
        help_text=_("Empty for a national body."),
    )
    evaluation_threshold = models.DecimalField(
        _("evaluation threshold"),
        max_digits=4,
        decimal_places=2,
        default=15,
        validators=[MinValueValidator(0), MaxValueValidator(25)],
        help_text=_("A result evaluation below this total (of 25) is negative."),
    )

    objects = PublicQuerySet.as_manager()

    SEARCH_FIELDS = ("name_ru", "name_kk", "short_name_ru", "short_name_kk", "bin")

    class Meta:
        ordering = ["name_ru"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.CheckConstraint(
                condition=Q(level="national") | Q(region__isnull=False), name="agency_regional_has_region"
            ),
        ]

    @property
    def short_name(self) -> str:
        """Return the short name in the active language, or the full name where there is none."""
        return translated(self, "short_name") or self.name

    @property
    def choice_label(self) -> str:
        """Return how a choice list names the agency: its short name and region, so that nine regional
        departments with the same long name can be told apart."""
        return f"{self.short_name} · {self.region}" if self.region_id else self.short_name


class Role(models.TextChoices):
    OFFICER = "officer", _("procurement officer")
    EXPERT = "expert", _("expert")
    NGO = "ngo", _("NGO member")
    COMMITTEE = "committee", _("committee staff")
    ADMIN = "admin", _("administrator")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.NGO)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officers",
        help_text=_("Required for officers; NGO members have none."),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=settings.LANGUAGES, default="ru"
    )
    # Django's own name fields, with the check every name gets (a name ends up in email headers and exports).
    first_name = models.CharField(_("first name"), max_length=150, blank=True, validators=[validate_single_line])
    last_name = models.CharField(_("last name"), max_length=150, blank=True, validators=[validate_single_line])
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True, validators=[validate_single_line])

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(condition=~Q(role="officer", agency__isnull=True), name="user_officer_has_agency"),
            models.CheckConstraint(condition=~Q(role="ngo", agency__isnull=False), name="user_ngo_has_no_agency"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        if self.role == Role.OFFICER and not self.agency_id:
            raise ValidationError({"agency": _("An officer must belong to an agency.")})
        if self.role == Role.NGO and self.agency_id:
            raise ValidationError({"agency": _("An NGO member cannot belong to an agency.")})

    # -- the one role dispatch: every scope rule (`visible_to`) and predicate (`permissions.py`) asks these ------

    @property
    def effective_role(self) -> str:
        """Return the role that decides what the user sees and may do: a superuser is an administrator, whatever
        their role field says."""
        return Role.ADMIN if self.is_superuser else self.role

    @property
    def is_officer(self) -> bool:
        return self.effective_role == Role.OFFICER

    @property
    def is_expert(self) -> bool:
        return self.effective_role == Role.EXPERT

    @property
    def is_ngo(self) -> bool:
        return self.effective_role == Role.NGO

    @property
    def is_committee(self) -> bool:
        return self.effective_role == Role.COMMITTEE

    @property
    def is_admin(self) -> bool:
        return self.effective_role == Role.ADMIN

    @property
    def sees_all(self) -> bool:
        """Return whether the user reads every row (committee staff and administrators), except sealed bids and
        the personal data of NGO staff."""
        return self.effective_role in (Role.COMMITTEE, Role.ADMIN)

    def is_officer_of(self, agency: Agency | int | None) -> bool:
        """Return whether the user is an officer of this agency (an Agency or its id)."""
        agency_id = agency.pk if isinstance(agency, Agency) else agency
        return self.is_officer and agency_id is not None and self.agency_id == agency_id

    @property
    def officer_region(self) -> Region | None:
        """Return the region of an officer's regional or district agency (highlighted beside national figures)."""
        if self.is_officer and self.agency_id and self.agency.region_id:
            return self.agency.region
        return None

    def member_of(self, provider) -> bool:
        """Return whether the user is a member of this NGO (a Provider or its id)."""
        provider_id = getattr(provider, "pk", provider)
        return self.is_ngo and provider_id is not None and self.memberships.filter(provider_id=provider_id).exists()


def role_of(user) -> str | None:
    """Return the role that decides what `user` sees (see `User.effective_role`), or None when signed out: the
    dispatch of every `visible_to`, which must also answer anonymous visitors."""
    if user is None or not user.is_authenticated:
        return None
    return user.effective_role


class AuditEventQuerySet(models.QuerySet):
    def for_object(self, obj: models.Model) -> AuditEventQuerySet:
        """Return the events of one object, newest first."""
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False), object_id=str(obj.pk)
        ).select_related("actor")

    def for_objects(self, content_type: ContentType, ids) -> AuditEventQuerySet:
        """Return the events of several objects of one type."""
        return self.filter(content_type=content_type, object_id__in=[str(i) for i in ids]).select_related("actor")


class AuditEvent(models.Model):
    """One state change or edit. Append-only: the application never edits or deletes these rows."""

    class Action(models.TextChoices):
        """The verbs of the audit log. The stored values are the English words the log has always held, so rows
        written before this list existed read the same; the labels translate them (with a context where the same
        English word also names a date field)."""

        # providers
        REGISTERED = "registered", pgettext_lazy("audit action", "registered")
        EDITED = "edited", _("edited")
        CREATED = "created", pgettext_lazy("audit action", "created")
        DELETED = "deleted", _("deleted")
        VERIFIED = "verified", _("verified")
        SUSPENDED = "suspended", _("suspended")
        REACTIVATED = "reactivated", _("reactivated")
        ACCESS_REQUESTED = "access requested", _("access requested")
        MEMBER_INVITED = "member invited", _("member invited")
        MEMBER_JOINED = "member joined", _("member joined")
        SERVICE_AREA_ADDED = "service area added", _("service area added")
        SERVICE_AREA_EDITED = "service area edited", _("service area edited")
        SERVICE_AREA_REMOVED = "servicearea removed", _("service area removed")
        STAFF_MEMBER_ADDED = "staff member added", _("staff member added")
        STAFF_MEMBER_EDITED = "staff member edited", _("staff member edited")
        STAFF_MEMBER_REMOVED = "staffmember removed", _("staff member removed")
        DOCUMENT_ADDED = "document added", _("document added")
        # calls
        PUBLISHED = "published", _("published")
        TERMS_AMENDED = "terms amended", _("terms amended")
        DEADLINE_EXTENDED = "deadline extended", _("deadline extended")
        CANCELLED = "cancelled", _("cancelled")
        REANNOUNCED = "re-announced", _("re-announced")
        CREATED_AS_REANNOUNCEMENT = "created as re-announcement", _("created as re-announcement")
        BIDS_OPENED = "bids opened", pgettext_lazy("audit action", "bids opened")
        COMMISSION_MEMBER_APPOINTED = "commission member appointed", _("commission member appointed")
        COMMISSION_MEMBER_REMOVED = "commission member removed", _("commission member removed")
        SUBSTITUTE_APPOINTED = "substitute member appointed", _("substitute member appointed")
        CONFLICT_DECLARED = "conflict declared", _("conflict declared")
        NO_CONFLICT_DECLARED = "no conflict declared", _("no conflict declared")
        SCORES_SAVED = "scores saved", _("scores saved")
        SCORES_SUBMITTED = "scores submitted", _("scores submitted")
        SCORING_CLOSED = "scoring closed", pgettext_lazy("audit action", "scoring closed")
        AWARDED = "awarded", _("awarded")
        AWARDED_TO_NEXT = "awarded to the next-ranked bid", _("awarded to the next-ranked bid")
        FAILED = "failed", _("failed")
        BACK_TO_EVALUATION = "back to evaluation", _("back to evaluation")
        QUESTION_ASKED = "question asked", _("question asked")
        QUESTION_ANSWERED = "question answered", _("question answered")
        COMPLAINT_FILED = "complaint filed", _("complaint filed")
        COMPLAINT_UPHELD = "complaint upheld", _("complaint upheld")
        COMPLAINT_REJECTED = "complaint rejected", _("complaint rejected")
        # bids
        BID_STARTED = "bid started", _("bid started")
        BID_EDITED = "bid edited", _("bid edited")
        BID_REOPENED = "bid reopened", _("bid reopened")
        SUBMITTED = "submitted", _("submitted")
        WITHDRAWN = "withdrawn", _("withdrawn")
        ADMITTED = "admitted", _("admitted")
        REJECTED = "rejected", _("rejected")
        WINNER = "winner", _("winner")
        WINNER_NEXT_RANKED = "winner (next ranked)", _("winner (next ranked)")
        NOT_SELECTED = "not selected", _("not selected")
        DECLINED = "declined", _("declined")
        # contracts
        CONTRACT_PREPARED = "contract prepared", _("contract prepared")
        PREPARED = "prepared", pgettext_lazy("audit action", "prepared")
        AGENCY_SIGNATURE = "agency signature", _("agency signature")
        NGO_SIGNATURE = "NGO signature", _("NGO signature")
        ACTIVATED = "activated", _("activated")
        PAYMENT_RECORDED = "payment recorded", _("payment recorded")
        AMENDED = "amended", _("amended")
        TERMINATED = "terminated", _("terminated")
        COMPLETED = "completed", _("completed")
        REPORT_STARTED = "report started", _("report started")
        REPORT_EDITED = "report edited", _("report edited")
        REPORT_SUBMITTED = "report submitted", _("report submitted")
        REPORT_ACCEPTED = "report accepted", _("report accepted")
        REPORT_RETURNED = "report returned", _("report returned")
        # evaluation
        EVALUATION_OPENED = "evaluation opened", _("evaluation opened")
        EVALUATOR_APPOINTED = "evaluator appointed", _("evaluator appointed")
        EVALUATION_SCORES_SUBMITTED = "evaluation scores submitted", _("evaluation scores submitted")
        EVALUATION_CONCLUDED = "evaluation concluded", _("evaluation concluded")
        EVALUATION_REOPENED = "evaluation reopened", _("evaluation reopened")
        # imports of past records
        IMPORTED = "imported", _("imported")
        UPDATED_BY_IMPORT = "updated by import", _("updated by import")
        IMPORT_COMMITTED = "import committed", _("import committed")

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(_("action"), max_length=60)
    content_type = models.ForeignKey(ContentType, verbose_name=_("object type"), on_delete=models.PROTECT)
    object_id = models.CharField(_("object id"), max_length=40)
    object_repr = models.CharField(_("object"), max_length=300)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError(_("Audit events cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Audit events cannot be deleted."))

    @property
    def action_label(self) -> str:
        """Return the verb in the reader's language."""
        try:
            return self.Action(self.action).label
        except ValueError:  # a verb no longer written: shown as stored
            return self.action


class LoginThrottle(models.Model):
    """Failed logins for one username from one IP address, so a rival cannot lock an NGO out from elsewhere."""

    username = models.CharField(_("username"), max_length=150)
    ip = models.GenericIPAddressField(_("IP address"))
    failures = models.PositiveIntegerField(_("failures"), default=0)
    last_failure_at = models.DateTimeField(_("last failure"), null=True, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("login throttle")
        verbose_name_plural = _("login throttles")
        constraints = [models.UniqueConstraint(fields=["username", "ip"], name="login_throttle_username_ip")]

    def __str__(self) -> str:
        return f"{self.username} @ {self.ip}"


class UnsentMail(models.Model):
    """A notification the mail system refused; `retry_unsent_mail` sends it again and deletes it once it went."""

    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    recipients = models.TextField(_("recipients"), help_text=_("One address per line."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("unsent mail")
        verbose_name_plural = _("unsent mail")

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user) -> NotificationQuerySet:
        """Return the user's own inbox: every role, administrators too, reads only the messages sent to them."""
        if role_of(user) is None:
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        """Return the messages not read yet."""
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message of the in-app inbox: every notification mailed to a user lands here too (`core.mail.notify`), in
    the user's language, so a user who ignores email still sees reminders."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(
        _("link"), max_length=500, blank=True, help_text=_("The page of the object, a path within the site.")
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_recipient_read")]

    def __str__(self) -> str:
        return self.subject

    def mark_read(self, *, now) -> None:
        """Mark the message read (once: the first reading is kept)."""
        if self.read_at is None:
            self.read_at = now
            self.save(update_fields=["read_at"])

    mark_read.alters_data = True


class CalendarOverride(models.Model):
    """A day whose working status differs from Kazakhstan's published calendar (the `holidays` package): a transfer
    announced by government decree, a day off the package does not know yet, or a correction. `core.calendar` asks
    these first."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    reason = models.CharField(_("reason"), max_length=300, validators=[validate_single_line])

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y}: {self.reason}"


# -- background jobs and imports of past records ------------------------------------------------------------------


class JobQuerySet(models.QuerySet):
    def visible_to(self, user) -> JobQuerySet:
        """Return the jobs a user may follow: their own (all for administrators)."""
        role = role_of(user)
        if role == Role.ADMIN:
            return self.all()
        if role is None:
            return self.none()
        return self.filter(owner=user)


class Job(models.Model):
    """The progress of one background task (django-tasks): what it is, whose, how far it got, and its result."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=40)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("rows done"), default=0)
    total = models.PositiveIntegerField(_("rows in all"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class ImportQuerySet(models.QuerySet):
    def visible_to(self, user) -> ImportQuerySet:
        """Return the imports a user may open: all for administrators, their agency's for officers, else none."""
        role = role_of(user)
        if role == Role.ADMIN:
            return self.all()
        if role == Role.OFFICER:
            return self.filter(agency_id=user.agency_id)
        return self.none()


def import_upload_to(instance, filename: str) -> str:
    import uuid
    from pathlib import PurePath

    extension = PurePath(filename).suffix.lower()
    return f"imports/{uuid.uuid4().hex}{extension if extension in ('.xlsx', '.csv') else ''}"


class Import(models.Model):
    """One uploaded file of past records: checked (a dry run) and, when it has no errors, committed."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("checking")
        HAS_ERRORS = "errors", _("has errors")
        READY = "ready", _("ready to commit")
        COMMITTING = "committing", _("committing")
        COMMITTED = "committed", _("committed")
        UNREADABLE = "unreadable", _("unreadable file")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("An officer imports the records of their agency; empty for an administrator's import."),
    )
    file = models.FileField(_("file"), upload_to=import_upload_to, storage=private_storage)
    file_name = models.CharField(_("file name"), max_length=255, validators=[validate_single_line])
    csv_kind = models.CharField(_("kind of records in a CSV file"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.CHECKING)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    problem_count = models.PositiveIntegerField(_("problems"), default=0)
    job = models.ForeignKey(Job, verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    committed_at = models.DateTimeField(_("committed"), null=True, blank=True)

    objects = ImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("core:import-detail", args=[self.pk])

    def total(self, outcome: str) -> int:
        return sum(per_kind.get(outcome, 0) for per_kind in self.counts.values())


class ImportedRecordQuerySet(models.QuerySet):
    def visible_to(self, user) -> ImportedRecordQuerySet:
        """Return every provenance row: where a record came from (file name, sheet, row) is shown on its page to
        whoever may open the record."""
        return self.all()

    def for_object(self, obj: models.Model) -> ImportedRecordQuerySet:
        """Return where an object came from (newest import first)."""
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False), object_id=str(obj.pk)
        ).select_related("batch")


class ImportedRecord(models.Model):
    """Provenance: a record created or changed by an import, with the file's sheet and row it came from."""

    batch = models.ForeignKey(Import, verbose_name=_("import"), on_delete=models.PROTECT, related_name="records")
    content_type = models.ForeignKey(ContentType, verbose_name=_("object type"), on_delete=models.PROTECT)
    object_id = models.CharField(_("object id"), max_length=40)
    sheet = models.CharField(_("sheet"), max_length=40)
    row = models.PositiveIntegerField(_("row"))
    created = models.BooleanField(_("created by the import"), default=True)

    objects = ImportedRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-batch_id", "id"]
        verbose_name = _("imported record")
        verbose_name_plural = _("imported records")
        indexes = [models.Index(fields=["content_type", "object_id"], name="imported_record_target_idx")]

    def __str__(self) -> str:
        return f"{self.batch}: {self.sheet} {self.row}"

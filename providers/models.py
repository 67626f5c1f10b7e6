"""NGOs (providers), their members, service areas and staff register."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import Action
from core.exceptions import InvalidTransition
from core.models import Region, Role, ServiceType, TranslatedNameMixin, role_of
from core.search import Searchable
from core.transitions import set_status
from core.util import add_months, today
from core.validators import validate_bin, validate_single_line


class ProviderQuerySet(models.QuerySet):
    def visible_to(self, user) -> ProviderQuerySet:
        """Return the providers a user may open: staff roles see the registry, NGO members their own."""
        role = role_of(user)
        if role is None:
            return self.none()
        if role == Role.NGO:
            return self.filter(memberships__user=user)
        return self.all()

    def listable_by(self, user) -> ProviderQuerySet:
        """Return the rows of the registry list and of every export or sheet that lists NGOs: `visible_to` for those
        who may read the registry (`permissions.can_view_registry`), none for everyone else."""
        from providers.permissions import can_view_registry

        return self.visible_to(user) if can_view_registry(user) else self.none()

    def verifiable_by(self, user) -> ProviderQuerySet:
        """Return the providers the user may verify, suspend or reactivate (`permissions.can_verify`): all for
        administrators, those of an officer's home region, none for everyone else."""
        role = role_of(user)
        if role == Role.ADMIN:
            return self.all()
        region_id = user.agency.region_id if role == Role.OFFICER and user.agency else None
        return self.filter(home_region_id=region_id) if region_id else self.none()

    def eligible_to_bid(self) -> ProviderQuerySet:
        """Return providers whose status allows bidding (verified and not suspended)."""
        return self.filter(status=Provider.Status.ACTIVE)

    def of_user(self, user) -> ProviderQuerySet:
        """Return the providers the user is a member of."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Provider(TranslatedNameMixin, Searchable):
    class Status(models.TextChoices):
        UNVERIFIED = "unverified", _("unverified")
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("suspended")

    class LegalForm(models.TextChoices):
        PUBLIC_ASSOCIATION = "public-association", _("public association")
        PUBLIC_FUND = "public-fund", _("public fund")
        PRIVATE_INSTITUTION = "private-institution", _("private institution")
        ASSOCIATION = "association", _("association of legal entities")
        RELIGIOUS = "religious", _("religious association")
        OTHER = "other", _("other non-commercial organisation")

    TRANSITIONS = {
        Status.UNVERIFIED: {Status.ACTIVE},
        Status.ACTIVE: {Status.SUSPENDED},
        Status.SUSPENDED: {Status.ACTIVE},
    }

    name_ru = models.CharField(_("name (Russian)"), max_length=300, validators=[validate_single_line])
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300, validators=[validate_single_line])
    bin = models.CharField(
        _("BIN"), max_length=12, unique=True, validators=[validate_bin], help_text=_("12-digit business ID number.")
    )
    legal_form = models.CharField(_("legal form"), max_length=30, choices=LegalForm.choices)
    registration_date = models.DateField(_("registration date"), help_text=_("Experience counts from this date."))
    home_region = models.ForeignKey(
        Region, verbose_name=_("home region"), on_delete=models.PROTECT, related_name="providers"
    )
    address = models.CharField(_("address"), max_length=400, validators=[validate_single_line])
    phone = models.CharField(_("phone"), max_length=40, validators=[validate_single_line])
    email = models.EmailField(_("email"))
    website = models.URLField(_("website"), blank=True)
    ngo_db_listed = models.BooleanField(
        _("listed in the NGO database"), default=False, help_text=_("The state database of NGOs.")
    )
    ngo_db_last_submission = models.DateField(_("last annual submission to the NGO database"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UNVERIFIED)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("registered in the system"), auto_now_add=True)

    objects = ProviderQuerySet.as_manager()

    SEARCH_FIELDS = ("name_ru", "name_kk", "bin")

    class Meta:
        ordering = ["name_ru", "id"]
        verbose_name = _("NGO")
        verbose_name_plural = _("NGOs")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["unverified", "active", "suspended"]), name="provider_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(ngo_db_listed=True) | Q(ngo_db_last_submission__isnull=True),
                name="provider_submission_needs_listing",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("providers:provider-detail", args=[self.pk])

    @property
    def may_bid(self) -> bool:
        """Return whether the organisation may bid: verified and not suspended (the one predicate bids use)."""
        return self.status == self.Status.ACTIVE

    def listing_is_current(self, on: dt.date | None = None) -> bool:
        """Return whether the NGO-database listing is current: the last annual submission is recent enough."""
        on = on or today()
        if not self.ngo_db_listed or not self.ngo_db_last_submission:
            return False
        return self.ngo_db_last_submission >= add_months(on, -settings.GSZ["NGO_LISTING_CURRENT_MONTHS"])

    def experience_years(self, on: dt.date | None = None) -> int:
        """Return the whole years since registration."""
        on = on or today()
        years = on.year - self.registration_date.year
        if (on.month, on.day) < (self.registration_date.month, self.registration_date.day):
            years -= 1
        return max(years, 0)

    def _transition(self, to: str, *, by, reason: str = "", action: Action, source: str) -> None:
        # `source` keeps each action to its own edge: verifying is not reactivating, although both end in active.
        set_status(
            self,
            to,
            by=by,
            action=action,
            note=reason,
            source={source},
            extra={"status_changed_at": timezone.now(), "status_reason": reason},
            message=_("An organisation cannot go from “%(old)s” to “%(new)s”.")
            % {"old": self.get_status_display(), "new": self.Status(to).label},
        )

    def verify(self, *, by) -> None:
        """Confirm an unverified organisation after checking its documents."""
        self._transition(self.Status.ACTIVE, by=by, action=Action.VERIFIED, source=self.Status.UNVERIFIED)

    verify.alters_data = True

    def suspend(self, *, by, reason: str) -> None:
        """Suspend an organisation: it cannot bid until reactivated."""
        if not reason.strip():
            raise InvalidTransition(_("Give a reason for the suspension."))
        self._transition(
            self.Status.SUSPENDED, by=by, reason=reason, action=Action.SUSPENDED, source=self.Status.ACTIVE
        )

    suspend.alters_data = True

    def reactivate(self, *, by) -> None:
        """Let a suspended organisation bid again."""
        self._transition(self.Status.ACTIVE, by=by, action=Action.REACTIVATED, source=self.Status.SUSPENDED)

    reactivate.alters_data = True


class OwnOrganisationQuerySet(models.QuerySet):
    def visible_to(self, user) -> OwnOrganisationQuerySet:
        """Return the rows of the organisations the user is a member of: only the NGO itself sees who works in it
        and whom it invited."""
        if role_of(user) != Role.NGO:
            return self.none()
        return self.filter(provider__memberships__user=user)


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    provider = models.ForeignKey(Provider, verbose_name=_("NGO"), on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    objects = OwnOrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "provider"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.provider}"


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    provider = models.ForeignKey(Provider, verbose_name=_("NGO"), on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = OwnOrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.provider}"

    @property
    def expires_at(self) -> dt.datetime:
        return self.created_at + dt.timedelta(days=settings.GSZ["INVITATION_DAYS"])

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and timezone.now() < self.expires_at


class ServiceAreaQuerySet(models.QuerySet):
    def visible_to(self, user) -> ServiceAreaQuerySet:
        """Return the service areas of the providers the user may open."""
        return self.filter(provider__in=Provider.objects.visible_to(user))


class ServiceArea(models.Model):
    provider = models.ForeignKey(
        Provider, verbose_name=_("NGO"), on_delete=models.CASCADE, related_name="service_areas"
    )
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("service type"), on_delete=models.PROTECT, related_name="+"
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), validators=[MinValueValidator(1)], help_text=_("Children (or families) served a year.")
    )

    objects = ServiceAreaQuerySet.as_manager()

    class Meta:
        ordering = ["region__kato", "service_type_id"]
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")
        constraints = [
            models.UniqueConstraint(fields=["provider", "region", "service_type"], name="service_area_unique"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="service_area_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.region} — {self.service_type}"


def oldest_valid_certificate(on: dt.date) -> dt.date:
    """Return the earliest no-criminal-record certificate date that still allows work with children on that date."""
    months = settings.GSZ["CHILD_WORK_CERTIFICATE_MONTHS"]
    oldest = add_months(on, -months)
    if add_months(oldest, months) < on:
        # `on` is a day that month lacks (29 Feb, 31 Aug, …): a certificate of its last day lapsed the day before.
        oldest += dt.timedelta(days=1)
    return oldest


class StaffMemberQuerySet(models.QuerySet):
    def visible_to(self, user) -> StaffMemberQuerySet:
        """Return the staff of the providers the user may open (names and certificate dates stay the NGO's own:
        `permissions.can_see_staff_personal_data`)."""
        return self.filter(provider__in=Provider.objects.visible_to(user))

    def current(self) -> StaffMemberQuerySet:
        """Return staff still employed."""
        return self.filter(is_active=True)

    def may_work_with_children(self, on: dt.date) -> StaffMemberQuerySet:
        """Return staff whose no-criminal-record certificate is no older than the set months on that date."""
        return self.filter(
            no_record_certificate_date__gte=oldest_valid_certificate(on), no_record_certificate_date__lte=on
        )


class StaffMember(models.Model):
    class Position(models.TextChoices):
        SOCIAL_WORKER = "social-worker", _("social worker")
        PSYCHOLOGIST = "psychologist", _("psychologist")
        CASE_MANAGER = "case-manager", _("case manager")
        TEACHER = "teacher", _("teacher")
        SPEECH_THERAPIST = "speech-therapist", _("speech therapist")
        LAWYER = "lawyer", _("lawyer")
        MEDICAL = "medical", _("nurse or doctor")
        REHABILITATION = "rehabilitation", _("rehabilitation specialist")
        MANAGER = "manager", _("manager")
        OTHER = "other", _("other")

    # Personal data: visible only to the NGO itself; the audit log records that these changed, not their values.
    SENSITIVE_FIELDS = ("full_name", "certification_expiry", "no_record_certificate_date")

    provider = models.ForeignKey(Provider, verbose_name=_("NGO"), on_delete=models.CASCADE, related_name="staff")
    full_name = models.CharField(_("full name"), max_length=200, validators=[validate_single_line])
    position = models.CharField(_("position"), max_length=30, choices=Position.choices)
    qualification = models.CharField(
        _("qualification"),
        max_length=300,
        help_text=_("Education and professional qualification."),
        validators=[validate_single_line],
    )
    certification_expiry = models.DateField(_("certification valid until"), null=True, blank=True)
    no_record_certificate_date = models.DateField(
        _("date of the no-criminal-record certificate"),
        null=True,
        blank=True,
        help_text=_("Work with children is allowed while the certificate is no older than 12 months."),
    )
    is_active = models.BooleanField(_("currently employed"), default=True)

    objects = StaffMemberQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    def __str__(self) -> str:
        return self.full_name

    @property
    def certificate_valid_until(self) -> dt.date | None:
        """Return the last day on which the no-criminal-record certificate allows work with children."""
        if not self.no_record_certificate_date:
            return None
        return add_months(self.no_record_certificate_date, settings.GSZ["CHILD_WORK_CERTIFICATE_MONTHS"])

    def may_work_with_children(self, on: dt.date | None = None) -> bool:
        """Return whether the certificate is no older than the set months on that date."""
        on = on or today()
        valid_until = self.certificate_valid_until
        return bool(valid_until and self.no_record_certificate_date <= on <= valid_until)

    def lapsing(self, on: dt.date | None = None) -> list[tuple[str, dt.date]]:
        """Return the certificates (what, last valid day) that lapse within the warning period after `on`."""
        on = on or today()
        horizon = on + dt.timedelta(days=settings.GSZ["CERTIFICATE_WARNING_DAYS"])
        found = []
        if self.certificate_valid_until and on <= self.certificate_valid_until <= horizon:
            found.append((_("no-criminal-record certificate"), self.certificate_valid_until))
        if self.certification_expiry and on <= self.certification_expiry <= horizon:
            found.append((_("certification"), self.certification_expiry))
        return found


class AccessRequestQuerySet(models.QuerySet):
    def visible_to(self, user) -> AccessRequestQuerySet:
        """Return every request to administrators, none to anyone else."""
        return self.all() if role_of(user) == Role.ADMIN else self.none()


class AccessRequest(models.Model):
    """A request to an administrator from someone who finds their organisation's BIN already registered."""

    bin = models.CharField(_("BIN"), max_length=12, validators=[validate_bin])
    provider = models.ForeignKey(
        Provider, verbose_name=_("NGO"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    full_name = models.CharField(_("your full name"), max_length=200, validators=[validate_single_line])
    position = models.CharField(
        _("your position in the organisation"), max_length=200, validators=[validate_single_line]
    )
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=40, validators=[validate_single_line])
    message = models.TextField(_("message"), help_text=_("Why you should have access; how we can verify it."))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)

    objects = AccessRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")

    def __str__(self) -> str:
        return f"{self.bin} — {self.full_name}"

"""Multi-year contracts: annual tranches and payments, amendments, targets per year, the reporting schedule and
NGO reports with their indicator actuals. Money is Decimal end to end."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import audit
from core.audit import Action
from core.documents import RandomName, StoredDocument, private_storage, validate_document
from core.exceptions import InvalidTransition
from core.models import Agency, Indicator, PublicQuerySet, Region, Role, ServiceType, role_of
from core.search import Searchable
from core.transitions import set_status
from core.util import year_end, year_start
from core.validators import validate_single_line

ZERO = Decimal("0")


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """Return the first and the last day of the year."""
    return year_start(year), year_end(year)


# -- the serving rule, spelled once (DESIGN.md): a contract serves a day d when it is signed, start ≤ d ≤ end, and, if
# it was terminated, d < the termination date. The conditions below take a `prefix` ("contract__", …) so the querysets
# of contracts and of tranches, and the aggregates of the analytics, all build on the same spelling.


def signed_q(prefix: str = "") -> Q:
    """Return the condition that a contract (reached through `prefix`) is signed by both parties."""
    return Q(**{f"{prefix}agency_signed_at__isnull": False, f"{prefix}provider_signed_at__isnull": False})


def dated_q(first: dt.date, last: dt.date, prefix: str = "") -> Q:
    """Return the condition that a contract's dates, cut short by any termination, meet `first` … `last`: it starts
    by `last`, ends on or after `first`, and a termination comes after both `first` and its start (a contract
    terminated on or before its start serves no day at all)."""
    terminated = f"{prefix}terminated_on"
    return Q(**{f"{prefix}start_date__lte": last, f"{prefix}end_date__gte": first}) & (
        Q(**{f"{terminated}__isnull": True})
        | (Q(**{f"{terminated}__gt": first}) & Q(**{f"{terminated}__gt": F(f"{prefix}start_date")}))
    )


def serving_q(first: dt.date, last: dt.date, prefix: str = "") -> Q:
    """Return the serving rule as a condition: the contract serves at least one day from `first` to `last`."""
    return signed_q(prefix) & dated_q(first, last, prefix)


def last_serving_day(end: dt.date, terminated_on: dt.date | None) -> dt.date:
    """Return the last day a contract serves: its end date, or the day before its termination if that is earlier."""
    return min(end, terminated_on - dt.timedelta(days=1)) if terminated_on else end


class ContractQuerySet(models.QuerySet):
    def visible_to(self, user) -> ContractQuerySet:
        """Return contracts a user may open: every contract, since awarded contracts with their amount per year and
        status are public facts (payments, reports and documents are limited by `in_scope`)."""
        return self.all()

    def in_scope(self, user) -> ContractQuerySet:
        """Return contracts whose details (payments, amendments, reports, documents) the user may see: own
        agency's (officer), own NGO's (ngo), all for committee staff and admins; and, read-only, the contracts
        whose results the user evaluates on an expert council (expert or officer), while the evaluation is open
        and after — the reports are the council's evidence."""
        role = role_of(user)
        if role is None:
            return self.none()
        if user.sees_all:
            return self.all()
        evaluated = Q(pk__in=self.evaluated_by(user).values("pk"))
        if role == Role.OFFICER:
            return self.filter(Q(agency_id=user.agency_id) | evaluated)
        if role == Role.NGO:
            return self.filter(provider__memberships__user=user)
        if role == Role.EXPERT:
            return self.filter(evaluated)
        return self.none()

    def evaluated_by(self, user) -> ContractQuerySet:
        """Return the contracts on whose expert council (a result evaluation of any year) the user sits."""
        return Contract.objects.filter(evaluations__evaluators__user=user)

    def signed(self) -> ContractQuerySet:
        """Return contracts signed by both parties."""
        return self.filter(signed_q())

    def serving_on(self, day: dt.date) -> ContractQuerySet:
        """Return contracts that serve the day: signed, start ≤ day ≤ end, and before any termination date."""
        return self.serving_between(day, day)

    def serving_year(self, year: int) -> ContractQuerySet:
        """Return contracts that serve at least one day of the year."""
        first, last = year_bounds(year)
        return self.serving_between(first, last)

    def with_money_and_flags(self, today: dt.date) -> ContractQuerySet:
        """Return contracts annotated with paid money, the next report due, the flags the list shows and whether any
        is raised (`flagged`), by subqueries (a fixed number of queries whatever the number of contracts)."""
        paid = (
            Payment.objects.filter(tranche__contract=models.OuterRef("pk"))
            .values("tranche__contract")
            .annotate(s=Sum("amount"))
            .values("s")
        )
        periods = ReportingPeriod.objects.filter(contract=models.OuterRef("pk"))
        missing = Tranche.objects.fixed_part_short(today).filter(contract=models.OuterRef("pk"))
        return self.annotate(
            paid=Coalesce(models.Subquery(paid, output_field=models.DecimalField()), ZERO),
            next_due=models.Subquery(periods.awaiting_report(today).order_by("due_date").values("due_date")[:1]),
            has_reduction=models.Exists(Amendment.objects.filter(contract=models.OuterRef("pk"), value_change__lt=0)),
            late_payments=models.Exists(Payment.objects.late(today).filter(tranche__contract=models.OuterRef("pk")))
            | models.Exists(missing),
            overdue_reports=models.Exists(periods.overdue(today)),
        ).annotate(
            # The one spelling of "this contract is flagged" (the list's filter and its flags column).
            flagged=models.ExpressionWrapper(
                Q(has_reduction=True)
                | Q(status=Contract.Status.TERMINATED)
                | Q(late_payments=True)
                | Q(overdue_reports=True),
                output_field=models.BooleanField(),
            )
        )

    def serving_between(self, first: dt.date, last: dt.date, *, pending: bool = False) -> ContractQuerySet:
        """Return contracts that serve at least one day from `first` to `last` inclusive; with `pending`, also
        contracts still awaiting signature whose dates would serve (a cliff ahead is judged with them)."""
        signed = signed_q() | Q(status=Contract.Status.PENDING) if pending else signed_q()
        return self.filter(signed & dated_q(first, last))


class Contract(Searchable):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending signature")
        ACTIVE = "active", _("active")
        COMPLETED = "completed", _("completed")
        TERMINATED = "terminated", _("terminated")

    AGENCY, NGO = "agency", "ngo"  # the two parties that sign

    TRANSITIONS = {
        Status.PENDING: {Status.ACTIVE},
        Status.ACTIVE: {Status.COMPLETED, Status.TERMINATED},
        Status.COMPLETED: set(),
        Status.TERMINATED: set(),
    }

    number = models.CharField(_("number"), max_length=40, unique=True, validators=[validate_single_line])
    call = models.OneToOneField(
        "tenders.Call", verbose_name=_("call"), on_delete=models.PROTECT, related_name="contract"
    )
    bid = models.OneToOneField(
        "tenders.Bid",
        verbose_name=_("winning bid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contract",
        help_text=_("Empty for a past contract brought in by an import (its bids are not kept)."),
    )
    provider = models.ForeignKey(
        "providers.Provider", verbose_name=_("NGO"), on_delete=models.PROTECT, related_name="contracts"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="contracts")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="contracts")
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("service type"), on_delete=models.PROTECT, related_name="contracts"
    )
    total = models.DecimalField(_("total, ₸"), max_digits=14, decimal_places=2)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    scope = models.TextField(_("scope"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    agency_signed_at = models.DateTimeField(_("signed by the agency"), null=True, blank=True)
    agency_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed for the agency by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    provider_signed_at = models.DateTimeField(_("signed by the NGO"), null=True, blank=True)
    provider_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed for the NGO by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    terminated_on = models.DateField(
        _("terminated on"), null=True, blank=True, help_text=_("The contract stops serving on this date.")
    )
    termination_reason = models.TextField(_("reason for termination"), blank=True)
    portal_announcement_number = models.CharField(
        _("portal announcement number"), max_length=40, blank=True, validators=[validate_single_line]
    )
    portal_lot_number = models.CharField(
        _("portal lot number"), max_length=40, blank=True, validators=[validate_single_line]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("prepared by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("prepared"), auto_now_add=True)

    objects = ContractQuerySet.as_manager()

    SEARCH_FIELDS = ("number",)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="contract_end_after_start"),
            models.CheckConstraint(condition=Q(total__gt=0), name="contract_total_positive"),
            models.CheckConstraint(
                condition=Q(status="terminated", terminated_on__isnull=False)
                | (~Q(status="terminated") & Q(terminated_on__isnull=True)),
                name="contract_termination_date",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "service_type", "start_date", "end_date"], name="contract_cell_idx"),
            models.Index(fields=["provider", "start_date"], name="contract_provider_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.provider}"

    def get_absolute_url(self) -> str:
        return reverse("contracts:contract-detail", args=[self.pk])

    @property
    def is_signed(self) -> bool:
        return self.agency_signed_at is not None and self.provider_signed_at is not None

    @property
    def last_serving_day(self) -> dt.date:
        """Return the last day the contract serves (the day before termination, or the end date)."""
        return last_serving_day(self.end_date, self.terminated_on)

    def serves(self, day: dt.date) -> bool:
        """Return whether the contract serves the day (the same rule as ContractQuerySet.serving_on)."""
        return self.is_signed and self.start_date <= day <= self.last_serving_day

    @property
    def years(self) -> range:
        return range(self.start_date.year, self.end_date.year + 1)

    # -- changes of state: each checks TRANSITIONS, sets the status with its date, saves those fields, audits ------
    # The services (contracts.services) decide who signs for which party, regenerate the reporting schedule and mail.

    @transaction.atomic
    def sign(self, *, by, party: str, now: dt.datetime) -> None:
        """Record one party's signature; the second signature makes the contract active."""
        if self.status != self.Status.PENDING:
            raise InvalidTransition(gettext("Only a contract pending signature can be signed."))
        if party == self.AGENCY:
            if self.agency_signed_at:
                raise InvalidTransition(gettext("The agency has already signed."))
            self.agency_signed_at, self.agency_signed_by = now, by
            fields, action = ["agency_signed_at", "agency_signed_by"], Action.AGENCY_SIGNATURE
        else:
            if self.provider_signed_at:
                raise InvalidTransition(gettext("The NGO has already signed."))
            self.provider_signed_at, self.provider_signed_by = now, by
            fields, action = ["provider_signed_at", "provider_signed_by"], Action.NGO_SIGNATURE
        self.save(update_fields=fields)
        audit.record(actor=by, action=action, target=self)
        if self.is_signed:
            set_status(self, self.Status.ACTIVE, by=by, action=Action.ACTIVATED)

    sign.alters_data = True

    def terminate(self, *, by, on: dt.date, reason: str) -> None:
        """Terminate early: the contract stops serving on `on`."""
        set_status(
            self,
            self.Status.TERMINATED,
            by=by,
            action=Action.TERMINATED,
            note=reason,
            extra={"terminated_on": on, "termination_reason": reason},
        )

    terminate.alters_data = True

    def complete(self, *, by, now: dt.datetime) -> None:
        """Record that the finished contract is completed (all its reports accepted)."""
        set_status(self, self.Status.COMPLETED, by=by, action=Action.COMPLETED, extra={"completed_at": now})

    complete.alters_data = True


class TrancheQuerySet(models.QuerySet):
    def visible_to(self, user) -> TrancheQuerySet:
        """Return every tranche: a contract's amount per year is a public fact (its payments are details)."""
        return self.all()

    def serving(self, years: Iterable[int] | None = None) -> TrancheQuerySet:
        """Return tranches whose contract serves the tranche's year: the money of a contract in year y is its tranche
        for y (amendments change the tranche in place), counted only while the contract serves y.

        With `years`, only the tranches of those years, the rule spelled with each year's dates (plain comparisons
        the database can index); without, every year, the same rule spelled with the year's parts."""
        if years is not None:
            per_year = Q(pk__in=[])
            for year in sorted(set(years)):
                first, last = year_bounds(year)
                per_year |= Q(year=year) & dated_q(first, last, "contract__")
            return self.filter(signed_q("contract__") & per_year)
        # Serving year y: starts by 31 December, ends on or after 1 January, and a termination comes after both
        # 1 January of y and the start.
        after_new_year = Q(contract__terminated_on__year__gt=F("year")) | (
            Q(contract__terminated_on__year=F("year"))
            & (Q(contract__terminated_on__month__gt=1) | Q(contract__terminated_on__day__gt=1))
        )
        return self.filter(
            signed_q("contract__"),
            Q(contract__start_date__year__lte=F("year"), contract__end_date__year__gte=F("year")),
            Q(contract__terminated_on__isnull=True)
            | (after_new_year & Q(contract__terminated_on__gt=F("contract__start_date"))),
        )

    def serving_year(self, year: int) -> TrancheQuerySet:
        """Return the tranches of `year` whose contract serves that year."""
        return self.serving([year])

    def fixed_part_short(self, today: dt.date) -> TrancheQuerySet:
        """Return tranches whose planned date has passed (before any termination) with the fixed part not fully
        paid by `today`, annotated with `fixed_paid`: the "missing" half of the late-payment rule."""
        return (
            self.filter(planned_date__lt=today)
            .filter(Q(contract__terminated_on__isnull=True) | Q(contract__terminated_on__gt=F("planned_date")))
            .annotate(
                fixed_paid=Coalesce(
                    Sum("payments__amount", filter=Q(payments__kind="fixed", payments__date__lte=today)), ZERO
                )
            )
            .filter(fixed_paid__lt=F("fixed_amount"))
        )


class Tranche(models.Model):
    class Source(models.TextChoices):
        REPUBLICAN = "republican", _("republican budget")
        LOCAL = "local", _("local budget")

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="tranches"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("planned, ₸"), max_digits=14, decimal_places=2)
    fixed_amount = models.DecimalField(_("fixed part, ₸"), max_digits=14, decimal_places=2)
    outcome_amount = models.DecimalField(_("outcome part, ₸"), max_digits=14, decimal_places=2, default=ZERO)
    planned_date = models.DateField(_("planned disbursement"))
    funding_source = models.CharField(_("funding source"), max_length=12, choices=Source.choices, default=Source.LOCAL)

    objects = TrancheQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "year"]
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        constraints = [
            models.UniqueConstraint(fields=["contract", "year"], name="tranche_year_unique"),
            models.CheckConstraint(
                condition=Q(amount__gte=0, fixed_amount__gte=0, outcome_amount__gte=0),
                name="tranche_amounts_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount=F("fixed_amount") + F("outcome_amount")), name="tranche_parts_sum"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number}: {self.year}"


class PaymentQuerySet(models.QuerySet):
    def visible_to(self, user) -> PaymentQuerySet:
        """Return the payments of the contracts whose details the user may see."""
        return self.filter(tranche__contract__in=Contract.objects.in_scope(user))

    def late(self, today: dt.date) -> PaymentQuerySet:
        """Return fixed-part payments made (by `today`) after their tranche's planned date: the "late" half of the
        late-payment rule, used by the contract list's flag and by the red flags."""
        return self.filter(kind="fixed", date__gt=F("tranche__planned_date"), date__lte=today)


class Payment(models.Model):
    class Kind(models.TextChoices):
        FIXED = "fixed", _("fixed part")
        OUTCOME = "outcome", _("outcome part")

    tranche = models.ForeignKey(Tranche, verbose_name=_("tranche"), on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(_("part"), max_length=8, choices=Kind.choices, default=Kind.FIXED)
    date = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount, ₸"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.tranche}: {self.amount} ({self.date})"

    @property
    def is_late(self) -> bool:
        """A fixed-part payment after the planned disbursement date is late; outcome money never is."""
        return self.kind == self.Kind.FIXED and self.date > self.tranche.planned_date


class AmendmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> AmendmentQuerySet:
        """Return the amendments of the contracts whose details the user may see."""
        return self.filter(contract__in=Contract.objects.in_scope(user))


class Amendment(models.Model):
    class Kind(models.TextChoices):
        AMOUNT = "amount", _("amount and tranches")
        END_DATE = "end_date", _("end date")
        SCOPE = "scope", _("scope")
        TERMINATION = "termination", _("termination")

    class Reason(models.TextChoices):
        BUDGET_CUT = "budget-cut", _("budget cut")
        BUDGET_INCREASE = "budget-increase", _("additional funding")
        SCOPE_CHANGE = "scope-change", _("change of needs or scope")
        PROVIDER_REQUEST = "provider-request", _("at the provider's request")
        NON_PERFORMANCE = "non-performance", _("non-performance by the provider")
        FORCE_MAJEURE = "force-majeure", _("force majeure")
        OTHER = "other", _("other")

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="amendments"
    )
    kind = models.CharField(_("what changed"), max_length=12, choices=Kind.choices)
    reason_code = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    reason_text = models.TextField(_("explanation"))
    old_value = models.JSONField(_("before"), default=dict)
    new_value = models.JSONField(_("after"), default=dict)
    effective_date = models.DateField(_("effective from"))
    value_change = models.DecimalField(_("change of value, ₸"), max_digits=14, decimal_places=2, default=ZERO)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = AmendmentQuerySet.as_manager()

    class Meta:
        ordering = ["effective_date", "id"]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")

    def __str__(self) -> str:
        return f"{self.contract.number}: {self.get_kind_display()}"

    @property
    def is_reduction(self) -> bool:
        return self.value_change < 0


class TargetQuerySet(models.QuerySet):
    def visible_to(self, user) -> TargetQuerySet:
        """Return every target: what a contract promises per year is shown with the contract (a public fact)."""
        return self.all()


class Target(models.Model):
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("target"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["year", "indicator_id"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["contract", "year", "indicator"], name="target_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="target_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.indicator} = {self.value}"


class ReportingPeriodQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReportingPeriodQuerySet:
        """Return the reporting periods of the contracts whose details the user may see."""
        return self.filter(contract__in=Contract.objects.in_scope(user))

    def with_state(self, today: dt.date) -> ReportingPeriodQuerySet:
        """Return periods annotated with `state`, a ReportingPeriod.State: the one answer to where a period's report
        stands on `today` (the period list, its filter, the dashboards and the contract flags read it)."""
        state = ReportingPeriod.State
        return self.annotate(
            state=models.Case(
                models.When(report__status=Report.Status.ACCEPTED, then=models.Value(state.ACCEPTED)),
                models.When(report__status=Report.Status.SUBMITTED, then=models.Value(state.SUBMITTED)),
                models.When(
                    report__status=Report.Status.RETURNED,
                    due_date__lt=today,
                    then=models.Value(state.OVERDUE_RETURNED),
                ),
                models.When(report__status=Report.Status.RETURNED, then=models.Value(state.RETURNED)),
                models.When(due_date__lt=today, then=models.Value(state.OVERDUE)),
                default=models.Value(state.DUE),
                output_field=models.CharField(),
            )
        )

    def in_state(self, today: dt.date, *states: str) -> ReportingPeriodQuerySet:
        """Return periods whose state on `today` is one of `states`."""
        return self.with_state(today).filter(state__in=states)

    def awaiting_report(self, today: dt.date) -> ReportingPeriodQuerySet:
        """Return periods whose report the NGO still owes: none yet, a draft, or returned (due or overdue)."""
        return self.in_state(today, *ReportingPeriod.AWAITING_NGO)

    def overdue(self, today: dt.date) -> ReportingPeriodQuerySet:
        """Return periods past their due date without a submitted or accepted report (returned ones included)."""
        return self.in_state(today, *ReportingPeriod.OVERDUE_STATES)


class ReportingPeriod(models.Model):
    class Kind(models.TextChoices):
        QUARTERLY = "quarterly", _("quarterly progress report")
        ANNUAL = "annual", _("annual report")

    class State(models.TextChoices):
        """Where a period's report stands on a day (ReportingPeriodQuerySet.with_state computes it)."""

        DUE = "due", _("due")
        OVERDUE = "overdue", _("overdue")
        SUBMITTED = "submitted", _("submitted, to review")
        RETURNED = "returned", _("returned")
        OVERDUE_RETURNED = "overdue-returned", _("returned, overdue")
        ACCEPTED = "accepted", _("accepted")

    OVERDUE_STATES = (State.OVERDUE, State.OVERDUE_RETURNED)
    RETURNED_STATES = (State.RETURNED, State.OVERDUE_RETURNED)
    AWAITING_NGO = (State.DUE, State.OVERDUE, State.RETURNED, State.OVERDUE_RETURNED)  # the NGO owes the report

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="periods"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), default=0, help_text=_("0 for the annual report."))
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    due_date = models.DateField(_("due"))
    due_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ReportingPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "due_date", "-kind"]  # on the same due date, the last quarter before the year
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting schedule")
        constraints = [
            models.UniqueConstraint(fields=["contract", "kind", "year", "quarter"], name="period_unique"),
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="period_end_after_start"),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.ANNUAL:
            return f"{self.year} — {self.get_kind_display()}"
        return f"{self.year} Q{self.quarter}"

    def tranche_balance(self, *, excluding: Report | None = None) -> TrancheBalance | None:
        """Return the tranche of the period's year with what the submitted and accepted quarterly reports of that
        year spent (other than `excluding`, the report being edited) and its unspent balance; None without one."""
        tranche = self.contract.tranches.filter(year=self.year).first()
        if tranche is None:
            return None
        expenses = ReportExpense.objects.filter(
            report__period__contract=self.contract,
            report__period__year=self.year,
            report__period__kind=self.Kind.QUARTERLY,
            report__status__in=[Report.Status.SUBMITTED, Report.Status.ACCEPTED],
        )
        if excluding is not None:
            expenses = expenses.exclude(report=excluding)
        spent = sum(expenses.values_list("amount", flat=True), ZERO)  # in Python: SQLite sums decimals as floats
        return TrancheBalance(tranche=tranche, spent=spent, balance=tranche.amount - spent)


@dataclass(frozen=True)
class TrancheBalance:
    """A tranche, what the quarterly reports of its year spent, and what is left."""

    tranche: Tranche
    spent: Decimal
    balance: Decimal


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReportQuerySet:
        """Return reports of the contracts whose details the user may see (drafts only to the NGO itself)."""
        reports = self.filter(period__contract__in=Contract.objects.in_scope(user))
        if role_of(user) != Role.NGO:
            reports = reports.exclude(status=Report.Status.DRAFT)
        return reports


class Report(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        ACCEPTED = "accepted", _("accepted")
        RETURNED = "returned", _("returned")

    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED},
        Status.SUBMITTED: {Status.ACCEPTED, Status.RETURNED},
        Status.RETURNED: {Status.SUBMITTED},
        Status.ACCEPTED: set(),
    }

    period = models.OneToOneField(
        ReportingPeriod, verbose_name=_("period"), on_delete=models.CASCADE, related_name="report"
    )
    narrative = models.TextField(_("what was done"), blank=True)
    children_served = models.PositiveIntegerField(_("children served"), default=0)
    families_served = models.PositiveIntegerField(_("families served"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    first_submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("last submitted"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    return_comment = models.TextField(_("comment on return"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("prepared by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.period.contract.number}: {self.period}"

    def get_absolute_url(self) -> str:
        return reverse("contracts:report-detail", args=[self.pk])

    @property
    def is_late(self) -> bool:
        """Late when first submitted after 23:59 Asia/Almaty on the due date."""
        if not self.first_submitted_at:
            return False
        return timezone.localtime(self.first_submitted_at).date() > self.period.due_date

    # -- changes of state (see Contract); the services also note them on the contract's timeline and mail ---------

    def submit(self, *, by, now: dt.datetime) -> None:
        """Submit or resubmit the report; its first submission is kept (lateness counts from it). A report is not
        submitted before its period's first day."""
        if timezone.localtime(now).date() < self.period.start:
            raise InvalidTransition(
                gettext("The reporting period starts on %(start)s: a report is submitted once the period has begun.")
                % {"start": self.period.start.strftime("%d.%m.%Y")}
            )
        set_status(
            self,
            self.Status.SUBMITTED,
            by=by,
            action=Action.REPORT_SUBMITTED,
            note=str(self.period),
            extra={"submitted_at": now, "first_submitted_at": self.first_submitted_at or now},
        )

    submit.alters_data = True

    def accept(self, *, by, now: dt.datetime) -> None:
        """Accept the submitted report."""
        set_status(
            self,
            self.Status.ACCEPTED,
            by=by,
            action=Action.REPORT_ACCEPTED,
            extra={"reviewed_at": now, "reviewed_by": by},
        )

    accept.alters_data = True

    def return_(self, *, by, comment: str, now: dt.datetime) -> None:
        """Return the submitted report to the NGO with a comment on what to correct."""
        set_status(
            self,
            self.Status.RETURNED,
            by=by,
            action=Action.REPORT_RETURNED,
            note=comment,
            extra={"reviewed_at": now, "reviewed_by": by, "return_comment": comment},
        )

    return_.alters_data = True


class ReportExpense(models.Model):
    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="expenses")
    item = models.CharField(_("cost item"), max_length=200, validators=[validate_single_line])
    amount = models.DecimalField(_("spent, ₸"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["id"]
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditure")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="expense_non_negative")]

    def __str__(self) -> str:
        return f"{self.item}: {self.amount}"


class Actual(models.Model):
    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="actuals")
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("actual"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("indicator actual")
        verbose_name_plural = _("indicator actuals")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="actual_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="actual_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value}"


class ContractDocumentQuerySet(models.QuerySet):
    def visible_to(self, user) -> ContractDocumentQuerySet:
        """Return the documents of the contracts whose details the user may see (the contract itself is public,
        its documents are not)."""
        return self.filter(contract__in=Contract.objects.in_scope(user))


class ContractDocument(StoredDocument):
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="documents"
    )
    report = models.ForeignKey(
        Report, verbose_name=_("report"), null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=RandomName("contracts"), validators=[validate_document]
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ContractDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract document")
        verbose_name_plural = _("contract documents")


def paid_by_tranche(tranches) -> dict[int, dict[str, Decimal]]:
    """Return {tranche id: {"fixed": paid, "outcome": paid}} in one query."""
    paid: dict[int, dict[str, Decimal]] = {t.pk: {"fixed": ZERO, "outcome": ZERO} for t in tranches}
    rows = Payment.objects.filter(tranche__in=list(paid)).values("tranche_id", "kind").annotate(total=Sum("amount"))
    for row in rows:
        paid[row["tranche_id"]][row["kind"]] = row["total"]
    return paid


class PriceLimit(models.Model):
    """The admissible price per child served for a service type and year (tenge a year, minimum and maximum), as the
    rate limits of the Social Code allow; entered by an administrator. A contract year outside is a red flag."""

    service_type = models.ForeignKey(
        "core.ServiceType", verbose_name=_("service type"), on_delete=models.CASCADE, related_name="price_limits"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    min_per_child = models.DecimalField(_("minimum per child, ₸"), max_digits=14, decimal_places=2)
    max_per_child = models.DecimalField(_("maximum per child, ₸"), max_digits=14, decimal_places=2)
    basis = models.CharField(_("basis"), max_length=300, blank=True, validators=[validate_single_line])

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["service_type", "year"]
        verbose_name = _("price limit per child")
        verbose_name_plural = _("price limits per child")
        constraints = [
            models.UniqueConstraint(fields=["service_type", "year"], name="price_limit_service_year_unique"),
            models.CheckConstraint(
                condition=Q(min_per_child__gte=0, max_per_child__gte=F("min_per_child")), name="price_limit_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_type}: {self.year}"

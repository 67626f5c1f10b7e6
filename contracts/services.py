"""Workflows of contracts: preparing and signing, payments, amendments, the reporting schedule and reports.
Each runs in a transaction, checks the allowed transitions, writes the audit log and emails after commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import (
    ZERO,
    Actual,
    Amendment,
    Contract,
    Payment,
    Report,
    ReportingPeriod,
    Target,
    Tranche,
    paid_by_tranche,
    year_bounds,
)
from core import audit
from core.audit import Action
from core.exceptions import InvalidTransition
from core.mail import notify
from core.models import Role
from core.templatetags.gsz import amount as amount_text
from core.util import today
from tenders.models import Bid, Call

CENT = Decimal("0.01")


def members_of(provider):
    return get_user_model().objects.filter(memberships__provider=provider, is_active=True)


def officers_of(agency):
    return get_user_model().objects.filter(role=Role.OFFICER, agency=agency, is_active=True)


def split_parts(amount: Decimal, outcome_share: Decimal | None) -> tuple[Decimal, Decimal]:
    """Return (fixed, outcome) parts of a tranche for the call's outcome-payment share (percent)."""
    if not outcome_share:
        return amount, ZERO
    outcome = (amount * outcome_share / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)
    return amount - outcome, outcome


def default_dates(call: Call) -> tuple[dt.date, dt.date]:
    """Return the default contract dates: from the later of 1 January of the first year and the day after the
    standstill, to 31 December of the last year."""
    first, _last = year_bounds(call.start_year)
    start = first
    if call.standstill_until:
        start = max(first, timezone.localdate(call.standstill_until) + dt.timedelta(days=1))
    start = min(start, dt.date(call.end_year, 12, 31))
    return start, dt.date(call.end_year, 12, 31)


def default_tranches(call: Call, total: Decimal) -> list[dict]:
    """Return one tranche per year of the call, proportional to its budget lines and summing exactly to `total`."""
    lines = list(call.budget_lines.order_by("year"))
    budget = sum((line.amount for line in lines), ZERO)
    tranches, allocated = [], ZERO
    for index, line in enumerate(lines):
        if index == len(lines) - 1:
            amount = total - allocated
        else:
            amount = (total * line.amount / budget).quantize(CENT, rounding=ROUND_HALF_UP)
        allocated += amount
        fixed, outcome = split_parts(amount, call.outcome_share)
        tranches.append(
            {
                "year": line.year,
                "amount": amount,
                "fixed_amount": fixed,
                "outcome_amount": outcome,
                "planned_date": dt.date(line.year, 3, 1) if line.year > call.start_year else None,
                "funding_source": line.funding_source,
            }
        )
    return tranches


def tranche_errors(*, total: Decimal, start: dt.date, end: dt.date, tranches: Iterable[Mapping]) -> list[str]:
    """Return what is wrong with a set of tranches for a contract's total and dates (empty when right)."""
    tranches = list(tranches)
    errors = []
    years = [t["year"] for t in tranches]
    if len(years) != len(set(years)):
        errors.append(_("Each year may have one tranche only."))
    if any(not start.year <= y <= end.year for y in years):
        errors.append(_("Every tranche year must fall within the contract's dates."))
    if set(years) != set(range(start.year, end.year + 1)):
        errors.append(_("Every year of the contract needs a tranche."))
    if any(Decimal(t["amount"]) < 0 for t in tranches):
        errors.append(_("Amounts cannot be negative."))
    subtotal = sum((Decimal(t["amount"]) for t in tranches), ZERO)
    if subtotal != total:
        errors.append(
            _("The tranches sum to %(sum)s ₸, not the total of %(total)s ₸.")
            % {"sum": amount_text(subtotal), "total": amount_text(total)}
        )
    return errors


@transaction.atomic
def prepare_contract(
    *,
    call: Call,
    acting_user,
    number: str,
    start_date: dt.date,
    end_date: dt.date,
    tranches: list[dict],
    targets: list[dict],
    scope: str = "",
    now: dt.datetime | None = None,
) -> Contract:
    """Create the contract of an awarded call past its standstill, with its tranches and targets."""
    now = now or timezone.now()
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.status != Call.Status.AWARDED:
        raise InvalidTransition(_("Only an awarded call gets a contract."))
    if call.in_standstill(now):
        raise InvalidTransition(_("The standstill for complaints has not ended yet."))
    if Contract.objects.filter(call=call).exists():
        raise InvalidTransition(_("This call already has a contract."))
    winner = Bid.objects.filter(call=call, status=Bid.Status.WINNER).select_related("provider").first()
    if winner is None:
        raise InvalidTransition(_("The call has no winning bid."))
    if not (call.start_year <= start_date.year and end_date.year <= call.end_year):
        raise InvalidTransition(_("The contract dates must fall within the call's years."))
    if end_date < start_date:
        raise InvalidTransition(_("The end date must not be before the start."))
    errors = tranche_errors(total=winner.price, start=start_date, end=end_date, tranches=tranches)
    if errors:
        raise InvalidTransition(errors)
    contract = Contract.objects.create(
        number=number,
        call=call,
        bid=winner,
        provider=winner.provider,
        agency=call.agency,
        region=call.region,
        service_type=call.service_type,
        total=winner.price,
        start_date=start_date,
        end_date=end_date,
        scope=scope or call.description_ru,
        created_by=acting_user,
    )
    for t in tranches:
        fixed, outcome = split_parts(Decimal(t["amount"]), call.outcome_share)
        Tranche.objects.create(
            contract=contract,
            year=t["year"],
            amount=Decimal(t["amount"]),
            fixed_amount=fixed,
            outcome_amount=outcome,
            planned_date=t["planned_date"],
            funding_source=t.get("funding_source") or Tranche.Source.LOCAL,
        )
    for target in targets:
        Target.objects.create(
            contract=contract, year=target["year"], indicator=target["indicator"], value=target["value"]
        )
    audit.record(actor=acting_user, action=Action.CONTRACT_PREPARED, target=contract, note=str(winner.provider))
    audit.record(actor=acting_user, action=Action.CONTRACT_PREPARED, target=call, note=contract.number)
    notify(
        recipients=members_of(contract.provider),
        template="contracts/email/to_sign.txt",
        context={"contract": contract},
    )
    return contract


@transaction.atomic
def sign(*, contract: Contract, acting_user, now: dt.datetime | None = None) -> Contract:
    """Sign for the user's side (the agency's officer or the NGO's member); both signatures activate it."""
    now = now or timezone.now()
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != Contract.Status.PENDING:
        raise InvalidTransition(_("Only a contract pending signature can be signed."))
    if acting_user.role == Role.OFFICER and acting_user.agency_id == contract.agency_id:
        party, other = Contract.AGENCY, members_of(contract.provider)
    elif acting_user.role == Role.NGO and contract.provider.memberships.filter(user=acting_user).exists():
        party, other = Contract.NGO, officers_of(contract.agency)
    else:
        raise InvalidTransition(_("You cannot sign for either party of this contract."))
    contract.sign(by=acting_user, party=party, now=now)
    if contract.is_signed:
        generate_periods(contract)
    notify(recipients=other, template="contracts/email/signed.txt", context={"contract": contract})
    return contract


# -- reporting schedule ------------------------------------------------------------------------------------------


def expected_periods(contract: Contract) -> list[dict]:
    """Return the quarterly and annual periods of a contract, clipped to the days it runs."""
    due_days = dt.timedelta(days=settings.GSZ["REPORT_DUE_DAYS"])
    first_day, last_day = contract.start_date, contract.last_serving_day
    periods = []
    if last_day < first_day:
        return periods
    tranche_years = set(contract.tranches.values_list("year", flat=True)) or set(contract.years)
    for year in range(first_day.year, last_day.year + 1):
        for quarter in range(1, 5):
            q_start = dt.date(year, 3 * quarter - 2, 1)
            q_end = (dt.date(year, 3 * quarter + 1, 1) if quarter < 4 else dt.date(year + 1, 1, 1)) - dt.timedelta(1)
            start, end = max(q_start, first_day), min(q_end, last_day)
            if start <= end:
                periods.append(
                    {
                        "kind": ReportingPeriod.Kind.QUARTERLY,
                        "year": year,
                        "quarter": quarter,
                        "start": start,
                        "end": end,
                        "due_date": end + due_days,
                    }
                )
        if year in tranche_years:
            y_start, y_end = year_bounds(year)
            start, end = max(y_start, first_day), min(y_end, last_day)
            periods.append(
                {
                    "kind": ReportingPeriod.Kind.ANNUAL,
                    "year": year,
                    "quarter": 0,
                    "start": start,
                    "end": end,
                    "due_date": end + due_days,
                }
            )
    return periods


def generate_periods(contract: Contract) -> int:
    """Create the missing reporting periods of a signed contract, fix the dates of unreported ones, and drop
    unreported periods that no longer exist (after a termination or a shorter end date). Return how many were made."""
    if not contract.is_signed:
        return 0
    expected = {(p["kind"], p["year"], p["quarter"]): p for p in expected_periods(contract)}
    existing = {(p.kind, p.year, p.quarter): p for p in contract.periods.select_related("report")}
    created = 0
    for key, values in expected.items():
        period = existing.get(key)
        if period is None:
            ReportingPeriod.objects.create(contract=contract, **values)
            created += 1
        elif not hasattr(period, "report") and (period.start, period.end, period.due_date) != (
            values["start"],
            values["end"],
            values["due_date"],
        ):
            period.start, period.end, period.due_date = values["start"], values["end"], values["due_date"]
            period.save(update_fields=["start", "end", "due_date"])
    for key, period in existing.items():
        if key not in expected and not hasattr(period, "report"):
            period.delete()
    return created


# -- payments ------------------------------------------------------------------------------------------------------


@transaction.atomic
def record_payment(*, tranche: Tranche, kind: str, date: dt.date, amount: Decimal, acting_user) -> Payment:
    """Record a payment against the fixed or outcome part of a tranche; it never exceeds what remains of that part."""
    tranche = Tranche.objects.select_for_update().select_related("contract").get(pk=tranche.pk)
    if not tranche.contract.is_signed:
        raise InvalidTransition(_("Payments are recorded only on a signed contract."))
    if amount <= 0:
        raise InvalidTransition(_("The amount must be positive."))
    if date > today():
        raise InvalidTransition(_("A payment cannot be dated in the future."))
    part = tranche.fixed_amount if kind == Payment.Kind.FIXED else tranche.outcome_amount
    paid = tranche.payments.filter(kind=kind).aggregate(s=Sum("amount"))["s"] or ZERO
    left = (part - paid).quantize(CENT)  # SQLite's SUM comes back with eight decimal places ("0E-8")
    if amount > left:
        raise InvalidTransition(
            _("The payment exceeds what remains of this part of the tranche (%(left)s ₸).")
            % {"left": amount_text(left)}
        )
    payment = Payment.objects.create(tranche=tranche, kind=kind, date=date, amount=amount, recorded_by=acting_user)
    audit.record(
        actor=acting_user,
        action=Action.PAYMENT_RECORDED,
        target=tranche.contract,
        note=f"{tranche.year}, {payment.get_kind_display()}: {amount} ₸ ({date:%d.%m.%Y})",
    )
    notify(
        recipients=members_of(tranche.contract.provider),
        template="contracts/email/payment.txt",
        context={"payment": payment, "contract": tranche.contract},
    )
    return payment


# -- amendments ----------------------------------------------------------------------------------------------------


def _amend(contract, *, kind, reason_code, reason_text, old, new, effective, change=ZERO, by) -> Amendment:
    if not reason_text.strip():
        raise InvalidTransition(_("Explain the amendment."))
    amendment = Amendment.objects.create(
        contract=contract,
        kind=kind,
        reason_code=reason_code,
        reason_text=reason_text,
        old_value=old,
        new_value=new,
        effective_date=effective,
        value_change=change,
        created_by=by,
    )
    audit.record(actor=by, action=Action.AMENDED, target=contract, changes={kind: (old, new)}, note=reason_text)
    notify(
        recipients=[*members_of(contract.provider), *officers_of(contract.agency)],
        template="contracts/email/amended.txt",
        context={"contract": contract, "amendment": amendment},
    )
    return amendment


def _require_active(contract: Contract) -> Contract:
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != Contract.Status.ACTIVE:
        raise InvalidTransition(_("Only an active contract can be amended."))
    return contract


@transaction.atomic
def amend_amounts(
    *,
    contract: Contract,
    amounts: Mapping[int, Decimal],
    reason_code: str,
    reason_text: str,
    effective_date: dt.date,
    acting_user,
) -> Amendment:
    """Change the tranche amounts (and so the total); no part may fall below what is already paid."""
    contract = _require_active(contract)
    tranches = {t.year: t for t in contract.tranches.select_for_update()}
    if set(amounts) != set(tranches):
        raise InvalidTransition(_("Give an amount for every tranche year."))
    paid = paid_by_tranche(tranches.values())
    share = contract.call.outcome_share
    old = {str(y): str(t.amount) for y, t in sorted(tranches.items())}
    for year, amount in amounts.items():
        amount = Decimal(amount)
        if amount < 0:
            raise InvalidTransition(_("Amounts cannot be negative."))
        fixed, outcome = split_parts(amount, share)
        if fixed < paid[tranches[year].pk]["fixed"] or outcome < paid[tranches[year].pk]["outcome"]:
            raise InvalidTransition(
                _("The %(year)d tranche cannot be less than what is already paid.") % {"year": year}
            )
    old_total = contract.total
    new_total = sum((Decimal(a) for a in amounts.values()), ZERO)
    if new_total <= 0:
        raise InvalidTransition(_("The total must stay positive; terminate the contract instead."))
    if new_total == old_total and all(Decimal(amounts[y]) == t.amount for y, t in tranches.items()):
        raise InvalidTransition(_("Nothing changes."))
    for year, tranche in tranches.items():
        tranche.amount = Decimal(amounts[year])
        tranche.fixed_amount, tranche.outcome_amount = split_parts(tranche.amount, share)
        tranche.save(update_fields=["amount", "fixed_amount", "outcome_amount"])
    contract.total = new_total
    contract.save(update_fields=["total"])
    if sum(t.amount for t in contract.tranches.all()) != contract.total:  # the invariant, checked on every change
        raise InvalidTransition(_("The tranches no longer sum to the total."))
    new = {str(y): str(Decimal(a)) for y, a in sorted(amounts.items())}
    return _amend(
        contract,
        kind=Amendment.Kind.AMOUNT,
        reason_code=reason_code,
        reason_text=reason_text,
        old={"total": str(old_total), **old},
        new={"total": str(new_total), **new},
        effective=effective_date,
        change=new_total - old_total,
        by=acting_user,
    )


@transaction.atomic
def amend_end_date(
    *, contract: Contract, end_date: dt.date, reason_code: str, reason_text: str, acting_user
) -> Amendment:
    """Move the end date within the last tranche year (a year without a tranche would have no money)."""
    contract = _require_active(contract)
    last_year = max(contract.tranches.values_list("year", flat=True))
    if end_date < contract.start_date:
        raise InvalidTransition(_("The end date must not be before the start."))
    if end_date.year != last_year:
        raise InvalidTransition(
            _("The end date must fall in %(year)d, the year of the last tranche; change the amounts to add a year.")
            % {"year": last_year}
        )
    if end_date == contract.end_date:
        raise InvalidTransition(_("Nothing changes."))
    old = contract.end_date
    contract.end_date = end_date
    contract.save(update_fields=["end_date"])
    generate_periods(contract)
    return _amend(
        contract,
        kind=Amendment.Kind.END_DATE,
        reason_code=reason_code,
        reason_text=reason_text,
        old={"end_date": str(old)},
        new={"end_date": str(end_date)},
        effective=today(),
        by=acting_user,
    )


@transaction.atomic
def amend_scope(*, contract: Contract, scope: str, reason_code: str, reason_text: str, acting_user) -> Amendment:
    contract = _require_active(contract)
    if not scope.strip() or scope == contract.scope:
        raise InvalidTransition(_("Describe the new scope."))
    old = contract.scope
    contract.scope = scope
    contract.save(update_fields=["scope"])
    return _amend(
        contract,
        kind=Amendment.Kind.SCOPE,
        reason_code=reason_code,
        reason_text=reason_text,
        old={"scope": old},
        new={"scope": scope},
        effective=today(),
        by=acting_user,
    )


@transaction.atomic
def terminate(*, contract: Contract, on: dt.date, reason_code: str, reason_text: str, acting_user) -> Amendment:
    """Terminate early: the contract stops serving on `on`; unreported periods after it are dropped."""
    contract = _require_active(contract)
    if not contract.start_date <= on <= contract.end_date:
        raise InvalidTransition(_("The termination date must fall within the contract's dates."))
    if not reason_text.strip():
        raise InvalidTransition(_("Explain the amendment."))
    contract.terminate(by=acting_user, on=on, reason=reason_text)
    generate_periods(contract)
    return _amend(
        contract,
        kind=Amendment.Kind.TERMINATION,
        reason_code=reason_code,
        reason_text=reason_text,
        old={"end_date": str(contract.end_date)},
        new={"terminated_on": str(on)},
        effective=on,
        by=acting_user,
    )


# -- reports -------------------------------------------------------------------------------------------------------


@transaction.atomic
def save_report(*, form, expenses, acting_user) -> Report:
    """Save the NGO's report from a valid ReportForm and expenditure formset (the first save creates the draft);
    the indicator actuals become the form's values."""
    creating = form.instance.pk is None
    report = form.save()
    expenses.instance = report
    expenses.save()
    values = form.actual_values()
    report.actuals.exclude(indicator_id__in=values).delete()
    for indicator_id, value in values.items():
        Actual.objects.update_or_create(report=report, indicator_id=indicator_id, defaults={"value": value})
    audit.record(actor=acting_user, action=Action.REPORT_STARTED if creating else Action.REPORT_EDITED, target=report)
    return report


@transaction.atomic
def submit_report(*, report: Report, acting_user, now: dt.datetime | None = None) -> Report:
    """Submit or resubmit a report. A late one is marked late (by its first submission), never refused."""
    now = now or timezone.now()
    report = Report.objects.select_for_update().select_related("period__contract").get(pk=report.pk)
    report.submit(by=acting_user, now=now)
    audit.record(
        actor=acting_user, action=Action.REPORT_SUBMITTED, target=report.period.contract, note=str(report.period)
    )
    notify(
        recipients=officers_of(report.period.contract.agency),
        template="contracts/email/report_submitted.txt",
        context={"report": report},
    )
    return report


@transaction.atomic
def accept_report(*, report: Report, acting_user) -> Report:
    """Accept a submitted report (noted on the contract's timeline too)."""
    report = Report.objects.select_for_update().select_related("period__contract").get(pk=report.pk)
    report.accept(by=acting_user, now=timezone.now())
    audit.record(
        actor=acting_user, action=Action.REPORT_ACCEPTED, target=report.period.contract, note=str(report.period)
    )
    return report


@transaction.atomic
def return_report(*, report: Report, acting_user, comment: str) -> Report:
    """Return a submitted report with a comment; the NGO is told."""
    if not comment.strip():
        raise InvalidTransition(_("Say what must be corrected."))
    report = Report.objects.select_for_update().select_related("period__contract").get(pk=report.pk)
    report.return_(by=acting_user, comment=comment, now=timezone.now())
    audit.record(actor=acting_user, action=Action.REPORT_RETURNED, target=report.period.contract, note=comment)
    notify(
        recipients=members_of(report.period.contract.provider),
        template="contracts/email/report_returned.txt",
        context={"report": report},
    )
    return report


# -- the scheduled command -------------------------------------------------------------------------------------------


def run_schedule(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Generate missing periods, complete finished contracts whose reports are all accepted, send due and overdue
    reminders once each. Idempotent."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    result = {"periods": 0, "completed": 0, "due_reminders": 0, "overdue_reminders": 0}
    for contract in Contract.objects.signed().filter(status__in=[Contract.Status.ACTIVE, Contract.Status.TERMINATED]):
        with transaction.atomic():
            result["periods"] += generate_periods(contract)
    finished = Contract.objects.filter(status=Contract.Status.ACTIVE, end_date__lt=day)
    for contract in finished:
        open_periods = contract.periods.exclude(report__status=Report.Status.ACCEPTED)
        if not open_periods.exists():
            with transaction.atomic():
                contract.complete(by=None, now=now)
                result["completed"] += 1
    horizon = day + dt.timedelta(days=settings.GSZ["REPORT_REMINDER_DAYS"])
    due_soon = (
        ReportingPeriod.objects.awaiting_report(day)
        .filter(due_date__gte=day, due_date__lte=horizon, due_reminder_sent_at__isnull=True)
        .select_related("contract__provider")
    )
    for period in due_soon:
        with transaction.atomic():
            notify(
                recipients=members_of(period.contract.provider),
                template="contracts/email/report_due.txt",
                context={"period": period},
            )
            ReportingPeriod.objects.filter(pk=period.pk).update(due_reminder_sent_at=now)
            result["due_reminders"] += 1
    overdue = (
        ReportingPeriod.objects.overdue(day)
        .filter(overdue_reminder_sent_at__isnull=True)
        .select_related("contract__provider", "contract__agency")
    )
    for period in overdue:
        with transaction.atomic():
            notify(
                recipients=[*members_of(period.contract.provider), *officers_of(period.contract.agency)],
                template="contracts/email/report_overdue.txt",
                context={"period": period},
            )
            ReportingPeriod.objects.filter(pk=period.pk).update(overdue_reminder_sent_at=now)
            result["overdue_reminders"] += 1
    return result

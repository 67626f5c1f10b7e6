"""Demo contracts for every awarded call past its standstill: multi-year ones, payments on time, late and missing,
reports on time, late, returned and overdue, a few early terminations and cuts — so that the money of some regions
and services visibly jumps from year to year."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from contracts import services
from contracts.models import (
    Actual,
    Amendment,
    Contract,
    Payment,
    Report,
    ReportExpense,
    ReportingPeriod,
    Target,
    Tranche,
)
from core.audit import Action
from core.demo import backdated
from tenders.models import Bid, Call

ALMATY = ZoneInfo("Asia/Almaty")
NARRATIVES = [
    "Проведены первичные оценки потребностей, разработаны индивидуальные планы сопровождения, организованы "
    "межведомственные встречи с органами образования и здравоохранения.",
    "Продолжено сопровождение семей; проведены групповые занятия для родителей и консультации психолога.",
    "Организованы выездные консультации в сельских округах; обучены волонтёры; обновлена база случаев.",
]


def aware(day: dt.date, hour: int = 11) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=ALMATY)


# What a child's place in a social service costs a year in the demo, in tenge: the children a report states follow
# from the money of the contract's year, so the figures agree with each other (tests/core/test_demo_consistency.py).
COST_PER_CHILD = (180_000, 420_000)


def children_served(contract, period, rng) -> int:
    """Return the children a report of the period states: the year's tranche over the contract's cost per child
    (fixed per contract), somewhat fewer in a quarter than in the year."""
    low, high = COST_PER_CHILD
    cost = low + (contract.pk * 7919) % (high - low)
    tranche = contract.tranches.filter(year=period.year).first()
    amount = tranche.amount if tranche else contract.total / max(len(contract.years), 1)
    per_year = max(int(amount / cost), 1)
    return per_year if period.kind == "annual" else max(int(per_year * rng.uniform(0.6, 0.9)), 1)


def load(*, rng, context, stdout) -> None:
    today = timezone.localdate()
    officers = {o.agency_id: o for o in context["officers"]}
    calls = (
        Call.objects.filter(status=Call.Status.AWARDED, standstill_until__lt=timezone.now(), start_year__lt=2027)
        .select_related("agency", "region", "service_type")
        .order_by("start_year", "pk")
    )
    made = []
    for index, call in enumerate(calls):
        winner = Bid.objects.filter(call=call, status=Bid.Status.WINNER).select_related("provider").first()
        if winner is None:
            continue
        officer = officers[call.agency_id]
        member = winner.provider.memberships.first().user
        signature_delay = rng.choice([3, 5, 8, 12, 20, 35]) if "late" not in call.number else 40
        agency_signed = (call.standstill_until + dt.timedelta(days=rng.randint(1, 6))).astimezone(ALMATY)
        provider_signed = agency_signed + dt.timedelta(days=signature_delay)
        start = max(dt.date(call.start_year, 1, 1), provider_signed.date())
        end = dt.date(call.end_year, 12, 31)
        tranches = services.default_tranches(call, winner.price)
        contract = Contract.objects.create(
            number=f"Д-{call.number}",
            call=call,
            bid=winner,
            provider=winner.provider,
            agency=call.agency,
            region=call.region,
            service_type=call.service_type,
            total=winner.price,
            start_date=start,
            end_date=end,
            scope=call.description_ru,
            status=Contract.Status.ACTIVE,
            agency_signed_at=agency_signed,
            agency_signed_by=officer,
            provider_signed_at=provider_signed,
            provider_signed_by=member,
            created_by=officer,
        )
        backdated(
            actor=officer, action=Action.CONTRACT_PREPARED, target=contract, when=agency_signed - dt.timedelta(days=1)
        )
        backdated(actor=officer, action=Action.AGENCY_SIGNATURE, target=contract, when=agency_signed)
        backdated(actor=member, action=Action.NGO_SIGNATURE, target=contract, when=provider_signed)
        for t in tranches:
            planned = t["planned_date"] or start + dt.timedelta(days=30)
            Tranche.objects.create(
                contract=contract,
                year=t["year"],
                amount=t["amount"],
                fixed_amount=t["fixed_amount"],
                outcome_amount=t["outcome_amount"],
                planned_date=planned,
                funding_source=t["funding_source"],
            )
        for target in call.targets.all():
            Target.objects.create(contract=contract, year=target.year, indicator=target.indicator, value=target.value)
        made.append(contract)

        # A few contracts end early or are cut: visible instability.
        if index % 11 == 5 and call.end_year <= 2026:
            on = dt.date(call.start_year, rng.choice([6, 7, 8, 9]), 15)
            if start < on < end:
                contract.status, contract.terminated_on = Contract.Status.TERMINATED, on
                contract.termination_reason = "Систематическое невыполнение плана сопровождения"
                contract.save()
                termination = Amendment.objects.create(
                    contract=contract,
                    kind=Amendment.Kind.TERMINATION,
                    reason_code=Amendment.Reason.NON_PERFORMANCE,
                    reason_text=contract.termination_reason,
                    old_value={"end_date": str(end)},
                    new_value={"terminated_on": str(on)},
                    effective_date=on,
                    created_by=officer,
                )
                Amendment.objects.filter(pk=termination.pk).update(created_at=aware(on))
                backdated(actor=officer, action=Action.TERMINATED, target=contract, when=aware(on))
        elif index % 7 == 3 and contract.tranches.count() > 1:
            last = contract.tranches.order_by("-year").first()
            if last.year <= 2026:
                old_total, old_amount = contract.total, last.amount
                cut = (last.amount * Decimal("0.35")).quantize(Decimal("1000"))
                last.amount -= cut
                last.fixed_amount, last.outcome_amount = services.split_parts(last.amount, call.outcome_share)
                last.save()
                contract.total -= cut
                contract.save(update_fields=["total"])
                cut_amendment = Amendment.objects.create(
                    contract=contract,
                    kind=Amendment.Kind.AMOUNT,
                    reason_code=Amendment.Reason.BUDGET_CUT,
                    reason_text="Сокращение местного бюджета по решению маслихата",
                    old_value={"total": str(old_total), str(last.year): str(old_amount)},
                    new_value={"total": str(contract.total), str(last.year): str(last.amount)},
                    effective_date=dt.date(last.year, 2, 1),
                    value_change=-cut,
                    created_by=officer,
                )
                amended_at = aware(dt.date(last.year, 2, 1))
                Amendment.objects.filter(pk=cut_amendment.pk).update(created_at=amended_at)
                backdated(actor=officer, action=Action.AMENDED, target=contract, when=amended_at)

        services.generate_periods(contract)
        quality = rng.choice([0.7, 0.85, 0.95, 1.0, 1.05, 1.1])
        for tranche in contract.tranches.all():
            if tranche.year > contract.last_serving_day.year:
                continue
            delay = rng.choice([0, 3, 7, 10, 15, 45, 75]) if index % 5 else 0
            paid_on = tranche.planned_date + dt.timedelta(days=delay)
            if paid_on <= today and not (index % 13 == 6 and tranche.year >= 2025):  # some never paid
                Payment.objects.create(
                    tranche=tranche,
                    kind=Payment.Kind.FIXED,
                    date=paid_on,
                    amount=tranche.fixed_amount,
                    recorded_by=officer,
                )
                backdated(
                    actor=officer,
                    action=Action.PAYMENT_RECORDED,
                    target=contract,
                    when=aware(paid_on),
                    note=f"{tranche.year}: {tranche.fixed_amount} ₸",
                )
        for period in contract.periods.order_by("due_date"):
            if period.end >= today:
                continue
            roll = rng.random()
            if period.due_date < today - dt.timedelta(days=5) or roll < 0.6:
                if period.year == today.year and period.kind == "quarterly" and period.quarter == 3 and index % 4 == 0:
                    continue  # overdue: never submitted
                late_days = rng.choice([-6, -3, -1, 0, 0, 2, 9, 21]) if index % 3 else -2
                submitted = aware(period.due_date + dt.timedelta(days=late_days), 16)
                returned = rng.random() < 0.12
                children_served_now = children_served(contract, period, rng)
                report = Report.objects.create(
                    period=period,
                    narrative=rng.choice(NARRATIVES),
                    children_served=children_served_now,
                    families_served=max(int(children_served_now * rng.uniform(0.4, 0.8)), 1),
                    status=Report.Status.ACCEPTED,
                    first_submitted_at=submitted,
                    submitted_at=submitted + dt.timedelta(days=12 if returned else 0),
                    reviewed_at=submitted + dt.timedelta(days=14 if returned else 6),
                    reviewed_by=officer,
                    return_comment="Не приложены подтверждающие документы по расходам" if returned else "",
                    created_by=member,
                )
                if returned and period.due_date > today - dt.timedelta(days=40):
                    report.status, report.submitted_at = Report.Status.RETURNED, submitted
                    report.save(update_fields=["status", "submitted_at"])
                elif period.due_date > today - dt.timedelta(days=12) and rng.random() < 0.5:
                    report.status, report.reviewed_at, report.reviewed_by = Report.Status.SUBMITTED, None, None
                    report.save(update_fields=["status", "reviewed_at", "reviewed_by"])
                backdated(
                    actor=member, action=Action.REPORT_SUBMITTED, target=contract, when=submitted, note=str(period)
                )
                if report.status == Report.Status.ACCEPTED:
                    backdated(actor=officer, action=Action.REPORT_ACCEPTED, target=report, when=report.reviewed_at)
                tranche = contract.tranches.filter(year=period.year).first()
                if tranche:
                    share = Decimal("0.25") if period.kind == "quarterly" else Decimal("1")
                    for item, part in (
                        ("Оплата труда", "0.6"),
                        ("Транспорт", "0.12"),
                        ("Аренда", "0.16"),
                        ("Материалы", "0.08"),
                    ):
                        ReportExpense.objects.create(
                            report=report,
                            item=item,
                            amount=(tranche.amount * share * Decimal(part)).quantize(Decimal("100")),
                        )
                for target in contract.targets.filter(year=period.year).select_related("indicator"):
                    if period.kind == ReportingPeriod.Kind.QUARTERLY and rng.random() < 0.5:
                        continue
                    if period.kind == ReportingPeriod.Kind.ANNUAL and rng.random() < 0.06:
                        continue  # a missing actual: shown as missing, never as 0 %
                    factor = Decimal(str(quality + rng.uniform(-0.12, 0.12)))
                    if target.indicator.direction == "lower":
                        factor = Decimal(2) - factor
                    value = (target.value * factor).quantize(Decimal("0.1"))
                    if target.indicator.unit == "percent":
                        value = min(value, Decimal(100))
                    Actual.objects.create(report=report, indicator=target.indicator, value=max(value, Decimal(0)))

        finished = contract.status == Contract.Status.ACTIVE and contract.end_date < today
        if finished and not contract.periods.exclude(report__status=Report.Status.ACCEPTED).exists():
            contract.status = Contract.Status.COMPLETED
            contract.completed_at = aware(contract.end_date + dt.timedelta(days=40))
            contract.save(update_fields=["status", "completed_at"])
            backdated(actor=None, action=Action.COMPLETED, target=contract, when=contract.completed_at)
    stdout.write(
        f"contracts: {len(made)} contracts, {Payment.objects.count()} payments, {Report.objects.count()} reports"
    )

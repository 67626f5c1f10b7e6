"""Demo evaluations: most ended contract years with an accepted annual report have a council evaluation (a few
negative) with the council's conclusion on each criterion (one negative on a criterion although the total passes),
and a few ended contracts a final evaluation over the whole project; price limits per child of the last complete
year, one contract outside them; outcome money is paid as earned, so some is withheld; the child population of
each region (round illustrative figures), and a few regions whose data is complete only from a later year."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from contracts.models import Contract, Payment, PriceLimit, Report, ReportingPeriod, Tranche
from contracts.prices import year_prices
from core.audit import Action
from core.demo import backdated
from core.models import Region
from evaluation import demo_import
from evaluation.analytics import ocds
from evaluation.analytics.snapshots import make_snapshot
from evaluation.council import council_result
from evaluation.models import (
    CRITERION_CODES,
    CriterionConclusion,
    Evaluator,
    EvaluatorScore,
    RegionPopulation,
    ResultEvaluation,
    Snapshot,
)
from evaluation.outcomes import earned, outcomes_for

ALMATY = ZoneInfo("Asia/Almaty")
# Children aged 0–17, round illustrative figures (not official statistics), by region code.
CHILDREN = {
    "10": 190_000,
    "11": 220_000,
    "15": 300_000,
    "19": 480_000,
    "23": 250_000,
    "27": 200_000,
    "31": 400_000,
    "33": 210_000,
    "35": 330_000,
    "39": 230_000,
    "43": 330_000,
    "47": 290_000,
    "55": 200_000,
    "59": 140_000,
    "61": 930_000,
    "62": 70_000,
    "63": 190_000,
    "71": 430_000,
    "75": 560_000,
    "79": 420_000,
}
# Regions whose contracts are complete in the system only from a later year (earlier years show "no data").
DATA_FROM = {"43": 2023, "47": 2022, "59": 2024}


def load(*, rng, context, stdout) -> None:
    today = timezone.localdate()
    for region in Region.objects.filter(level=Region.Level.FIRST):
        if region.code in DATA_FROM:
            region.data_from_year = DATA_FROM[region.code]
            region.save(update_fields=["data_from_year"])
        for year in range(2019, 2027):
            if not region.exists_in(year) or (region.code == "62" and year == 2025):
                continue  # Ulytau 2025 left without a figure: a "missing data" flag
            growth = Decimal(1 + 0.01 * (year - 2019))
            RegionPopulation.objects.create(
                region=region,
                year=year,
                children=int(CHILDREN[region.code] * growth) // 1000 * 1000,
                is_illustrative=True,
            )

    experts = context["experts"]
    contracts = list(Contract.objects.signed().select_related("agency", "provider", "call"))
    outcomes = outcomes_for(contracts)
    officers = {o.agency_id: o for o in context["officers"]}
    evaluated = negative = finals = 0
    negative_criterion_shown = False
    annual = set(
        ReportingPeriod.objects.filter(kind="annual", report__status=Report.Status.ACCEPTED).values_list(
            "contract_id", "year"
        )
    )
    for contract in contracts:
        officer = officers[contract.agency_id]
        for tranche in contract.tranches.filter(outcome_amount__gt=0, year__lt=today.year):
            outcome = outcomes.get((contract.pk, tranche.year))
            amount = earned(tranche.outcome_amount, outcome.score if outcome else None)
            if amount:
                payment = Payment.objects.create(
                    tranche=tranche,
                    kind=Payment.Kind.OUTCOME,
                    date=dt.date(tranche.year + 1, 3, 25),
                    amount=amount,
                    recorded_by=officer,
                )
                backdated(
                    actor=officer,
                    action=Action.PAYMENT_RECORDED,
                    target=contract,
                    when=dt.datetime.combine(payment.date, dt.time(11), ALMATY),
                    note=f"{tranche.year}: {amount} ₸",
                )
        for year in sorted({y for (cid, y) in annual if cid == contract.pk}):
            if year >= today.year or rng.random() < 0.2:
                continue
            outcome = outcomes.get((contract.pk, year))
            level = float(outcome.score) if outcome and outcome.score is not None else 0.8
            opened = dt.datetime(year + 1, 3, 1, 10, tzinfo=ALMATY)
            evaluation = ResultEvaluation.objects.create(
                contract=contract, year=year, threshold=contract.agency.evaluation_threshold, opened_by=officer
            )
            ResultEvaluation.objects.filter(pk=evaluation.pk).update(opened_at=opened)
            bad = level < 0.8 and rng.random() < 0.6
            for user in rng.sample(experts, 3):
                evaluator = Evaluator.objects.create(
                    evaluation=evaluation,
                    user=user,
                    declared_at=opened + dt.timedelta(days=2),
                    has_conflict=False,
                    submitted_at=opened + dt.timedelta(days=9),
                    comment="Оценка по отчёту и выезду на место.",
                )
                for code in CRITERION_CODES:
                    base = 2 if bad else 4
                    value = max(0, min(5, base + rng.choice([-1, 0, 0, 1]) + (1 if level > 0.95 else 0)))
                    EvaluatorScore.objects.create(evaluator=evaluator, criterion=code, value=value)
            result = council_result(evaluation)
            conclusions = {code: result.means[code] >= 2 for code in CRITERION_CODES}
            if result.positive and not negative_criterion_shown:
                conclusions["long_term"] = False  # a negative criterion although the total passes
                negative_criterion_shown = True
            CriterionConclusion.objects.bulk_create(
                CriterionConclusion(
                    evaluation=evaluation,
                    criterion=code,
                    positive=positive,
                    comment="" if positive else "Долгосрочный эффект не подтверждён данными мониторинга.",
                )
                for code, positive in conclusions.items()
            )
            evaluation.status = ResultEvaluation.Status.SUBMITTED
            evaluation.concluded_at = opened + dt.timedelta(days=14)
            evaluation.total, evaluation.positive = result.total, result.overall(conclusions)
            evaluation.save(update_fields=["status", "concluded_at", "total", "positive"])
            backdated(
                actor=officer,
                action=Action.EVALUATION_CONCLUDED,
                target=evaluation,
                when=evaluation.concluded_at,
                note=f"{result.total:.2f} / 25",
            )
            evaluated += 1
            negative += evaluation.positive is False
            if year == contract.end_date.year and finals < 4:
                finals += final_evaluation(evaluation, opened + dt.timedelta(days=30))
    limits = price_limits(today.year - 1)
    stdout.write(
        f"evaluation: {evaluated} council evaluations ({negative} negative, {finals} final), child population of 20 "
        f"regions, {limits} price limits"
    )
    # A committed import of 2018–2020 records of two agencies (the Imports page, provenance, earlier heatmap years).
    demo_import.load(context, stdout)
    # Open data: the releases of the whole history, dated as the events happened; the bulk file once committed.
    releases = ocds.publish_pending()
    transaction.on_commit(ocds.write_bulk_file, robust=True)
    stdout.write(f"open data: {releases} OCDS releases")
    # Two analytics snapshots, a month apart, so the pages cite one and "what changed" has something to compare.
    month_ago = today - dt.timedelta(days=31)
    older = make_snapshot(today=month_ago)
    Snapshot.objects.filter(pk=older.pk).update(made_at=dt.datetime.combine(month_ago, dt.time(6), tzinfo=ALMATY))
    current = make_snapshot(today=today)
    stdout.write(f"analytics snapshots: #{older.pk} as of {month_ago:%d.%m.%Y} and #{current.pk} as of today")


def final_evaluation(preliminary: ResultEvaluation, opened: dt.datetime) -> int:
    """A final evaluation over the whole project after the contract's last year: the same council and scores."""
    final = ResultEvaluation.objects.create(
        contract=preliminary.contract,
        year=preliminary.year,
        stage=ResultEvaluation.Stage.FINAL,
        threshold=preliminary.threshold,
        opened_by=preliminary.opened_by,
        status=ResultEvaluation.Status.SUBMITTED,
        concluded_at=opened + dt.timedelta(days=14),
        total=preliminary.total,
        positive=preliminary.positive,
    )
    ResultEvaluation.objects.filter(pk=final.pk).update(opened_at=opened)
    for evaluator in preliminary.evaluators.prefetch_related("scores"):
        copy = Evaluator.objects.create(
            evaluation=final,
            user=evaluator.user,
            declared_at=opened + dt.timedelta(days=1),
            has_conflict=False,
            submitted_at=opened + dt.timedelta(days=7),
            comment="Итоговая оценка по всему проекту.",
        )
        EvaluatorScore.objects.bulk_create(
            EvaluatorScore(evaluator=copy, criterion=s.criterion, value=s.value) for s in evaluator.scores.all()
        )
    CriterionConclusion.objects.bulk_create(
        CriterionConclusion(evaluation=final, criterion=c.criterion, positive=c.positive, comment=c.comment)
        for c in preliminary.conclusions.all()
    )
    return 1


def price_limits(year: int) -> int:
    """Price limits per child of `year` for each service type with priced contract years: from 10 % below the
    lowest to 10 % above the highest, except the service with the most prices, whose maximum is its second highest
    price, so exactly its most expensive contract year is outside (a red flag)."""
    by_service: dict[int, list[Decimal]] = {}
    for price in year_prices(Tranche.objects.serving([year])):
        if price.per_child is not None:
            by_service.setdefault(price.service_type_id, []).append(price.per_child)
    if not by_service:
        return 0
    busiest = max(by_service, key=lambda key: (len(by_service[key]), -key))
    for service_id, values in by_service.items():
        values.sort()
        low, high = (
            (values[0] * Decimal("0.9")).quantize(Decimal(1000)),
            (values[-1] * Decimal("1.1")).quantize(Decimal(1000)),
        )
        if service_id == busiest and len(values) > 1:
            high = values[-2]
        PriceLimit.objects.update_or_create(
            service_type_id=service_id,
            year=year,
            defaults={
                "min_per_child": low,
                "max_per_child": high,
                "basis": "Демо: предельные ставки на одного ребёнка (иллюстрация, не норматив).",
            },
        )
    return len(by_service)

"""Provider performance profiles and the ranking by shrunk score, in a bounded number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from contracts.models import Amendment, Contract, Report, Tranche
from core.util import today
from evaluation.models import ResultEvaluation
from evaluation.outcomes import YearOutcome, outcomes_for
from providers.models import Provider, StaffMember

SHRINK_WEIGHT = 3
ZERO = Decimal("0")


def shrunk_score(scores: list[Decimal], overall_mean: Decimal, weight: int = SHRINK_WEIGHT) -> Decimal:
    """Return (Σ scores + weight × overall mean) ÷ (number of scores + weight), so one good year does not outrank a
    long record."""
    return (sum(scores, ZERO) + weight * overall_mean) / (len(scores) + weight)


@dataclass
class YearLine:
    year: int
    contracts_won: int = 0
    money: Decimal = ZERO
    outcome_scores: list[Decimal] = field(default_factory=list)
    positive: int = 0
    negative: int = 0


@dataclass
class Profile:
    provider: Provider
    years: list[YearLine]
    regions: list[tuple[str, Decimal]]
    services: list[tuple[str, Decimal]]
    reports: int
    on_time: int
    returned: int
    terminations: int
    reductions: int
    amendments: int
    staff: int
    staff_child_ok: int
    evaluations: list[ResultEvaluation]
    outcomes: list[YearOutcome]

    @property
    def on_time_rate(self) -> Decimal | None:
        return Decimal(self.on_time) / self.reports if self.reports else None

    @property
    def negative_conclusions(self) -> int:
        return sum(1 for e in self.evaluations if e.positive is False)

    @property
    def mean_outcome(self) -> Decimal | None:
        scores = [o.score for o in self.outcomes if o.score is not None]
        return sum(scores, ZERO) / len(scores) if scores else None


def provider_profile(provider: Provider) -> Profile:
    """Return the performance record of one provider (a fixed number of queries whatever its number of contracts)."""
    contracts = list(Contract.objects.filter(provider=provider).select_related("region", "service_type", "call"))
    signed = [c for c in contracts if c.is_signed]
    years: dict[int, YearLine] = {}

    def line(year: int) -> YearLine:
        return years.setdefault(year, YearLine(year))

    for contract in contracts:
        won = contract.call.decided_at or contract.created_at
        line(timezone.localtime(won).year).contracts_won += 1
    money_by_region: dict[str, Decimal] = defaultdict(lambda: ZERO)
    money_by_service: dict[str, Decimal] = defaultdict(lambda: ZERO)
    names = {c.pk: (c.region.name, c.service_type.name) for c in contracts}
    # Money of a contract in year y is its tranche for y while it serves y (the serving rule, as everywhere).
    for contract_id, year, amount in (
        Tranche.objects.serving().filter(contract__provider=provider).values_list("contract_id", "year", "amount")
    ):
        line(year).money += amount
        money_by_region[names[contract_id][0]] += amount
        money_by_service[names[contract_id][1]] += amount
    reports = list(
        Report.objects.filter(period__contract__provider=provider, first_submitted_at__isnull=False).values_list(
            "first_submitted_at", "period__due_date", "return_comment"
        )
    )
    on_time = sum(1 for first, due, _comment in reports if timezone.localtime(first).date() <= due)
    returned = sum(1 for _first, _due, comment in reports if comment)
    outcomes = [o for o in outcomes_for(signed).values() if o.applicable]
    for outcome in outcomes:
        if outcome.score is not None:
            line(outcome.year).outcome_scores.append(outcome.score)
    evaluations = list(ResultEvaluation.objects.filter(contract__provider=provider).select_related("contract"))
    for evaluation in evaluations:
        if evaluation.positive is True:
            line(evaluation.year).positive += 1
        elif evaluation.positive is False:
            line(evaluation.year).negative += 1
    amendments = Amendment.objects.filter(contract__provider=provider).aggregate(
        total=Count("id"),
        reductions=Count("id", filter=Q(value_change__lt=0)),
        terminations=Count("id", filter=Q(kind="termination")),
    )
    staff = StaffMember.objects.filter(provider=provider).current()
    return Profile(
        provider=provider,
        years=[years[y] for y in sorted(years)],
        regions=sorted(money_by_region.items(), key=lambda kv: -kv[1]),
        services=sorted(money_by_service.items(), key=lambda kv: -kv[1]),
        reports=len(reports),
        on_time=on_time,
        returned=returned,
        terminations=amendments["terminations"],
        reductions=amendments["reductions"],
        amendments=amendments["total"],
        staff=staff.count(),
        staff_child_ok=staff.may_work_with_children(today()).count(),
        evaluations=evaluations,
        outcomes=sorted(outcomes, key=lambda o: (o.year, o.contract_id)),
    )


@dataclass
class Summary:
    """The short track record shown beside a bid."""

    provider_id: int
    contracts: int = 0
    evaluated_years: int = 0
    mean_outcome: Decimal | None = None
    negative_conclusions: int = 0
    positive_conclusions: int = 0
    terminations: int = 0


def counted_conclusions(provider_ids: Iterable[int]) -> list[tuple[int, bool]]:
    """(provider id, positive) of the concluded evaluations that count in a track record and the ranking: a
    contract's final conclusion where the council made one, else its preliminary ones (one query)."""
    rows = list(
        ResultEvaluation.objects.filter(
            contract__provider_id__in=list(provider_ids), status=ResultEvaluation.Status.SUBMITTED
        ).values_list("contract_id", "contract__provider_id", "stage", "positive")
    )
    final = {contract_id for contract_id, _p, stage, _v in rows if stage == ResultEvaluation.Stage.FINAL}
    return [
        (provider_id, bool(positive))
        for contract_id, provider_id, stage, positive in rows
        if positive is not None and (contract_id not in final or stage == ResultEvaluation.Stage.FINAL)
    ]


def summaries(provider_ids: Iterable[int]) -> dict[int, Summary]:
    """Return the track record of several providers at once (a fixed number of queries)."""
    ids = list(provider_ids)
    result = {pk: Summary(pk) for pk in ids}
    contracts = list(Contract.objects.signed().filter(provider_id__in=ids))
    for contract in contracts:
        result[contract.provider_id].contracts += 1
    by_contract = {c.pk: c.provider_id for c in contracts}
    scores: dict[int, list[Decimal]] = defaultdict(list)
    for outcome in outcomes_for(contracts).values():
        if outcome.score is not None:
            scores[by_contract[outcome.contract_id]].append(outcome.score)
    for pk, values in scores.items():
        result[pk].evaluated_years = len(values)
        result[pk].mean_outcome = sum(values, ZERO) / len(values)
    for provider_id, positive in counted_conclusions(ids):
        if positive:
            result[provider_id].positive_conclusions += 1
        else:
            result[provider_id].negative_conclusions += 1
    for row in (
        Contract.objects.filter(provider_id__in=ids, status=Contract.Status.TERMINATED)
        .values("provider_id")
        .annotate(n=Count("id"))
    ):
        result[row["provider_id"]].terminations = row["n"]
    return result


@dataclass
class RankRow:
    provider: Provider
    scores: list[Decimal]
    shrunk: Decimal
    money: Decimal
    positive_conclusions: int = 0
    negative_conclusions: int = 0

    @property
    def evaluated_years(self) -> int:
        return len(self.scores)

    @property
    def mean(self) -> Decimal | None:
        return sum(self.scores, ZERO) / len(self.scores) if self.scores else None


def ranking(*, service_type, region=None) -> tuple[list[RankRow], Decimal | None]:
    """Return providers of a service type (and region) ordered by shrunk outcome score, and the overall mean that
    shrinks them (the mean of every evaluated contract year in the group)."""
    contracts = Contract.objects.signed().filter(service_type=service_type)
    if region is not None:
        contracts = contracts.filter(region=region)
    contracts = list(contracts.select_related("provider"))
    by_contract = {c.pk: c.provider for c in contracts}
    scores: dict[int, list[Decimal]] = defaultdict(list)
    providers: dict[int, Provider] = {}
    for outcome in outcomes_for(contracts).values():
        if outcome.score is not None:
            provider = by_contract[outcome.contract_id]
            providers[provider.pk] = provider
            scores[provider.pk].append(outcome.score)
    every = [s for values in scores.values() for s in values]
    if not every:
        return [], None
    overall = sum(every, ZERO) / len(every)
    money = dict(
        Tranche.objects.serving()
        .filter(contract__in=contracts)
        .values("contract__provider_id")
        .annotate(s=Sum("amount"))
        .values_list("contract__provider_id", "s")
    )
    rows = [
        RankRow(providers[pk], values, shrunk_score(values, overall), money.get(pk, ZERO))
        for pk, values in scores.items()
    ]
    by_provider = {row.provider.pk: row for row in rows}
    for provider_id, positive in counted_conclusions(by_provider):
        if positive:
            by_provider[provider_id].positive_conclusions += 1
        else:
            by_provider[provider_id].negative_conclusions += 1
    rows.sort(key=lambda r: (-r.shrunk, -r.evaluated_years, r.provider.pk))
    return rows, overall

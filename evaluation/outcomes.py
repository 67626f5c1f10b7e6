"""Targets against actuals, computed in one place (DESIGN.md, "evaluation").

Achievement of a target = actual ÷ target; when lower is better, target ÷ actual, with an actual of 0 counting as the
cap; capped at 150 %. A target of 0 (when higher is better) or a missing actual gives no achievement, shown as
missing. A contract year's outcome score = the mean of the available achievements of its outcome indicators, capped
at 100 %, with "n of m indicators"; missing when none is available; absent for service types without an outcome
indicator. Only the accepted annual report of the year counts; quarterly reports show progress only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from contracts.models import Actual, Contract, Payment, Report, ReportingPeriod, Target, Tranche
from core.models import Indicator

ACHIEVEMENT_CAP = Decimal("1.5")
SCORE_CAP = Decimal("1")
ZERO = Decimal("0")


def achievement(target: Decimal, actual: Decimal | None, direction: str) -> Decimal | None:
    """Return the achievement of one target (a fraction, capped at 1.5), or None when it cannot be computed."""
    if actual is None:
        return None
    if direction == Indicator.Direction.LOWER:
        if actual == 0:
            return ACHIEVEMENT_CAP
        return min(Decimal(target) / Decimal(actual), ACHIEVEMENT_CAP)
    if target == 0:
        return None
    return min(Decimal(actual) / Decimal(target), ACHIEVEMENT_CAP)


def outcome_score(achievements: Iterable[Decimal | None]) -> Decimal | None:
    """Return the mean of the available achievements, capped at 100 %, or None when none is available."""
    available = [a for a in achievements if a is not None]
    if not available:
        return None
    return min(sum(available, ZERO) / len(available), SCORE_CAP)


@dataclass
class TargetRow:
    indicator: Indicator
    target: Decimal
    actual: Decimal | None
    progress: Decimal | None  # the latest quarterly actual (progress only)
    achievement: Decimal | None

    @property
    def is_outcome(self) -> bool:
        return self.indicator.kind == Indicator.Kind.OUTCOME


@dataclass
class YearOutcome:
    contract_id: int
    year: int
    rows: list[TargetRow] = field(default_factory=list)
    has_annual_report: bool = False  # an accepted annual report exists for the year
    applicable: bool = True  # False for service types without an outcome indicator

    @property
    def outcome_rows(self) -> list[TargetRow]:
        return [r for r in self.rows if r.is_outcome]

    @property
    def available(self) -> int:
        """n: outcome indicators with an achievement."""
        return sum(1 for r in self.outcome_rows if r.achievement is not None)

    @property
    def total(self) -> int:
        """m: outcome indicators targeted in the year."""
        return len(self.outcome_rows)

    @property
    def score(self) -> Decimal | None:
        if not self.applicable:
            return None
        return outcome_score(r.achievement for r in self.outcome_rows)


def contract_years(contract: Contract) -> list[int]:
    """Return the years a contract year is counted for: its tranche years up to the last serving day."""
    last = contract.last_serving_day.year
    return sorted(y for y in contract.tranches.values_list("year", flat=True) if y <= last)


def outcomes_for(contracts: Iterable[Contract]) -> dict[tuple[int, int], YearOutcome]:
    """Return {(contract id, year): YearOutcome} for every targeted year of the contracts, in four queries."""
    contracts = list(contracts)
    ids = [c.pk for c in contracts]
    # an outcome indicator "for every service" (no service type, None here) is an outcome indicator of each one
    services_with_outcome = set(
        Indicator.objects.filter(kind=Indicator.Kind.OUTCOME).values_list("service_type_id", flat=True).distinct()
    )
    results: dict[tuple[int, int], YearOutcome] = {}
    for contract in contracts:
        applicable = None in services_with_outcome or contract.service_type_id in services_with_outcome
        for year in range(contract.start_date.year, contract.last_serving_day.year + 1):
            results[(contract.pk, year)] = YearOutcome(contract.pk, year, applicable=applicable)
    accepted = Report.Status.ACCEPTED
    annual: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    progress: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    for contract_id, year, kind, indicator_id, value in (
        Actual.objects.filter(report__period__contract_id__in=ids, report__status=accepted)
        .order_by("report__period__end")
        .values_list(
            "report__period__contract_id", "report__period__year", "report__period__kind", "indicator_id", "value"
        )
    ):
        target = annual if kind == ReportingPeriod.Kind.ANNUAL else progress
        target[(contract_id, year)][indicator_id] = value
    for contract_id, year in ReportingPeriod.objects.filter(
        contract_id__in=ids, kind=ReportingPeriod.Kind.ANNUAL, report__status=accepted
    ).values_list("contract_id", "year"):
        if (contract_id, year) in results:
            results[(contract_id, year)].has_annual_report = True
    for target in Target.objects.filter(contract_id__in=ids).select_related("indicator").order_by("indicator_id"):
        key = (target.contract_id, target.year)
        if key not in results:
            continue  # a year after a termination: targets are not pro-rated, and the year is not counted
        actual = annual[key].get(target.indicator_id) if results[key].has_annual_report else None
        results[key].rows.append(
            TargetRow(
                indicator=target.indicator,
                target=target.value,
                actual=actual,
                progress=progress[key].get(target.indicator_id),
                achievement=achievement(target.value, actual, target.indicator.direction),
            )
        )
    return results


@dataclass
class OutcomePayment:
    tranche: Tranche
    outcome_part: Decimal
    score: Decimal | None
    earned: Decimal | None  # outcome part × outcome score; None while the score is missing
    paid: Decimal

    @property
    def withheld(self) -> Decimal | None:
        return None if self.earned is None else self.outcome_part - self.earned

    @property
    def payable(self) -> Decimal | None:
        """Return what may still be paid of the earned money."""
        return None if self.earned is None else max(self.earned - self.paid, ZERO)


def earned(outcome_part: Decimal, score: Decimal | None) -> Decimal | None:
    """Return the outcome money earned: outcome part × outcome score, rounded to the tiyn only here."""
    if score is None:
        return None
    return (outcome_part * score).quantize(Decimal("0.01"))


def outcome_payments(contract: Contract, outcomes: dict[tuple[int, int], YearOutcome]) -> list[OutcomePayment]:
    """Return each tranche's outcome part, what was earned, paid and withheld."""
    tranches = list(contract.tranches.filter(outcome_amount__gt=0))
    paid = defaultdict(lambda: ZERO)
    for tranche_id, amount in Payment.objects.filter(tranche__in=tranches, kind=Payment.Kind.OUTCOME).values_list(
        "tranche_id", "amount"
    ):
        paid[tranche_id] += amount
    rows = []
    for tranche in tranches:
        outcome = outcomes.get((contract.pk, tranche.year))
        score = outcome.score if outcome else None
        rows.append(
            OutcomePayment(
                tranche, tranche.outcome_amount, score, earned(tranche.outcome_amount, score), paid[tranche.pk]
            )
        )
    return rows

"""The expert council's arithmetic (DESIGN.md): result per criterion = the mean over non-recused evaluators who
submitted every criterion; total = the sum of the unrounded means (of 25); negative when the total is below the
threshold copied from the agency, or (setting ``GSZ["COUNCIL_ANY_ZERO_NEGATIVE"]``) any criterion's mean is 0, or
(setting ``GSZ["COUNCIL_NEGATIVE_CRITERION_NEGATIVE"]``) the council's conclusion on any criterion is negative;
otherwise positive."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext

from evaluation.models import CRITERION_CODES, EvaluatorScore, ResultEvaluation

ZERO = Decimal("0")


@dataclass
class CouncilResult:
    means: dict[str, Decimal]  # criterion → unrounded mean; empty without any complete sheet
    total: Decimal | None
    sheets: int  # complete, non-recused sheets
    recused: int
    quorum: int
    threshold: Decimal

    @property
    def has_quorum(self) -> bool:
        return self.sheets >= self.quorum

    @property
    def positive(self) -> bool | None:
        """Return the conclusion, or None before quorum (a provisional conclusion from the first sheets would read
        as the council's)."""
        if self.total is None or not self.has_quorum:
            return None
        if settings.GSZ["COUNCIL_ANY_ZERO_NEGATIVE"] and any(mean == 0 for mean in self.means.values()):
            return False
        return self.total >= self.threshold

    def overall(self, criterion_positive: dict[str, bool] | None) -> bool | None:
        """The overall conclusion: the rule above and, by the setting, no negative conclusion on a criterion
        (`criterion_positive`: criterion → the council's conclusion; None where none was recorded)."""
        positive = self.positive
        if positive and criterion_positive and settings.GSZ["COUNCIL_NEGATIVE_CRITERION_NEGATIVE"]:
            return all(criterion_positive.values())
        return positive


def result_from_sheets(
    sheets: list[dict[str, int]], *, threshold: Decimal, quorum: int, recused: int = 0
) -> CouncilResult:
    """Return the council result for complete sheets given as {criterion: score}."""
    complete = [s for s in sheets if set(s) == set(CRITERION_CODES)]
    if not complete:
        return CouncilResult({}, None, 0, recused, quorum, threshold)
    means = {c: Decimal(sum(s[c] for s in complete)) / len(complete) for c in CRITERION_CODES}
    return CouncilResult(means, sum(means.values(), ZERO), len(complete), recused, quorum, threshold)


def council_result(evaluation: ResultEvaluation) -> CouncilResult:
    """Return the result of an evaluation from its submitted, non-recused sheets (two queries)."""
    evaluators = list(evaluation.evaluators.all())
    recused = sum(1 for e in evaluators if e.has_conflict)
    counted = {e.pk for e in evaluators if e.has_conflict is False and e.submitted_at is not None}
    sheets: dict[int, dict[str, int]] = defaultdict(dict)
    for evaluator_id, criterion, value in EvaluatorScore.objects.filter(evaluator_id__in=counted).values_list(
        "evaluator_id", "criterion", "value"
    ):
        sheets[evaluator_id][criterion] = value
    return result_from_sheets(
        list(sheets.values()), threshold=evaluation.threshold, quorum=evaluation.min_evaluators, recused=recused
    )


def agency_rule(threshold: Decimal) -> str:
    """The agency's rule for the overall conclusion in words (shown on the evaluation page and the printout)."""
    value = f"{Decimal(threshold).normalize():f}"
    parts = [gettext("positive when the total is at least %(threshold)s of 25") % {"threshold": value}]
    if settings.GSZ["COUNCIL_ANY_ZERO_NEGATIVE"]:
        parts.append(gettext("no criterion's mean score is 0"))
    if settings.GSZ["COUNCIL_NEGATIVE_CRITERION_NEGATIVE"]:
        parts.append(gettext("no criterion has a negative conclusion"))
    return "; ".join(parts)

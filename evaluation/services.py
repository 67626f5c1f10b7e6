"""Workflows of result evaluations: open, declare, score, conclude, reopen; each a transition with an audit record."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Contract, Report, ReportingPeriod
from core import audit
from core.audit import Action
from core.exceptions import InvalidTransition
from core.mail import notify
from core.models import Indicator, Role
from evaluation.council import council_result
from evaluation.models import (
    CRITERION_CODES,
    MIN_EVALUATORS,
    CriterionConclusion,
    Evaluator,
    EvaluatorScore,
    ResultEvaluation,
)
from evaluation.outcomes import contract_years


@transaction.atomic
def open_evaluation(
    *, contract: Contract, year: int, evaluators, acting_user, stage: str = ResultEvaluation.Stage.PRELIMINARY
) -> ResultEvaluation:
    """Open the council's evaluation of a contract year, with at least three evaluators; the agency's threshold is
    copied now, so a later change of the threshold does not change this evaluation. A preliminary evaluation follows
    the year's accepted annual report; the final one, over the whole project, the contract's last year's."""
    if contract.status == Contract.Status.PENDING:
        raise InvalidTransition(_("Only a signed contract is evaluated."))
    years = contract_years(contract)
    if year not in years:
        raise InvalidTransition(_("The year is not a year of this contract."))
    if stage not in ResultEvaluation.Stage.values:
        raise InvalidTransition(_("Choose the preliminary or the final stage."))
    if stage == ResultEvaluation.Stage.FINAL and year != max(years):
        raise InvalidTransition(_("The final evaluation follows the contract's last year."))
    accepted = ReportingPeriod.objects.filter(
        contract=contract, year=year, kind=ReportingPeriod.Kind.ANNUAL, report__status=Report.Status.ACCEPTED
    ).exists()
    if not accepted:
        raise InvalidTransition(_("The annual report of that year must be accepted first."))
    evaluators = list(dict.fromkeys(evaluators))
    if len(evaluators) < MIN_EVALUATORS:
        raise InvalidTransition(_("Appoint at least %(n)d evaluators.") % {"n": MIN_EVALUATORS})
    if any(u.role not in (Role.EXPERT, Role.OFFICER) for u in evaluators):
        raise InvalidTransition(_("Evaluators are experts or officers."))
    if ResultEvaluation.objects.filter(contract=contract, year=year, stage=stage).exists():
        raise InvalidTransition(_("This contract year is already being evaluated."))
    evaluation = ResultEvaluation.objects.create(
        contract=contract,
        year=year,
        stage=stage,
        threshold=contract.agency.evaluation_threshold,
        opened_by=acting_user,
    )
    Evaluator.objects.bulk_create(Evaluator(evaluation=evaluation, user=u) for u in evaluators)
    audit.record(
        actor=acting_user, action=Action.EVALUATION_OPENED, target=evaluation, note=", ".join(map(str, evaluators))
    )
    audit.record(actor=acting_user, action=Action.EVALUATION_OPENED, target=contract, note=str(year))
    notify(recipients=evaluators, template="evaluation/email/assigned.txt", context={"evaluation": evaluation})
    return evaluation


def _open(evaluation: ResultEvaluation) -> ResultEvaluation:
    evaluation = ResultEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.status != ResultEvaluation.Status.OPEN:
        raise InvalidTransition(_("The evaluation is concluded; it changes only by reopening it."))
    return evaluation


@transaction.atomic
def declare(*, evaluator: Evaluator, has_conflict: bool) -> Evaluator:
    """Declare, once, whether the evaluator has a conflict of interest with the provider (a conflict recuses)."""
    _open(evaluator.evaluation)
    evaluator = Evaluator.objects.select_for_update().get(pk=evaluator.pk)
    if evaluator.declared_at:
        raise InvalidTransition(_("You have already declared."))
    evaluator.has_conflict, evaluator.declared_at = has_conflict, timezone.now()
    evaluator.save(update_fields=["has_conflict", "declared_at"])
    audit.record(
        actor=evaluator.user,
        action=Action.CONFLICT_DECLARED if has_conflict else Action.NO_CONFLICT_DECLARED,
        target=evaluator.evaluation,
    )
    return evaluator


@transaction.atomic
def submit_scores(*, evaluator: Evaluator, values: dict[str, int], comment: str) -> Evaluator:
    """Submit the five criterion scores (integers 0–5) with a comment."""
    _open(evaluator.evaluation)
    evaluator = Evaluator.objects.select_for_update().get(pk=evaluator.pk)
    if evaluator.has_conflict is None:
        raise InvalidTransition(_("Declare your conflict of interest before scoring."))
    if evaluator.has_conflict:
        raise InvalidTransition(_("You are recused from this evaluation."))
    if set(values) != set(CRITERION_CODES):
        raise InvalidTransition(_("Score every criterion."))
    if any(not isinstance(v, int) or not 0 <= v <= 5 for v in values.values()):
        raise InvalidTransition(_("Scores are whole numbers from 0 to 5."))
    for criterion, value in values.items():
        EvaluatorScore.objects.update_or_create(evaluator=evaluator, criterion=criterion, defaults={"value": value})
    evaluator.submitted_at, evaluator.comment = timezone.now(), comment
    evaluator.save(update_fields=["submitted_at", "comment"])
    audit.record(actor=evaluator.user, action=Action.EVALUATION_SCORES_SUBMITTED, target=evaluator.evaluation)
    return evaluator


@transaction.atomic
def conclude(
    *, evaluation: ResultEvaluation, acting_user, conclusions: dict[str, tuple[bool, str]] | None = None
) -> ResultEvaluation:
    """Conclude with the council result once enough non-recused evaluators have submitted, recording the council's
    conclusion on each criterion (`conclusions`: criterion → (positive, comment), every criterion; the page
    requires them). The overall conclusion is `CouncilResult.overall` of the scores and these conclusions."""
    evaluation = _open(evaluation)
    result = council_result(evaluation)
    if not result.has_quorum:
        raise InvalidTransition(
            _("At least %(n)d non-recused evaluators must submit their scores.") % {"n": evaluation.min_evaluators}
        )
    if conclusions is not None:
        if set(conclusions) != set(CRITERION_CODES):
            raise InvalidTransition(_("Record the council's conclusion on every criterion."))
        for criterion, (positive, comment) in conclusions.items():
            CriterionConclusion.objects.update_or_create(
                evaluation=evaluation, criterion=criterion, defaults={"positive": positive, "comment": comment}
            )
    recorded = dict(CriterionConclusion.objects.filter(evaluation=evaluation).values_list("criterion", "positive"))
    positive = result.overall(recorded or None)
    evaluation.conclude(by=acting_user, total=result.total, positive=positive, now=timezone.now())
    audit.record(
        actor=acting_user,
        action=Action.EVALUATION_CONCLUDED,
        target=evaluation.contract,
        note=f"{evaluation.year}: {result.total:.2f} / 25",
    )
    members = get_user_model().objects.filter(memberships__provider=evaluation.contract.provider, is_active=True)
    notify(recipients=members, template="evaluation/email/concluded.txt", context={"evaluation": evaluation})
    return evaluation


@transaction.atomic
def reopen(*, evaluation: ResultEvaluation, acting_user, reason: str) -> ResultEvaluation:
    """Reopen a concluded evaluation (recorded with its reason); evaluators may then change their scores."""
    if not reason.strip():
        raise InvalidTransition(_("Give a reason for reopening."))
    evaluation = ResultEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    evaluation.reopen(by=acting_user, reason=reason)
    Evaluator.objects.filter(evaluation=evaluation).update(submitted_at=None)
    return evaluation


def delete_indicator(*, indicator: Indicator, acting_user) -> None:
    """Delete an indicator from the catalogue; one that calls, contracts or reports use cannot be deleted."""
    try:
        with transaction.atomic():
            audit.record(actor=acting_user, action=Action.DELETED, target=indicator, note=indicator.code)
            indicator.delete()
    except ProtectedError as error:
        raise InvalidTransition(
            _("The indicator is used by calls, contracts or reports and cannot be deleted.")
        ) from error

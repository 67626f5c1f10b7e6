"""May this user do this in evaluation? The role questions are the User's (`is_officer_of`, `sees_all`, …)."""

from contracts.models import Contract
from core.models import Indicator
from evaluation.models import ResultEvaluation
from providers.models import Provider


def can_open_evaluation(user, contract: Contract) -> bool:
    return user.is_authenticated and user.is_officer_of(contract.agency_id)


def can_conclude(user, evaluation: ResultEvaluation) -> bool:
    return can_open_evaluation(user, evaluation.contract)


def is_staff_reader(user) -> bool:
    """Officers, experts, committee staff and admins: everyone signed in but NGO members."""
    return user.is_authenticated and not user.is_ngo


def can_see_profile(user, provider: Provider) -> bool:
    """Officers, experts, committee staff and admins see every profile; an NGO member sees their own."""
    return is_staff_reader(user) or (user.is_authenticated and user.member_of(provider))


def can_see_ranking(user) -> bool:
    return is_staff_reader(user)


def can_manage_indicators(user) -> bool:
    return user.is_authenticated and (user.is_officer or user.is_admin)


def can_delete_indicator(user, indicator: Indicator) -> bool:
    """The officers of the agency that added it, and admins; a reference indicator only admins."""
    return Indicator.objects.deletable_by(user).filter(pk=indicator.pk).exists()


def evaluator_step(evaluator, evaluation: ResultEvaluation) -> str | None:
    """Return what an evaluator does next on an open evaluation: "declare" a conflict or none, "score", or nothing
    more ("recused", "submitted"); None for anyone who is not an evaluator or once the evaluation is concluded."""
    if evaluator is None or evaluation.status != ResultEvaluation.Status.OPEN:
        return None
    if evaluator.has_conflict is None:
        return "declare"
    if evaluator.has_conflict:
        return "recused"
    return "submitted" if evaluator.submitted_at else "score"


def can_see_analytics(user) -> bool:
    """Stability, trends, red flags, the national picture and the workbook: everyone signed in but NGO members (the
    coverage aggregates are public; NGOs see those)."""
    return is_staff_reader(user)

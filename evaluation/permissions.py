"""May this user do this in evaluation?"""

from contracts.models import Contract
from core.models import Role
from evaluation.models import ResultEvaluation
from providers.models import Provider


def can_open_evaluation(user, contract: Contract) -> bool:
    return user.is_authenticated and user.role == Role.OFFICER and user.agency_id == contract.agency_id


def can_conclude(user, evaluation: ResultEvaluation) -> bool:
    return can_open_evaluation(user, evaluation.contract)


def can_see_profile(user, provider: Provider) -> bool:
    """Officers, experts, committee staff and admins see every profile; an NGO member sees their own."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.role in (Role.OFFICER, Role.EXPERT, Role.COMMITTEE, Role.ADMIN):
        return True
    return provider.memberships.filter(user=user).exists()


def can_see_ranking(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or user.role in (Role.OFFICER, Role.EXPERT, Role.COMMITTEE, Role.ADMIN)
    )


def can_manage_indicators(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in (Role.OFFICER, Role.ADMIN))


def can_see_analytics(user) -> bool:
    """Stability, trends, red flags, the national picture and the workbook: committee staff, officers, experts and
    admins (the coverage aggregates are public; NGOs see those)."""
    return user.is_authenticated and (user.is_superuser or user.role != Role.NGO)

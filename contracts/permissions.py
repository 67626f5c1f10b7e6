"""May this user do this to this contract or report?"""

from contracts.models import Contract, Report
from core.models import Role


def is_contract_officer(user, contract: Contract) -> bool:
    return user.is_authenticated and user.role == Role.OFFICER and user.agency_id == contract.agency_id


def is_contract_member(user, contract: Contract) -> bool:
    return user.is_authenticated and user.role == Role.NGO and contract.provider.memberships.filter(user=user).exists()


def can_prepare(user, call) -> bool:
    return user.is_authenticated and user.role == Role.OFFICER and user.agency_id == call.agency_id


def can_sign(user, contract: Contract) -> bool:
    if contract.status != Contract.Status.PENDING:
        return False
    if is_contract_officer(user, contract):
        return contract.agency_signed_at is None
    if is_contract_member(user, contract):
        return contract.provider_signed_at is None
    return False


def can_manage(user, contract: Contract) -> bool:
    """Record payments and amendments, review reports."""
    return is_contract_officer(user, contract)


def can_see_details(user, contract: Contract) -> bool:
    """Payments, reports and documents: the parties, committee staff and admins (the public sees the summary)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.role in (Role.COMMITTEE, Role.ADMIN):
        return True
    return is_contract_officer(user, contract) or is_contract_member(user, contract)


def can_edit_report(user, report_or_none, contract: Contract) -> bool:
    if not is_contract_member(user, contract) or not contract.is_signed:
        return False
    return report_or_none is None or report_or_none.status in (Report.Status.DRAFT, Report.Status.RETURNED)

"""May this user do this to this contract or report? The rows are scoped by the visible_to querysets (a contract
is public, its details are `Contract.objects.in_scope`); the role questions are the User's."""

from contracts.models import Contract, Report


def is_contract_officer(user, contract: Contract) -> bool:
    return user.is_authenticated and user.is_officer_of(contract.agency_id)


def is_contract_member(user, contract: Contract) -> bool:
    return user.is_authenticated and user.member_of(contract.provider_id)


def follows_contracts(user) -> bool:
    """Return whether the user has a scope of contracts to manage or follow in detail (their list shows it): the
    parties (officers and NGO members), committee staff and admins; experts and the public see every contract in
    summary."""
    return user.is_authenticated and (user.is_officer or user.is_ngo or user.sees_all)


def can_list_contracts(user) -> bool:
    """The menu's list of contracts: public, but experts work through their evaluations instead."""
    return not (user.is_authenticated and user.is_expert)


def can_list_reports(user) -> bool:
    """The reporting schedule: the parties, committee staff and admins (experts work through their evaluations)."""
    return user.is_authenticated and not user.is_expert


def can_prepare(user, call) -> bool:
    return user.is_authenticated and user.is_officer_of(call.agency_id)


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
    """Payments, reports and documents: the parties, committee staff and admins (the public sees the summary), and
    read-only the members of the contract's expert council; the same rule as `Contract.objects.in_scope`."""
    if not user.is_authenticated:
        return False
    return (
        user.sees_all
        or is_contract_officer(user, contract)
        or is_contract_member(user, contract)
        or is_contract_evaluator(user, contract)
    )


def is_contract_evaluator(user, contract: Contract) -> bool:
    """Return whether the user sits on an expert council evaluating the contract's results (NGO members never do)."""
    return (
        user.is_authenticated
        and (user.is_expert or user.is_officer)
        and Contract.objects.evaluated_by(user).filter(pk=contract.pk).exists()
    )


def can_add_document(user, contract: Contract) -> bool:
    """The parties add documents to the contract and its reports."""
    return is_contract_officer(user, contract) or is_contract_member(user, contract)


def can_edit_report(user, report_or_none, contract: Contract) -> bool:
    if not is_contract_member(user, contract) or not contract.is_signed:
        return False
    return report_or_none is None or report_or_none.status in (Report.Status.DRAFT, Report.Status.RETURNED)


def can_review_report(user, report: Report) -> bool:
    """The agency's officers accept or return a submitted report."""
    return can_manage(user, report.period.contract) and report.status == Report.Status.SUBMITTED

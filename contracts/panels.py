"""Dashboard panels of contracts: what is due."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from contracts import permissions
from contracts.models import Contract, ReportingPeriod, Tranche, paid_by_tranche
from core import dashboard, registry, search
from core.models import Role
from core.util import today

UPCOMING_DAYS = 30


def unpaid_tranches(user, contracts, on) -> tuple[list[Tranche], list[Tranche]]:
    """Return the tranches of the signed, not terminated contracts whose fixed part is not fully paid: overdue
    (planned before `on`) and upcoming (planned from `on` to UPCOMING_DAYS days later), each by planned date."""
    tranches = list(
        Tranche.objects.visible_to(user)
        .filter(contract__in=contracts.signed(), planned_date__lte=on + dt.timedelta(days=UPCOMING_DAYS))
        .exclude(contract__status=Contract.Status.TERMINATED)
        .select_related("contract__provider")
        .order_by("planned_date", "pk")
    )
    paid = paid_by_tranche(tranches)
    unpaid = [t for t in tranches if paid[t.pk]["fixed"] < t.fixed_amount]
    return [t for t in unpaid if t.planned_date < on], [t for t in unpaid if t.planned_date >= on]


def officer_contracts(user) -> dict | None:
    if not user.agency_id:
        return None
    on = today()
    contracts = Contract.objects.in_scope(user).filter(agency_id=user.agency_id)
    periods = (
        ReportingPeriod.objects.visible_to(user).filter(contract__in=contracts).select_related("contract__provider")
    )
    overdue_payments, upcoming_payments = unpaid_tranches(user, contracts, on)
    return {
        "to_sign": contracts.filter(status=Contract.Status.PENDING, agency_signed_at__isnull=True).select_related(
            "provider"
        )[:8],
        "awaiting_ngo": contracts.filter(status=Contract.Status.PENDING, agency_signed_at__isnull=False).count(),
        "to_review": periods.in_state(on, ReportingPeriod.State.SUBMITTED).order_by("due_date")[:8],
        "overdue": periods.overdue(on).order_by("due_date")[:8],
        "overdue_count": periods.overdue(on).count(),
        "overdue_payments": overdue_payments[:8],
        "overdue_payments_count": len(overdue_payments),
        "upcoming_payments": upcoming_payments[:8],
    }


def ngo_contracts(user) -> dict | None:
    contracts = Contract.objects.in_scope(user).filter(provider__memberships__user=user)
    if not contracts.exists():
        return None
    on = today()
    periods = (
        ReportingPeriod.objects.visible_to(user).filter(contract__in=contracts).select_related("contract", "report")
    )
    state = ReportingPeriod.State
    return {
        "to_sign": contracts.filter(status=Contract.Status.PENDING, provider_signed_at__isnull=True),
        "due": periods.in_state(on, state.DUE, state.RETURNED).order_by("due_date")[:6],
        "overdue": periods.in_state(on, state.OVERDUE).order_by("due_date")[:8],
        "returned": periods.in_state(on, *ReportingPeriod.RETURNED_STATES),
        "active": contracts.filter(status=Contract.Status.ACTIVE).count(),
    }


def find_contracts(user, term: str, limit: int) -> list[search.Hit]:
    """Return the contracts the user may open whose number holds the term."""
    found = search.matching(Contract.objects.visible_to(user), term).select_related("provider", "region")
    return [
        search.Hit(
            title=contract.number, url=contract.get_absolute_url(), detail=f"{contract.provider} · {contract.region}"
        )
        for contract in found.order_by("number")[:limit]
    ]


def register_all() -> None:
    search.register(search.Searcher(key="contracts", order=20, label=_("Contracts"), find=find_contracts))
    dashboard.register(
        dashboard.Panel(
            key="contracts-officer",
            title=_("Contracts: signatures, reports and payments due"),
            roles=frozenset({Role.OFFICER}),
            template="contracts/panels/officer.html",
            context=officer_contracts,
            order=25,
            width="col-lg-12",
        )
    )
    dashboard.register(
        dashboard.Panel(
            key="contracts-ngo",
            title=_("Your contracts and reports"),
            roles=frozenset({Role.NGO}),
            template="contracts/panels/ngo.html",
            context=ngo_contracts,
            order=15,
            width="col-lg-12",
        )
    )
    registry.register(
        registry.NAV,
        registry.Link(
            key="contracts",
            order=20,
            predicate=permissions.can_list_contracts,
            label=_("Contracts"),
            url_name="contracts:contract-list",
            current=frozenset({"contracts:*"}),
            excluded=frozenset({"contracts:period-list"}),
        ),
    )
    registry.register(
        registry.NAV,
        registry.Link(
            key="reports",
            order=30,
            predicate=permissions.can_list_reports,
            label=_("Reports"),
            url_name="contracts:period-list",
            current=frozenset({"contracts:period-list"}),
        ),
    )

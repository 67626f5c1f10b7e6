"""Helpers that walk a call through the cycle with the real services, so tests start from honest states."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from core.models import Indicator
from tenders import services
from tenders.forms import BudgetLineFormSet, CallForm, CriterionFormSet, TargetFormSet, local_input
from tenders.models import Bid, Call, CommissionMember, ConflictDeclaration
from tests import factories

OPENS = dt.datetime.fromisoformat("2026-11-25 09:00+05:00")
DEADLINE = dt.datetime.fromisoformat("2026-12-10 18:00+05:00")
WEIGHTS = [30, 20, 20, 15, 15]


def management(prefix: str, total: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def call_data(*, weights=WEIGHTS, **overrides) -> dict:
    """Return the POST of the call form: a two-year call for Almaty with its budget, criteria and one target."""
    data = {
        "number": "ГСЗ-2027-75-101",
        "title_ru": "Кейс-менеджмент для детей в трудной жизненной ситуации",
        "title_kk": "",
        "description_ru": "Сопровождение детей и семей по месту жительства, межведомственная координация.",
        "description_kk": "",
        "region": factories.region("75").pk,
        "service_type": factories.service("case-management").pk,
        "target_group": "Дети в трудной жизненной ситуации и их семьи",
        "start_year": "2027",
        "duration_years": "2",
        "opens_at": local_input(OPENS),
        "deadline": local_input(DEADLINE),
        "min_qualified_staff": "1",
        "min_experience_years": "2",
        "requires_ngo_listing": "on",
        "min_winning_score": "50",
        "quorum": "3",
        "outcome_share": "",
        **management("budget", 2),
        "budget-0-year": "2027",
        "budget-0-amount": "12000000",
        "budget-0-funding_source": "local",
        "budget-1-year": "2028",
        "budget-1-amount": "13000000",
        "budget-1-funding_source": "local",
        **management("criteria", len(weights)),
        **management("targets", 1),
        "targets-0-year": "2027",
        "targets-0-indicator": Indicator.objects.get(code="cm-closed-positive").pk,
        "targets-0-value": "70",
    }
    for i, weight in enumerate(weights):
        data[f"criteria-{i}-name_ru"] = f"Критерий {i + 1}"
        data[f"criteria-{i}-name_kk"] = ""
        data[f"criteria-{i}-weight"] = str(weight)
    data.update(overrides)
    return data


def _fields(form) -> dict:
    """Return what a browser sends for an unchanged form: checked boxes as "on", times as the widget shows them."""
    data = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        elif isinstance(value, dt.datetime):  # an unbound form's value is already local and naive
            value = value.strftime("%Y-%m-%dT%H:%M") if timezone.is_naive(value) else local_input(value)
        data[bound.html_name] = value
    return data


def call_edit_data(call: Call, user, **changes) -> dict:
    """Return the POST of the call's edit page sent back unchanged (with its formsets), with `changes` on top."""
    data = _fields(CallForm(instance=call, user=user))
    formsets = (("budget", BudgetLineFormSet), ("criteria", CriterionFormSet), ("targets", TargetFormSet))
    for prefix, formset_class in formsets:
        formset = formset_class(instance=call, prefix=prefix)
        data.update(_fields(formset.management_form))
        for form in formset.forms:
            data.update(_fields(form))
    data.update(changes)
    return data


def as_user(client, user):
    """Log the client in as `user`, reading the site in English."""
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def submitted_bid(call: Call, *, provider=None, minutes_before: int = 60, **kwargs) -> Bid:
    """Return a bid submitted through the service `minutes_before` the deadline (the clock is not moved)."""
    bid = factories.BidFactory(call=call, provider=provider or factories.ProviderFactory(), **kwargs)
    return services.submit_bid(
        bid=bid, acting_user=bid.created_by, now=call.deadline - dt.timedelta(minutes=minutes_before)
    )


def open_call(call: Call, clock, officer) -> Call:
    """Move the clock to the deadline and open the bids."""
    clock.move_to(call.deadline)
    services.open_bids(call=call, acting_user=officer)
    call.refresh_from_db()
    return call


def admit_all(call: Call, officer) -> None:
    for bid in call.bids.filter(status=Bid.Status.SUBMITTED):
        services.decide_admission(bid=bid, acting_user=officer, admit=True)


def appoint(call: Call, users, officer) -> list[CommissionMember]:
    """Appoint the users to the commission, the first as chair."""
    call.refresh_from_db()
    return [
        services.appoint_member(call=call, user=user, is_chair=i == 0, acting_user=officer)
        for i, user in enumerate(users)
    ]


def score(member: CommissionMember, bid: Bid, values, *, submit: bool = True):
    """Declare no conflict (once) and save the member's scores, in the order of the call's criteria."""
    if not ConflictDeclaration.objects.filter(member=member, bid=bid).exists():
        services.declare(member=member, bid=bid, has_conflict=False)
    criteria = list(bid.call.criteria.all())
    values = {c.pk: (v, "") for c, v in zip(criteria, values, strict=False) if v is not None}
    return services.save_scores(member=member, bid=bid, values=values, submit=submit)


def evaluating_call(officer, clock, experts, *, bids: int, **call_kwargs) -> tuple[Call, list[Bid], list]:
    """Return a call of the officer's agency with `bids` admitted bids (submitted one hour apart, the first
    earliest), opened at its deadline, and the experts appointed (the first as chair)."""
    call = factories.CallFactory(agency=officer.agency, created_by=officer, **call_kwargs)
    made = [submitted_bid(call, minutes_before=60 * (bids - i)) for i in range(bids)]
    open_call(call, clock, officer)
    admit_all(call, officer)
    members = appoint(call, experts, officer)
    return call, [Bid.objects.get(pk=b.pk) for b in made], members

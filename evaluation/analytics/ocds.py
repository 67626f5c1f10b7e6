"""Open data in the Open Contracting Data Standard (OCDS 1.1): one contracting process per call, one immutable release
per public event, records compiled with ocdsmerge, release and record packages, the change feed and the bulk file.

How releases are made. Every public event already writes the audit log. A receiver of new `AuditEvent` rows looks
the event's (model, action) up in `EVENT_KINDS` and, once the transaction has committed, builds the release from the
database *as of the event's time* and stores it as a `Release` (immutable, its JSON exactly as published).
`publish_pending()` builds the releases of public events that have none yet — history loaded in one transaction
(the demo), data that existed before this module, or an event whose commit hook was lost — in the order they
happened; the scheduled `rebuild_opendata` command runs it before writing the bulk file.

"As of the event's time": statuses come from the audit log up to that moment, the deadline from later extensions'
"before" values, tranche amounts and the end date from later amendments' old values; payments count by their date,
annual reports by their acceptance, signatures and amendments by their time. So a release built late says what a
release built on time would have said.

What never enters a release: a call that is not public at the event (drafts, calls cancelled before publication);
anything about bids before the deadline, and nothing ever about the bids of a call cancelled before its deadline;
bid content (proposals, cost estimates, staffing plans, documents, losing prices), the commission, conflict
declarations and scores; NGO staff, user accounts, audit actors, contacts; report narratives and expenditure.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, cached_property, partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.db.models.signals import post_save
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contracts.models import Amendment, Contract, Payment, Report, ReportingPeriod, Target
from contracts.services import split_parts
from core.audit import Action
from core.models import AuditEvent, Indicator
from evaluation.models import Release
from tenders.models import Bid, Call, CallBudgetLine, CallTarget

logger = logging.getLogger(__name__)

VERSION = "1.1"
CURRENCY = "KZT"
OFFSET = dt.timezone(dt.timedelta(hours=5))  # every date is written with +05:00 (Kazakhstan's single time zone)
PARTY_SCHEME = "KZ-BIN"
SERVICE_SCHEME = "GSZ-SERVICE"  # the service-type catalogue of this system (its codes, in tender.items)
LOCATION_SCHEME = "KATO"  # Kazakhstan's classifier of administrative-territorial objects
EXTENSIONS = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_metrics_extension/v1.1/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_budget_breakdown_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_location_extension/master/extension.json",
]
SCHEMA_DIR = Path(__file__).resolve().parent / "ocds_schema"
BULK_NAME = "releases.jsonl.gz"
BULK_COMPRESSLEVEL = 6
TRANCHE_METRIC = "annualTranches"
CHILDREN_METRIC = "childrenServed"
FAMILIES_METRIC = "familiesServed"

# -- formatting ----------------------------------------------------------------------------------------------------


def iso(moment: dt.datetime) -> str:
    """Return a moment as ISO 8601 with the +05:00 offset."""
    return moment.astimezone(OFFSET).isoformat(timespec="seconds")


def day_start(day: dt.date) -> str:
    return dt.datetime.combine(day, dt.time.min, OFFSET).isoformat(timespec="seconds")


def day_end(day: dt.date) -> str:
    return dt.datetime.combine(day, dt.time(23, 59, 59), OFFSET).isoformat(timespec="seconds")


def year_period(year: int) -> dict:
    return {"startDate": day_start(dt.date(year, 1, 1)), "endDate": day_end(dt.date(year, 12, 31))}


def number(value) -> int | float:
    """Return a Decimal as a JSON number: an integer when it has no fraction."""
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def money(value) -> dict:
    return {"amount": number(value), "currency": CURRENCY}


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def dumps(data: Any) -> str:
    """Return the compact JSON text of a release or package (UTF-8 text, never ASCII escapes)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def ocid_prefix() -> str:
    return settings.GSZ["OCDS_OCID_PREFIX"]


def ocid_of(call: Call) -> str:
    """Return the OCID of a call's contracting process: the registered prefix and the call's number."""
    return f"{ocid_prefix()}-{call.number}"


def party_id(bin_: str) -> str:
    return f"{PARTY_SCHEME}-{bin_}"


def org_ref(org) -> dict:
    """Return an OrganizationReference to an agency or a provider (by its BIN)."""
    return {"id": party_id(org.bin), "name": org.name_ru}


def award_id(bid_pk: int) -> str:
    return f"award-{bid_pk}"


def _parse_moment(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


# -- a contracting process as the public may know it at a moment ------------------------------------------------

# Call actions and the status they leave (for events written without a recorded status change, e.g. the demo's).
CALL_STATUS_AFTER = {
    "published": Call.Status.PUBLISHED,
    "bids opened": Call.Status.EVALUATION,
    "back to evaluation": Call.Status.EVALUATION,
    "awarded": Call.Status.AWARDED,
    "failed": Call.Status.FAILED,
    "cancelled": Call.Status.CANCELLED,
}
TENDER_STATUS = {
    Call.Status.PUBLISHED: "active",
    Call.Status.EVALUATION: "active",
    Call.Status.AWARDED: "complete",
    Call.Status.FAILED: "unsuccessful",
    Call.Status.CANCELLED: "cancelled",
}
RESULT_ACTIONS = {"awarded", "failed", "awarded to the next-ranked bid"}
WON_ACTIONS = {"winner", "winner (next ranked)"}  # on a bid
LOST_ACTIONS = {"declined", "back to evaluation"}  # on a bid that had won
CONTRACT_STATUS_AFTER = {
    "activated": Contract.Status.ACTIVE,
    "terminated": Contract.Status.TERMINATED,
    "completed": Contract.Status.COMPLETED,
}
CONTRACT_STATUS = {
    Contract.Status.PENDING: "pending",
    Contract.Status.ACTIVE: "active",
    Contract.Status.COMPLETED: "terminated",  # OCDS: "has now come to a close", by completion or early termination
    Contract.Status.TERMINATED: "terminated",
}
ADMITTED = (Bid.Status.ADMITTED, Bid.Status.WINNER, Bid.Status.NOT_SELECTED, Bid.Status.DECLINED)


def _sets_status(event: AuditEvent, actions: dict) -> bool:
    return "status" in (event.changes or {}) or event.action in actions


def _events_of(obj) -> list[AuditEvent]:
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return list(
        AuditEvent.objects.filter(content_type=content_type, object_id=str(obj.pk)).order_by("created_at", "pk")
    )


@dataclass
class TrancheState:
    year: int
    amount: Decimal
    fixed: Decimal
    outcome: Decimal
    planned_date: dt.date
    funding_source: str
    pk: int


@dataclass
class Observed:
    """An indicator's value in a year (a target or an actual)."""

    indicator: Indicator
    year: int
    value: Decimal


@dataclass
class AwardState:
    bid: Bid
    date: dt.datetime
    cancelled: bool


class Process:
    """One contracting process (a call) as the public may know it at the moment `at`."""

    def __init__(self, call: Call, at: dt.datetime):
        self.call = call
        self.at = at
        self.ocid = ocid_of(call)

    # the call

    @cached_property
    def events(self) -> list[AuditEvent]:
        return _events_of(self.call)

    @cached_property
    def past_events(self) -> list[AuditEvent]:
        return [e for e in self.events if e.created_at <= self.at]

    @cached_property
    def status(self) -> str:
        """Return the call's status at the moment, from the audit log (from its dates when it has no history)."""
        status = None
        for event in self.past_events:
            change = (event.changes or {}).get("status")
            if isinstance(change, list) and len(change) == 2:
                status = change[1]
            elif event.action in CALL_STATUS_AFTER:
                status = CALL_STATUS_AFTER[event.action]
        if status is None and not any(_sets_status(e, CALL_STATUS_AFTER) for e in self.events):
            status = self._status_from_dates()
        return status or Call.Status.DRAFT

    def _status_from_dates(self) -> str:
        call, at = self.call, self.at
        status = Call.Status.DRAFT
        for moment, after in (
            (call.published_at, Call.Status.PUBLISHED),
            (call.opened_at, Call.Status.EVALUATION),
            (call.decided_at, call.status if call.status in (Call.Status.AWARDED, Call.Status.FAILED) else None),
            (call.cancelled_at, Call.Status.CANCELLED),
        ):
            if moment is not None and moment <= at and after:
                status = after
        return status

    @cached_property
    def public(self) -> bool:
        """Return whether the call was public at the moment (drafts and unpublished cancellations never are)."""
        return self.call.published_at is not None and self.status != Call.Status.DRAFT

    @cached_property
    def deadline(self) -> dt.datetime:
        """Return the deadline at the moment: the value before the first later extension, if any."""
        for event in self.events:
            if event.created_at > self.at and event.action == "deadline extended":
                change = (event.changes or {}).get("deadline")
                before = _parse_moment(change[0]) if isinstance(change, list) and change else None
                if before is not None:
                    return before
        return self.call.deadline

    @cached_property
    def decided(self) -> dt.datetime | None:
        """Return when the first result (an award or the failure) was announced, if it was by the moment."""
        for event in self.past_events:
            if event.action in RESULT_ACTIONS:
                return event.created_at
        if not any(e.action in RESULT_ACTIONS for e in self.events):
            decided = self.call.decided_at
            if (
                decided is not None
                and decided <= self.at
                and self.call.status in (Call.Status.AWARDED, Call.Status.FAILED)
            ):
                return decided
        return None

    @cached_property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.budget_lines), Decimal(0))

    @cached_property
    def budget_lines(self) -> list[CallBudgetLine]:
        return list(self.call.budget_lines.order_by("year"))

    # bids: sealed until the deadline; for ever when the call was cancelled before it

    @cached_property
    def bids_open(self) -> bool:
        call = self.call
        if call.cancelled_at is not None and call.cancelled_at < call.deadline:
            return False
        return self.public and self.at >= self.deadline

    @cached_property
    def bids(self) -> list[Bid]:
        """Return the bids submitted at the deadline, once it has passed (none before, ever for a sealed call)."""
        if not self.bids_open:
            return []
        return list(
            Bid.objects.submitted_at_deadline()
            .filter(call=self.call)
            .select_related("provider__home_region")
            .order_by("pk")
        )

    @cached_property
    def awards(self) -> list[AwardState]:
        """Return the awards made by the moment: each winning bid, cancelled when it declined or the result was
        sent back to evaluation (and not won again)."""
        if self.decided is None:
            return []
        bids = {bid.pk: bid for bid in self.bids}
        bid_type = ContentType.objects.get_for_model(Bid)
        history: dict[int, list[tuple[dt.datetime, bool]]] = {}
        events = AuditEvent.objects.filter(
            content_type=bid_type,
            object_id__in=[str(pk) for pk in bids],
            action__in=WON_ACTIONS | LOST_ACTIONS,
            created_at__lte=self.at,
        ).order_by("created_at", "pk")
        for event in events:
            history.setdefault(int(event.object_id), []).append((event.created_at, event.action in WON_ACTIONS))
        awards = []
        for pk, bid in bids.items():
            steps = history.get(pk)
            if not steps:  # a result recorded without the bids' own events (the demo, data loaded in bulk)
                if bid.status not in (Bid.Status.WINNER, Bid.Status.DECLINED):
                    continue
                steps = [(self.decided, True)]
                if bid.status == Bid.Status.DECLINED:
                    steps.append((self.decided, False))
            won = [moment for moment, is_won in steps if is_won]
            if not won:
                continue
            awards.append(AwardState(bid=bid, date=won[-1], cancelled=not steps[-1][1]))
        return sorted(awards, key=lambda a: (a.date, a.bid.pk))

    # the contract

    @cached_property
    def contract(self) -> Contract | None:
        """Return the contract once both parties had signed it by the moment."""
        contract = Contract.objects.filter(call=self.call).select_related("provider__home_region").first()
        if contract is None or not contract.is_signed or self.signed_at(contract) > self.at:
            return None
        return contract

    @staticmethod
    def signed_at(contract: Contract) -> dt.datetime:
        return max(contract.agency_signed_at, contract.provider_signed_at)

    @cached_property
    def contract_events(self) -> list[AuditEvent]:
        return _events_of(self.contract) if self.contract else []

    @cached_property
    def contract_status(self) -> str:
        """Return the contract's status at the moment, from the audit log (from its dates when it has no history)."""
        if not any(_sets_status(e, CONTRACT_STATUS_AFTER) for e in self.contract_events):
            return self._contract_status_from_dates()
        status = Contract.Status.ACTIVE
        for event in self.contract_events:
            if event.created_at > self.at:
                break
            change = (event.changes or {}).get("status")
            if isinstance(change, list) and len(change) == 2:
                status = change[1]
            elif event.action in CONTRACT_STATUS_AFTER:
                status = CONTRACT_STATUS_AFTER[event.action]
        return status

    def _contract_status_from_dates(self) -> str:
        contract = self.contract
        if contract.terminated_on and local_day(self.at) >= contract.terminated_on:
            return Contract.Status.TERMINATED
        if contract.completed_at and contract.completed_at <= self.at:
            return Contract.Status.COMPLETED
        return Contract.Status.ACTIVE

    @cached_property
    def all_amendments(self) -> list[Amendment]:
        return list(self.contract.amendments.order_by("created_at", "pk")) if self.contract else []

    @cached_property
    def amendments(self) -> list[Amendment]:
        return [a for a in self.all_amendments if a.created_at <= self.at]

    @cached_property
    def tranches(self) -> list[TrancheState]:
        """Return the tranches at the moment: today's, with later amendments of the amounts undone."""
        contract = self.contract
        rows = {
            t.year: TrancheState(
                t.year, t.amount, t.fixed_amount, t.outcome_amount, t.planned_date, t.funding_source, t.pk
            )
            for t in contract.tranches.order_by("year")
        }
        later = [a for a in self.all_amendments if a.created_at > self.at and a.kind == Amendment.Kind.AMOUNT]
        for amendment in reversed(later):
            for key, value in (amendment.old_value or {}).items():
                if str(key).isdigit() and int(key) in rows:
                    row = rows[int(key)]
                    row.amount = Decimal(value)
                    row.fixed, row.outcome = split_parts(row.amount, self.call.outcome_share)
        return list(rows.values())

    @cached_property
    def end_date(self) -> dt.date:
        end = self.contract.end_date
        later = [a for a in self.all_amendments if a.created_at > self.at and a.kind == Amendment.Kind.END_DATE]
        if later:
            end = dt.date.fromisoformat(later[0].old_value["end_date"])
        return end

    @cached_property
    def payments(self) -> list[Payment]:
        return list(
            Payment.objects.filter(tranche__contract=self.contract, date__lte=local_day(self.at))
            .select_related("tranche")
            .order_by("date", "pk")
        )


# -- the sections of a release -----------------------------------------------------------------------------------


def _indicator_description(indicator: Indicator) -> str:
    return f"{indicator.get_kind_display()}; {indicator.get_direction_display()}"


def _metrics(rows: Iterable, *, period: Callable[[Any], dict]) -> list[dict]:
    """Return metrics (one per indicator) with an observation per row: rows have .indicator, .year and .value."""
    metrics: dict[str, dict] = {}
    for row in rows:
        indicator = row.indicator
        metric = metrics.setdefault(
            indicator.code,
            {
                "id": indicator.code,
                "title": indicator.name_ru,
                "description": _indicator_description(indicator),
                "observations": [],
            },
        )
        metric["observations"].append(
            {
                "id": str(row.year),
                "period": period(row),
                "measure": number(row.value),
                "unit": {"name": indicator.get_unit_display()},
            }
        )
    return list(metrics.values())


def _party(org, roles: list[str], region) -> dict:
    address = {"countryName": _("Kazakhstan")}
    if region is not None:
        address = {"region": region.name_ru, **address}
    return {
        "id": party_id(org.bin),
        "name": org.name_ru,
        "identifier": {"scheme": PARTY_SCHEME, "id": org.bin, "legalName": org.name_ru},
        "address": address,
        "roles": roles,
    }


def parties(p: Process) -> list[dict]:
    """Return the agency and the providers known at the moment, each with every role it has by then."""
    call = p.call
    agency_roles = ["buyer", "procuringEntity"]
    if p.contract:
        agency_roles.append("payer")
    result = [_party(call.agency, agency_roles, call.agency.region)]
    roles: dict[int, list[str]] = {}
    providers = {}
    if p.decided:
        for bid in p.bids:
            providers[bid.provider_id] = bid.provider
            roles.setdefault(bid.provider_id, []).append("tenderer")
    for award in p.awards:
        if not award.cancelled:
            providers[award.bid.provider_id] = award.bid.provider
            roles.setdefault(award.bid.provider_id, []).append("supplier")
    if p.contract:
        provider = p.contract.provider
        providers[provider.pk] = provider
        for role in ("supplier", "payee"):
            if role not in roles.setdefault(provider.pk, []):
                roles[provider.pk].append(role)
    for pk, provider in providers.items():
        result.append(_party(provider, roles[pk], provider.home_region))
    return result


def item(call: Call) -> dict:
    """Return the one item of a call: its service type, target group and region (name and KATO code)."""
    region, service = call.region, call.service_type
    return {
        "id": "1",
        "description": _("%(service)s for: %(group)s") % {"service": service.name_ru, "group": call.target_group},
        "classification": {"scheme": SERVICE_SCHEME, "id": service.code, "description": service.name_ru},
        "deliveryAddress": {"region": region.name_ru, "countryName": _("Kazakhstan")},
        "deliveryLocation": {
            "description": region.name_ru,
            "gazetteer": {"scheme": LOCATION_SCHEME, "identifiers": [region.kato]},
        },
    }


def planning(p: Process) -> dict:
    call = p.call
    return {
        "budget": {
            "description": _("The call's budget by year and funding source"),
            "amount": money(p.total),
            "budgetBreakdown": [
                {
                    "id": f"{line.year}-{line.funding_source}",
                    "description": f"{line.year}: {line.get_funding_source_display()}",
                    "amount": money(line.amount),
                    "period": year_period(line.year),
                    "sourceParty": org_ref(call.agency),
                }
                for line in p.budget_lines
            ],
        }
    }


def _eligibility(call: Call) -> str:
    parts = [
        _("at least %(n)d staff members who may work with children") % {"n": call.min_qualified_staff},
        _("at least %(n)d years of experience") % {"n": call.min_experience_years},
    ]
    if call.requires_ngo_listing:
        parts.append(_("a current listing in the NGO database"))
    return "; ".join(parts)


def _award_criteria(call: Call) -> str:
    criteria = "; ".join(f"{c.name_ru} — {c.weight}%" for c in call.criteria.all())
    minimum = _("minimum winning score: %(score)s of 100") % {"score": number(call.min_winning_score)}
    return f"{criteria}. {minimum}" if criteria else minimum


def tender_amendments(p: Process) -> list[dict]:
    """Return the amendments of the call by the moment: deadline extensions, changes of terms and the cancellation."""
    amendments = []
    for event in p.past_events:
        changes = event.changes or {}
        if event.action == "deadline extended":
            change = changes.get("deadline")
            old = _parse_moment(change[0]) if isinstance(change, list) else None
            new = _parse_moment(change[1]) if isinstance(change, list) and len(change) > 1 else None
            description = _("The submission deadline was extended.")
            if old and new:
                description = _("The submission deadline moved from %(old)s to %(new)s.") % {
                    "old": iso(old),
                    "new": iso(new),
                }
            amendments.append(
                {
                    "id": f"deadline-{event.pk}",
                    "date": iso(event.created_at),
                    "rationale": _("Extension of the submission deadline"),
                    "description": description,
                }
            )
        elif event.action == "terms amended":
            names = []
            for name in sorted(k for k in changes if k != "note"):
                try:
                    names.append(str(Call._meta.get_field(name).verbose_name))
                except Exception:  # a form-only field: its name says enough
                    names.append(name)
            amendments.append(
                {
                    "id": f"terms-{event.pk}",
                    "date": iso(event.created_at),
                    "rationale": _("Change of the terms of the call"),
                    "description": _("Changed: %(fields)s.") % {"fields": ", ".join(names) or "—"},
                }
            )
        elif event.action == "cancelled" and p.status == Call.Status.CANCELLED:
            amendments.append(
                {
                    "id": f"cancellation-{event.pk}",
                    "date": iso(event.created_at),
                    "rationale": p.call.status_reason or changes.get("note", "") or _("Cancelled"),
                    "description": _("The call was cancelled."),
                }
            )
    return amendments


def tender(p: Process, *, full: bool) -> dict:
    """Return the tender section: in full (the terms) or only what changes after publication."""
    call = p.call
    section: dict[str, Any] = {"id": call.number}
    if full:
        section.update(
            {
                "title": call.title_ru,
                "description": call.description_ru,
                "procuringEntity": org_ref(call.agency),
                "items": [item(call)],
                "value": money(p.total),
                "procurementMethod": "open",
                "procurementMethodDetails": _("Open competition of the state social order"),
                "mainProcurementCategory": "services",
                "awardCriteria": "ratedCriteria",
                "awardCriteriaDetails": _award_criteria(call),
                "submissionMethod": ["electronicSubmission"],
                "eligibilityCriteria": _eligibility(call),
                "tenderPeriod": {"startDate": iso(call.opens_at), "endDate": iso(p.deadline)},
                "contractPeriod": {
                    "startDate": day_start(dt.date(call.start_year, 1, 1)),
                    "endDate": day_end(dt.date(call.end_year, 12, 31)),
                },
            }
        )
        targets = _metrics(
            CallTarget.objects.filter(call=call).select_related("indicator").order_by("indicator_id", "year"),
            period=lambda row: year_period(row.year),
        )
        if targets:
            section["targets"] = targets
    section["status"] = TENDER_STATUS.get(p.status, "active")
    if p.bids_open:
        section["numberOfTenderers"] = len(p.bids)
    if p.decided is not None:
        if p.bids:
            section["tenderers"] = [org_ref(bid.provider) for bid in p.bids]
        award_period = {"endDate": iso(p.decided)}
        if call.opened_at and call.opened_at <= p.decided:
            award_period = {"startDate": iso(call.opened_at), **award_period}
        section["awardPeriod"] = award_period
    amendments = tender_amendments(p)
    if amendments:
        section["amendments"] = amendments
    return section


def bids(p: Process) -> dict | None:
    """Return the bid statistics (bids extension): the number submitted once the deadline has passed, and the
    number admitted once the result is announced. Never a bid itself."""
    if not p.bids_open:
        return None
    statistics = [{"id": "bids", "measure": "bids", "date": iso(p.deadline), "value": len(p.bids)}]
    if p.decided is not None:
        admitted = sum(1 for bid in p.bids if bid.status in ADMITTED)
        statistics.append({"id": "validBids", "measure": "validBids", "date": iso(p.decided), "value": admitted})
    return {"statistics": statistics}


def awards(p: Process) -> list[dict]:
    call = p.call
    result = []
    for award in p.awards:
        if award.cancelled:
            status = "cancelled"
        elif p.contract is not None or not call.standstill_until or p.at >= call.standstill_until:
            status = "active"
        else:
            status = "pending"  # the standstill for complaints about the result
        result.append(
            {
                "id": award_id(award.bid.pk),
                "title": _("Award of the call %(number)s") % {"number": call.number},
                "status": status,
                "date": iso(award.date),
                "value": money(award.bid.price),
                "suppliers": [org_ref(award.bid.provider)],
                "items": [item(call)],
                "contractPeriod": {
                    "startDate": day_start(dt.date(call.start_year, 1, 1)),
                    "endDate": day_end(dt.date(call.end_year, 12, 31)),
                },
            }
        )
    return result


def _describe_amendment(amendment: Amendment) -> str:
    old, new = amendment.old_value or {}, amendment.new_value or {}
    if amendment.kind == Amendment.Kind.AMOUNT:
        years = [
            f"{year}: {number(old[year])} → {number(new[year])}"
            for year in sorted(k for k in new if str(k).isdigit())
            if year in old and Decimal(old[year]) != Decimal(new[year])
        ]
        text = _("The contract value changed from %(old)s to %(new)s KZT.") % {
            "old": number(old.get("total", 0)),
            "new": number(new.get("total", 0)),
        }
        return f"{text} {'; '.join(years)}".strip()
    if amendment.kind == Amendment.Kind.END_DATE:
        return _("The end date moved from %(old)s to %(new)s.") % {
            "old": old.get("end_date", "—"),
            "new": new.get("end_date", "—"),
        }
    if amendment.kind == Amendment.Kind.TERMINATION:
        return _("Terminated early: the contract stops serving on %(date)s.") % {
            "date": new.get("terminated_on", amendment.effective_date.isoformat())
        }
    return _("The scope of the services changed.")


def contract_amendments(p: Process) -> list[dict]:
    return [
        {
            "id": f"{a.kind}-{a.pk}",
            "date": day_start(a.effective_date),
            "rationale": f"{a.get_reason_code_display()}: {a.reason_text}",
            "description": _describe_amendment(a),
        }
        for a in p.amendments
    ]


def tranche_milestones(p: Process) -> list[dict]:
    """Return one payment milestone per tranche: due on its planned disbursement date, met once fully paid."""
    paid: dict[int, Decimal] = {}
    last_payment: dict[int, dt.date] = {}
    for payment in p.payments:
        paid[payment.tranche_id] = paid.get(payment.tranche_id, Decimal(0)) + payment.amount
        last_payment[payment.tranche_id] = payment.date
    today = local_day(p.at)
    milestones = []
    for tranche in p.tranches:
        done = paid.get(tranche.pk, Decimal(0))
        milestone = {
            "id": f"tranche-{tranche.year}",
            "title": _("Tranche %(year)d") % {"year": tranche.year},
            "type": "payment",
            "dueDate": day_start(tranche.planned_date),
            "dateModified": iso(p.at),
        }
        if done >= tranche.amount and done > 0:
            milestone.update(status="met", dateMet=day_start(last_payment[tranche.pk]))
        elif done > 0:
            milestone["status"] = "partiallyMet"
        elif tranche.planned_date < today:
            milestone["status"] = "notMet"
        else:
            milestone["status"] = "scheduled"
        milestones.append(milestone)
    return milestones


def tranche_metric(p: Process) -> dict:
    """Return the annual tranches as an agreed financial metric: per year, the fixed part and the part paid by
    results, with the funding source, each linked to the year's payment milestone."""
    observations = []
    for tranche in p.tranches:
        parts = [("fixed", tranche.fixed)]
        if p.call.outcome_share or tranche.outcome:
            parts.append(("outcome", tranche.outcome))
        for part, value in parts:
            observations.append(
                {
                    "id": f"{tranche.year}-{part}",
                    "period": year_period(tranche.year),
                    "value": money(value),
                    "dimensions": {"part": part, "fundingSource": tranche.funding_source},
                    "relatedImplementationMilestone": {
                        "id": f"tranche-{tranche.year}",
                        "title": _("Tranche %(year)d") % {"year": tranche.year},
                    },
                }
            )
    return {
        "id": TRANCHE_METRIC,
        "title": _("Annual tranches"),
        "description": _("The money planned for each contract year: the fixed part and the part paid by results."),
        "observations": observations,
    }


def contract_ref(p: Process) -> dict:
    """Return what every contracts[] entry carries: its id and its award's (required by the schema)."""
    return {"id": p.contract.number, "awardID": award_id(p.contract.bid_id)}


def contract(p: Process, *, full: bool) -> dict:
    c = p.contract
    section: dict[str, Any] = {**contract_ref(p), "status": CONTRACT_STATUS[p.contract_status]}
    if full:
        section.update(
            {
                "title": _("Contract %(number)s") % {"number": c.number},
                "description": c.scope,
                "items": [item(p.call)],
                "dateSigned": iso(Process.signed_at(c)),
            }
        )
    section["period"] = {"startDate": day_start(c.start_date), "endDate": day_end(p.end_date)}
    section["value"] = money(sum((t.amount for t in p.tranches), Decimal(0)))
    return section


def transactions(p: Process) -> list[dict]:
    c = p.contract
    return [
        {
            "id": f"{payment.tranche.year}-{payment.kind}-{payment.pk}",
            "date": day_start(payment.date),
            "value": money(payment.amount),
            "payer": org_ref(c.agency),
            "payee": org_ref(c.provider),
        }
        for payment in p.payments
    ]


# -- the release of each kind of event ---------------------------------------------------------------------------

Body = tuple[list[str], dict]


def _release_tender(p: Process, subject, event) -> Body:
    body = {
        "parties": parties(p),
        "buyer": org_ref(p.call.agency),
        "planning": planning(p),
        "tender": tender(p, full=True),
    }
    previous = p.call.reannounced_from
    if previous is not None:
        body["relatedProcesses"] = [
            {
                "id": "1",
                "relationship": ["unsuccessfulProcess"],
                "title": previous.title_ru,
                "scheme": "ocid",
                "identifier": ocid_of(previous),
            }
        ]
    return ["tender"], body


def _release_tender_amendment(p: Process, subject, event) -> Body:
    return ["tenderAmendment"], {"planning": planning(p), "tender": tender(p, full=True)}


def _with_bids(p: Process, body: dict) -> dict:
    statistics = bids(p)
    if statistics:
        body["bids"] = statistics
    return body


def _release_tender_update(p: Process, subject, event) -> Body:
    return ["tenderUpdate"], _with_bids(p, {"tender": tender(p, full=False)})


def _release_cancellation(p: Process, subject, event) -> Body:
    return ["tenderCancellation"], _with_bids(p, {"tender": tender(p, full=False)})


def _release_award(p: Process, subject, event) -> Body | None:
    if not p.awards:
        return None
    body = _with_bids(p, {"parties": parties(p), "tender": tender(p, full=False)})
    body["awards"] = awards(p)
    return ["award"], body


def _release_award_cancellation(p: Process, subject, event) -> Body | None:
    if not p.awards:
        return None
    return ["awardCancellation"], {"parties": parties(p), "tender": tender(p, full=False), "awards": awards(p)}


def _release_unsuccessful(p: Process, subject, event) -> Body:
    body = _with_bids(p, {"parties": parties(p), "tender": tender(p, full=False)})
    if p.awards:
        body["awards"] = awards(p)
    return ["tender"], body


SIGNING_ACTIONS = ("agency signature", "NGO signature", "activated")


def _release_contract(p: Process, subject, event) -> Body | None:
    """The contract is published once, when the second party's signature makes it signed."""
    if p.contract is None or Release.objects.filter(call=p.call, cause__in=SIGNING_ACTIONS).exists():
        return None
    section = contract(p, full=True)
    section["agreedMetrics"] = [
        tranche_metric(p),
        *_metrics(
            Target.objects.filter(contract=p.contract).select_related("indicator").order_by("indicator_id", "year"),
            period=lambda row: year_period(row.year),
        ),
    ]
    section["implementation"] = {"milestones": tranche_milestones(p)}
    amendments = contract_amendments(p)
    if amendments:
        section["amendments"] = amendments
    return ["contract"], {"parties": parties(p), "awards": awards(p), "contracts": [section]}


def _release_contract_amendment(p: Process, subject, event) -> Body | None:
    changes = (event.changes or {}) if event is not None else {}
    if "termination" in changes:
        # The termination's amendment (with its rationale) is written after the status change: publish it here.
        return _release_contract_end(p, subject, None)
    if p.contract is None:
        return None
    section = contract(p, full=False)
    section["description"] = p.contract.scope
    section["agreedMetrics"] = [tranche_metric(p)]
    section["implementation"] = {"milestones": tranche_milestones(p)}
    section["amendments"] = contract_amendments(p)
    return ["contractAmendment"], {"contracts": [section]}


def _terminated_by_amendment_later(p: Process, event) -> bool:
    """Return whether the termination of `event` is followed by its amendment's own event (which publishes it)."""
    return event is not None and any(
        e.action == "amended"
        and "termination" in (e.changes or {})
        and (e.created_at, e.pk) > (event.created_at, event.pk)
        for e in p.contract_events
    )


def _release_contract_end(p: Process, subject, event) -> Body | None:
    """A termination or a completion. A termination made through the service is published by the event of its
    amendment, written just after the status changes, so that the release carries the amendment's rationale."""
    if p.contract is None:
        return None
    if event is not None and event.action == "terminated" and _terminated_by_amendment_later(p, event):
        return None
    section = contract(p, full=False)
    amendments = contract_amendments(p)
    if amendments:
        section["amendments"] = amendments
    return ["contractTermination"], {"contracts": [section]}


def _release_payment(p: Process, subject, event) -> Body | None:
    if p.contract is None or not p.payments:
        return None
    section = {
        **contract_ref(p),
        "implementation": {"transactions": transactions(p), "milestones": tranche_milestones(p)},
    }
    return ["implementation"], {"contracts": [section]}


def _release_report(p: Process, report: Report, event) -> Body | None:
    """An accepted annual report: children and families served and the indicator actuals of its year, beside the
    targets the contract agreed (quarterly reports are progress only and are not published)."""
    period = report.period
    if (
        p.contract is None
        or period.kind != ReportingPeriod.Kind.ANNUAL
        or report.status != Report.Status.ACCEPTED
        or (report.reviewed_at is not None and report.reviewed_at > p.at)
    ):
        return None
    span = {"startDate": day_start(period.start), "endDate": day_end(period.end)}
    metrics = [
        {
            "id": metric,
            "title": title,
            "observations": [{"id": str(period.year), "period": span, "measure": value, "unit": {"name": unit}}],
        }
        for metric, title, value, unit in (
            (CHILDREN_METRIC, _("Children served"), report.children_served, _("children")),
            (FAMILIES_METRIC, _("Families served"), report.families_served, _("families")),
        )
    ]
    actuals = report.actuals.select_related("indicator").order_by("indicator_id")
    metrics += _metrics((Observed(a.indicator, period.year, a.value) for a in actuals), period=lambda row: span)
    milestone = {
        "id": f"annual-report-{period.year}",
        "title": _("Annual report %(year)d") % {"year": period.year},
        "type": "reporting",
        "dueDate": day_end(period.due_date),
        "status": "met",
    }
    if report.first_submitted_at:
        milestone["dateMet"] = iso(report.first_submitted_at)
    section = {**contract_ref(p), "implementation": {"metrics": metrics, "milestones": [milestone]}}
    return ["implementation"], {"contracts": [section]}


# (app label, model) → {action: release builder}. The actions are the audit log's stored values.
EVENT_KINDS: dict[tuple[str, str], dict[str, Callable]] = {
    ("tenders", "call"): {
        Action.PUBLISHED: _release_tender,
        Action.DEADLINE_EXTENDED: _release_tender_amendment,
        Action.TERMS_AMENDED: _release_tender_amendment,
        Action.BIDS_OPENED: _release_tender_update,
        Action.CANCELLED: _release_cancellation,
        Action.AWARDED: _release_award,
        Action.AWARDED_TO_NEXT: _release_award,
        Action.BACK_TO_EVALUATION: _release_award_cancellation,
        Action.FAILED: _release_unsuccessful,
    },
    ("contracts", "contract"): {
        Action.AGENCY_SIGNATURE: _release_contract,
        Action.NGO_SIGNATURE: _release_contract,
        Action.ACTIVATED: _release_contract,
        Action.AMENDED: _release_contract_amendment,
        Action.TERMINATED: _release_contract_end,
        Action.COMPLETED: _release_contract_end,
        Action.PAYMENT_RECORDED: _release_payment,
    },
    ("contracts", "report"): {Action.REPORT_ACCEPTED: _release_report},
}
ACTIONS = frozenset(action for actions in EVENT_KINDS.values() for action in actions)


def call_of(subject) -> Call:
    if isinstance(subject, Call):
        return subject
    if isinstance(subject, Contract):
        return subject.call
    if isinstance(subject, Report):
        return subject.period.contract.call
    raise TypeError(f"no contracting process for {subject!r}")


def build_release(builder: Callable, subject, *, at: dt.datetime, release_id: str, event=None) -> dict | None:
    """Return the release a builder makes for `subject` at the moment `at`, or None when nothing public happened."""
    call = Call.objects.select_related("agency__region", "region", "service_type", "reannounced_from").get(
        pk=call_of(subject).pk
    )
    process = Process(call, at)
    if not process.public:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        made = builder(process, subject, event)
    if made is None:
        return None
    tags, body = made
    return {
        "ocid": process.ocid,
        "id": release_id,
        "date": iso(at),
        "tag": tags,
        "initiationType": "tender",
        "language": settings.LANGUAGE_CODE,
        **body,
    }


def store(release: dict, *, call: Call, event=None, cause: str) -> Release | None:
    """Store a release (once: a second attempt for the same event or id changes nothing)."""
    try:
        with transaction.atomic():
            return Release.objects.create(
                ocid=release["ocid"],
                release_id=release["id"],
                date=dt.datetime.fromisoformat(release["date"]),
                tags=release["tag"],
                call=call,
                event=event,
                cause=cause,
                text=dumps(release),
            )
    except IntegrityError:
        return None


def _builder_for(event: AuditEvent) -> Callable | None:
    content_type = ContentType.objects.get_for_id(event.content_type_id)
    return EVENT_KINDS.get((content_type.app_label, content_type.model), {}).get(event.action)


def _worth_building(subject, at: dt.datetime) -> bool:
    """Return False for events that surely publish nothing, before any other query (quarterly reports, the first
    of two signatures)."""
    if isinstance(subject, Report):
        return subject.period.kind == ReportingPeriod.Kind.ANNUAL and subject.status == Report.Status.ACCEPTED
    if isinstance(subject, Contract):
        return subject.is_signed and Process.signed_at(subject) <= at
    return True


def publish_event(event_id: int) -> Release | None:
    """Build and store the release of one audit event (nothing when it is not a public event or already done)."""
    event = AuditEvent.objects.filter(pk=event_id, ocds_release__isnull=True).first()
    builder = _builder_for(event) if event is not None else None
    if builder is None:
        return None
    model = ContentType.objects.get_for_id(event.content_type_id).model_class()
    subject = model._default_manager.filter(pk=event.object_id).first()
    if subject is None or not _worth_building(subject, event.created_at):
        return None
    release = build_release(
        builder, subject, at=event.created_at, release_id=f"{ocid_of(call_of(subject))}-{event.pk}", event=event
    )
    if release is None:
        return None
    return store(release, call=call_of(subject), event=event, cause=event.action)


def pending_events(since: dt.datetime | None = None):
    """Return the public events (oldest first) that have no release yet."""
    types = [ContentType.objects.get_by_natural_key(app, model) for app, model in EVENT_KINDS]
    events = AuditEvent.objects.filter(content_type__in=types, action__in=ACTIONS, ocds_release__isnull=True)
    if since is not None:
        events = events.filter(created_at__gte=since)
    return events.order_by("created_at", "pk")


def publish_pending(since: dt.datetime | None = None) -> int:
    """Build the releases of public events that have none yet, in the order the events happened; return how many
    were made. Idempotent."""
    made = 0
    for event_id in pending_events(since).values_list("pk", flat=True).iterator(chunk_size=1000):
        made += publish_event(event_id) is not None
    return made


def _on_audit_event(sender, instance: AuditEvent, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw and instance.action in ACTIONS and _builder_for(instance) is not None:
        # After the commit, so the release sees what the transaction wrote; a failure is logged, never raised
        # into the request (the scheduled rebuild publishes what was missed).
        transaction.on_commit(partial(publish_event, instance.pk), robust=True)


def connect() -> None:
    """Publish a release after every public event (called from the app's ready())."""
    post_save.connect(_on_audit_event, sender=AuditEvent, dispatch_uid="evaluation.ocds.releases")


# -- packages, records, the feed and the bulk file ------------------------------------------------------------------


def package_meta(*, uri: str, policy_uri: str) -> dict:
    """Return a package's metadata (without its releases or records)."""
    last = Release.objects.aggregate(last=Max("published_at"))["last"] or timezone.now()
    return {
        "uri": uri,
        "version": VERSION,
        "extensions": EXTENSIONS,
        "publisher": {"name": settings.GSZ["OCDS_PUBLISHER_NAME"]},
        "license": settings.GSZ["OCDS_LICENSE_URL"],
        "publicationPolicy": policy_uri,
        "publishedDate": iso(last),
    }


def stream_package(
    meta: dict, texts: Iterable[str], *, key: str = "releases", buffer_chars: int = 65536
) -> Iterator[str]:
    """Yield a package as JSON text in pieces: the metadata, then the stored releases one by one (bounded memory)."""
    yield dumps(meta)[:-1] + f',"{key}":['
    pieces: list[str] = []
    size = 0
    for index, text in enumerate(texts):
        pieces.append(text if index == 0 else "," + text)
        size += len(text)
        if size >= buffer_chars:
            yield "".join(pieces)
            pieces, size = [], 0
    pieces.append("]}")
    yield "".join(pieces)


def release_texts(releases) -> Iterator[str]:
    return releases.values_list("text", flat=True).iterator(chunk_size=500)


def _merge_patch(target: Any, patch: Any) -> Any:
    """Apply a JSON merge patch (RFC 7396), as extensions patch the release schema."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge_patch(result.get(key), value)
    return result


@cache
def release_schema() -> dict:
    """Return the release schema of OCDS 1.1.5 with the bids and metrics extensions merged in (local copies)."""
    schema = json.loads((SCHEMA_DIR / "release-schema.json").read_text(encoding="utf-8"))
    for name in ("bid-extension.json", "metrics-extension.json"):
        schema = _merge_patch(schema, json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8")))
    return schema


@cache
def merger():
    """Return ocdsmerge's Merger with the merge rules of the extended release schema (no network)."""
    import ocdsmerge

    return ocdsmerge.Merger(schema=release_schema())


def record(ocid: str) -> dict | None:
    """Return the record of one contracting process: its releases and the compiled release (ocdsmerge)."""
    releases = [json.loads(text) for text in Release.objects.of_process(ocid).values_list("text", flat=True)]
    if not releases:
        return None
    return {"ocid": ocid, "releases": releases, "compiledRelease": merger().create_compiled_release(releases)}


def bulk_path() -> Path:
    return Path(settings.GSZ["OPENDATA_DIR"]) / BULK_NAME


def write_bulk_file(path: Path | None = None, *, batch: int = 1000) -> dict:
    """Write every release, oldest first, as one gzipped JSON-lines file: into a temporary file beside the target,
    then renamed over it (readers see the old file or the new one, never half of one). Bounded memory."""
    path = Path(path or bulk_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    count = 0
    try:
        with os.fdopen(handle, "wb") as raw:
            with gzip.GzipFile(
                filename=BULK_NAME[:-3], mode="wb", fileobj=raw, compresslevel=BULK_COMPRESSLEVEL
            ) as out:
                lines: list[str] = []
                for text in (
                    Release.objects.order_by("date", "pk").values_list("text", flat=True).iterator(chunk_size=2000)
                ):
                    lines.append(text)
                    if len(lines) >= batch:
                        out.write(("\n".join(lines) + "\n").encode())
                        count += len(lines)
                        lines.clear()
                if lines:
                    out.write(("\n".join(lines) + "\n").encode())
                    count += len(lines)
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return {"path": str(path), "releases": count, "bytes": path.stat().st_size}


def rebuild_opendata(*, since: dt.datetime | None = None) -> dict:
    """Publish the releases of events that have none, then rewrite the bulk file: what the scheduled command (and,
    after imports, the task) runs."""
    published = publish_pending(since)
    result = write_bulk_file()
    return {"published": published, **result}


def bulk_info() -> dict | None:
    """Return the bulk file's size and time of writing, or None before it is first written."""
    path = bulk_path()
    try:
        stat = path.stat()
    except OSError:
        return None
    return {"bytes": stat.st_size, "written_at": dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC)}


# -- the change feed (offset paging, as Prozorro's feed) -------------------------------------------------------------

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def feed_offset(release: Release) -> str:
    """Return the opaque offset after a release: its publication time in microseconds and its id."""
    micros = (release.published_at - EPOCH) // dt.timedelta(microseconds=1)
    return f"{micros}.{release.pk}"


def parse_offset(offset: str) -> tuple[dt.datetime, int]:
    """Return (publication time, id) from an offset; ValueError when it is not one."""
    micros, _dot, pk = offset.partition(".")
    if not micros.isdigit() or not pk.isdigit():
        raise ValueError(offset)
    return EPOCH + dt.timedelta(microseconds=int(micros)), int(pk)


def feed(*, since: dt.datetime | None = None, offset: str | None = None, limit: int) -> tuple[list[Release], str]:
    """Return a page of releases in publication order (after `offset`, or published since `since`) and the offset
    of the next page (the same offset when there is nothing newer yet: poll it again later)."""
    if not offset:
        # "Published at or after `since`" is the same as "after (since, id 0)".
        offset = f"{(max(since, EPOCH) - EPOCH) // dt.timedelta(microseconds=1)}.0" if since else "0.0"
    moment, pk = parse_offset(offset)
    releases = Release.objects.in_publication_order().filter(
        Q(published_at__gt=moment) | Q(published_at=moment, pk__gt=pk)
    )
    page = list(releases.only("pk", "published_at", "text")[:limit])
    return page, feed_offset(page[-1]) if page else offset

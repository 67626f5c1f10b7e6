"""The import of past contracts (by number), their tranches (contract × year) and payments."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.models import Actual, Contract, Payment, Report, ReportingPeriod, Tranche
from core.imports import columns as c
from core.imports.registry import Kind, register
from core.models import Indicator
from core.util import start_of_day, today
from providers.models import Provider
from tenders.imports import summary_of as call_summary
from tenders.models import Call

ZERO = Decimal("0")


def sources() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in Tranche.Source.choices]


def payment_kinds() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in Payment.Kind.choices]


def load_calls(numbers) -> dict:
    return {call.number: call_summary(call) for call in Call.objects.filter(number__in=numbers)}


def load_providers(bins) -> dict:
    return {p.bin: {"pk": p.pk} for p in Provider.objects.filter(bin__in=bins)}


def contract_summary(contract: Contract) -> dict:
    return {
        "pk": contract.pk,
        "agency_id": contract.agency_id,
        "call_number": contract.call.number,
        "start_date": contract.start_date,
        "end_date": contract.end_date,
        "total": contract.total,
    }


def load_contracts(numbers) -> dict:
    found = Contract.objects.filter(number__in=numbers).select_related("call")
    return {contract.number: contract_summary(contract) for contract in found}


class ContractKind(Kind):
    code = "contracts"
    label = gettext_lazy("Contracts")
    order = 30
    model = Contract
    key_columns = ("number",)
    columns = [
        c.Column(
            "number",
            gettext_lazy("The contract's number (unique)."),
            "2019-ALM-01/1",
            c.code_text(40),
            text_format=True,
        ),
        c.Column(
            "call_number",
            gettext_lazy("Number of the awarded call."),
            "2019-ALM-01",
            c.code_text(40),
            text_format=True,
        ),
        c.Column("provider_bin", gettext_lazy("BIN of the NGO."), "180340021791", c.bin_number, text_format=True),
        c.Column("start_date", gettext_lazy("Start of the service."), "01.04.2019", c.date),
        c.Column("end_date", gettext_lazy("End of the service."), "31.12.2019", c.date),
        c.Column("total", gettext_lazy("Contract total, ₸."), "11500000.00", c.money),
        c.Column(
            "signed_on",
            gettext_lazy("Date both parties signed; empty if never signed."),
            "25.03.2019",
            c.date,
            required=False,
        ),
        c.Column("terminated_on", gettext_lazy("Date of early termination, if any."), "", c.date, required=False),
        c.Column("termination_reason", gettext_lazy("Reason for termination."), "", c.text(500), required=False),
    ]

    def prepare(self, rows, ctx) -> None:
        self.calls = ctx.resolve("calls", [row.values["call_number"] for row in rows], load_calls)
        self.providers = ctx.resolve("providers", [row.values["provider_bin"] for row in rows], load_providers)
        taken = Contract.objects.filter(call__number__in=[row.values["call_number"] for row in rows])
        self.taken = {call_number: number for call_number, number in taken.values_list("call__number", "number")}

    def check(self, row, ctx) -> None:
        v = row.values
        call = self.calls(v["call_number"])
        if call is None:
            row.problem("call_number", _("No call with this number is in the system or in the file's calls sheet."))
        else:
            if not ctx.may_import_for(call["agency_id"]):
                row.problem("call_number", _("You may import the records of your own agency only."))
            if call["status"] != Call.Status.AWARDED:
                row.problem("call_number", _("A contract needs an awarded call."))
            if not call["start_year"] <= v["start_date"].year <= v["end_date"].year <= call["end_year"]:
                row.problem("end_date", _("The contract's years must lie within the call's years."))
            per_call = ctx.cache.setdefault("contract_of_call", {})
            other = per_call.get(v["call_number"]) or self.taken.get(v["call_number"])
            if other and other != v["number"]:
                row.problem(
                    "call_number", _("The call already has another contract (%(number)s).") % {"number": other}
                )
            per_call[v["call_number"]] = v["number"]
        if self.providers(v["provider_bin"]) is None:
            row.problem("provider_bin", _("No NGO with this BIN is in the system or in the file's providers sheet."))
        if v["end_date"] < v["start_date"]:
            row.problem("end_date", _("The end comes before the start."))
        terminated = v["terminated_on"]
        if terminated and not (v["start_date"] < terminated <= v["end_date"]):
            row.problem("terminated_on", _("The termination date must fall after the start and by the end."))
        if terminated and not v["signed_on"]:
            row.problem("terminated_on", _("Only a signed contract can be terminated."))
        if v["signed_on"] and v["signed_on"] > v["end_date"]:
            row.problem("signed_on", _("The contract is signed after its end."))

    def existing(self, keys, ctx) -> dict:
        return {contract.number: contract for contract in Contract.objects.filter(number__in=keys)}

    def may_change(self, instance, ctx) -> bool:
        return ctx.may_import_for(instance.agency_id)

    def fields(self, row, ctx) -> dict:
        v = row.values
        call = self.calls(v["call_number"])
        signed = start_of_day(v["signed_on"]) if v["signed_on"] else None
        if v["terminated_on"]:
            status = Contract.Status.TERMINATED
        elif signed is None:
            status = Contract.Status.PENDING
        elif v["end_date"] < today():
            status = Contract.Status.COMPLETED
        else:
            status = Contract.Status.ACTIVE
        completed = start_of_day(v["end_date"] + dt.timedelta(days=1)) if status == Contract.Status.COMPLETED else None
        return {
            "number": v["number"],
            "call_id": call["pk"],
            "provider_id": self.providers(v["provider_bin"])["pk"],
            "agency_id": call["agency_id"],
            "region_id": call["region_id"],
            "service_type_id": call["service_type_id"],
            "total": v["total"],
            "start_date": v["start_date"],
            "end_date": v["end_date"],
            "status": status,
            "agency_signed_at": signed,
            "provider_signed_at": signed,
            "completed_at": completed,
            "terminated_on": v["terminated_on"],
            "termination_reason": v["termination_reason"] or "",
            "portal_announcement_number": call["portal_announcement_number"],
            "portal_lot_number": call["portal_lot_number"],
        }

    def new(self, fields, ctx):
        return Contract(**fields, created_by=ctx.user)

    def summary(self, row, fields, instance) -> dict:
        return {
            "pk": getattr(instance, "pk", None),
            "agency_id": fields["agency_id"],
            "call_number": row.values["call_number"],
            "start_date": fields["start_date"],
            "end_date": fields["end_date"],
            "total": fields["total"],
        }


class TrancheKind(Kind):
    code = "tranches"
    label = gettext_lazy("Tranches")
    order = 40
    model = Tranche
    key_columns = ("contract_number", "year")
    columns = [
        c.Column(
            "contract_number",
            gettext_lazy("Number of the contract."),
            "2019-ALM-01/1",
            c.code_text(40),
            text_format=True,
        ),
        c.Column("year", gettext_lazy("Year of the tranche."), "2019", c.year),
        c.Column("fixed_amount", gettext_lazy("Fixed part, ₸."), "11500000.00", c.money),
        c.Column("outcome_amount", gettext_lazy("Outcome part, ₸ (0 if empty)."), "0", c.money, required=False),
        c.Column("planned_date", gettext_lazy("Planned disbursement date."), "15.04.2019", c.date),
        c.Column(
            "funding_source",
            gettext_lazy("Funding source (code); local if empty."),
            "local",
            c.choice(sources),
            required=False,
            choices=sources,
        ),
    ]

    def prepare(self, rows, ctx) -> None:
        self.contracts = ctx.resolve("contracts", [row.values["contract_number"] for row in rows], load_contracts)
        ctx.cache.setdefault("tranche_rows", defaultdict(dict))

    def amount(self, row) -> Decimal:
        return row.values["fixed_amount"] + (row.values["outcome_amount"] or ZERO)

    def check(self, row, ctx) -> None:
        v = row.values
        contract = self.contracts(v["contract_number"])
        if contract is None:
            row.problem("contract_number", _("No contract with this number is in the system or in the file."))
            return
        if not ctx.may_import_for(contract["agency_id"]):
            row.problem("contract_number", _("You may import the records of your own agency only."))
        if not contract["start_date"].year <= v["year"] <= contract["end_date"].year:
            row.problem("year", _("The tranche's year is outside the contract's years."))
        ctx.cache["tranche_rows"][v["contract_number"]][v["year"]] = (self.amount(row), row)

    def finish(self, ctx) -> None:
        """The tranches of each contract in the file, with those already stored for other years, sum to its total."""
        by_contract = ctx.cache.get("tranche_rows", {})
        stored = defaultdict(dict)
        for number, year, amount in Tranche.objects.filter(contract__number__in=list(by_contract)).values_list(
            "contract__number", "year", "amount"
        ):
            stored[number][year] = amount
        for number, years in by_contract.items():
            contract = self.contracts(number)
            total = sum((amount for amount, _row in years.values()), ZERO)
            total += sum((amount for year, amount in stored[number].items() if year not in years), ZERO)
            if total != contract["total"]:
                first = min(years.values(), key=lambda pair: pair[1].number)[1]
                message = _("The tranches of contract %(number)s sum to %(sum)s, not to its total %(total)s.") % {
                    "number": number,
                    "sum": total,
                    "total": contract["total"],
                }
                ctx.add_row_problem(first, "fixed_amount", message)

    def existing(self, keys, ctx) -> dict:
        numbers = {number for number, _year in keys}
        found = Tranche.objects.filter(contract__number__in=numbers).select_related("contract")
        wanted = set(keys)
        return {(t.contract.number, t.year): t for t in found if (t.contract.number, t.year) in wanted}

    def may_change(self, instance, ctx) -> bool:
        return ctx.may_import_for(instance.contract.agency_id)

    def fields(self, row, ctx) -> dict:
        v = row.values
        return {
            "contract_id": self.contracts(v["contract_number"])["pk"],
            "year": v["year"],
            "amount": self.amount(row),
            "fixed_amount": v["fixed_amount"],
            "outcome_amount": v["outcome_amount"] or ZERO,
            "planned_date": v["planned_date"],
            "funding_source": v["funding_source"] or Tranche.Source.LOCAL,
        }

    def summary(self, row, fields, instance) -> dict:
        contract = self.contracts(row.values["contract_number"])
        return {
            "pk": getattr(instance, "pk", None),
            "agency_id": contract["agency_id"],
            "fixed": fields["fixed_amount"],
            "outcome": fields["outcome_amount"],
        }


def load_tranches(keys) -> dict:
    numbers = {number for number, _year in keys}
    found = Tranche.objects.filter(contract__number__in=numbers).select_related("contract")
    return {
        (t.contract.number, t.year): {
            "pk": t.pk,
            "agency_id": t.contract.agency_id,
            "fixed": t.fixed_amount,
            "outcome": t.outcome_amount,
        }
        for t in found
    }


class PaymentKind(Kind):
    code = "payments"
    label = gettext_lazy("Payments")
    order = 50
    model = Payment
    key_columns = ("contract_number", "year", "kind", "date", "amount")
    columns = [
        c.Column(
            "contract_number",
            gettext_lazy("Number of the contract."),
            "2019-ALM-01/1",
            c.code_text(40),
            text_format=True,
        ),
        c.Column("year", gettext_lazy("Year of the tranche paid."), "2019", c.year),
        c.Column("kind", gettext_lazy("Part paid (code)."), "fixed", c.choice(payment_kinds), choices=payment_kinds),
        c.Column("date", gettext_lazy("Date of payment."), "20.04.2019", c.date),
        c.Column("amount", gettext_lazy("Amount, ₸."), "11500000.00", c.money),
    ]

    def prepare(self, rows, ctx) -> None:
        keys = [(row.values["contract_number"], row.values["year"]) for row in rows]
        self.tranches = ctx.resolve("tranches", keys, load_tranches)
        ctx.cache.setdefault("payment_rows", {})

    def check(self, row, ctx) -> None:
        v = row.values
        tranche = self.tranches((v["contract_number"], v["year"]))
        if tranche is None:
            row.problem("year", _("No tranche of this contract and year is in the system or in the file."))
            return
        if not ctx.may_import_for(tranche["agency_id"]):
            row.problem("contract_number", _("You may import the records of your own agency only."))
        if v["amount"] <= 0:
            row.problem("amount", _("A payment must be above zero."))
        ctx.cache["payment_rows"][self.key(v)] = row

    def finish(self, ctx) -> None:
        """The payments of each part of a tranche, stored and in the file, stay within that part."""
        rows = ctx.cache.get("payment_rows", {})
        numbers = {key[0] for key in rows}
        paid: dict[tuple, dict] = defaultdict(dict)
        for number, year, kind, day, amount in Payment.objects.filter(
            tranche__contract__number__in=numbers
        ).values_list("tranche__contract__number", "tranche__year", "kind", "date", "amount"):
            paid[(number, year, kind)][(number, year, kind, day, amount)] = None
        for key, row in rows.items():
            paid[key[:3]][key] = row
        for (number, year, kind), payments in paid.items():
            tranche = self.tranches((number, year))
            if tranche is None:
                continue
            part = tranche["fixed"] if kind == Payment.Kind.FIXED else tranche["outcome"]
            total = sum((key[4] for key in payments), ZERO)
            if total > part:
                row = max((r for r in payments.values() if r is not None), key=lambda r: r.number, default=None)
                if row is not None:
                    message = _("Payments of this part of the tranche sum to %(sum)s, above the part (%(part)s).") % {
                        "sum": total,
                        "part": part,
                    }
                    ctx.add_row_problem(row, "amount", message)

    def existing(self, keys, ctx) -> dict:
        numbers = {key[0] for key in keys}
        found = Payment.objects.filter(tranche__contract__number__in=numbers).select_related("tranche__contract")
        wanted = set(keys)
        result = {}
        for p in found:
            key = (p.tranche.contract.number, p.tranche.year, p.kind, p.date, p.amount)
            if key in wanted:
                result[key] = p
        return result

    def fields(self, row, ctx) -> dict:
        v = row.values
        return {
            "tranche_id": self.tranches((v["contract_number"], v["year"]))["pk"],
            "kind": v["kind"],
            "date": v["date"],
            "amount": v["amount"],
        }

    def new(self, fields, ctx):
        return Payment(**fields, recorded_by=ctx.user)


def register_all() -> None:
    register(ContractKind())
    register(TrancheKind())
    register(PaymentKind())
    register(ReportKind())
    register(ActualKind())


def annual_period_bounds(contract: dict, year: int) -> tuple[dt.date, dt.date]:
    return max(contract["start_date"], dt.date(year, 1, 1)), min(contract["end_date"], dt.date(year, 12, 31))


class ReportKind(Kind):
    """Annual report figures of past contract years, brought in as accepted annual reports."""

    code = "reports"
    label = gettext_lazy("Annual report figures")
    order = 55
    model = Report
    key_columns = ("contract_number", "year")
    columns = [
        c.Column(
            "contract_number",
            gettext_lazy("Number of the contract."),
            "2019-ALM-01/1",
            c.code_text(40),
            text_format=True,
        ),
        c.Column("year", gettext_lazy("Year reported."), "2019", c.year),
        c.Column("children_served", gettext_lazy("Children served in the year."), "120", c.integer(0, 10**7)),
        c.Column(
            "families_served", gettext_lazy("Families served (0 if empty)."), "80", c.integer(0, 10**7), required=False
        ),
        c.Column("accepted_on", gettext_lazy("Date the agency accepted the report."), "20.01.2020", c.date),
    ]

    def prepare(self, rows, ctx) -> None:
        self.contracts = ctx.resolve("contracts", [row.values["contract_number"] for row in rows], load_contracts)
        numbers = {row.values["contract_number"] for row in rows}
        stored = ReportingPeriod.objects.filter(contract__number__in=numbers, kind=ReportingPeriod.Kind.ANNUAL)
        self.periods = {
            (number, year): pk for number, year, pk in stored.values_list("contract__number", "year", "pk")
        }
        if not ctx.commit:
            return
        for row in rows:  # the annual periods the reports belong to (written inside the commit's transaction)
            key = (row.values["contract_number"], row.values["year"])
            contract = self.contracts(key[0])
            if key in self.periods or contract is None or contract["pk"] is None:
                continue
            start, end = annual_period_bounds(contract, key[1])
            if end >= start:
                self.periods[key] = ReportingPeriod.objects.create(
                    contract_id=contract["pk"],
                    kind=ReportingPeriod.Kind.ANNUAL,
                    year=key[1],
                    start=start,
                    end=end,
                    due_date=end + dt.timedelta(days=settings.GSZ["REPORT_DUE_DAYS"]),
                ).pk

    def check(self, row, ctx) -> None:
        v = row.values
        contract = self.contracts(v["contract_number"])
        if contract is None:
            row.problem("contract_number", _("No contract with this number is in the system or in the file."))
            return
        if not ctx.may_import_for(contract["agency_id"]):
            row.problem("contract_number", _("You may import the records of your own agency only."))
        if not contract["start_date"].year <= v["year"] <= contract["end_date"].year:
            row.problem("year", _("The year is outside the contract's years."))
        elif v["accepted_on"] < annual_period_bounds(contract, v["year"])[0]:
            row.problem("accepted_on", _("The report is accepted before its year began."))

    def existing(self, keys, ctx) -> dict:
        numbers = {number for number, _year in keys}
        found = Report.objects.filter(
            period__contract__number__in=numbers, period__kind=ReportingPeriod.Kind.ANNUAL
        ).select_related("period__contract")
        wanted = set(keys)
        return {
            (r.period.contract.number, r.period.year): r
            for r in found
            if (r.period.contract.number, r.period.year) in wanted
        }

    def may_change(self, instance, ctx) -> bool:
        return ctx.may_import_for(instance.period.contract.agency_id)

    def fields(self, row, ctx) -> dict:
        v = row.values
        accepted = start_of_day(v["accepted_on"]) + dt.timedelta(hours=12)
        return {
            "period_id": self.periods.get((v["contract_number"], v["year"])),
            "children_served": v["children_served"],
            "families_served": v["families_served"] or 0,
            "status": Report.Status.ACCEPTED,
            "first_submitted_at": accepted,
            "submitted_at": accepted,
            "reviewed_at": accepted,
        }

    def extra_changes(self, instance, row, ctx) -> bool:
        return False

    def new(self, fields, ctx):
        return Report(**fields, reviewed_by=ctx.user, created_by=ctx.user)

    def summary(self, row, fields, instance) -> dict:
        contract = self.contracts(row.values["contract_number"])
        return {"pk": getattr(instance, "pk", None), "agency_id": contract["agency_id"]}


def load_reports(keys) -> dict:
    numbers = {number for number, _year in keys}
    found = Report.objects.filter(
        period__contract__number__in=numbers, period__kind=ReportingPeriod.Kind.ANNUAL
    ).select_related("period__contract")
    return {
        (r.period.contract.number, r.period.year): {"pk": r.pk, "agency_id": r.period.contract.agency_id}
        for r in found
    }


def indicators() -> list[tuple[str, str]]:
    return [(indicator.code, indicator.name) for indicator in Indicator.objects.all()]


class ActualKind(Kind):
    """Indicator actuals of the imported (or stored) annual reports."""

    code = "actuals"
    label = gettext_lazy("Indicator actuals")
    order = 56
    model = Actual
    key_columns = ("contract_number", "year", "indicator")
    columns = [
        c.Column(
            "contract_number",
            gettext_lazy("Number of the contract."),
            "2019-ALM-01/1",
            c.code_text(40),
            text_format=True,
        ),
        c.Column("year", gettext_lazy("Year reported."), "2019", c.year),
        c.Column("indicator", gettext_lazy("Indicator (code)."), "", c.choice(indicators), choices=indicators),
        c.Column("value", gettext_lazy("Actual value."), "63", c.money),
    ]

    def prepare(self, rows, ctx) -> None:
        keys = [(row.values["contract_number"], row.values["year"]) for row in rows]
        self.reports = ctx.resolve("reports", keys, load_reports)
        self.indicator_ids = dict(Indicator.objects.values_list("code", "pk"))

    def check(self, row, ctx) -> None:
        v = row.values
        report = self.reports((v["contract_number"], v["year"]))
        if report is None:
            row.problem("year", _("No annual report of this contract and year is in the system or in the file."))
        elif not ctx.may_import_for(report["agency_id"]):
            row.problem("contract_number", _("You may import the records of your own agency only."))

    def existing(self, keys, ctx) -> dict:
        numbers = {key[0] for key in keys}
        found = Actual.objects.filter(report__period__contract__number__in=numbers).select_related(
            "report__period__contract", "indicator"
        )
        wanted = set(keys)
        result = {}
        for a in found:
            key = (a.report.period.contract.number, a.report.period.year, a.indicator.code)
            if key in wanted:
                result[key] = a
        return result

    def may_change(self, instance, ctx) -> bool:
        return ctx.may_import_for(instance.report.period.contract.agency_id)

    def fields(self, row, ctx) -> dict:
        v = row.values
        return {
            "report_id": self.reports((v["contract_number"], v["year"]))["pk"],
            "indicator_id": self.indicator_ids[v["indicator"]],
            "value": v["value"],
        }

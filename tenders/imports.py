"""The import of past calls with their outcome, matched by call number: budget lines by year, dates, the status
(awarded, failed or cancelled), the number of submitted bids (the bids themselves are not imported) and the
e-procurement portal's announcement and lot numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Min
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.imports import columns as c
from core.imports.registry import Kind, register
from core.util import start_of_day, today
from tenders.models import MAX_DURATION_YEARS, Call, CallBudgetLine

IMPORTED_STATUSES = (Call.Status.AWARDED, Call.Status.FAILED, Call.Status.CANCELLED)
DEADLINE_HOUR = dt.timedelta(hours=18)  # an imported deadline date closes at 18:00 local time


def statuses() -> list[tuple[str, str]]:
    return [(status.value, str(status.label)) for status in IMPORTED_STATUSES]


def sources() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in CallBudgetLine.Source.choices]


def service_types() -> list[tuple[str, str]]:
    from core.models import ServiceType

    return [(service.code, service.name) for service in ServiceType.objects.all()]


def regions() -> list[tuple[str, str]]:
    from core.models import Region

    return [(region.kato, region.name) for region in Region.objects.all()]


class CallKind(Kind):
    code = "calls"
    label = gettext_lazy("Calls with their outcome")
    order = 20
    model = Call
    key_columns = ("number",)
    columns = [
        c.Column(
            "number", gettext_lazy("The call's number (unique)."), "2019-ALM-01", c.code_text(40), text_format=True
        ),
        c.Column(
            "agency_bin", gettext_lazy("BIN of the agency that announced the call."), "", c.agency, text_format=True
        ),
        c.Column(
            "region",
            gettext_lazy("Region served (KATO code)."),
            "750000000",
            c.region,
            text_format=True,
            choices=regions,
        ),
        c.Column("service_type", gettext_lazy("Service type (code)."), "", c.service_type, choices=service_types),
        c.Column("title_ru", gettext_lazy("Title in Russian."), "Реабилитация детей", c.text(300)),
        c.Column("title_kk", gettext_lazy("Title in Kazakh."), "", c.text(300), required=False),
        c.Column("target_group", gettext_lazy("Target group."), "", c.text(300), required=False),
        c.Column("start_year", gettext_lazy("First year of the service."), "2019", c.year),
        c.Column("duration_years", gettext_lazy("Duration in years (1–3)."), "1", c.integer(1, MAX_DURATION_YEARS)),
        c.Column(
            "funding_source",
            gettext_lazy("Funding source (code); local if empty."),
            "local",
            c.choice(sources),
            required=False,
            choices=sources,
        ),
        c.Column("budget_year_1", gettext_lazy("Budget of the first year, ₸."), "12000000.00", c.money),
        c.Column("budget_year_2", gettext_lazy("Budget of the second year, ₸ (if any)."), "", c.money, required=False),
        c.Column("budget_year_3", gettext_lazy("Budget of the third year, ₸ (if any)."), "", c.money, required=False),
        c.Column("opens_on", gettext_lazy("Date submission opened."), "01.02.2019", c.date),
        c.Column("deadline", gettext_lazy("Date of the deadline."), "01.03.2019", c.date),
        c.Column("decided_on", gettext_lazy("Date of the award, failure or cancellation."), "15.03.2019", c.date),
        c.Column("status", gettext_lazy("Outcome (code)."), "awarded", c.choice(statuses), choices=statuses),
        c.Column("submitted_bids", gettext_lazy("Number of bids submitted."), "2", c.integer(0, 1000)),
        c.Column(
            "portal_announcement_number",
            gettext_lazy("Announcement number on the e-procurement portal."),
            "",
            c.code_text(40),
            required=False,
            text_format=True,
        ),
        c.Column(
            "portal_lot_number",
            gettext_lazy("Lot number on the e-procurement portal."),
            "",
            c.code_text(40),
            required=False,
            text_format=True,
        ),
    ]

    def budget(self, values) -> dict[int, Decimal]:
        return {
            values["start_year"] + index: values[f"budget_year_{index + 1}"]
            for index in range(values["duration_years"])
            if values.get(f"budget_year_{index + 1}") is not None
        }

    def check(self, row, ctx) -> None:
        v = row.values
        if not ctx.may_import_for(v["agency_bin"].pk):
            row.problem("agency_bin", _("You may import the records of your own agency only."))
        for index in range(1, MAX_DURATION_YEARS + 1):
            column = f"budget_year_{index}"
            if index <= v["duration_years"] and v.get(column) is None:
                row.problem(column, _("Each year of the call needs its budget."))
            elif index <= v["duration_years"] and v[column] <= 0:
                row.problem(column, _("A year's budget must be above zero."))
            elif index > v["duration_years"] and v.get(column) is not None:
                row.problem(column, _("This year is beyond the call's duration."))
        if v["deadline"] < v["opens_on"]:
            row.problem("deadline", _("The deadline comes before submission opened."))
        if v["decided_on"] < v["deadline"] and v["status"] != Call.Status.CANCELLED:
            row.problem("decided_on", _("The decision comes before the deadline."))
        if v["deadline"] >= today():
            row.problem("deadline", _("Only past calls are imported: the deadline must have passed."))

    def existing(self, keys, ctx) -> dict:
        return {call.number: call for call in Call.objects.filter(number__in=keys).prefetch_related("budget_lines")}

    def first_years(self, object_ids: list[str]) -> dict[int, int]:
        rows = Call.objects.filter(pk__in=object_ids).values("region_id").annotate(first=Min("start_year"))
        return {row["region_id"]: row["first"] for row in rows}

    def may_change(self, instance, ctx) -> bool:
        return ctx.may_import_for(instance.agency_id)

    def fields(self, row, ctx) -> dict:
        v = row.values
        opens_at = start_of_day(v["opens_on"])
        deadline = start_of_day(v["deadline"]) + DEADLINE_HOUR
        decided = start_of_day(v["decided_on"]) + DEADLINE_HOUR
        status = v["status"]
        return {
            "number": v["number"],
            "agency_id": v["agency_bin"].pk,
            "region_id": v["region"].pk,
            "service_type_id": v["service_type"].pk,
            "title_ru": v["title_ru"],
            "title_kk": v["title_kk"] or "",
            "target_group": v["target_group"] or "",
            "start_year": v["start_year"],
            "duration_years": v["duration_years"],
            "opens_at": opens_at,
            "deadline": deadline,
            "status": status,
            "published_at": opens_at,
            "opened_at": deadline if status != Call.Status.CANCELLED else None,
            "decided_at": decided if status != Call.Status.CANCELLED else None,
            "cancelled_at": decided if status == Call.Status.CANCELLED else None,
            "imported_bid_count": v["submitted_bids"],
            "portal_announcement_number": v["portal_announcement_number"] or "",
            "portal_lot_number": v["portal_lot_number"] or "",
        }

    def lines(self, row) -> set[tuple[int, Decimal, str]]:
        source = row.values["funding_source"] or CallBudgetLine.Source.LOCAL
        return {(year, amount, source) for year, amount in self.budget(row.values).items()}

    def extra_changes(self, instance, row, ctx) -> bool:
        stored = {(line.year, line.amount, line.funding_source) for line in instance.budget_lines.all()}
        return stored != self.lines(row)

    def new(self, fields, ctx):
        return Call(**fields, description_ru=fields["title_ru"], created_by=ctx.user)

    def summary(self, row, fields, instance) -> dict:
        return {
            "pk": getattr(instance, "pk", None),
            "agency_id": fields["agency_id"],
            "region_id": fields["region_id"],
            "service_type_id": fields["service_type_id"],
            "start_year": fields["start_year"],
            "end_year": fields["start_year"] + fields["duration_years"] - 1,
            "status": fields["status"],
            "portal_announcement_number": fields["portal_announcement_number"],
            "portal_lot_number": fields["portal_lot_number"],
        }

    def after_write(self, written, ctx) -> None:
        updated = [call.pk for call, _row, created in written if not created]
        CallBudgetLine.objects.filter(call_id__in=updated).delete()
        CallBudgetLine.objects.bulk_create(
            CallBudgetLine(call=call, year=year, amount=amount, funding_source=source)
            for call, row, _created in written
            for year, amount, source in sorted(self.lines(row))
        )


def summary_of(call: Call) -> dict:
    """The summary of a call already in the system (what a contract row needs)."""
    return {
        "pk": call.pk,
        "agency_id": call.agency_id,
        "region_id": call.region_id,
        "service_type_id": call.service_type_id,
        "start_year": call.start_year,
        "end_year": call.end_year,
        "status": call.status,
        "portal_announcement_number": call.portal_announcement_number,
        "portal_lot_number": call.portal_lot_number,
    }


def register_all() -> None:
    register(CallKind())

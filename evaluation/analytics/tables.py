"""The analytics' tables (django-tables2): each page shows one, its CSV and XLSX exports are that table's values
(core.exports), and the coverage workbook writes the same tables into its sheets, so a figure reads the same
everywhere. Headers are the workbook's column names; values keep full precision for the spreadsheets."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import django_tables2 as tables
from django.conf import settings
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.tables import MoneyColumn, NameColumn
from core.templatetags.gsz import num, percent
from evaluation.analytics.coverage import CellStatus
from tenders.models import Call


def _money(value) -> Decimal:
    """Return an amount to the tiyn, as the spreadsheets hold money."""
    return Decimal(value or 0).quantize(Decimal("0.01"))


class AnalyticsTable(tables.Table):
    """A table of computed rows (not a queryset): in the order the analysis gives, with a test id for the page."""

    testid = ""

    def __init__(self, data, **kwargs):
        kwargs.setdefault("attrs", {**settings.DJANGO_TABLES2_TABLE_ATTRS, "data-testid": self.testid})
        kwargs.setdefault("orderable", False)
        super().__init__(data, **kwargs)


class DecimalColumn(tables.Column):
    """A ratio shown with a few decimals; exported unrounded."""

    def __init__(self, *args, places: int = 2, **kwargs):
        self.places = places
        kwargs.setdefault("attrs", {"td": {"class": "text-end"}, "th": {"class": "text-end"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return num(value, self.places)

    def value(self, value):
        return value


class PercentColumn(DecimalColumn):
    """A share (0.5) shown as a percentage (50 %); exported as the share, unrounded."""

    def render(self, value):
        return percent(value, self.places)


class CountColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "text-end"}, "th": {"class": "text-end"}})
        super().__init__(*args, **kwargs)


class YearMoneyColumn(MoneyColumn):
    """A year's money of a row with `money` by year and the `years` that count (others are n/a for its region)."""

    def __init__(self, year: int, **kwargs):
        self.year = year
        super().__init__(verbose_name=str(year), accessor="money", empty_values=(), **kwargs)

    def render(self, record):
        if self.year not in getattr(record, "years", [self.year]):
            return format_html('<span class="text-muted">{}</span>', _("n/a"))
        return super().render(record.money.get(self.year))

    def value(self, record):
        if self.year not in getattr(record, "years", [self.year]):
            return str(_("n/a"))
        return _money(record.money.get(self.year))


def year_columns(years: Sequence[int]) -> dict:
    """Return the table kwargs that put one money column per year after the row's names."""
    return {"extra_columns": [(str(y), YearMoneyColumn(y)) for y in years]}


class DropsColumn(tables.Column):
    """The year pairs with a drop, "2022→2023, 2024→2025"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("accessor", "drops")
        kwargs.setdefault("empty_values", ())
        super().__init__(*args, **kwargs)

    def value(self, value):
        return ", ".join(f"{c.year}→{c.next_year}" for c in value)

    def render(self, value):
        return self.value(value) or "—"


class VerdictColumn(tables.Column):
    """A verdict as text on its colour (never colour alone)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("verbose_name", _("verdict"))
        super().__init__(*args, **kwargs)

    def render(self, record):
        return format_html('<span class="legend-swatch verdict-{}">{}</span>', record.verdict, record.verdict_label)

    def value(self, record):
        return str(record.verdict_label)


class StatusColumn(tables.Column):
    """A coverage cell's status as text on its colour."""

    def render(self, value):
        return format_html('<span class="legend-swatch cell-{}">{}</span>', value, CellStatus(value).label)

    def value(self, value):
        return str(CellStatus(value).label)


class DayColumn(tables.Column):
    """A calendar day: dd.mm.yyyy on screen, a date in exports (a date cell in XLSX)."""

    def render(self, value):
        return date_format(value, "d.m.Y")

    def value(self, value):
        return value


class NumberOrBlankColumn(CountColumn):
    """A figure that may be missing: blank in exports, a dash on screen (never zero)."""

    def value(self, value):
        return "" if value is None else value


def days(value) -> str:
    """Return a number of days with its unit, in the reader's language ("101 дней", "1 day")."""
    n = int(Decimal(value).to_integral_value())
    return ngettext("%(n)s day", "%(n)s days", n) % {"n": num(n, 0)}


class DaysColumn(NumberOrBlankColumn):
    """A number of days: with its unit on screen ("101 days", never a bare figure), the number in exports."""

    def render(self, value):
        return format_html('<span class="text-nowrap">{}</span>', days(value))


# -- coverage ------------------------------------------------------------------------------------------------------


class CoverageCellTable(AnalyticsTable):
    """Every cell of a coverage matrix with the figures behind its status (the workbook's Coverage cells)."""

    testid = "coverage-cells"
    region = NameColumn(verbose_name=_("region"))
    kato = tables.Column(verbose_name=_("KATO"), accessor="region__kato")
    service = NameColumn(verbose_name=_("service"), accessor="service_type")
    year = tables.Column(verbose_name=_("year"))
    status = StatusColumn(verbose_name=_("status"))
    since = DayColumn(verbose_name=_("uncovered since"))
    money_planned = MoneyColumn(verbose_name=_("planned, ₸"))
    money_paid = MoneyColumn(verbose_name=_("paid, ₸"))
    contracts = CountColumn(verbose_name=_("contracts"), accessor="contract_ids")
    provider_count = CountColumn(verbose_name=_("providers"))
    children_served = NumberOrBlankColumn(verbose_name=_("children served"))
    submitted_bids_per_call = NumberOrBlankColumn(verbose_name=_("submitted bids per call"))
    population = NumberOrBlankColumn(verbose_name=_("children (population)"))
    money_per_1000 = MoneyColumn(verbose_name=_("₸ per 1,000 children"))
    children_per_1000 = NumberOrBlankColumn(verbose_name=_("children served per 1,000 children"))

    def value_contracts(self, value):
        return len(value)

    def render_contracts(self, value):
        return len(value)

    def value_money_planned(self, value):
        return _money(value)

    def value_money_paid(self, value):
        return _money(value)

    def value_money_per_1000(self, value):
        return "" if value is None else _money(value)


class MoneyByRegionTable(AnalyticsTable):
    """Planned, paid and unpaid money by region and year (rows: dicts)."""

    testid = "money-by-region"
    region = NameColumn(verbose_name=_("region"))
    kato = tables.Column(verbose_name=_("KATO"), accessor="region__kato")
    year = tables.Column(verbose_name=_("year"))
    planned = MoneyColumn(verbose_name=_("planned, ₸"))
    paid = MoneyColumn(verbose_name=_("paid, ₸"))
    unpaid = MoneyColumn(verbose_name=_("unpaid, ₸"))


class UncoveredTable(AnalyticsTable):
    """The uncovered cells of a year: since when, what was tried, and the NGOs registered there that did not bid."""

    testid = "uncovered"
    region = NameColumn(verbose_name=_("region"))
    service = tables.Column(verbose_name=_("service"), accessor="service_type")
    status = StatusColumn(verbose_name=_("status"))
    since = DayColumn(verbose_name=_("uncovered since"))
    days = NumberOrBlankColumn(verbose_name=_("days uncovered"))
    tried_calls = tables.Column(verbose_name=_("calls tried"), empty_values=())
    idle_providers = tables.Column(verbose_name=_("NGOs registered there that did not bid"), empty_values=())

    def render_service(self, record):
        url = reverse("evaluation:cell", args=[record.region.pk, record.service_type.pk, record.cell.year])
        return format_html('<a href="{}">{}</a>', url, record.service_type.name)

    def value_service(self, record):
        return record.service_type.name

    def render_tried_calls(self, value):
        if not value:
            return "—"
        links = ((reverse("tenders:call-detail", args=[t.id]), t.number) for t in value)
        return format_html_join(", ", '<a href="{}">{}</a>', links)

    def value_tried_calls(self, value):
        return "; ".join(f"{t.number} ({Call.Status(t.status).label})" for t in value)

    def render_idle_providers(self, value):
        return ", ".join(p.name for p in value) or "—"

    def value_idle_providers(self, value):
        return "; ".join(p.name for p in value)


# -- stability -----------------------------------------------------------------------------------------------------


class StabilityTable(AnalyticsTable):
    """Funding stability of each region × service over the window, its verdict first (what a reader looks for)."""

    testid = "stability"
    region = NameColumn(verbose_name=_("region"))
    service = tables.Column(verbose_name=_("service"), accessor="service_type")
    cv = DecimalColumn(verbose_name=_("coefficient of variation"))
    drops = DropsColumn(verbose_name=_("drops"))
    gap_days = DaysColumn(verbose_name=_("gap days"))
    longest_gap = DaysColumn(verbose_name=_("longest gap, days"))
    multi_year_share = PercentColumn(verbose_name=_("multi-year share"), places=0)
    late_start_median = DaysColumn(verbose_name=_("late start, median days"))
    churn = PercentColumn(verbose_name=_("provider churn"), places=0)
    single_bid_share = PercentColumn(verbose_name=_("single-bid share"), places=0)
    failed_call_share = PercentColumn(verbose_name=_("failed-call share"), places=0)
    verdict = VerdictColumn(empty_values=())

    def __init__(self, data, *, years: Sequence[int], own_region=None, **kwargs):
        self.own_region_id = own_region.pk if own_region else None
        kwargs.setdefault("sequence", ("verdict", "region", "service", *(str(y) for y in years), "..."))
        kwargs.setdefault(
            "row_attrs",
            {"class": lambda record, table: "table-warning" if record.region.pk == table.own_region_id else ""},
        )
        super().__init__(data, **year_columns(years), **kwargs)

    def render_service(self, record):
        url = reverse("evaluation:trends") + f"?region={record.region.pk}&service_type={record.service_type.pk}"
        return format_html('<a href="{}">{}</a>', url, record.service_type.name)

    def value_service(self, record):
        return record.service_type.name


class PartyStabilityTable(AnalyticsTable):
    """Funding stability of each provider or agency over the window, with its verdict (the same rule as a cell's)."""

    cv = DecimalColumn(verbose_name=_("coefficient of variation"))
    drops = DropsColumn(verbose_name=_("drops"))
    longest_run = CountColumn(verbose_name=_("consecutive years funded"))
    gap_days = DaysColumn(verbose_name=_("gap days"))
    longest_gap = DaysColumn(verbose_name=_("longest gap, days"))
    verdict = VerdictColumn(empty_values=())

    party = ""
    extra = ()  # the party's own columns, before the verdict

    def __init__(self, data, *, years: Sequence[int], **kwargs):
        figures = ("cv", "drops", "longest_run", "gap_days", "longest_gap")
        kwargs.setdefault("sequence", ("verdict", self.party, *(str(y) for y in years), *figures, *self.extra))
        super().__init__(data, **year_columns(years), **kwargs)


class ProviderStabilityTable(PartyStabilityTable):
    testid = "stability-providers"
    party = "provider"
    extra = ("largest_agency", "largest_agency_share")
    provider = tables.Column(verbose_name=_("NGO"))
    largest_agency = tables.Column(verbose_name=_("largest agency"))
    largest_agency_share = PercentColumn(verbose_name=_("its share"), places=0)

    def render_provider(self, value):
        url = reverse("evaluation:trends") + f"?provider={value.pk}"
        return format_html('<a href="{}">{}</a>', url, value.name)

    def value_provider(self, value):
        return value.name

    def render_largest_agency(self, value):
        return value.name

    def value_largest_agency(self, value):
        return value.name


class AgencyStabilityTable(PartyStabilityTable):
    testid = "stability-agencies"
    party = "agency"
    agency = tables.Column(verbose_name=_("agency"))

    def render_agency(self, value):
        url = reverse("evaluation:trends") + f"?agency={value.pk}"
        return format_html('<a href="{}">{}</a>', url, value.name)

    def value_agency(self, value):
        return value.name


class TrendTable(AnalyticsTable):
    """Money by year of one selection, planned and paid (rows: dicts)."""

    testid = "trend"
    year = tables.Column(verbose_name=_("year"))
    planned = MoneyColumn(verbose_name=_("planned, ₸"))
    paid = MoneyColumn(verbose_name=_("paid, ₸"))


# -- red flags -----------------------------------------------------------------------------------------------------


class FlagTable(AnalyticsTable):
    """Red flags with their rule in words (on screen as the flag's tooltip)."""

    testid = "flags"
    kind = tables.Column(verbose_name=_("flag"))
    rule = tables.Column(verbose_name=_("rule"), visible=False)
    number = tables.Column(verbose_name=_("number"), empty_values=())
    region = NameColumn(verbose_name=_("region"))
    service = tables.Column(verbose_name=_("service"), accessor="service_type", attrs={"td": {"class": "small"}})
    agency = tables.Column(verbose_name=_("agency"), attrs={"td": {"class": "small"}})
    year = tables.Column(verbose_name=_("year"))
    detail = tables.Column(verbose_name=_("detail"), attrs={"td": {"class": "small"}})

    def render_kind(self, record):
        return format_html('<span class="badge text-bg-warning" title="{}">{}</span>', record.rule, record.kind_label)

    def value_kind(self, record):
        return str(record.kind_label)

    def value_rule(self, value):
        return str(value)

    def render_number(self, record):
        if record.contract_id:
            url = reverse("contracts:contract-detail", args=[record.contract_id])
        elif record.call_id:
            url = reverse("tenders:call-detail", args=[record.call_id])
        else:
            return "—"
        return format_html('<a href="{}">{}</a>', url, record.number)

    def value_number(self, record):
        return record.number

    def render_service(self, value):
        return value.name

    def value_service(self, value):
        return value.name

    def render_agency(self, value):
        return value.name

    def value_agency(self, value):
        return value.name

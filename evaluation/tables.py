"""Tables of the contract-level evaluation: the ranking of providers, the result evaluations and the indicator
catalogue (django-tables2; exported as CSV and XLSX like every list)."""

import django_tables2 as tables
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.models import Indicator
from core.tables import MoneyColumn, NameColumn
from core.templatetags.gsz import num, percent
from evaluation.models import ResultEvaluation


class ShareColumn(tables.Column):
    """A score as a share (0.76), shown as a percentage with one decimal and exported unrounded."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "text-end"}, "th": {"class": "text-end"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return percent(value, 1)

    def value(self, value):
        return value


class RankingTable(tables.Table):
    """Providers of a service (and region) by shrunk outcome score (rows: profiles.RankRow with their `rank`)."""

    rank = tables.Column(verbose_name="#")
    provider = tables.Column(verbose_name=_("NGO"))
    shrunk = ShareColumn(verbose_name=_("Shrunk score"), attrs={"td": {"class": "text-end fw-semibold"}})
    mean = ShareColumn(verbose_name=_("Mean"))
    evaluated_years = tables.Column(
        verbose_name=_("Evaluated contract years"), attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}}
    )
    money = MoneyColumn(verbose_name=_("Money"))
    conclusions = tables.Column(
        verbose_name=_("Council conclusions (final where made): positive / negative"),
        accessor="positive_conclusions",
        attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}},
    )

    class Meta:
        orderable = False
        attrs = {**settings.DJANGO_TABLES2_TABLE_ATTRS, "data-testid": "ranking"}
        empty_text = _("No evaluated contract years for this service and region yet.")

    def render_provider(self, value):
        url = reverse("evaluation:provider-profile", args=[value.pk])
        return format_html('<a href="{}">{}</a>', url, value.name)

    def value_provider(self, value):
        return value.name

    def render_conclusions(self, record):
        return f"{record.positive_conclusions} / {record.negative_conclusions}"

    def value_conclusions(self, record):
        return self.render_conclusions(record)


class EvaluationTable(tables.Table):
    contract = tables.Column(verbose_name=_("Contract"), order_by=("contract__number",))
    year = tables.Column(verbose_name=_("Year"))
    provider = NameColumn(
        verbose_name=_("NGO"), accessor="contract__provider", order_by=("contract__provider__name_ru",)
    )
    region = NameColumn(verbose_name=_("Region"), accessor="contract__region", order_by=("contract__region__kato",))
    status = tables.Column(verbose_name=_("Status"))
    total = tables.Column(verbose_name=_("Total"), attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}})
    positive = tables.Column(verbose_name=_("Conclusion"))

    class Meta:
        model = ResultEvaluation
        fields = ()
        sequence = ("contract", "year", "provider", "region", "status", "total", "positive")
        empty_text = _("No evaluations.")

    def render_contract(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record.contract.number)

    def value_contract(self, record):
        return record.contract.number

    def render_total(self, value):
        return f"{num(value, 2)} / 25"

    def render_positive(self, value):
        if value:
            return format_html('<span class="yes">{}</span>', _("positive"))
        return format_html('<span class="no">{}</span>', _("negative"))

    def value_positive(self, value):
        return str(_("positive") if value else _("negative"))


class IndicatorTable(tables.Table):
    code = tables.Column(verbose_name=_("Code"))
    name = tables.Column(verbose_name=_("Indicator"), accessor="name_ru", order_by=("name_ru",))
    service_type = tables.Column(verbose_name=_("Service"), order_by=("service_type_id",), default=_("all services"))
    kind = tables.Column(verbose_name=_("Kind"))
    unit = tables.Column(verbose_name=_("Unit"))
    direction = tables.Column(verbose_name=_("Direction"))
    delete = tables.TemplateColumn(
        template_name="evaluation/includes/indicator_delete.html",
        verbose_name="",
        orderable=False,
        exclude_from_export=True,
        empty_values=(),
    )

    class Meta:
        model = Indicator
        fields = ()
        sequence = ("code", "name", "service_type", "kind", "unit", "direction", "delete")
        empty_text = _("No indicators match the filters.")

    def render_code(self, value):
        return format_html("<code>{}</code>", value)

    def value_code(self, value):
        return value

    def render_name(self, record):
        return record.name

    def value_name(self, record):
        return record.name

    def render_service_type(self, value):
        return value.name

    def value_service_type(self, value):
        return value.name

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, ReportingPeriod
from core.tables import MoneyColumn


class ContractTable(tables.Table):
    number = tables.Column(verbose_name=_("number"), linkify=True)
    status = tables.Column(verbose_name=_("status"))
    provider = tables.Column(verbose_name=_("NGO"), order_by=("provider__name_ru",))
    region = tables.Column(verbose_name=_("region"), order_by=("region__kato",))
    service_type = tables.Column(verbose_name=_("service"), order_by=("service_type_id",))
    years = tables.Column(verbose_name=_("years"), accessor="start_date", order_by=("start_date",))
    total = MoneyColumn(verbose_name=_("total"))
    paid = MoneyColumn(verbose_name=_("paid"))
    next_due = tables.DateColumn(verbose_name=_("next report due"), format="d.m.Y")
    flags = tables.Column(verbose_name=_("flags"), accessor="pk", orderable=False)

    class Meta:
        model = Contract
        fields = ()
        sequence = (
            "number",
            "status",
            "provider",
            "region",
            "service_type",
            "years",
            "total",
            "paid",
            "next_due",
            "flags",
        )
        empty_text = _("No contracts match the filters.")

    def render_provider(self, value):
        return value.name

    def value_provider(self, value):
        return value.name

    def render_region(self, value):
        return value.name

    def value_region(self, value):
        return value.name

    def render_service_type(self, value):
        return value.name

    def value_service_type(self, value):
        return value.name

    def render_years(self, record):
        first, last = record.start_date.year, record.end_date.year
        return str(first) if first == last else f"{first}–{last}"

    def value_years(self, record):
        return self.render_years(record)

    @staticmethod
    def flag_labels(record) -> list[str]:
        labels = []
        if record.has_reduction:
            labels.append(_("value reduced"))
        if record.status == Contract.Status.TERMINATED:
            labels.append(_("terminated early"))
        if record.late_payments:
            labels.append(_("late payment"))
        if record.overdue_reports:
            labels.append(_("reports overdue"))
        return labels

    def render_flags(self, record):
        if not record.flagged:
            return "—"
        labels = self.flag_labels(record)
        return format_html_join(" ", '<span class="badge text-bg-warning">{}</span>', ((label,) for label in labels))

    def value_flags(self, record):
        return "; ".join(str(label) for label in self.flag_labels(record))


class PeriodTable(tables.Table):
    contract = tables.Column(verbose_name=_("contract"), linkify=True, order_by=("contract__number",))
    provider = tables.Column(
        verbose_name=_("NGO"), accessor="contract__provider", order_by=("contract__provider__name_ru",)
    )
    period = tables.Column(verbose_name=_("period"), accessor="pk", orderable=False)
    due_date = tables.DateColumn(verbose_name=_("due"), format="d.m.Y")
    report_status = tables.Column(verbose_name=_("report"), accessor="state", orderable=False)
    open = tables.Column(verbose_name="", accessor="pk", orderable=False, exclude_from_export=True)

    class Meta:
        model = ReportingPeriod
        fields = ()
        sequence = ("contract", "provider", "period", "due_date", "report_status", "open")
        empty_text = _("No reporting periods match the filters.")

    def render_contract(self, value):
        return value.number

    def value_contract(self, value):
        return value.number

    def render_provider(self, value):
        return value.name

    def value_provider(self, value):
        return value.name

    def render_period(self, record):
        return str(record)

    def value_period(self, record):
        return str(record)

    def render_report_status(self, record):
        return ReportingPeriod.State(record.state).label

    def value_report_status(self, record):
        return str(ReportingPeriod.State(record.state).label)

    def render_open(self, record):
        return format_html('<a href="{}">{}</a>', reverse("contracts:report-edit", args=[record.pk]), _("open"))

import datetime as dt

import django_tables2 as tables
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.tables import MoneyColumn
from tenders.models import Bid, Call, Complaint


class LocalDateTimeColumn(tables.DateTimeColumn):
    """A date-time column whose export value is in the site's time zone (Almaty), not in UTC as the library's."""

    def value(self, value, **kwargs):
        if isinstance(value, dt.datetime):
            return timezone.localtime(value)
        return super().value(value=value, **kwargs)


class CallTable(tables.Table):
    number = tables.Column(verbose_name=_("number"), linkify=True)
    title = tables.Column(verbose_name=_("title"), accessor="title_ru", order_by=("title_ru",))
    agency = tables.Column(verbose_name=_("agency"), order_by=("agency__name_ru",))
    region = tables.Column(verbose_name=_("region"), order_by=("region__kato",))
    service_type = tables.Column(verbose_name=_("service"), order_by=("service_type_id",))
    years = tables.Column(verbose_name=_("years"), accessor="start_year", order_by=("start_year",))
    total_budget = MoneyColumn(verbose_name=_("budget, ₸"))
    deadline = LocalDateTimeColumn(verbose_name=_("deadline"), format="d.m.Y H:i")
    status = tables.Column(verbose_name=_("status"))
    bid_count = tables.Column(
        verbose_name=_("bids"), accessor="submitted_bids", orderable=False, attrs={"td": {"class": "text-end"}}
    )

    class Meta:
        model = Call
        fields = ()
        sequence = (
            "number",
            "title",
            "agency",
            "region",
            "service_type",
            "years",
            "total_budget",
            "deadline",
            "status",
            "bid_count",
        )
        empty_text = _("No calls match the filters.")

    def render_title(self, record):
        return record.title

    def value_title(self, record):
        return record.title

    def render_agency(self, value):
        return value.name

    def value_agency(self, value):
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
        return f"{record.start_year}–{record.end_year}" if record.duration_years > 1 else str(record.start_year)

    def value_years(self, record):
        return self.render_years(record)

    def render_bid_count(self, record):
        """Sealed: the number of bids is unknown to everyone until the deadline."""
        return "—" if record.submitted_bids is None else record.submitted_bids

    def value_bid_count(self, record):
        return "" if record.submitted_bids is None else record.submitted_bids


class BidTable(tables.Table):
    provider = tables.Column(verbose_name=_("NGO"), order_by=("provider__name_ru",))
    price = MoneyColumn(verbose_name=_("price, ₸"))
    submitted_at = LocalDateTimeColumn(verbose_name=_("final submission"), format="d.m.Y H:i")
    status = tables.Column(verbose_name=_("status"))
    detail = tables.LinkColumn(
        "tenders:bid-detail",
        args=[tables.A("pk")],
        text=_("open"),
        orderable=False,
        verbose_name="",
        exclude_from_export=True,
    )

    class Meta:
        model = Bid
        fields = ()
        sequence = ("provider", "price", "submitted_at", "status", "detail")
        empty_text = _("No bids.")

    def render_provider(self, value):
        return value.name

    def value_provider(self, value):
        return value.name


class ComplaintTable(tables.Table):
    call = tables.Column(verbose_name=_("call"), linkify=True, order_by=("call__number",))
    provider = tables.Column(verbose_name=_("NGO"), order_by=("provider__name_ru",))
    kind = tables.Column(verbose_name=_("about"), linkify=lambda record: record.get_absolute_url())
    filed_at = LocalDateTimeColumn(verbose_name=_("filed"), format="d.m.Y H:i")
    status = tables.Column(verbose_name=_("status"))
    decided_at = LocalDateTimeColumn(verbose_name=_("decided"), format="d.m.Y H:i")
    text = tables.Column(verbose_name=_("complaint"), orderable=False)

    class Meta:
        model = Complaint
        fields = ()
        sequence = ("call", "provider", "kind", "filed_at", "status", "decided_at", "text")
        empty_text = _("No complaints.")

    def render_call(self, value):
        return value.number

    def value_call(self, value):
        return value.number

    def render_provider(self, value):
        return value.name

    def value_provider(self, value):
        return value.name

    def render_text(self, value):
        return value if len(value) < 120 else value[:117] + "…"

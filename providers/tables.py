import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from providers.models import Provider


class ProviderTable(tables.Table):
    name = tables.Column(verbose_name=_("NGO"), linkify=True, order_by=("name_ru",), accessor="name_ru")
    bin = tables.Column(verbose_name=_("BIN"))
    legal_form = tables.Column(verbose_name=_("legal form"))
    home_region = tables.Column(verbose_name=_("home region"), order_by=("home_region__kato",))
    registration_date = tables.DateColumn(verbose_name=_("registered"), format="d.m.Y")
    status = tables.Column(verbose_name=_("status"))
    service_area_count = tables.Column(verbose_name=_("service areas"), attrs={"td": {"class": "text-end"}})
    staff_count = tables.Column(verbose_name=_("staff"), attrs={"td": {"class": "text-end"}})
    child_ok_count = tables.Column(verbose_name=_("may work with children"), attrs={"td": {"class": "text-end"}})
    listing = tables.Column(verbose_name=_("NGO database"), accessor="ngo_db_last_submission", orderable=True)

    class Meta:
        model = Provider
        fields = ()
        sequence = (
            "name",
            "bin",
            "legal_form",
            "home_region",
            "registration_date",
            "status",
            "service_area_count",
            "staff_count",
            "child_ok_count",
            "listing",
        )
        empty_text = _("No organisations match the filters.")

    def render_name(self, record):
        return record.name

    def value_name(self, record):
        return record.name

    def render_home_region(self, value):
        return value.name

    def value_home_region(self, value):
        return value.name

    def render_listing(self, record):
        if not record.ngo_db_listed:
            return _("not listed")
        if record.listing_is_current():
            return _("current")
        return _("out of date")

    def value_listing(self, record):
        return self.render_listing(record)

"""Columns shared by every app's django-tables2 tables."""

import django_tables2 as tables

from core.templatetags.gsz import money


class MoneyColumn(tables.Column):
    """Tenge: shown right-aligned with the locale's separators and ₸; exported as the exact amount, which the XLSX
    export formats as money (core.exports finds these columns by their class)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return money(value)

    def value(self, value):
        return value


class NameColumn(tables.Column):
    """An object with a translated `name` (region, service, agency, NGO): its name in the reader's language, on
    screen and in exports."""

    def render(self, value):
        return value.name

    def value(self, value):
        return value.name

"""Formatting of money, numbers and dates in the active language, and small page helpers."""

import decimal

from django import forms, template
from django.utils.translation import get_language

register = template.Library()

NBSP = "\u00a0"


def group_number(value, places: int = 0) -> str:
    """Return a number with the active language's separators: 1 234 567,5 (ru, kk) or 1,234,567.5 (en)."""
    if value is None or value == "":
        return "—"
    number = decimal.Decimal(value)
    text = f"{number:,.{places}f}"
    if (get_language() or "ru")[:2] in ("ru", "kk"):
        text = text.replace(",", NBSP).replace(".", ",")
    return text


def amount(value) -> str:
    """Return an amount as `money` writes it without the tenge sign (for a message whose text holds the sign):
    whole tenge without decimals, tiyn when present, the active language's separators."""
    if value is None or value == "":
        return "—"
    number = decimal.Decimal(value)
    places = 0 if number == number.to_integral_value() else 2
    return group_number(number, places)


@register.filter
def money(value) -> str:
    """Format an amount in tenge: whole tenge without decimals, tiyn when present."""
    if value is None or value == "":
        return "—"
    return f"{amount(value)}{NBSP}₸"


@register.filter
def num(value, places=0) -> str:
    return group_number(value, int(places))


@register.filter
def percent(value, places=0) -> str:
    """Format a fraction (0.5) as a percentage (50 %); missing stays missing."""
    if value is None or value == "":
        return "—"
    return f"{group_number(decimal.Decimal(value) * 100, int(places))}{NBSP}%"


@register.simple_tag(takes_context=True)
def main_menu(context) -> list:
    """Return [(link, is current page)] of the menu links the apps registered that the user may follow."""
    from core import registry

    request = context.get("request")
    if request is None:
        return []
    return [(link, link.is_current(request)) for link in registry.entries(registry.NAV, request.user)]


def _css_class(widget) -> str:
    if isinstance(widget, forms.RadioSelect):
        # Radio buttons and CheckboxSelectMultiple (a subclass): the class would land on the wrapping <div> too,
        # shrinking it to a 1em box (form-check-input) or a text field (form-control) that the options spill out
        # of, under the fields that follow. The options keep the browser's own look.
        return ""
    input_type = getattr(widget, "input_type", "")
    if input_type == "checkbox":
        return "form-check-input"
    if widget.__class__.__name__ in ("Select", "SelectMultiple", "NullBooleanSelect"):
        return "form-select"
    return "form-control"


@register.inclusion_tag("includes/form_fields.html")
def form_fields(form):
    """Render a form's fields with Bootstrap classes, errors and help texts."""
    for field in form.fields.values():
        widget = field.widget
        css = _css_class(widget)
        if css not in widget.attrs.get("class", ""):
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
    return {"form": form}


@register.simple_tag
def form_field_widget(bound_field):
    """Render one field's widget with its Bootstrap class (for formset rows laid out by hand)."""
    widget = bound_field.field.widget
    css = _css_class(widget)
    if css not in widget.attrs.get("class", ""):
        widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
    return bound_field.as_widget()


@register.simple_tag(takes_context=True)
def sections(context, slot, **objects):
    """Render the blocks later apps registered for this slot of the page (see core.registry)."""
    from django.utils.safestring import mark_safe

    from core import registry

    rendered = registry.render(slot, context["request"], **objects)
    return mark_safe("".join(html for _block, html in rendered))  # noqa: S308


@register.simple_tag(takes_context=True)
def timeline(context, events):
    """Return the events in plain language for the page's reader (see core.timeline)."""
    from core.timeline import entries

    request = context.get("request")
    return entries(events, viewer=getattr(request, "user", None))


@register.filter
def mln(value) -> str:
    """Format tenge in millions with one decimal: 27,2 млн ₸."""
    from django.utils.translation import gettext

    if value is None or value == "":
        return "—"
    return gettext("%(amount)s mln ₸") % {"amount": group_number(decimal.Decimal(value) / 1_000_000, 1)}


@register.filter
def amendment_key(key) -> str:
    """Name what an amendment changed: a tranche year, the total, a date or the scope."""
    from core.timeline import amendment_label

    return amendment_label(key)


@register.filter
def amendment_value(value) -> str:
    """Show an amendment's before/after value: money as tenge, dates as dd.mm.yyyy, text as it is."""
    from core.timeline import amendment_value as plain_value

    return plain_value(value)


@register.inclusion_tag("includes/provenance.html")
def provenance(obj):
    """Where an imported record came from: the import, its file, sheet and row (nothing for other records)."""
    from core.models import ImportedRecord

    return {"records": list(ImportedRecord.objects.for_object(obj)[:3])}


@register.filter
def import_total(batch, outcome: str) -> int:
    """Records an import created, updated or left unchanged, over all its kinds."""
    return batch.total(outcome)

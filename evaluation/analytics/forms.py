"""The parameters of the analytics pages (year, window, region, service, agency, provider, verdict, flag kind), read
from the query string by forms, so every page parses them the same way.

A missing parameter takes its default. A wrong one (a year out of range, a window that runs backwards, an unknown
region or verdict) is reported beside its field and its default is used instead: no query string makes a page fail.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from core.filters import AgencyChoiceField
from core.models import Agency, Region, ServiceType
from evaluation.analytics.flags import FlagKind
from evaluation.analytics.stability import Verdict, default_window
from evaluation.models import Snapshot
from providers.models import Provider

FIRST_YEAR = 2016  # the first year the system holds data for
YEARS_AHEAD = 3  # calls are published up to three years ahead
MAX_WINDOW_SPAN = 10  # a stability window spans at most eleven years


def region_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.filter(level=Region.Level.FIRST),
        required=False,
        empty_label=_("all"),
    )


def service_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Service"), queryset=ServiceType.objects.all(), required=False, empty_label=_("all")
    )


def verdict_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Verdict"), choices=[("", _("all")), *Verdict.choices], required=False)


class ParametersForm(forms.Form):
    """A page's parameters. Bound to the query string with each missing or empty parameter set to its default, so
    the fields show the values in use; `values` holds the cleaned values, defaults standing in for wrong ones."""

    def __init__(self, query: QueryDict, *, today: dt.date) -> None:
        self.today = today
        data = query.copy()
        for name, value in self.initial_defaults.items():
            if not data.get(name) and value is not None:
                data[name] = getattr(value, "pk", value)
        super().__init__(data=data)
        self.configure()

    def configure(self) -> None:
        """Set what depends on the day (the bounds of years); the subclasses' hook."""

    def defaults(self) -> dict[str, Any]:
        """Return each parameter's default (None: no filter)."""
        return dict.fromkeys(self.base_fields)

    @cached_property
    def initial_defaults(self) -> dict[str, Any]:
        return self.defaults()

    @cached_property
    def values(self) -> dict[str, Any]:
        """Return the parameters in use: the cleaned values, and the defaults of those that were wrong or empty."""
        self.is_valid()
        values = {}
        for name in self.fields:
            value = self.cleaned_data.get(name)
            values[name] = self.initial_defaults[name] if value in (None, "") else value
        return values

    def bound_years(self, *names: str) -> None:
        """Accept only the years the system knows for these fields: from FIRST_YEAR to three years ahead."""
        for name in names:
            field = self.fields[name]
            self.fields[name] = forms.IntegerField(
                label=field.label,
                required=field.required,
                min_value=FIRST_YEAR,
                max_value=self.today.year + YEARS_AHEAD,
            )


class YearForm(ParametersForm):
    """The year of a coverage matrix (default: this year)."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)

    def configure(self) -> None:
        super().configure()
        years = range(FIRST_YEAR, self.today.year + YEARS_AHEAD + 1)
        self.fields["year"].choices = [(y, y) for y in years]

    def defaults(self) -> dict[str, Any]:
        return {**super().defaults(), "year": self.today.year}


class CoverageForm(YearForm):
    """The year, the region to highlight (the tile map's links carry it; not a filter, so not on screen) and the
    snapshot to read (default: the current one; a snapshot's page links carry it)."""

    region = forms.ModelChoiceField(
        queryset=Region.objects.filter(level=Region.Level.FIRST), required=False, widget=forms.HiddenInput
    )
    snapshot = forms.ModelChoiceField(queryset=Snapshot.objects.all(), required=False, widget=forms.HiddenInput)


class CompareForm(ParametersForm):
    """Two snapshots to compare (default: the current one and the one a month before)."""

    older = forms.ModelChoiceField(label=_("From snapshot"), queryset=Snapshot.objects.all(), required=False)
    newer = forms.ModelChoiceField(label=_("To snapshot"), queryset=Snapshot.objects.all(), required=False)

    def configure(self) -> None:
        super().configure()
        for name in ("older", "newer"):
            self.fields[name].label_from_instance = snapshot_label

    def defaults(self) -> dict[str, Any]:
        from evaluation.analytics.snapshots import month_before

        current = Snapshot.objects.current()
        return {"older": current and month_before(current), "newer": current}


def snapshot_label(snapshot: Snapshot) -> str:
    return _("#%(number)d of %(when)s") % {
        "number": snapshot.pk,
        "when": formats.date_format(timezone.localtime(snapshot.made_at), "d.m.Y H:i"),
    }


class WindowForm(ParametersForm):
    """A window of years, first … last (default: the last five complete years)."""

    first = forms.IntegerField(label=_("From"), required=False)
    last = forms.IntegerField(label=_("To"), required=False)
    max_span: int | None = MAX_WINDOW_SPAN

    def configure(self) -> None:
        super().configure()
        self.bound_years("first", "last")

    def defaults(self) -> dict[str, Any]:
        first, last = default_window(self.today)
        return {**super().defaults(), "first": first, "last": last}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        first, last = cleaned.get("first"), cleaned.get("last")
        if first is None or last is None:
            return cleaned
        if last < first or (self.max_span is not None and last - first > self.max_span):
            cleaned.pop("first")
            cleaned.pop("last")
            if self.max_span is None:
                message = _("The window must not end before it starts; the default window is shown.")
            else:
                message = _(
                    "The window must not end before it starts and spans at most %(years)d years; "
                    "the default window is shown."
                ) % {"years": self.max_span + 1}
            self.add_error(None, message)
        return cleaned


class StabilityForm(WindowForm):
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.filter(level=Region.Level.FIRST),
        required=False,
        empty_label=_("all"),
    )
    service = service_field()
    verdict = verdict_field()


class PartyStabilityForm(WindowForm):
    verdict = verdict_field()


class TrendsForm(WindowForm):
    """Money by year for any combination of region, service, NGO and agency (default: the last ten years)."""

    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.filter(level=Region.Level.FIRST),
        required=False,
        empty_label=_("all"),
    )
    service_type = service_field()
    provider = forms.ModelChoiceField(
        label=_("NGO"),
        queryset=Provider.objects.filter(contracts__isnull=False).distinct().order_by("name_ru", "pk"),
        required=False,
        empty_label=_("all"),
    )
    agency = AgencyChoiceField(
        label=_("Agency"), queryset=Agency.objects.select_related("region"), required=False, empty_label=_("all")
    )
    max_span = None

    field_order = ("region", "service_type", "provider", "agency", "first", "last")

    def defaults(self) -> dict[str, Any]:
        return {**super().defaults(), "first": self.today.year - 9, "last": self.today.year}


class FlagsForm(ParametersForm):
    kind = forms.ChoiceField(label=_("Flag"), choices=[("", _("all")), *FlagKind.choices], required=False)
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.filter(level=Region.Level.FIRST),
        required=False,
        empty_label=_("all"),
    )
    agency = AgencyChoiceField(
        label=_("Agency"), queryset=Agency.objects.select_related("region"), required=False, empty_label=_("all")
    )
    year = forms.IntegerField(label=_("Year"), required=False)

    def configure(self) -> None:
        super().configure()
        self.bound_years("year")


class WorkbookForm(YearForm, WindowForm):
    """The workbook and its tables: the matrix's year, the stability window, and a region or a service."""

    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.filter(level=Region.Level.FIRST),
        required=False,
        empty_label=_("all"),
    )
    service = service_field()


class RankingForm(ParametersForm):
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=ServiceType.objects.all(), empty_label=None, required=False
    )
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.filter(level=Region.Level.FIRST),
        required=False,
        empty_label=_("all regions"),
    )

    def defaults(self) -> dict[str, Any]:
        return {**super().defaults(), "service": ServiceType.objects.order_by("id").first()}

"""What every app's filters share: choice lists scoped to the request's user, and agencies named so that they can
be told apart (short name and region, not nine identical truncated full names)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet

from core.models import Agency, Region, ServiceType


def request_user(request):
    """Return the request's user (None without a request: a filter built outside a view answers as the public)."""
    return getattr(request, "user", None)


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return obj.choice_label


class AgencyChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = AgencyChoiceField


def agencies_of(request, rows: QuerySet) -> QuerySet:
    """Return the agencies of the rows (calls, contracts, …) the request's user may see, with their regions."""
    return (
        Agency.objects.visible_to(request_user(request))
        .filter(pk__in=rows.values("agency"))
        .select_related("region")
        .order_by("level", "region__name_ru", "name_ru")
    )


def regions(request) -> QuerySet:
    """Return the first-level regions (oblasts and cities of republican significance) the user may choose."""
    return Region.objects.visible_to(request_user(request)).filter(level=Region.Level.FIRST)


def service_types(request) -> QuerySet:
    """Return the service types the user may choose."""
    return ServiceType.objects.visible_to(request_user(request))

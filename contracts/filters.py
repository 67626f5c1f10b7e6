import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, ReportingPeriod
from core import search
from core.filters import AgencyChoiceFilter, agencies_of, regions, request_user, service_types
from core.util import today


class ContractFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Number or NGO"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Contract.Status.choices)
    region = django_filters.ModelChoiceFilter(label=_("Region"), queryset=regions)
    service_type = django_filters.ModelChoiceFilter(label=_("Service"), queryset=service_types)
    agency = AgencyChoiceFilter(
        label=_("Agency"),
        queryset=lambda request: agencies_of(request, Contract.objects.visible_to(request_user(request))),
    )
    # Bounded: a year no date can hold (-1, 10**20) is reported by the form, not turned into a date.
    year = django_filters.NumberFilter(
        label=_("Serving year"), method="filter_year", min_value=2000, max_value=2100, decimal_places=0
    )
    flagged = django_filters.BooleanFilter(
        label=_("Only with flags"), method="filter_flagged", widget=forms.CheckboxInput
    )

    class Meta:
        model = Contract
        fields = ["q", "status", "region", "service_type", "agency", "year"]

    def search(self, queryset, name, value):
        term = search.normalise(value)
        return queryset.filter(Q(search_text__contains=term) | Q(provider__search_text__contains=term))

    def filter_year(self, queryset, name, value):
        return queryset.filter(pk__in=Contract.objects.serving_year(int(value)).values("pk")) if value else queryset

    def filter_flagged(self, queryset, name, value):
        return queryset.filter(flagged=True) if value else queryset


class PeriodFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("State"),
        method="filter_state",
        choices=[
            ("to_review", _("submitted, to review")),
            ("overdue", _("overdue")),
            ("returned", _("returned")),
            ("accepted", _("accepted")),
        ],
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ReportingPeriod.Kind.choices)

    class Meta:
        model = ReportingPeriod
        fields = ["state", "kind"]

    STATES = {
        "to_review": (ReportingPeriod.State.SUBMITTED,),
        "overdue": ReportingPeriod.OVERDUE_STATES,
        "returned": ReportingPeriod.RETURNED_STATES,
        "accepted": (ReportingPeriod.State.ACCEPTED,),
    }

    def filter_state(self, queryset, name, value):
        if value not in self.STATES:
            return queryset
        return queryset.in_state(today(), *self.STATES[value])

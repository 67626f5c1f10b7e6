import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import search
from core.filters import AgencyChoiceFilter, agencies_of, regions, request_user, service_types
from tenders.models import Call, Complaint


class CallFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Number or title"), method="search")
    accepting = django_filters.BooleanFilter(
        label=_("Accepting bids now"), method="filter_accepting", widget=forms.CheckboxInput
    )
    region = django_filters.ModelChoiceFilter(label=_("Region"), queryset=regions)
    service_type = django_filters.ModelChoiceFilter(label=_("Service"), queryset=service_types)
    agency = AgencyChoiceFilter(
        label=_("Agency"),
        queryset=lambda request: agencies_of(request, Call.objects.visible_to(request_user(request))),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Call.Status.choices)
    start_year = django_filters.NumberFilter(label=_("First year"))
    budget_min = django_filters.NumberFilter(label=_("Budget from, ₸"), field_name="total_budget", lookup_expr="gte")
    budget_max = django_filters.NumberFilter(label=_("Budget up to, ₸"), field_name="total_budget", lookup_expr="lte")
    deadline_before = django_filters.DateFilter(
        label=_("Deadline before"),
        field_name="deadline",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Call
        fields = ["q", "accepting", "region", "service_type", "agency", "status", "start_year"]

    def search(self, queryset, name, value):
        return search.matching(queryset, value)

    def filter_accepting(self, queryset, name, value):
        return queryset.accepting_bids(timezone.now()) if value else queryset


class ComplaintFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Complaint.Status.choices)
    kind = django_filters.ChoiceFilter(label=_("About"), choices=Complaint.Kind.choices)

    class Meta:
        model = Complaint
        fields = ["status", "kind"]

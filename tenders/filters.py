import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Agency, Region, ServiceType
from tenders.models import Call, Complaint


class CallFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Number or title"), method="search")
    accepting = django_filters.BooleanFilter(
        label=_("Accepting bids now"), method="filter_accepting", widget=forms.CheckboxInput
    )
    region = django_filters.ModelChoiceFilter(label=_("Region"), queryset=Region.objects.filter(level=1))
    service_type = django_filters.ModelChoiceFilter(label=_("Service"), queryset=ServiceType.objects.all())
    agency = django_filters.ModelChoiceFilter(label=_("Agency"), queryset=Agency.objects.all())
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
        value = value.strip()
        return queryset.filter(
            Q(number__icontains=value) | Q(title_ru__icontains=value) | Q(title_kk__icontains=value)
        )

    def filter_accepting(self, queryset, name, value):
        return queryset.accepting_bids(timezone.now()) if value else queryset


class ComplaintFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Complaint.Status.choices)
    kind = django_filters.ChoiceFilter(label=_("About"), choices=Complaint.Kind.choices)

    class Meta:
        model = Complaint
        fields = ["status", "kind"]

import django_filters
from django.utils.translation import gettext_lazy as _

from core import search
from core.filters import regions, service_types
from providers.models import Provider


class ProviderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or BIN"), method="search")
    home_region = django_filters.ModelChoiceFilter(label=_("Home region"), queryset=regions)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Provider.Status.choices)
    legal_form = django_filters.ChoiceFilter(label=_("Legal form"), choices=Provider.LegalForm.choices)
    service_region = django_filters.ModelChoiceFilter(
        label=_("Works in region"),
        queryset=regions,
        field_name="service_areas__region",
        distinct=True,
    )
    service_type = django_filters.ModelChoiceFilter(
        label=_("Service"), queryset=service_types, field_name="service_areas__service_type", distinct=True
    )

    class Meta:
        model = Provider
        fields = ["q", "home_region", "status", "legal_form", "service_region", "service_type"]

    def search(self, queryset, name, value):
        return search.matching(queryset, value)

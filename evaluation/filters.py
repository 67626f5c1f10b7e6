import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import service_types
from core.models import Indicator
from evaluation.models import ResultEvaluation


class EvaluationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ResultEvaluation.Status.choices)
    year = django_filters.NumberFilter(label=_("Year"))

    class Meta:
        model = ResultEvaluation
        fields = ["status", "year"]


class IndicatorFilter(django_filters.FilterSet):
    service_type = django_filters.ModelChoiceFilter(label=_("Service"), queryset=service_types)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Indicator.Kind.choices)

    class Meta:
        model = Indicator
        fields = ["service_type", "kind"]

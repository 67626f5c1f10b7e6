import pytest

from core.models import Indicator, Region, ServiceType


@pytest.mark.django_db
def test_reference_data_is_loaded_for_every_test():
    assert Region.objects.count() == 20
    assert ServiceType.objects.count() == 11
    assert Indicator.objects.filter(kind=Indicator.Kind.OUTCOME).values("service_type").distinct().count() == 11

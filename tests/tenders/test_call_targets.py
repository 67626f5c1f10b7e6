"""A call's target indicators come from its service type and the general ones (issue 11)."""

from django.urls import reverse

from core.models import Indicator
from tenders.models import Call
from tests import factories
from tests.tenders.util import as_user, call_data, call_edit_data


def general_indicator() -> Indicator:
    return Indicator.objects.create(
        code="general-children",
        kind=Indicator.Kind.OUTPUT,
        unit=Indicator.Unit.CHILDREN,
        name_ru="Дети, получившие услугу",
        name_kk="Қызмет алған балалар",
        name_en="Children served",
    )


def test_an_indicator_of_another_service_is_refused_as_a_calls_target(client, officer, clock):
    as_user(client, officer)
    other = Indicator.objects.get(code="psy-consultations")

    response = client.post(reverse("tenders:call-create"), call_data(**{"targets-0-indicator": other.pk}))

    assert response.status_code == 400
    errors = response.context["targets"].forms[0].errors["indicator"]
    service = "“Case management for children and families”"
    assert errors == [f"“{other.name}” measures another service: choose an indicator of {service} or a general one."]
    assert not Call.objects.exists()


def test_a_general_indicator_is_accepted(client, officer, clock):
    as_user(client, officer)
    general = general_indicator()

    response = client.post(reverse("tenders:call-create"), call_data(**{"targets-0-indicator": general.pk}))

    assert response.status_code == 302
    assert list(Call.objects.get().targets.values_list("indicator", flat=True)) == [general.pk]


def test_the_edit_page_offers_only_the_calls_service_and_general_indicators(client, officer, clock):
    general = general_indicator()
    call = factories.CallFactory(agency=officer.agency, created_by=officer, draft=True)
    as_user(client, officer)

    page = client.get(reverse("tenders:call-edit", args=[call.pk]))

    offered = set(page.context["targets"].forms[0].fields["indicator"].queryset)
    expected = set(Indicator.objects.filter(service_type=call.service_type)) | {general}
    assert offered == expected
    data = call_edit_data(call, officer, **{"targets-0-indicator": Indicator.objects.get(code="psy-consultations").pk})
    assert client.post(reverse("tenders:call-edit", args=[call.pk]), data).status_code == 400

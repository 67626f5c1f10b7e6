"""Names, titles and numbers are one line of visible text: a carriage return in an NGO name, a call number or a
contract number (which end up in email subjects, file names and spreadsheet headers) is refused by the form with a
clear message, and nothing is created — so nothing can commit and then fail while the notification is sent."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from contracts.models import Contract
from core.forms import DocumentForm
from core.models import Agency, Indicator
from providers.models import Provider, StaffMember
from tenders.models import Call
from tests import factories
from tests.contracts.test_views import prepare_post
from tests.providers.test_views import registration_data
from tests.tenders.util import as_user, call_data

pytestmark = pytest.mark.django_db

CONTROL = "Remove the control character U+000D"
INVISIBLE = "This text consists only of invisible characters."


def errors_of(response, form="form") -> dict[str, list[str]]:
    return {name: [str(e) for e in errors] for name, errors in response.context[form].errors.items()}


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_an_ngo_name_with_a_carriage_return_is_refused_at_registration(client, clock):
    response = english(client).post(reverse("providers:register"), registration_data(name_ru="ОФ «Бала\rҚорғау»"))

    assert response.status_code == 200
    assert errors_of(response)["name_ru"][0].startswith(CONTROL)
    assert not Provider.objects.filter(bin=registration_data()["bin"]).exists()
    assert not get_user_model().objects.filter(username="director").exists()


def test_an_ngo_name_of_invisible_characters_only_is_refused(client, clock):
    response = english(client).post(reverse("providers:register"), registration_data(name_kk="\u3164\u200b"))

    assert errors_of(response)["name_kk"] == [INVISIBLE]
    assert not Provider.objects.filter(bin=registration_data()["bin"]).exists()


def test_a_persons_name_with_a_line_break_is_refused_at_registration(client, clock):
    response = english(client).post(
        reverse("providers:register"), registration_data(**{"account-last_name": "Серик\nкызы"})
    )

    assert "last_name" in errors_of(response, "account_form")
    assert not Provider.objects.filter(bin=registration_data()["bin"]).exists()


def test_a_call_number_with_a_carriage_return_is_refused(client, clock, officer):
    response = as_user(client, officer).post(reverse("tenders:call-create"), call_data(number="ГСЗ-2027\r-75"))

    assert response.status_code == 400  # the call form answers an invalid post with 400
    assert errors_of(response)["number"][0].startswith(CONTROL)
    assert not Call.objects.filter(number__startswith="ГСЗ-2027").exists()


def test_a_call_title_with_a_bidi_override_is_refused(client, clock, officer):
    response = as_user(client, officer).post(
        reverse("tenders:call-create"), call_data(title_ru="Кейс-менеджмент \u202eлот 5")
    )

    assert "U+202E" in errors_of(response)["title_ru"][0]
    assert not Call.objects.filter(number="ГСЗ-2027-75-101").exists()


def test_a_contract_number_with_a_carriage_return_is_refused(client, officer, provider, clock):
    call = factories.AwardedCallFactory(agency=officer.agency, start_year=2026)
    factories.CallTargetFactory(call=call, year=2026, value=Decimal("70"))
    factories.WinningBidFactory(call=call, provider=provider, price=Decimal("9000000"))
    as_user(client, officer)
    data = prepare_post(client.get(reverse("contracts:prepare", args=[call.pk])))

    response = client.post(reverse("contracts:prepare", args=[call.pk]), {**data, "number": "Д-1\r\nBcc: x@y.kz"})

    assert response.status_code == 400
    assert errors_of(response)["number"][0].startswith(CONTROL)
    assert not Contract.objects.exists()


def test_a_staff_name_of_invisible_characters_only_is_refused(client, clock, ngo_user, provider):
    response = as_user(client, ngo_user).post(
        reverse("providers:staff-add", args=[provider.pk]),
        {"full_name": "\u2800\u2800", "position": "psychologist", "qualification": "Высшее"},
    )

    assert response.status_code == 200
    assert errors_of(response)["full_name"] == [INVISIBLE]
    assert not StaffMember.objects.filter(provider=provider).exists()


def test_an_indicator_name_with_a_tab_is_refused(client, clock, officer):
    response = as_user(client, officer).post(
        reverse("evaluation:indicator-create"),
        {
            "code": "new-indicator",
            "kind": "output",
            "unit": "children",
            "direction": "higher",
            "name_ru": "Дети\tохваченные",
            "name_kk": "Балалар",
            "name_en": "Children",
        },
    )

    assert "U+0009" in errors_of(response)["name_ru"][0]
    assert not Indicator.objects.filter(code="new-indicator").exists()


def test_a_document_title_with_a_line_break_is_refused():
    form = DocumentForm(data={"title": "Устав\nBcc"}, files={})
    assert not form.is_valid()
    assert "U+000A" in form.errors["title"][0]


def test_the_django_admin_refuses_an_agency_name_with_a_carriage_return(client, admin_user, agency):
    english(client).force_login(admin_user)
    url = reverse("admin:core_agency_change", args=[agency.pk])
    data = {
        "name_ru": "Управление\rобразования",
        "name_kk": agency.name_kk,
        "bin": agency.bin,
        "level": agency.level,
        "region": agency.region_id,
        "evaluation_threshold": "15",
    }

    response = client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name_ru"][0].startswith(CONTROL)
    assert Agency.objects.get(pk=agency.pk).name_ru == agency.name_ru

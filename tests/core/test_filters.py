"""Filters name things so they can be told apart (agencies by short name and region), and every choice list is
scoped to the request's user."""

import pytest
from django.urls import reverse

from core.filters import AgencyChoiceField
from core.models import Agency
from tests import factories

pytestmark = pytest.mark.django_db


def agency_choices(response) -> dict[int, str]:
    field = response.context["filter"].form.fields["agency"]
    assert isinstance(field, AgencyChoiceField)
    return {agency.pk: field.label_from_instance(agency) for agency in field.queryset}


def test_agency_choice_label_is_short_name_and_region(db):
    almaty = factories.AgencyFactory(short_name_ru="УКЗСП", region=factories.region("75"))
    national = factories.AgencyFactory(short_name_ru="МТСЗН", level=Agency.Level.NATIONAL, region=None)
    assert almaty.choice_label == f"УКЗСП · {almaty.region}"
    assert national.choice_label == "МТСЗН"
    # Without a short name the full name is used.
    assert factories.AgencyFactory(region=None, level=Agency.Level.NATIONAL).choice_label.startswith("Управление")


def test_call_list_agency_choices_tell_regional_agencies_apart_and_follow_the_scope(client, officer, other_officer):
    same = "Управление координации занятости и социальных программ"
    mine = officer.agency
    mine.name_ru, mine.short_name_ru = same, "УКЗСП"
    mine.save()
    theirs = other_officer.agency
    theirs.name_ru, theirs.short_name_ru = same, "УКЗСП"
    theirs.save()
    factories.CallFactory(agency=mine)
    factories.CallFactory(agency=theirs, draft=True)  # a draft: only its own agency sees it
    factories.AgencyFactory()  # no calls: not offered
    client.force_login(officer)
    assert agency_choices(client.get(reverse("tenders:call-list"))) == {mine.pk: f"УКЗСП · {mine.region}"}
    client.force_login(other_officer)
    choices = agency_choices(client.get(reverse("tenders:call-list")))
    assert choices == {mine.pk: f"УКЗСП · {mine.region}", theirs.pk: f"УКЗСП · {theirs.region}"}
    assert len(set(choices.values())) == 2


def test_contract_list_offers_only_agencies_with_contracts(client, committee):
    contract = factories.ContractFactory()
    factories.AgencyFactory()
    client.force_login(committee)
    assert list(agency_choices(client.get(reverse("contracts:contract-list")))) == [contract.agency_id]


def test_call_list_search_box_is_case_insensitive_for_kazakh_letters(client, officer):
    call = factories.CallFactory(title_kk="ӘЛЕУМЕТТІК ҚОЛДАУ", agency=officer.agency)
    factories.CallFactory(agency=officer.agency)
    client.force_login(officer)
    response = client.get(reverse("tenders:call-list"), {"q": "әлеуметтік қолдау"})
    assert [row.record.pk for row in response.context["table"].page.object_list] == [call.pk]


def test_registry_search_box_finds_kazakh_names_in_any_case(client, officer):
    provider = factories.ProviderFactory(name_kk="ҮМІТ ОРТАЛЫҒЫ")
    factories.ProviderFactory()
    client.force_login(officer)
    response = client.get(reverse("providers:provider-list"), {"q": "үміт"})
    assert [row.record.pk for row in response.context["table"].page.object_list] == [provider.pk]

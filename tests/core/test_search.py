"""Search from the navigation bar: calls, contracts, NGOs and agencies in the reader's scope, grouped by kind, and
case-insensitive for Cyrillic and Kazakh letters on SQLite and PostgreSQL alike (the normalised search column)."""

import pytest
from django.urls import reverse

from core import search
from core.models import Agency
from providers.models import Provider
from tenders.models import Call
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("core:search")


def kinds(response) -> dict[str, list[str]]:
    return {searcher.key: [hit.title for hit in hits] for searcher, hits in response.context["groups"]}


def test_normalise_folds_kazakh_and_russian_capitals():
    assert search.normalise("ӘҒҚҢӨҰҮҺІ  Ёлка") == "әғқңөұүһі елка"


def test_save_keeps_the_search_column_also_with_update_fields(provider):
    provider.name_kk = "ҚАМҚОР ҮЙІ"
    provider.save(update_fields=["name_kk"])
    provider.refresh_from_db()
    assert "қамқор үйі" in provider.search_text


@pytest.mark.parametrize("term", ["қамқор", "ҚАМҚОР", "Қамқор", "ҮЙІ", "үйі"])
def test_kazakh_letters_match_whatever_their_case(client, officer, term):
    factories.ProviderFactory(name_ru="ОФ Камкор", name_kk="«ҚАМҚОР ҮЙІ» қоғамдық қоры")
    client.force_login(officer)
    assert kinds(client.get(URL, {"q": term}))["providers"] == ["ОФ Камкор"]


def test_russian_capitals_and_yo_match(client, officer):
    factories.CallFactory(number="ГСЗ-2027-77", title_ru="Ёлочка: ДНЕВНОЙ центр", agency=officer.agency)
    client.force_login(officer)
    assert kinds(client.get(URL, {"q": "елочка: дневной"}))["calls"] == ["ГСЗ-2027-77 — Ёлочка: ДНЕВНОЙ центр"]
    assert kinds(client.get(URL, {"q": "гсз-2027-77"}))["calls"] == ["ГСЗ-2027-77 — Ёлочка: ДНЕВНОЙ центр"]


def test_results_are_grouped_by_kind_with_links(client, committee):
    agency = factories.AgencyFactory(name_ru="Управление Әлем", short_name_ru="УӘ")
    call = factories.CallFactory(number="ӘЛЕМ-1", agency=agency)
    provider = factories.ProviderFactory(name_ru="ОФ Әлем балалары")
    contract = factories.ContractFactory(number="ӘЛЕМ-Д-1")
    client.force_login(committee)
    response = client.get(URL, {"q": "әлем"})
    found = kinds(response)
    assert list(found) == ["calls", "contracts", "providers", "agencies"]
    assert found["providers"] == [provider.name]
    assert found["agencies"] == [agency.name]
    assert found["contracts"] == [contract.number]
    assert found["calls"] == [str(call)]
    body = response.content.decode()
    assert call.get_absolute_url() in body
    assert contract.get_absolute_url() in body
    assert provider.get_absolute_url() in body
    assert f"{reverse('tenders:call-list')}?agency={agency.pk}" in body


def test_bin_prefix_finds_the_ngo(client, officer):
    provider = factories.ProviderFactory()
    client.force_login(officer)
    assert kinds(client.get(URL, {"q": provider.bin[:6]}))["providers"] == [provider.name]


def test_search_stays_in_the_readers_scope(client, officer, other_officer, ngo_user, provider, other_provider):
    factories.CallFactory(number="ТАЙНА-1", draft=True, agency=officer.agency)
    client.force_login(other_officer)
    assert "calls" not in kinds(client.get(URL, {"q": "тайна"}))
    client.force_login(officer)
    assert kinds(client.get(URL, {"q": "тайна"}))["calls"]
    # An NGO member finds their own NGO, not another one.
    client.force_login(ngo_user)
    found = kinds(client.get(URL, {"q": other_provider.bin}))
    assert "providers" not in found
    assert kinds(client.get(URL, {"q": provider.bin}))["providers"] == [provider.name]


def test_anonymous_visitor_finds_public_calls_but_no_ngo(client, provider):
    factories.CallFactory(number="ОТКРЫТ-1")
    found = kinds(client.get(URL, {"q": "открыт"}))
    assert list(found) == ["calls"]
    assert "providers" not in kinds(client.get(URL, {"q": provider.bin}))


def test_too_short_or_empty_term_finds_nothing_and_says_why(client, officer):
    client.force_login(officer)
    response = client.get(URL, {"q": "а"})
    assert response.status_code == 200
    assert response.context["groups"] == []
    assert b'data-testid="search-too-short"' in response.content
    assert client.get(URL).context["groups"] == []


def test_nothing_found_says_so(client, officer):
    client.force_login(officer)
    response = client.get(URL, {"q": "несуществующее"})
    assert b'data-testid="search-nothing"' in response.content


def test_navigation_bar_has_the_search_box(client, officer):
    client.force_login(officer)
    body = client.get(reverse("core:dashboard")).content.decode()
    assert f'action="{URL}"' in body
    assert 'role="search"' in body


def test_data_migration_fills_existing_rows(db):
    from core.search import fill_search_text

    provider = factories.ProviderFactory(name_kk="ӨРКЕН")
    Provider.objects.filter(pk=provider.pk).update(search_text="")
    agency = factories.AgencyFactory(short_name_ru="УКЗСП")
    Agency.objects.filter(pk=agency.pk).update(search_text="")
    fill_search_text(Provider, ("name_ru", "name_kk", "bin"))
    fill_search_text(Agency, Agency.SEARCH_FIELDS)
    assert "өркен" in Provider.objects.get(pk=provider.pk).search_text
    assert "укзсп" in Agency.objects.get(pk=agency.pk).search_text
    assert Call.SEARCH_FIELDS == ("number", "title_ru", "title_kk")


@pytest.mark.postgres
def test_kazakh_search_on_postgresql(client, officer):
    factories.ProviderFactory(name_ru="ОФ Ұлан", name_kk="ҰЛАН ҺӘМ ІЗГІ")
    client.force_login(officer)
    assert kinds(client.get(URL, {"q": "ұлан һәм ізгі"}))["providers"] == ["ОФ Ұлан"]

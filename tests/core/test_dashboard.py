"""The dashboard is composed of the panels each app registers for a role; each role sees its own."""

import datetime as dt
import html

import pytest
from django.conf import settings
from django.urls import reverse

from core import dashboard
from core.models import Region
from providers.models import Provider
from tests import factories

pytestmark = pytest.mark.django_db


def panels(client, user) -> dict[str, str]:
    """Return {panel key: rendered html} of the user's dashboard."""
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 200
    found = {panel.key: html.unescape(str(content)) for panel, content in response.context["panels"]}
    for key in found:
        assert f'data-panel="{key}"' in response.content.decode()
    return found


def test_every_role_sees_its_account_panel(client, users):
    for name, user in users.items():
        if user is None:
            continue
        client.logout()
        assert "core-account" in panels(client, user), name


def test_an_ngo_member_sees_their_organisation_panel(client, ngo_user, provider):
    shown = panels(client, ngo_user)
    assert "providers-mine" in shown
    assert provider.name_ru in shown["providers-mine"]


def test_an_ngo_member_sees_no_verification_or_registry_panel(client, ngo_user):
    shown = panels(client, ngo_user)
    assert "providers-verification" not in shown
    assert "providers-registry" not in shown


def test_the_ngo_panel_counts_staff_who_may_work_with_children(client, clock, ngo_user, provider):
    factories.StaffMemberFactory(provider=provider, no_record_certificate_date=dt.date(2026, 6, 1))
    factories.StaffMemberFactory(provider=provider, no_record_certificate_date=dt.date(2025, 6, 1))  # too old
    factories.StaffMemberFactory(provider=provider, is_active=False)  # left: not counted
    assert "2 staff, 1 may work with children." in panels(client, ngo_user)["providers-mine"]


def test_the_ngo_panel_says_an_unverified_organisation_cannot_bid_yet(client, ngo_user, provider):
    Provider.objects.filter(pk=provider.pk).update(status=Provider.Status.UNVERIFIED)
    assert "you cannot bid until then" in panels(client, ngo_user)["providers-mine"]


def test_an_ngo_account_without_an_organisation_gets_no_organisation_panel(client):
    lonely = factories.UserFactory(username="lonely")
    assert "providers-mine" not in panels(client, lonely)


def test_an_officer_sees_unverified_providers_of_their_own_region_only(client, officer):
    own = factories.ProviderFactory(
        name_ru="ОФ «Алматы ждёт»", home_region=factories.region("75"), status=Provider.Status.UNVERIFIED
    )
    elsewhere = factories.ProviderFactory(
        name_ru="ОФ «Караганда ждёт»", home_region=factories.region("35"), status=Provider.Status.UNVERIFIED
    )
    panel = panels(client, officer)["providers-verification"]
    assert own.name_ru in panel
    assert elsewhere.name_ru not in panel
    assert "1 organisation waits for verification." in panel


def test_an_officer_does_not_see_verified_providers_as_waiting(client, officer):
    active = factories.ProviderFactory(
        name_ru="ОФ «Уже проверен»", home_region=factories.region("75"), status=Provider.Status.ACTIVE
    )
    panel = panels(client, officer)["providers-verification"]
    assert active.name_ru not in panel
    assert "No organisation waits for verification." in panel


def test_an_officer_of_another_region_sees_that_regions_providers(client, other_officer):
    almaty = factories.ProviderFactory(home_region=factories.region("75"), status=Provider.Status.UNVERIFIED)
    karaganda = factories.ProviderFactory(home_region=factories.region("35"), status=Provider.Status.UNVERIFIED)
    panel = panels(client, other_officer)["providers-verification"]
    assert karaganda.name_ru in panel
    assert almaty.name_ru not in panel


def test_an_officer_does_not_see_the_ngo_panel(client, officer):
    assert "providers-mine" not in panels(client, officer)


def test_an_admin_sees_every_unverified_provider(client, admin_user):
    almaty = factories.ProviderFactory(home_region=factories.region("75"), status=Provider.Status.UNVERIFIED)
    karaganda = factories.ProviderFactory(home_region=factories.region("35"), status=Provider.Status.UNVERIFIED)
    panel = panels(client, admin_user)["providers-verification"]
    assert almaty.name_ru in panel
    assert karaganda.name_ru in panel


def uncovered_regions(panel_html: str) -> str:
    """Return the alert listing regions where no active NGO works."""
    start = panel_html.index("No active NGO works in:")
    return panel_html[start : panel_html.index("</div>", start)]


def test_the_committee_sees_the_registry_by_region(client, committee):
    shown = panels(client, committee)
    assert "providers-registry" in shown
    assert "providers-verification" not in shown
    assert "providers-mine" not in shown


def test_the_committee_panel_lists_regions_where_no_active_ngo_works(client, committee):
    working = factories.ProviderFactory(status=Provider.Status.ACTIVE, home_region=factories.region("75"))
    factories.ServiceAreaFactory(provider=working, region=factories.region("35"))
    names = {code: factories.region(code).name_en for code in ("75", "35", "10", "71")}
    alert = uncovered_regions(panels(client, committee)["providers-registry"])
    assert names["35"] not in alert  # an active NGO works there
    assert names["75"] in alert  # home region only: nobody works there
    assert names["10"] in alert
    assert names["71"] in alert


def test_a_suspended_ngo_does_not_cover_its_service_area(client, committee):
    suspended = factories.ProviderFactory(status=Provider.Status.SUSPENDED)
    factories.ServiceAreaFactory(provider=suspended, region=factories.region("35"))
    alert = uncovered_regions(panels(client, committee)["providers-registry"])
    assert factories.region("35").name_en in alert


def test_the_committee_panel_lists_all_regions_when_no_ngo_works_anywhere(client, committee):
    alert = uncovered_regions(panels(client, committee)["providers-registry"])
    for region in Region.objects.all():
        assert region.name_en in alert


def test_an_expert_sees_no_provider_panels(client, expert):
    shown = panels(client, expert)
    assert not [key for key in shown if key.startswith("providers-")]


def test_panels_are_sorted_by_their_order():
    ordered = dashboard.panels_for(factories.AdminFactory.build(role="admin", is_superuser=True))
    assert [p.order for p in ordered] == sorted(p.order for p in ordered)
    assert ordered[-1].key == "core-account"

"""The main menu and the pieces later apps add to earlier apps' pages come from one registry of slots: each app
registers its menu links, dashboard panels and page sections with predicates; templates only render them."""

import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from core import dashboard, registry
from tests import factories

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a\s+class="nav-link( active)?"\s+(aria-current="page"\s+)?href="([^"]+)"\s*>')

CALLS, CONTRACTS, REPORTS, COMPLAINTS = "/calls/", "/contracts/", "/contracts/reports/", "/calls/complaints/"
DASHBOARD, REGISTRY, MINE, REGISTER = "/dashboard/", "/providers/", "/providers/mine/", "/providers/register/"
EVALUATIONS, RANKING, INDICATORS = "/evaluations/", "/ranking/", "/indicators/"
NATIONAL, COVERAGE, ADMINISTRATION = "/committee/", "/coverage/", "/admin/"
IMPORTS = "/imports/"

MENUS = {
    "anonymous": [CALLS, CONTRACTS, COVERAGE, REGISTER],
    "officer": [
        DASHBOARD,
        CALLS,
        CONTRACTS,
        REPORTS,
        COMPLAINTS,
        REGISTRY,
        EVALUATIONS,
        RANKING,
        NATIONAL,
        INDICATORS,
        IMPORTS,
    ],
    "expert": [DASHBOARD, CALLS, EVALUATIONS, RANKING, NATIONAL, INDICATORS],
    "ngo": [DASHBOARD, CALLS, CONTRACTS, REPORTS, COMPLAINTS, MINE, COVERAGE, INDICATORS],
    "committee": [
        DASHBOARD,
        CALLS,
        CONTRACTS,
        REPORTS,
        COMPLAINTS,
        REGISTRY,
        EVALUATIONS,
        RANKING,
        NATIONAL,
        INDICATORS,
    ],
    "admin": [
        DASHBOARD,
        CALLS,
        CONTRACTS,
        REPORTS,
        COMPLAINTS,
        REGISTRY,
        EVALUATIONS,
        RANKING,
        NATIONAL,
        INDICATORS,
        IMPORTS,
        ADMINISTRATION,
    ],
}


def menu(client, user, url: str = "/") -> list[tuple[str, bool]]:
    """Return [(href, is current)] of the main menu on a page."""
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.get(url, follow=True)
    assert response.status_code == 200
    nav = response.content.decode().split('id="main-nav"', 1)[1].split("</ul>", 1)[0]
    found = [(href, bool(active)) for active, current, href in LINK.findall(nav)]
    assert all(bool(active) == bool(current) for active, current, _href in LINK.findall(nav))  # both or neither
    return found


@pytest.mark.parametrize("role", list(MENUS))
def test_each_role_sees_its_menu(client, users, role):
    assert [href for href, _current in menu(client, users[role])] == MENUS[role]


def test_the_expected_paths_are_the_urls_of_the_pages():
    names = [
        "tenders:call-list",
        "contracts:contract-list",
        "contracts:period-list",
        "tenders:complaint-list",
        "core:dashboard",
        "providers:provider-list",
        "providers:mine",
        "providers:register",
        "evaluation:evaluation-list",
        "evaluation:ranking",
        "evaluation:indicator-list",
        "evaluation:committee",
        "evaluation:coverage",
        "admin:index",
    ]
    paths = [CALLS, CONTRACTS, REPORTS, COMPLAINTS, DASHBOARD, REGISTRY, MINE, REGISTER]
    paths += [EVALUATIONS, RANKING, INDICATORS, NATIONAL, COVERAGE, ADMINISTRATION]
    assert [reverse(name) for name in names] == paths


@pytest.mark.parametrize(
    ("role", "url", "current"),
    [
        ("officer", DASHBOARD, DASHBOARD),
        ("officer", CALLS, CALLS),
        ("officer", COMPLAINTS, COMPLAINTS),  # a page of tenders, but the Complaints link's
        ("officer", CONTRACTS, CONTRACTS),
        ("officer", REPORTS, REPORTS),  # a page of contracts, but the Reports link's
        ("committee", "/stability/", NATIONAL),
        ("ngo", MINE, MINE),  # redirected to the organisation's page
        ("anonymous", REGISTER, REGISTER),
    ],
)
def test_the_current_page_is_marked_once(client, users, role, url, current):
    marked = [href for href, is_current in menu(client, users[role], url) if is_current]
    assert marked == [current]


def test_a_page_outside_every_link_marks_none(client, users):
    assert not [
        href for href, is_current in menu(client, users["officer"], "/accounts/password_change/") if is_current
    ]


# -- the registry ------------------------------------------------------------------------------------------------


@pytest.fixture
def scratch_slot():
    yield "test-slot"
    registry._slots.pop("test-slot", None)


def test_entries_of_a_slot_show_by_their_predicate_in_order(scratch_slot, officer, expert):
    registry.register(scratch_slot, registry.Entry(key="b", order=2, predicate=lambda user: user.is_officer))
    registry.register(scratch_slot, registry.Entry(key="a", order=2))
    registry.register(scratch_slot, registry.Entry(key="first", order=1))
    assert [e.key for e in registry.entries(scratch_slot, officer)] == ["first", "a", "b"]
    assert [e.key for e in registry.entries(scratch_slot, expert)] == ["first", "a"]


def test_registering_a_key_again_replaces_the_entry(scratch_slot, officer):
    registry.register(scratch_slot, registry.Entry(key="a", order=5))
    registry.register(scratch_slot, registry.Entry(key="a", order=1))
    assert [e.order for e in registry.entries(scratch_slot)] == [1]


def test_a_block_that_returns_no_context_shows_nothing(scratch_slot, officer):
    registry.register(scratch_slot, registry.Block(key="none", template="x.html", context=lambda request, **o: None))
    request = RequestFactory().get("/")
    request.user = officer
    assert registry.render(scratch_slot, request) == []


def test_a_page_renders_the_sections_of_its_slot_with_its_objects(scratch_slot, officer, tmp_path, settings):
    (tmp_path / "section.html").write_text("[{{ section.key }}: {{ object }} {{ extra }}]")
    engine = {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    settings.TEMPLATES = [engine]
    registry.register(
        scratch_slot,
        registry.Block(key="s", template="section.html", context=lambda request, object: {"extra": object * 2}),
    )
    request = RequestFactory().get("/")
    request.user = officer
    html = Template('{% load gsz %}{% sections "test-slot" object=21 %}').render(Context({"request": request}))
    assert html == "[s: 21 42]"


def test_the_dashboard_is_a_slot_of_the_registry(officer):
    panels = dashboard.panels_for(officer)
    assert panels == registry.entries(registry.DASHBOARD, officer)
    assert {"tenders-officer", "contracts-officer", "core-account"} <= {p.key for p in panels}


def test_the_page_sections_are_slots_of_the_same_registry():
    slots = {slot: [e.key for e in registry.entries(slot)] for slot in registry._slots}
    assert slots["contract-detail"] == ["evaluation-contract", "evaluation-prices"]
    assert slots["provider-detail"] == ["evaluation-provider"]
    assert slots["bid-detail"] == ["evaluation-bid"]
    assert slots["call-bids"] == ["evaluation-call-bids"]
    assert slots[registry.SEARCH] == ["calls", "contracts", "providers", "agencies"]
    assert set(slots) == {
        registry.NAV,
        registry.DASHBOARD,
        registry.SEARCH,
        "contract-detail",
        "provider-detail",
        "bid-detail",
        "call-bids",
        "call-detail",
        "rules-in-force",
    }


def test_a_superuser_sees_the_administrators_panels_whatever_the_role_field_says(agency):
    administrator = factories.UserFactory(role="admin")
    superuser = factories.AdminFactory(role="officer", agency=agency)
    assert [p.key for p in dashboard.panels_for(superuser)] == [p.key for p in dashboard.panels_for(administrator)]

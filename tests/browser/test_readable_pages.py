"""The committee's and the NGO's pages on a phone and for everyone (issue 11): at 390 × 844 no page of either path
scrolls sideways and no amount breaks mid-number; axe-core finds no serious or critical violation on each role's
main pages in Russian, Kazakh and English. Screenshots of the national picture, heatmap, stability and map in
screenshots/readable-*.png."""

import datetime as dt

import pytest
from django.urls import reverse

from core.models import Region, ServiceType
from tests import factories
from tests.browser.helpers import switch_user
from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LANGUAGES = ["ru", "kk", "en"]


@pytest.fixture
def paths(clock, officer, ngo_user, committee, expert):
    """A contract of the NGO with big amounts (two years, an accepted annual report), a published call it bid on, and
    the URLs of the committee's and the NGO's pages."""
    clock.move_to("2026-06-15 10:00+05:00")
    provider = ngo_user.memberships.first().provider
    contract = factories.served_contract(
        start=dt.date(2025, 1, 1),
        end=dt.date(2026, 12, 31),
        amounts=[611_217_228, 504_402_116],
        provider=provider,
        agency=officer.agency,
        periods=True,
    )
    report = factories.annual_report(contract, 2025)
    call = factories.CallFactory(agency=officer.agency)
    bid = factories.BidFactory(call=call, provider=provider)
    region, service = Region.objects.get(kato="750000000"), ServiceType.objects.get(code="case-management")
    committee_urls = [
        reverse("core:dashboard"),
        reverse("evaluation:committee"),
        reverse("evaluation:coverage"),
        reverse("evaluation:uncovered"),
        reverse("evaluation:stability"),
        reverse("evaluation:stability-providers"),
        reverse("evaluation:stability-agencies"),
        reverse("evaluation:trends"),
        reverse("evaluation:flags"),
        reverse("evaluation:cell", args=[region.pk, service.pk, 2026]),
    ]
    ngo_urls = [
        reverse("core:dashboard"),
        reverse("tenders:call-list"),
        reverse("tenders:call-detail", args=[call.pk]),
        reverse("tenders:bid-detail", args=[bid.pk]),
        reverse("contracts:contract-list"),
        reverse("contracts:contract-detail", args=[contract.pk]),
        reverse("contracts:period-list"),
        reverse("contracts:report-detail", args=[report.pk]),
        reverse("providers:mine"),
        reverse("providers:provider-detail", args=[provider.pk]),
        reverse("evaluation:provider-profile", args=[provider.pk]),
        reverse("evaluation:coverage"),
    ]
    return {
        "committee": committee_urls,
        "ngo": ngo_urls,
        "call": call,
        "users": (committee, ngo_user, officer, expert),
    }


def set_language(page, live_server, language: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])


WIDER_THAN_THE_PAGE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => !e.closest('.table-responsive, .tile-map-scroll'))
  .slice(0, 3).map(e => e.tagName + '.' + e.className)"""
# Every amount in tenge ("611 217 228 ₸", "1,234.50 ₸") laid out on one line: a Range over its characters has one top.
BROKEN_AMOUNTS = """() => {
  const broken = [], walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  const amount = /\\d{1,3}(?:[\\s\\u00a0,]\\d{3})+(?:[.,]\\d{2})?[\\s\\u00a0]₸/g;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const m of node.textContent.matchAll(amount)) {
      const range = document.createRange();
      range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(m[0]);
    }
  }
  return broken;
}"""
PICTURED = ("evaluation:committee", "evaluation:coverage", "evaluation:stability")


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_of_the_committee_or_the_ngo_scrolls_sideways_on_a_phone(page, live_server, paths, language):
    page.set_viewport_size(PHONE)
    committee, ngo_user, _officer, _expert = paths["users"]
    set_language(page, live_server, language)
    wide, broken = {}, {}
    for user, urls in ((committee, paths["committee"]), (ngo_user, paths["ngo"])):
        switch_user(page, user.username)
        set_language(page, live_server, language)
        for url in urls:
            page.goto(url)
            page.wait_for_load_state("networkidle")
            if page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]:
                wide[f"{user.username} {url}"] = page.evaluate(WIDER_THAN_THE_PAGE)
            if amounts := page.evaluate(BROKEN_AMOUNTS):
                broken[f"{user.username} {url}"] = amounts
            if url in (
                reverse("evaluation:committee"),
                reverse("evaluation:coverage"),
                reverse("evaluation:stability"),
            ):
                screenshot(page, f"readable-phone-{language}-{url.strip('/').replace('/', '-')}")
    assert not wide, f"pages wider than a phone: {wide}"
    assert not broken, f"amounts broken over two lines: {broken}"
    # The map on a phone: readable (it scrolls inside its own box) and every region reachable as a link.
    switch_user(page, committee.username)
    set_language(page, live_server, language)
    page.goto(reverse("evaluation:coverage"))
    tile_map = page.locator(".tile-map")
    assert tile_map.bounding_box()["width"] >= 500
    assert page.locator(".tile-map a").count() == Region.objects.count()
    assert page.locator(".map-list a").count() == Region.objects.count()


def axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
        for v in result.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_roles_main_pages_have_no_serious_accessibility_violations(page, live_server, paths, language):
    committee, ngo_user, officer, expert = paths["users"]
    call = paths["call"]
    public = [
        reverse("core:home"),
        reverse("tenders:call-list"),
        reverse("tenders:call-detail", args=[call.pk]),
        reverse("evaluation:coverage"),
    ]
    by_role = [
        (None, public),
        (committee, [reverse("evaluation:committee"), reverse("evaluation:stability"), reverse("evaluation:flags")]),
        (ngo_user, [reverse("core:dashboard")]),
        (officer, [reverse("core:dashboard")]),
        (expert, [reverse("core:dashboard")]),
    ]
    found = {}
    for user, urls in by_role:
        if user is None:
            page.context.clear_cookies()
        else:
            switch_user(page, user.username)
        set_language(page, live_server, language)
        for url in urls:
            page.goto(url)
            page.wait_for_load_state("networkidle")
            assert page.locator("html").get_attribute("lang") == language
            if violations := axe_violations(page):
                found[f"{user or 'public'} {url}"] = violations
            if user == committee and language and url != reverse("evaluation:flags"):
                screenshot(page, f"readable-desktop-{language}-{url.strip('/').replace('/', '-')}")
    assert not found, f"serious or critical accessibility violations: {found}"

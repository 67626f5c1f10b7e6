"""Finding things, the inbox and printing in a real browser: search from the navigation bar (ru, kk, en, a phone),
the bell and the inbox, and the printed evaluation protocol without navigation."""

import pytest

from tests import factories
from tests.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1] + 1, f"page is wider than the viewport: {widths}"


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_search_from_the_navigation_bar_finds_kazakh_names_in_any_case(page, language):
    officer = factories.OfficerFactory(username="officer", preferred_language=language)
    factories.ProviderFactory(name_ru="ОФ Камкор", name_kk="«ҚАМҚОР ҮЙІ» қоғамдық қоры")
    call = factories.CallFactory(number="ГСЗ-ӘЛЕМ-1", agency=officer.agency)
    login(page, "officer")
    page.locator("#nav-search-q").fill("қамқор")
    page.locator("form.app-nav-search button[type=submit]").click()
    page.wait_for_url("**/search/?q=*")
    assert page.locator("[data-search-kind=providers] li").count() == 1
    page.locator("#search-page-q").fill("гсз-әлем")
    page.locator("form.app-search-page button[type=submit]").click()
    page.locator("[data-search-kind=calls] a").click()
    page.wait_for_url(f"**{call.get_absolute_url()}")
    screenshot(page, f"find-search-{language}")


def test_search_fits_a_phone(page):
    factories.OfficerFactory(username="officer")
    factories.ProviderFactory(name_ru="ОФ Камкор с очень длинным названием организации для проверки переноса строк")
    login(page, "officer")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/search/?q=камкор")
    assert page.locator("[data-search-kind=providers] li").count() == 1
    no_sideways_scroll(page)
    screenshot(page, "find-search-phone")

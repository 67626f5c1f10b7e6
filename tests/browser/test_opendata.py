"""Open data in a real browser: anyone finds the page from the footer, reads it in Russian, Kazakh and English (and
on a phone), and follows its links to the JSON of a record and to the bulk file."""

import json

import pytest

from core import audit
from evaluation.analytics import ocds
from tests import factories
from tests.browser.helpers import text_of, translated
from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published(settings, tmp_path, officer):
    """A call whose publication is open data, and the bulk file written."""
    settings.GSZ = {**settings.GSZ, "OPENDATA_DIR": tmp_path / "opendata", "OCDS_OCID_PREFIX": "ocds-brows1"}
    call = factories.CallFactory(agency=officer.agency, created_by=officer, number="ГСЗ-2027-75-900")
    audit.record(actor=officer, action="published", target=call)
    ocds.publish_pending()
    ocds.write_bulk_file()
    return call


def test_anyone_reads_the_open_data_page_in_three_languages_and_follows_its_links(page, published):
    page.goto("/")
    page.get_by_test_id("footer-opendata").click()
    page.wait_for_url("**/opendata/")

    assert text_of(page.locator("h1")) == translated("ru", "Open data")
    assert text_of(page.get_by_test_id("prefix")).startswith("ocds-brows1")
    assert "CC BY 4.0" in text_of(page.get_by_test_id("licence"))
    assert page.get_by_test_id("mapping").locator("code", has_text="planning.budget.budgetBreakdown").count() == 1
    screenshot(page, "opendata-ru")
    for code, language in (("KK", "kk"), ("EN", "en")):
        with page.expect_navigation():
            page.locator(".app-language").get_by_role("button", name=code).click()
        assert text_of(page.locator("h1")) == translated(language, "Open data")
        assert text_of(page.get_by_test_id("events").locator("dt").first) == translated(language, "Event")
        screenshot(page, f"opendata-{language}")

    record_url = page.get_by_test_id("example-record").get_attribute("href")
    record = page.request.get(record_url)
    assert record.headers["content-type"] == "application/json"
    assert json.loads(record.body())["records"][0]["ocid"] == ocds.ocid_of(published)
    bulk = page.request.get(page.get_by_role("link", name="/opendata/bulk/releases.jsonl.gz").get_attribute("href"))
    assert bulk.headers["content-type"] == "application/gzip"


def test_the_open_data_page_fits_a_phone(browser, live_server, published):
    context = browser.new_context(
        base_url=live_server.url, locale="ru-RU", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    phone = context.new_page()
    try:
        phone.goto("/opendata/")
        widths = phone.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1] + 1, f"wider than the phone: {widths}"
        screenshot(phone, "opendata-phone")
    finally:
        context.close()

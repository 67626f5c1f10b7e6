"""The officer's path of issue 12 in a real browser, in each of the three languages: download the template, upload
a file with mistakes, read the report and download it, fix the file, upload again, commit, and see the imported year
on the coverage heatmap."""

import pandas as pd
import pytest
from django.urls import reverse

from core.models import Import, ServiceType
from evaluation.analytics.coverage import COVERED_STATUSES
from tests import factories
from tests.browser.helpers import click_and_wait, translated
from tests.conftest import login, screenshot
from tests.imports.util import dataset, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2019
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(page, content: bytes) -> None:
    click_and_wait(page, page.get_by_test_id("new-import"), "**/imports/new/")
    page.set_input_files("input[name=file]", files=[{"name": "records.xlsx", "mimeType": XLSX, "buffer": content}])
    click_and_wait(page, page.get_by_test_id("upload"), "**/imports/*/")


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_officer_imports_past_records_and_the_heatmap_shows_the_year(page, officer, agency, language):
    officer.preferred_language = language
    officer.save(update_fields=["preferred_language"])
    login(page, officer.username)
    nav = page.locator("nav")
    click_and_wait(page, nav.get_by_role("link", name=translated(language, "Import"), exact=True), "**/imports/")

    # 1. The template: a workbook with a README and a sheet per kind.
    with page.expect_download() as download:
        page.get_by_test_id("template-link").first.click()
    template = pd.read_excel(download.value.path(), sheet_name=None, engine="calamine", dtype=str, header=None)
    assert {"README", "calls", "contracts", "tranches"} <= set(template)

    # 2. A file with mistakes: an unknown region code and tranches that do not sum to the contract's total.
    sheets = dataset(agency, years=(YEAR,))
    sheets["calls"][0]["region"] = "123456789"
    sheets["tranches"][0]["fixed_amount"] = "900000"
    upload(page, xlsx(sheets))
    problems = page.get_by_test_id("problems")
    assert "123456789" in problems.inner_text()
    assert translated(language, "Unknown region: no region has this KATO code.") in problems.inner_text()
    assert page.get_by_test_id("commit").count() == 0
    screenshot(page, f"import-report-{language}")
    with page.expect_download() as download:
        page.get_by_test_id("report-link").click()
    calls = pd.read_excel(
        download.value.path(), sheet_name="calls", engine="calamine", dtype=str, keep_default_na=False
    )
    assert calls["problems"][0]

    # 3. The fixed file: no problems, then the commit.
    sheets["calls"][0]["region"] = factories.region("75").kato
    sheets["tranches"][0]["fixed_amount"] = "950000"
    upload(page, xlsx(sheets))
    assert page.get_by_test_id("ready").is_visible()
    click_and_wait(page, page.get_by_test_id("commit"), "**/imports/*/")
    assert page.get_by_test_id("committed").is_visible()
    assert Import.objects.filter(status=Import.Status.COMMITTED).count() == 1
    screenshot(page, f"import-committed-{language}")

    # 4. The heatmap of the imported year: Almaty × the imported service is covered.
    service = ServiceType.objects.order_by("id").first()
    page.goto(f"{reverse('evaluation:coverage')}?year={YEAR}")
    href = reverse("evaluation:cell", args=[factories.region("75").pk, service.pk, YEAR])
    cell = page.get_by_test_id("heatmap").locator(f"a[href='{href}']").locator("..")
    assert cell.get_attribute("data-status") in COVERED_STATUSES  # covered (ending: no contract follows it)
    screenshot(page, f"import-heatmap-{language}")

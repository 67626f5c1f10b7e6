"""The pages of imports: upload, report, report workbook, template, commit, list, navigation."""

import io

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import Import
from tenders.models import Call
from tests.imports.util import dataset, xlsx

pytestmark = pytest.mark.django_db


def post_file(client, content, name="records.xlsx", **data):
    return client.post(reverse("core:import-new"), {"file": SimpleUploadedFile(name, content), **data})


def test_officer_uploads_reads_the_report_and_commits(client, officer, agency):
    client.force_login(officer)
    sheets = dataset(agency)
    sheets["calls"][0]["region"] = "999"
    response = post_file(client, xlsx(sheets))
    batch = Import.objects.get()
    assert response.status_code == 302
    page = client.get(batch.get_absolute_url()).content.decode()
    assert 'data-testid="has-problems"' in page
    assert "999" in page
    assert 'data-testid="commit"' not in page
    report = client.get(reverse("core:import-report", args=[batch.pk]))
    assert report.status_code == 200
    calls = pd.read_excel(
        io.BytesIO(report.content), sheet_name="calls", dtype=str, engine="calamine", keep_default_na=False
    )
    assert calls["problems"][0]
    assert calls["problems"][1] == ""

    sheets["calls"][0]["region"] = sheets["calls"][1]["region"]
    post_file(client, xlsx(sheets))
    fixed = Import.objects.order_by("-pk").first()
    assert fixed.status == Import.Status.READY
    page = client.get(fixed.get_absolute_url()).content.decode()
    assert 'data-testid="commit"' in page
    response = client.post(reverse("core:import-commit", args=[fixed.pk]))
    assert response.status_code == 302
    fixed.refresh_from_db()
    assert fixed.status == Import.Status.COMMITTED
    call = Call.objects.get(number="IMP-75-2018")
    detail = client.get(call.get_absolute_url()).content.decode()
    assert 'data-testid="provenance"' in detail
    assert 'data-testid="portal-numbers"' in detail
    contract_page = client.get(call.contract.get_absolute_url()).content.decode()
    assert 'data-testid="provenance"' in contract_page
    assert 'data-testid="portal-numbers"' in contract_page
    provider = call.contract.provider
    assert 'data-testid="provenance"' in client.get(provider.get_absolute_url()).content.decode()
    listing = client.get(reverse("core:imports")).content.decode()
    assert "records.xlsx" in listing


def test_template_has_a_readme_and_a_sheet_per_kind(client, officer):
    client.force_login(officer)
    response = client.get(reverse("core:import-template"))
    assert response.status_code == 200
    book = pd.read_excel(io.BytesIO(response.content), sheet_name=None, dtype=str, engine="calamine", header=None)
    assert {"README", "providers", "calls", "contracts", "tranches", "payments", "population"} <= set(book)
    assert list(book["calls"].iloc[0])[:2] == ["number", "agency_bin"]


def test_template_is_in_the_users_language(client, officer, settings):
    client.force_login(officer)
    for language, title in (("en", "Import of past records"), ("ru", "Импорт прошлых записей")):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get(reverse("core:import-template"))
        book = pd.read_excel(
            io.BytesIO(response.content), sheet_name="README", dtype=str, engine="calamine", header=None
        )
        assert book.iloc[0, 0] == title


def test_a_file_over_the_upload_limit_is_refused(client, officer, settings):
    settings.GSZ = {**settings.GSZ, "UPLOAD_MAX_BYTES": 10}
    client.force_login(officer)
    response = post_file(client, b"x" * 100, name="a.csv")
    assert response.status_code == 200
    assert not Import.objects.exists()


def test_a_file_that_is_no_spreadsheet_gets_a_message_not_a_500(client, officer):
    client.force_login(officer)
    response = post_file(client, b"%PDF-1.4 not a sheet\x00\x01", name="a.pdf")
    batch = Import.objects.get()
    assert response.url == batch.get_absolute_url()
    assert batch.status == Import.Status.UNREADABLE
    page = client.get(batch.get_absolute_url()).content.decode()
    assert 'data-testid="has-problems"' in page


def test_progress_partial_for_htmx(client, officer, agency):
    client.force_login(officer)
    post_file(client, xlsx(dataset(agency)))
    batch = Import.objects.get()
    response = client.get(batch.get_absolute_url(), headers={"HX-Request": "true"})
    assert b'data-testid="progress-done"' in response.content


def test_nav_shows_import_to_officers_only(client, officer, ngo_user):
    client.force_login(officer)
    assert reverse("core:imports").encode() in client.get(reverse("core:dashboard")).content
    client.force_login(ngo_user)
    assert reverse("core:imports").encode() not in client.get(reverse("core:dashboard")).content


def test_admin_moves_a_regions_data_from_year_to_the_imported_years(client, admin_user, agency):
    region = agency.region
    region.data_from_year = 2022
    region.save()
    client.force_login(admin_user)
    post_file(client, xlsx(dataset(agency)))
    batch = Import.objects.get()
    client.post(reverse("core:import-commit", args=[batch.pk]))
    page = client.get(batch.get_absolute_url()).content.decode()
    assert 'data-testid="earlier-data"' in page
    response = client.post(reverse("core:import-data-from", args=[batch.pk]), {"region": region.pk})
    assert response.status_code == 302
    region.refresh_from_db()
    assert region.data_from_year == 2018
    response = client.post(reverse("core:import-data-from", args=[batch.pk]), {"region": region.pk})
    region.refresh_from_db()
    assert region.data_from_year == 2018

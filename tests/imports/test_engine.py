"""Imports of past records: every kind, idempotency, all-or-nothing, scope and bad files."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.models import Contract, Payment, Tranche
from core.exceptions import InvalidTransition
from core.imports import services
from core.models import AuditEvent, Import, ImportedRecord
from evaluation.models import RegionPopulation
from providers.models import Provider
from tenders.models import Call
from tests.imports.util import csv_bytes, dataset, upload, xlsx

pytestmark = pytest.mark.django_db


def counts_of(batch):
    return {kind: per_kind for kind, per_kind in batch.counts.items()}


def snapshot():
    return (
        list(Call.objects.order_by("pk").values()),
        list(Contract.objects.order_by("pk").values()),
        list(Tranche.objects.order_by("pk").values()),
        list(Payment.objects.order_by("pk").values()),
        list(Provider.objects.order_by("pk").values()),
        list(RegionPopulation.objects.order_by("pk").values()),
    )


def test_dry_run_then_commit_creates_every_kind(officer, agency):
    batch = upload(officer, xlsx(dataset(agency)))
    assert batch.status == Import.Status.READY, batch.problems
    assert not Call.objects.filter(number__startswith="IMP-").exists()  # the dry run writes nothing
    assert batch.counts["calls"] == {"created": 3, "updated": 0, "unchanged": 0}
    batch = services.commit(user=officer, batch=batch)
    assert batch.status == Import.Status.COMMITTED
    assert Call.objects.filter(number__startswith="IMP-", status="awarded").count() == 3
    contract = Contract.objects.get(number="IMP-75-2019/1")
    assert contract.bid is None
    assert contract.is_signed
    assert contract.status == Contract.Status.COMPLETED
    assert contract.portal_announcement_number == "2019001"
    assert contract.tranches.get().amount == 950000
    assert Payment.objects.filter(tranche__contract=contract).count() == 1
    assert RegionPopulation.objects.filter(region__code="75", year__in=[2018, 2019, 2020]).count() == 3
    record = ImportedRecord.objects.for_object(contract).get()
    assert (record.batch, record.sheet, record.row) == (batch, "contracts", 3)
    assert AuditEvent.objects.for_object(contract).filter(action="imported").exists()
    assert AuditEvent.objects.filter(action="import committed", object_id=str(batch.pk)).exists()


def test_imported_bid_count_is_the_submitted_bids(officer, agency):
    services.commit(user=officer, batch=upload(officer, xlsx(dataset(agency))))
    from django.utils import timezone

    call = Call.objects.with_submitted_bids(timezone.now()).get(number="IMP-75-2019")
    assert call.submitted_bids == 2


def test_same_file_twice_changes_nothing(officer, agency):
    content = xlsx(dataset(agency))
    services.commit(user=officer, batch=upload(officer, content))
    before = snapshot()
    again = upload(officer, content)
    assert again.status == Import.Status.READY
    assert again.total("created") == again.total("updated") == 0
    services.commit(user=officer, batch=again)
    assert snapshot() == before


def test_a_changed_row_is_an_update(officer, agency):
    sheets = dataset(agency)
    services.commit(user=officer, batch=upload(officer, xlsx(sheets)))
    sheets["calls"][0]["title_ru"] = "Новое название"
    sheets["calls"][0]["budget_year_1"] = "1100000"
    batch = upload(officer, xlsx(sheets))
    assert batch.counts["calls"] == {"created": 0, "updated": 1, "unchanged": 2}
    services.commit(user=officer, batch=batch)
    call = Call.objects.get(number="IMP-75-2018")
    assert call.title_ru == "Новое название"
    assert call.total == 1100000


def test_errors_are_reported_by_sheet_row_and_column_and_block_the_commit(officer, agency):
    sheets = dataset(agency)
    sheets["providers"].append(dict(sheets["providers"][0], bin="123456789012"))
    sheets["calls"][1]["region"] = "999999999"
    sheets["tranches"][2]["fixed_amount"] = "900000"
    batch = upload(officer, xlsx(sheets))
    assert batch.status == Import.Status.HAS_ERRORS
    where = {(p["sheet"], p["row"], p["column"]) for p in batch.problems}
    assert ("providers", 3, "bin") in where
    assert ("calls", 3, "region") in where
    assert ("tranches", 4, "fixed_amount") in where
    with pytest.raises(InvalidTransition):
        services.commit(user=officer, batch=batch)
    assert not Call.objects.filter(number__startswith="IMP-").exists()


def test_payment_above_its_tranche_and_duplicates(officer, agency):
    sheets = dataset(agency)
    sheets["payments"].append(dict(sheets["payments"][0], date="11.04.2018"))
    sheets["calls"].append(dict(sheets["calls"][0]))
    batch = upload(officer, xlsx(sheets))
    messages = {(p["sheet"], p["column"]) for p in batch.problems}
    assert ("payments", "amount") in messages
    assert ("calls", "number") in messages


def test_commit_is_all_or_nothing(officer, agency, monkeypatch):
    """A problem found while committing (the data changed since the dry run) leaves nothing written."""
    sheets = dataset(agency)
    batch = upload(officer, xlsx(sheets))
    assert batch.status == Import.Status.READY
    Provider.objects.filter(bin=sheets["providers"][0]["bin"]).delete()
    from contracts import imports as contract_imports

    original = contract_imports.TrancheKind.check

    def failing(self, row, ctx):
        original(self, row, ctx)
        if row.values["year"] == 2020:
            row.problem("year", "late problem")

    monkeypatch.setattr(contract_imports.TrancheKind, "check", failing)
    batch = services.commit(user=officer, batch=batch)
    assert batch.status == Import.Status.HAS_ERRORS
    assert not Call.objects.filter(number__startswith="IMP-").exists()
    assert not ImportedRecord.objects.exists()


def test_officer_may_not_import_another_agencys_records(officer, other_agency):
    batch = upload(officer, xlsx(dataset(other_agency, region_code="35")))
    assert batch.status == Import.Status.HAS_ERRORS
    columns = {(p["sheet"], p["column"]) for p in batch.problems}
    assert ("calls", "agency_bin") in columns
    assert ("population", "region") in columns


def test_officer_may_not_change_another_agencys_call(officer, other_officer, agency, other_agency, admin_user):
    services.commit(user=admin_user, batch=upload(admin_user, xlsx({"calls": dataset(other_agency)["calls"]})))
    sheets = {"calls": dataset(other_agency)["calls"]}
    sheets["calls"][0]["title_ru"] = "changed"
    batch = upload(officer, xlsx(sheets))
    assert batch.status == Import.Status.HAS_ERRORS


def test_csv_sheet_with_bom_and_semicolons(officer, agency):
    rows = dataset(agency)["providers"]
    batch = upload(officer, csv_bytes(rows), name="providers.csv")
    assert batch.status == Import.Status.READY, batch.problems
    batch = upload(officer, csv_bytes(rows, delimiter=",", bom=False), name="export.csv", csv_kind="providers")
    assert batch.counts["providers"]["created"] == 1


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00binary",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
        b"PK\x03\x04 broken zip",
        zip_bytes({"xl/workbook.xml": b"not xml", "[Content_Types].xml": b"??"}),
        zip_bytes({"word/document.xml": b"<w/>"}),
        zip_bytes(
            {"xl/workbook.xml": b"0" * (600 * 1024 * 1024 // 100)}
            | {f"xl/{i}.xml": b"0" * (6 * 1024 * 1024) for i in range(90)}
        ),
        b"",
        "номер;агентство\n".encode("cp1251"),
    ],
    ids=["png", "encrypted", "corrupt-zip", "corrupt-xlsx", "docx", "zip-bomb", "empty", "cp1251"],
)
def test_bad_files_get_a_message(officer, content):
    batch = upload(officer, content, name="records.xlsx")
    assert batch.status == Import.Status.UNREADABLE
    assert batch.problems[0]["message"]


def test_no_header_and_too_many_rows(officer, agency, settings):
    batch = upload(officer, xlsx({"calls": [{"": ""}]}))
    assert batch.status in (Import.Status.HAS_ERRORS, Import.Status.UNREADABLE)
    settings.GSZ = {**settings.GSZ, "IMPORT_MAX_ROWS": 2}
    batch = upload(officer, xlsx(dataset(agency)))
    assert batch.status == Import.Status.UNREADABLE
    assert "2" in batch.problems[0]["message"]


def test_formula_cells_are_reported(officer, agency):
    sheets = dataset(agency)
    sheets["providers"][0]["phone"] = "=A1"
    batch = upload(officer, csv_bytes(sheets["providers"]), name="providers.csv")
    assert ("providers", "phone") in {(p["sheet"], p["column"]) for p in batch.problems}


def test_only_officers_and_admins_import(ngo_user, committee):
    for user in (ngo_user, committee):
        with pytest.raises(PermissionDenied):
            services.start_import(user=user, upload=SimpleUploadedFile("a.csv", b"bin\n1\n"))


def test_an_unexpected_error_leaves_a_message_not_an_endless_check(officer, agency, monkeypatch):
    from core.imports import engine

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "run", broken)
    batch = upload(officer, xlsx(dataset(agency)))
    assert batch.status == Import.Status.HAS_ERRORS
    assert batch.problem_count == 1
    assert batch.job.status == "failed"


def test_annual_report_figures_and_actuals(officer, agency):
    from contracts.models import Actual, Report
    from core.models import Indicator
    from evaluation.analytics.coverage import coverage_matrix
    from tests import factories

    sheets = dataset(agency, years=(2019,))
    indicator = Indicator.objects.order_by("pk").first()
    sheets["reports"] = [
        {"contract_number": "IMP-75-2019/1", "year": "2019", "children_served": "120", "accepted_on": "20.01.2020"}
    ]
    sheets["actuals"] = [
        {"contract_number": "IMP-75-2019/1", "year": "2019", "indicator": indicator.code, "value": "63"}
    ]
    content = xlsx(sheets)
    batch = upload(officer, content)
    assert batch.status == Import.Status.READY, batch.problems
    assert batch.counts["reports"]["created"] == 1
    services.commit(user=officer, batch=batch)
    report = Report.objects.get(period__contract__number="IMP-75-2019/1")
    assert report.status == Report.Status.ACCEPTED
    assert report.children_served == 120
    assert Actual.objects.get(report=report).value == 63
    again = upload(officer, content)
    assert again.total("created") == again.total("updated") == 0
    import datetime as dt

    matrix = coverage_matrix(2019, today=dt.date(2026, 3, 1), regions=[factories.region("75")])
    assert sum(cell.children_served or 0 for cell in matrix.cells) == 120


def test_imported_records_are_found_by_search(officer, agency):
    """Bulk writes skip save(): the engine keeps the search column itself, on creation and on update, so imported
    calls, contracts and NGOs are found like any other (any case of Cyrillic and Kazakh letters)."""
    from core.search import matching

    sheets = dataset(agency)
    services.commit(user=officer, batch=upload(officer, xlsx(sheets)))
    assert matching(Provider.objects.all(), "оф «ИМПОРТ»").exists()
    assert matching(Call.objects.all(), "imp-75-2019").exists()
    assert matching(Contract.objects.all(), "imp-75-2019/1").exists()

    sheets["calls"][0]["title_ru"] = "Қамқорлық ҮЙІ"
    services.commit(user=officer, batch=upload(officer, xlsx(sheets)))
    assert list(matching(Call.objects.all(), "қамқорлық үйі").values_list("number", flat=True)) == ["IMP-75-2018"]

"""The committee's pages and the coverage workbook show the same numbers because they call the same functions; the
pages run a bounded number of queries whatever the data size."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from core.exports import XLSX_CONTENT_TYPE
from evaluation.analytics.coverage import CellStatus
from evaluation.analytics.workbook import sheet_names
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def dataset(clock):
    """Almaty case management served 2024–2025 (1 M then 2 M ₸); a failed Karaganda call for 2025; population."""
    clock.move_to("2026-03-01 10:00+05:00")
    contract = factories.served_contract(
        start=dt.date(2024, 1, 10), end=dt.date(2025, 12, 31), amounts=[1_000_000, 2_000_000]
    )
    failed = factories.closed_call(start_year=2025, region_code="35")
    factories.RegionPopulationFactory(region=factories.region("75"), year=2025, children=200_000)
    return {"contract": contract, "failed": failed}


def workbook_frames(client, **params) -> tuple[dict[str, pd.DataFrame], bytes]:
    response = client.get(reverse("evaluation:workbook"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    return pd.read_excel(io.BytesIO(response.content), sheet_name=None), response.content


def test_the_workbook_and_the_heatmap_show_the_same_cells(client, committee, english, dataset):
    client.force_login(committee)
    page = client.get(reverse("evaluation:coverage"), {"year": 2025})
    matrix = page.context["matrix"]
    frames, _content = workbook_frames(client, year=2025, first=2021, last=2025)
    cells = frames[sheet_names()["coverage_cells"]]
    assert len(cells) == len(matrix.cells) == 20 * 11
    almaty = factories.region("75")
    service = factories.service("case-management")
    row = cells[(cells["region"] == almaty.name) & (cells["service"] == service.name)].iloc[0]
    cell = matrix.cell(almaty, service)
    # 2025 is served by the contract: its 2025 tranche of 2 000 000 ₸; 200 000 children → 10 000 ₸ per 1,000.
    assert cell.status == CellStatus.COVERED or cell.status == CellStatus.ENDING
    assert row["status"] == cell.status_label
    assert Decimal(str(row["planned, ₸"])) == cell.money_planned == Decimal("2000000")
    assert Decimal(str(row["₸ per 1,000 children"])) == cell.money_per_1000 == Decimal("10000")
    karaganda = cells[(cells["region"] == factories.region("35").name) & (cells["service"] == service.name)].iloc[0]
    assert karaganda["status"] == CellStatus.FAILED.label
    uncovered = frames[sheet_names()["uncovered"]]
    assert len(uncovered) == matrix.totals.uncovered


def test_the_coverage_matrix_sheet_is_labelled_like_the_heatmap(client, committee, english, dataset):
    client.force_login(committee)
    page = client.get(reverse("evaluation:coverage"), {"year": 2025})
    _frames, content = workbook_frames(client, year=2025, first=2021, last=2025)
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book[sheet_names()["coverage"]]
    matrix = page.context["matrix"]
    for row_number, (region, cells) in enumerate(matrix.rows(), start=2):
        assert sheet.cell(row_number, 1).value == region.name
        assert [sheet.cell(row_number, c + 2).value for c in range(len(cells))] == [c.status_label for c in cells]
    coloured = sheet.cell(2 + matrix.regions.index(factories.region("75")), 2).fill.fgColor.rgb
    assert coloured not in (None, "00000000")
    assert all(len(name) <= 31 for name in book.sheetnames)
    readme = book[sheet_names()["readme"]]
    assert readme["B2"].value.startswith("GSZ-2025-20212025-")


def test_the_stability_sheet_matches_the_stability_page(client, committee, english, dataset):
    client.force_login(committee)
    page = client.get(reverse("evaluation:stability"), {"first": 2021, "last": 2025})
    frames, _content = workbook_frames(client, year=2025, first=2021, last=2025)
    sheet = frames[sheet_names()["stability"]]
    rows = page.context["rows"]
    assert len(sheet) == len(rows)
    almaty = next(r for r in rows if r.region.code == "75" and r.service_type.code == "case-management")
    line = sheet[(sheet["region"] == almaty.region.name) & (sheet["service"] == almaty.service_type.name)].iloc[0]
    assert line["verdict"] == almaty.verdict_label
    # The window 2021–2025: nothing before 2024, 1 M in 2024 and 2 M in 2025.
    assert [Decimal(str(line[str(y)])) for y in (2023, 2024, 2025)] == [
        Decimal(0),
        Decimal(1_000_000),
        Decimal(2_000_000),
    ]


def test_text_that_looks_like_a_formula_stays_text_in_the_workbook(client, committee, english, dataset):
    dataset["contract"].provider.name_ru = '=HYPERLINK("http://evil")'
    dataset["contract"].provider.save()
    client.force_login(committee)
    _frames, content = workbook_frames(client, year=2025, first=2021, last=2025)
    sheet = openpyxl.load_workbook(io.BytesIO(content))[sheet_names()["providers"]]
    cells = [row[0] for row in sheet.iter_rows(min_row=2) if str(row[0].value).startswith("=")]
    assert cells
    assert all(cell.data_type == "s" for cell in cells)


def test_a_table_downloads_as_csv_with_a_byte_order_mark(client, committee, english, dataset):
    client.force_login(committee)
    response = client.get(reverse("evaluation:table-csv", args=["stability"]), {"first": 2021, "last": 2025})
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    assert body.decode("utf-8-sig").splitlines()[0].startswith("region,service,2021")


def test_an_unknown_table_is_404(client, committee):
    client.force_login(committee)
    assert client.get(reverse("evaluation:table-csv", args=["passwords"])).status_code == 404


def test_bad_parameters_fall_back_to_defaults(client, committee, dataset):
    client.force_login(committee)
    assert client.get(reverse("evaluation:coverage"), {"year": "abc"}).context["year"] == 2026
    assert client.get(reverse("evaluation:stability"), {"first": "2030", "last": "1999"}).status_code == 200
    assert client.get(reverse("evaluation:cell", args=[999999, 1, 2025])).status_code == 404


def test_ngos_see_the_coverage_but_not_the_analytics(client, ngo_user):
    client.force_login(ngo_user)
    assert client.get(reverse("evaluation:coverage")).status_code == 200
    for name in ("evaluation:stability", "evaluation:flags", "evaluation:committee", "evaluation:workbook"):
        assert client.get(reverse(name)).status_code == 403


def test_the_command_writes_the_same_workbook(tmp_path, dataset):
    out = tmp_path / "coverage.xlsx"
    call_command("write_coverage_workbook", year=2025, first=2021, last=2025, out=str(out), language="en")
    with translation.override("en"):
        assert openpyxl.load_workbook(out).sheetnames == [
            sheet_names()[k]
            for k in (
                "readme",
                "coverage",
                "coverage_cells",
                "money",
                "stability",
                "uncovered",
                "flags",
                "contracts",
                "providers",
            )
        ]


def grow(extra: int) -> None:
    """Add contracts in other regions and services (the data size the pages must not depend on)."""
    codes = ["11", "15", "23", "27", "31", "39", "55", "61", "63", "71"]
    for n in range(extra):
        factories.served_contract(
            start=dt.date(2023, 2, 1),
            end=dt.date(2025, 12, 31),
            region_code=codes[n % 10],
            service_code="family-support" if n % 2 else "early-intervention",
            amounts=[500_000, 600_000, 700_000],
        )


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("evaluation:coverage", {"year": 2025}),
        ("evaluation:committee", {"year": 2025}),
        ("evaluation:stability", {"first": 2021, "last": 2025}),
        ("evaluation:uncovered", {"year": 2025}),
        ("evaluation:flags", {"year": 2025}),
        ("evaluation:trends", {}),
    ],
)
def test_pages_run_the_same_number_of_queries_whatever_the_data_size(client, committee, dataset, name, params):
    client.force_login(committee)
    client.get(reverse(name), params)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(name), params).status_code == 200
    grow(6)
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse(name), params).status_code == 200
    assert len(large) <= len(small) + 2, [q["sql"][:120] for q in large.captured_queries]


def test_the_national_picture_loads_its_costly_panels_after_the_page(client, committee, english, dataset):
    client.force_login(committee)
    page = client.get(reverse("evaluation:committee"), {"year": 2025}).content.decode()
    assert reverse("evaluation:committee-panel", args=["stability"]) in page
    stability = client.get(reverse("evaluation:committee-panel", args=["stability"]), {"year": 2025})
    assert stability.status_code == 200
    assert stability.content.decode().startswith('<div data-testid="stability-panel">')
    assert "verdict-unfunded" in stability.content.decode()
    flags = client.get(reverse("evaluation:committee-panel", args=["flags"]), {"year": 2025})
    assert flags.status_code == 200
    assert client.get(reverse("evaluation:committee-panel", args=["nothing"])).status_code == 404

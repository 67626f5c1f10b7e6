"""The coverage workbook and the CSV of its tables: the same numbers as the pages (they write the same tables), in
the reader's language, never a formula, and never a row the reader's own list pages would not show."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from core.exports import XLSX_CONTENT_TYPE
from evaluation.analytics.charts import CELL_COLOURS, VERDICT_COLOURS
from evaluation.analytics.coverage import CellStatus
from evaluation.analytics.stability import Verdict
from evaluation.analytics.workbook import price_sheet, sheet_names
from tests import factories

pytestmark = pytest.mark.django_db


def argb(colour: str) -> str:
    """Return "#a3cfbb" as openpyxl reads a fill: "FFA3CFBB"."""
    return "FF" + colour.lstrip("#").upper()


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def workbook_frames(client, **params) -> tuple[dict[str, pd.DataFrame], bytes]:
    response = client.get(reverse("evaluation:workbook"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    return pd.read_excel(io.BytesIO(response.content), sheet_name=None, engine="calamine"), response.content


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
    # 2025 is served by the contract: its 2025 tranche of 2 000 000 ₸; 200 000 children → 10 000 ₸ per 1,000. It
    # ends on 31 December 2025 with nothing signed or called for 2026: a cliff ahead, so `ending`.
    assert cell.status == CellStatus.ENDING
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
    # Almaty's case management is `ending`: the heatmap's colour, from the one definition of the status colours.
    coloured = sheet.cell(2 + matrix.regions.index(factories.region("75")), 2).fill.fgColor.rgb
    assert coloured == argb(CELL_COLOURS[CellStatus.ENDING][0]) == "FFA3CFBB"
    karaganda = sheet.cell(2 + matrix.regions.index(factories.region("35")), 2)
    assert (karaganda.value, karaganda.fill.fgColor.rgb) == (
        CellStatus.FAILED.label,
        argb(CELL_COLOURS[CellStatus.FAILED][0]),
    )
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
    # Figures stay numbers, unrounded: mean 0.6 M, variance 0.64 M², CV 0.8 ÷ 0.6.
    assert line["coefficient of variation"] == pytest.approx(4 / 3) == float(almaty.cv)
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
    assert body.decode("utf-8-sig").splitlines()[0].startswith("verdict,region,service,2021")


def test_an_unknown_table_is_404(client, committee):
    client.force_login(committee)
    assert client.get(reverse("evaluation:table-csv", args=["passwords"])).status_code == 404


def test_the_stability_sheet_colours_each_verdict_like_the_page(client, committee, english, dataset):
    client.force_login(committee)
    _frames, content = workbook_frames(client, year=2025, first=2021, last=2025)
    sheet = openpyxl.load_workbook(io.BytesIO(content))[sheet_names()["stability"]]
    header = [c.value for c in sheet[1]]
    column = openpyxl.utils.get_column_letter(header.index("verdict") + 1)

    fills = {}
    for ranges in sheet.conditional_formatting:
        assert str(ranges.sqref).startswith(f"{column}2:{column}")
        for rule in ranges.rules:
            fills[rule.formula[0].strip('"')] = rule.dxf.fill.bgColor.rgb

    assert fills == {str(Verdict(v).label): argb(fill) for v, (fill, _text) in VERDICT_COLOURS.items()}


def test_the_command_writes_the_same_workbook(client, committee, tmp_path, english, dataset):
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
                "prices",
            )
        ]
    # ... with the values of the pages and of the committee's own download.
    frames = pd.read_excel(out, sheet_name=None, engine="calamine")
    downloaded, _content = workbook_frames(client_as(client, committee), year=2025, first=2021, last=2025)
    matrix = client.get(reverse("evaluation:coverage"), {"year": 2025}).context["matrix"]
    stability = client.get(reverse("evaluation:stability"), {"first": 2021, "last": 2025}).context["rows"]
    cells = frames[sheet_names()["coverage_cells"]]
    assert list(cells["status"]) == [str(c.status_label) for c in matrix.cells]
    assert [Decimal(str(v)) for v in cells["planned, ₸"]] == [c.money_planned for c in matrix.cells]
    assert list(frames[sheet_names()["stability"]]["verdict"]) == [str(r.verdict_label) for r in stability]
    for key in ("coverage_cells", "money", "stability", "uncovered", "flags", "contracts", "providers"):
        assert frames[sheet_names()[key]].equals(downloaded[sheet_names()[key]]), key


# -- each sheet and each CSV holds the rows of the reader's own list pages ----------------------------------------

TABLES = ["coverage", "money", "stability", "uncovered", "flags", "contracts", "providers"]
WINDOW = {"year": 2025, "first": 2021, "last": 2025}


def client_as(client, user):
    client.force_login(user)
    return client


def export(client, name: str, **params) -> list[list[str]]:
    return csv_rows(client.get(reverse(name), {**params, "export": "csv"}))


@pytest.fixture
def registry(dataset, provider):
    """Beyond the dataset: `provider`, an NGO in the registry without a contract, and a 2019 contract in Astana,
    outside the window of 2021–2025."""
    return {**dataset, "old": factories.served_contract(start=dt.date(2019, 1, 1), end=dt.date(2019, 12, 31))}


def test_an_expert_gets_no_ngo_of_the_registry_through_the_workbook(client, expert, english, registry):
    # The registry is refused to experts, so its rows are too, whichever way they are asked for.
    assert client_as(client, expert).get(reverse("providers:provider-list")).status_code == 403

    frames, _content = workbook_frames(client, **WINDOW)
    rows = csv_rows(client.get(reverse("evaluation:table-csv", args=["providers"]), WINDOW))

    assert frames[sheet_names()["providers"]].empty
    assert rows == [["NGO", "BIN", "home region", "status", "service areas", "contracts", "money in the window, ₸"]]


def test_committee_staff_get_the_registry_they_list(client, committee, english, registry):
    listed = {row[1] for row in export(client_as(client, committee), "providers:provider-list")[1:]}

    rows = csv_rows(client.get(reverse("evaluation:table-csv", args=["providers"]), WINDOW))
    frames, _content = workbook_frames(client, **WINDOW)

    assert len(listed) == 3  # the NGOs of the two contracts, and `provider`
    assert registry["old"].provider.bin in listed
    assert {row[1] for row in rows[1:]} == listed
    assert set(frames[sheet_names()["providers"]]["BIN"].astype(str)) == listed


@pytest.mark.parametrize("reader", ["expert", "committee"])
def test_the_contracts_sheet_holds_the_contracts_of_the_readers_list_in_the_window(
    client, request, english, registry, reader
):
    client_as(client, request.getfixturevalue(reader))
    everything = {row[0] for row in export(client, "contracts:contract-list")[1:]}
    listed = export(client, "contracts:contract-list", year=2025)  # the window's contracts all serve 2025

    rows = csv_rows(client.get(reverse("evaluation:table-csv", args=["contracts"]), WINDOW))
    frames, _content = workbook_frames(client, **WINDOW)
    sheet = frames[sheet_names()["contracts"]]

    assert everything == {registry["contract"].number, registry["old"].number}
    assert {row[0] for row in rows[1:]} == set(sheet["number"]) == {row[0] for row in listed[1:]}
    assert set(sheet["number"]) == {registry["contract"].number}
    # Payments and flags only where the reader's list shows them (the expert sees the public summary).
    assert ("paid" in listed[0]) is ("paid, ₸" in rows[0]) is ("paid, ₸" in sheet.columns) is (reader == "committee")


@pytest.mark.parametrize("table", ["stability", "uncovered", "flags"])
@pytest.mark.parametrize("reader", ["expert", "committee"])
def test_an_analytics_csv_holds_the_rows_of_the_readers_page(client, request, english, registry, table, reader):
    client_as(client, request.getfixturevalue(reader))
    page = {"stability": "evaluation:stability", "uncovered": "evaluation:uncovered", "flags": "evaluation:flags"}
    params = {"stability": {"first": 2021, "last": 2025}, "uncovered": {"year": 2025}, "flags": {"year": 2025}}

    rows = csv_rows(client.get(reverse("evaluation:table-csv", args=[table]), WINDOW))

    assert rows == export(client, page[table], **params[table])
    assert len(rows) > 1


@pytest.mark.parametrize("reader", ["expert", "committee"])
def test_the_coverage_and_money_csv_hold_every_region_of_the_readers_picture(
    client, request, english, registry, reader
):
    client_as(client, request.getfixturevalue(reader))
    matrix = client.get(reverse("evaluation:coverage"), {"year": 2025}).context["matrix"]

    coverage = csv_rows(client.get(reverse("evaluation:table-csv", args=["coverage"]), WINDOW))
    money = csv_rows(client.get(reverse("evaluation:table-csv", args=["money"]), WINDOW))

    assert [(row[0], row[2], row[4]) for row in coverage[1:]] == [
        (c.region.name, c.service_type.name, str(c.status_label)) for c in matrix.cells
    ]
    assert len(money) - 1 == 20 * 5  # the twenty regions × 2021–2025


@pytest.mark.parametrize("table", TABLES)
def test_an_ngo_gets_no_table_of_the_workbook(client, ngo_user, registry, table):
    client_as(client, ngo_user)

    assert client.get(reverse("evaluation:table-csv", args=[table]), WINDOW).status_code == 403
    assert client.get(reverse("evaluation:workbook"), WINDOW).status_code == 403


@pytest.mark.parametrize("table", TABLES)
def test_the_public_is_sent_to_log_in_for_any_table_of_the_workbook(client, registry, table):
    for url in (reverse("evaluation:table-csv", args=[table]), reverse("evaluation:workbook")):
        response = client.get(url, WINDOW)

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_workbook_has_the_price_per_child_spread(tmp_path, english):
    for children in (40, 60):  # 1 200 000 ÷ 40 = 30 000; ÷ 60 = 20 000
        contract = factories.served_contract(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), amounts=[1_200_000])
        factories.annual_report(contract, 2025, children_served=children)

    rows, money_columns = price_sheet(year=2025)

    header, *body = rows
    assert header[3] == "median per child, ₸"
    assert money_columns == [3, 4, 5, 6, 7]
    assert [row[2:] for row in body] == [
        [2, Decimal("25000.00"), Decimal("22500.00"), Decimal("27500.00"), Decimal("20000.00"), Decimal("30000.00")]
    ]


def test_the_bidder_of_a_call_cancelled_before_its_deadline_is_listed_as_not_bidding_everywhere(
    client, committee, english, clock
):
    """Its bid was never opened: the page, its CSV and the workbook's Uncovered sheet all name the NGO among those
    that did not bid, exactly like an NGO that never bid (leaving it out would reveal who bid)."""
    clock.move_to("2026-03-01 10:00+05:00")
    deadline = factories.almaty(dt.date(2024, 12, 1), 18)
    cancelled = factories.closed_call(
        start_year=2025,
        region_code="35",
        status="cancelled",
        deadline=deadline,
        cancelled_at=deadline - dt.timedelta(days=2),
    )
    bidder = factories.ProviderFactory(name_ru="НПО Запечатанное")
    factories.BidFactory(call=cancelled, provider=bidder, status="submitted", submitted_at=deadline)
    factories.ServiceAreaFactory(
        provider=bidder, region=factories.region("35"), service_type=factories.service("case-management")
    )
    client.force_login(committee)
    karaganda = factories.region("35").name
    case_management = factories.service("case-management").name

    page = client.get(reverse("evaluation:uncovered"), {"year": 2025})
    (row,) = [
        r for r in page.context["table"].data if (r.region.name, r.service_type.name) == (karaganda, case_management)
    ]
    assert row.idle_providers == [bidder]
    rows = csv_rows(client.get(reverse("evaluation:table-csv", args=["uncovered"]), WINDOW))
    (csv_row,) = [r for r in rows if r[0] == karaganda and r[1] == case_management]
    assert csv_row[-1] == bidder.name
    frames, _content = workbook_frames(client, **WINDOW)
    sheet = frames[sheet_names()["uncovered"]]
    (sheet_row,) = sheet[(sheet["region"] == karaganda) & (sheet["service"] == case_management)].itertuples()
    assert sheet_row[-1] == bidder.name

"""The generic export: CSV with a BOM and defused formulas, XLSX with text cells, all filtered rows."""

import csv
import datetime as dt
import io
import re
import unicodedata
from decimal import Decimal
from html import unescape as html_unescape

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.exports import XLSX_CONTENT_TYPE, csv_lines, csv_safe, xlsx_bytes
from providers.models import Provider
from providers.tables import ProviderTable
from tests import factories

RISKY = ["=SUM(A1:A9)", "+7 701 000 00 00", "-2+3", "@cmd", '=HYPERLINK("http://evil")']


def parse_csv(lines) -> list[list[str]]:
    data = "".join(lines).encode("utf-8")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


# -- CSV --------------------------------------------------------------------------------------------------------


def test_csv_begins_with_the_byte_order_mark():
    lines = list(csv_lines([["a"]]))
    assert lines[0] == "\ufeff"
    assert "".join(lines).encode("utf-8").startswith(b"\xef\xbb\xbf")


def test_csv_of_no_rows_is_only_the_byte_order_mark():
    assert "".join(csv_lines([])) == "\ufeff"


def test_cyrillic_and_kazakh_text_round_trips_through_utf8_sig():
    rows = [["Название", "Атауы"], ["ОФ «Көмек»", "Қамқор ұйымы"]]
    assert parse_csv(csv_lines(rows)) == rows


@pytest.mark.parametrize("text", RISKY)
def test_csv_prefixes_formula_like_text_with_an_apostrophe(text):
    assert parse_csv(csv_lines([[text]])) == [["'" + text]]


@pytest.mark.parametrize("text", ["\tcmd", "\rcmd"])
def test_csv_defuses_text_starting_with_a_tab_or_carriage_return(text):
    assert csv_safe(text) == "'" + text


# Formula starts hidden behind whitespace or a line break, and the full-width forms some spreadsheets also obey.
DISGUISED = [
    " =1+1",
    "   +7 701",
    "\n=cmd|' /C calc'!A0",
    "\r\n@SUM(A1)",
    "\t -2",
    "\u00a0=1",
    "\u3000=1",
    "\u200b=1",
    "＝1+1",
    "＋77010000000",
    "－2",
    "＠cmd",
    ' ＝HYPERLINK("http://evil")',
]


@pytest.mark.parametrize("text", DISGUISED)
def test_csv_defuses_formulas_behind_whitespace_or_in_full_width(text):
    assert csv_safe(text) == "'" + text
    assert parse_csv(csv_lines([[text]])) == [["'" + text]]


@pytest.mark.parametrize("text", ["Алматы = 1", " Алматы", "\nОФ", "a＝b", "ｰ", "  "])
def test_csv_leaves_text_whose_first_visible_character_is_harmless(text):
    assert csv_safe(text) == text


def spreadsheet_reads_as_formula(cell: str) -> bool:
    """Model a permissive spreadsheet: skip what it may drop before the first visible character; a leading
    apostrophe marks text."""
    if cell.startswith("'"):
        return False
    visible = cell.lstrip("".join(c for c in cell if c.isspace() or unicodedata.category(c) in ("Cc", "Cf")))
    return visible[:1] in {"=", "+", "-", "@", "＝", "＋", "－", "＠"}


# Texts shaped like the attacks: some blank or invisible characters, then often a formula start, then anything.
BLANKS = st.text(alphabet=st.sampled_from(" \t\r\n\u00a0\u2003\u3000\u200b\ufeff\x0b\x1f"), max_size=4)
STARTS = st.one_of(st.sampled_from("=+-@＝＋－＠"), st.characters(exclude_categories=["Cs"]))
ATTACK_LIKE = st.one_of(st.text(max_size=40), st.builds(lambda a, b, c: a + b + c, BLANKS, STARTS, st.text()))


@given(ATTACK_LIKE)
def test_no_generated_text_reaches_a_csv_cell_as_a_formula(text):
    cell = csv_safe(text)
    assert not spreadsheet_reads_as_formula(cell)
    assert cell in (text, "'" + text)  # nothing else changes: the apostrophe is the only edit
    assert parse_csv(csv_lines([[text]])) == [[cell]]


@given(st.lists(ATTACK_LIKE, min_size=1, max_size=8))
@hypothesis_settings(max_examples=40)
def test_no_generated_text_reaches_an_xlsx_cell_as_a_formula(texts):
    sheet = read_xlsx(xlsx_bytes([["text"], *[[t] for t in texts]], sheet_name="test"))
    for row, text in enumerate(texts, start=2):
        cell = sheet.cell(row=row, column=1)
        assert cell.data_type == "s"  # a plain string cell, never "f"
        if text:
            assert cell.value is not None


@pytest.mark.parametrize("text", DISGUISED)
def test_xlsx_writes_disguised_formulas_as_plain_strings(text):
    sheet = read_xlsx(xlsx_bytes([["text"], [text]], sheet_name="test"))
    assert sheet["A2"].data_type == "s"


@pytest.mark.parametrize("value", [-5, -1.5, Decimal("-1234.50"), 0, 42])
def test_csv_leaves_numbers_alone_even_when_negative(value):
    assert csv_safe(value) == value
    assert parse_csv(csv_lines([[value]])) == [[str(value)]]


@pytest.mark.parametrize("text", ["Алматы", "ОФ = фонд", "7 701", "a-b", "email@example.kz"])
def test_csv_leaves_ordinary_text_alone(text):
    assert parse_csv(csv_lines([[text]])) == [[text]]


def test_csv_writes_none_as_an_empty_cell():
    assert parse_csv(csv_lines([["a", None, "b"]])) == [["a", "", "b"]]


def test_csv_writes_aware_datetimes_in_almaty_time():
    moment = dt.datetime(2026, 1, 1, 0, 30, tzinfo=dt.UTC)  # 05:30 in Almaty
    assert csv_safe(moment) == "2026-01-01 05:30"


# -- XLSX -------------------------------------------------------------------------------------------------------


def read_xlsx(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def test_xlsx_writes_formula_like_text_as_strings_not_formulas():
    sheet = read_xlsx(xlsx_bytes([["text"], *[[t] for t in RISKY]], sheet_name="test"))
    for row, text in enumerate(RISKY, start=2):
        cell = sheet.cell(row=row, column=1)
        assert cell.data_type == "s"
        assert cell.value == text  # no apostrophe: the cell type alone keeps it text


def test_xlsx_contains_no_formula_cells():
    sheet = read_xlsx(xlsx_bytes([["text"], *[[t] for t in RISKY]], sheet_name="test"))
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_xlsx_does_not_turn_numeric_text_into_numbers():
    sheet = read_xlsx(xlsx_bytes([["BIN"], ["150540000017"]], sheet_name="test"))
    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].value == "150540000017"  # leading digits and length kept


def test_xlsx_keeps_numbers_and_dates_typed():
    sheet = read_xlsx(xlsx_bytes([["n", "d"], [Decimal("-12.5"), dt.date(2026, 3, 1)]], sheet_name="test"))
    assert sheet["A2"].data_type == "n"
    assert sheet["A2"].value == -12.5
    assert sheet["B2"].value.date() == dt.date(2026, 3, 1)
    assert sheet["B2"].is_date


def test_xlsx_header_is_bold_text_and_frozen():
    sheet = read_xlsx(xlsx_bytes([["Название", "Сумма"], ["x", 1]], sheet_name="test"))
    assert [c.value for c in sheet[1]] == ["Название", "Сумма"]
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"


def test_xlsx_sheet_name_is_cut_to_excels_31_characters():
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([["a"]], sheet_name="x" * 40)))
    assert workbook.sheetnames == ["x" * 31]


# -- through a list view ----------------------------------------------------------------------------------------

ACTIVE_COUNT = 30


@pytest.fixture
def registry(db):
    """More active providers than one page holds (25), plus suspended and unverified ones the filter leaves out."""
    active = factories.ProviderFactory.create_batch(ACTIVE_COUNT, status=Provider.Status.ACTIVE)
    factories.ProviderFactory.create_batch(4, status=Provider.Status.SUSPENDED)
    factories.ProviderFactory.create_batch(3, status=Provider.Status.UNVERIFIED)
    return active


@pytest.fixture
def committee_client(client, committee):
    client.force_login(committee)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def screen_headers(client) -> list[str]:
    response = client.get(reverse("providers:provider-list"), {"status": "active"})
    return [str(column.header) for column in response.context["table"].columns]


def export(client, fmt: str, **params):
    return client.get(reverse("providers:provider-list"), {"status": "active", "export": fmt, **params})


def csv_rows(response) -> list[list[str]]:
    return parse_csv(chunk.decode("utf-8") for chunk in response.streaming_content)


def test_the_screen_shows_one_page_of_the_filtered_rows(committee_client, registry):
    response = committee_client.get(reverse("providers:provider-list"), {"status": "active"})
    assert response.status_code == 200
    assert len(response.context["table"].page.object_list) == 25
    assert response.context["table"].paginator.count == ACTIVE_COUNT


def test_csv_export_has_every_filtered_row_not_one_page(committee_client, registry):
    response = export(committee_client, "csv")
    assert response.status_code == 200
    rows = csv_rows(response)
    assert len(rows) == 1 + ACTIVE_COUNT


def test_csv_export_leaves_out_the_rows_the_filter_excludes(committee_client, registry):
    rows = csv_rows(export(committee_client, "csv"))
    status_column = rows[0].index(str(ProviderTable.base_columns["status"].verbose_name))
    assert {row[status_column] for row in rows[1:]} == {str(Provider.Status.ACTIVE.label)}
    assert {row[1] for row in rows[1:]} == {p.bin for p in registry}


def test_csv_export_is_a_utf8_attachment(committee_client, registry):
    response = export(committee_client, "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="ngos-')
    assert response["Content-Disposition"].endswith('.csv"')


def test_csv_export_has_only_the_columns_on_screen(committee_client, registry):
    rows = csv_rows(export(committee_client, "csv"))
    assert rows[0] == screen_headers(committee_client)
    assert len(rows[0]) == 10
    content = "\n".join(",".join(row) for row in rows)
    assert registry[0].address not in content  # a model field that is not a column
    assert registry[0].email not in content


def test_csv_export_of_a_narrower_filter_has_only_its_rows(committee_client, registry):
    moved = registry[:3]
    Provider.objects.filter(pk__in=[p.pk for p in moved]).update(home_region=factories.region("35"))
    rows = csv_rows(export(committee_client, "csv", home_region=factories.region("35").pk))
    assert sorted(row[1] for row in rows[1:]) == sorted(p.bin for p in moved)


def test_xlsx_export_has_every_filtered_row_not_one_page(committee_client, registry):
    response = export(committee_client, "xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    sheet = read_xlsx(response.content)
    assert sheet.max_row == 1 + ACTIVE_COUNT


def test_xlsx_export_has_only_the_columns_on_screen(committee_client, registry):
    sheet = read_xlsx(export(committee_client, "xlsx").content)
    assert [cell.value for cell in sheet[1]] == screen_headers(committee_client)


def test_xlsx_export_keeps_a_formula_like_name_as_text(committee_client, registry):
    Provider.objects.filter(pk=registry[0].pk).update(name_ru="=1+1 ОФ")
    sheet = read_xlsx(export(committee_client, "xlsx").content)
    names = {row[0].value: row[0].data_type for row in sheet.iter_rows(min_row=2)}
    assert names["=1+1 ОФ"] == "s"


def test_csv_export_defuses_a_formula_like_name(committee_client, registry):
    Provider.objects.filter(pk=registry[0].pk).update(name_ru="=1+1 ОФ")
    rows = csv_rows(export(committee_client, "csv"))
    assert "'=1+1 ОФ" in [row[0] for row in rows[1:]]


def test_an_unknown_export_format_shows_the_page(committee_client, registry):
    response = export(committee_client, "pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert [str(column.header) for column in response.context["table"].columns] == screen_headers(committee_client)


def test_the_page_links_to_both_exports_with_the_filters_kept(committee_client, registry):
    response = committee_client.get(reverse("providers:provider-list"), {"status": "active", "page": "2"})
    html = response.content.decode()
    links = {
        fmt: html_unescape(re.search(rf'href="([^"]*)" data-testid="export-{fmt}"', html).group(1))
        for fmt in ("csv", "xlsx")
    }
    assert set(links) == {"csv", "xlsx"}
    assert "status=active" in links["csv"]
    assert "export=xlsx" in links["xlsx"]
    assert "page=" not in links["csv"]


def test_an_ngo_user_cannot_export_the_registry(client, ngo_user, registry):
    client.force_login(ngo_user)
    assert export(client, "csv").status_code == 403

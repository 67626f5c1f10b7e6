"""The analytics pages: their parameters read by forms (a wrong one reported, never a failure), their tables
exported as CSV and XLSX with every row and the columns on screen, the status colours from one definition, and a
bounded number of queries whatever the data size."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.exports import XLSX_CONTENT_TYPE
from evaluation.analytics.charts import CELL_COLOURS, VERDICT_COLOURS
from evaluation.analytics.stability import Verdict
from tests import factories

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_bad_parameters_fall_back_to_defaults(client, committee, dataset):
    client.force_login(committee)
    assert client.get(reverse("evaluation:coverage"), {"year": "abc"}).context["year"] == 2026
    assert client.get(reverse("evaluation:stability"), {"first": "2030", "last": "1999"}).status_code == 200
    assert client.get(reverse("evaluation:cell", args=[999999, 1, 2025])).status_code == 404


BACKWARDS = True  # the window runs backwards: one message for the window, and the default window


@pytest.mark.parametrize(
    ("name", "params", "wrong", "backwards"),
    [
        ("evaluation:coverage", {"year": "1900", "region": "abc"}, ["year", "region"], False),
        ("evaluation:uncovered", {"year": "next"}, ["year"], False),
        (
            "evaluation:stability",
            {"first": "2025", "last": "2021", "verdict": "x", "region": "0"},
            ["verdict", "region"],
            BACKWARDS,
        ),
        ("evaluation:stability", {"first": "2030", "last": "1999"}, ["first", "last"], False),
        ("evaluation:stability-providers", {"first": "x", "verdict": "shaky"}, ["first", "verdict"], False),
        ("evaluation:stability-agencies", {"last": "99999"}, ["last"], False),
        (
            "evaluation:trends",
            {"provider": "999999", "agency": "-1", "first": "2026", "last": "2020"},
            ["provider", "agency"],
            BACKWARDS,
        ),
        ("evaluation:flags", {"kind": "nope", "year": "1800", "region": "x"}, ["kind", "year", "region"], False),
        ("evaluation:committee", {"year": "20x5"}, ["year"], False),
        ("evaluation:ranking", {"service": "999999"}, ["service"], False),
    ],
)
def test_a_wrong_parameter_is_reported_and_its_default_used(
    client, committee, english, dataset, name, params, wrong, backwards
):
    client.force_login(committee)

    response = client.get(reverse(name), params)

    assert response.status_code == 200
    form = response.context["form"]
    defaults = form.defaults()
    assert set(form.errors) - {"__all__"} == set(wrong)
    assert bool(form.non_field_errors()) is backwards
    for field in wrong + (["first", "last"] if backwards else []):
        assert form.values[field] == defaults[field], field


def test_a_backwards_window_shows_the_default_window_and_says_so(client, committee, english, dataset):
    client.force_login(committee)

    response = client.get(reverse("evaluation:stability"), {"first": "2025", "last": "2021"})

    assert (response.context["first"], response.context["last"]) == (2021, 2025)
    assert response.context["form"].non_field_errors() == [
        "The window must not end before it starts and spans at most 11 years; the default window is shown."
    ]


def test_ngos_see_the_coverage_but_not_the_analytics(client, ngo_user):
    client.force_login(ngo_user)
    assert client.get(reverse("evaluation:coverage")).status_code == 200
    for name in ("evaluation:stability", "evaluation:flags", "evaluation:committee", "evaluation:workbook"):
        assert client.get(reverse(name)).status_code == 403


# -- every table exports every row, with the columns on screen ---------------------------------------------------

TABLE_PAGES = [
    ("evaluation:uncovered", {"year": 2025}),
    ("evaluation:stability", {"first": 2021, "last": 2025}),
    ("evaluation:stability", {"first": 2021, "last": 2025, "verdict": "unfunded"}),
    ("evaluation:stability-providers", {"first": 2021, "last": 2025}),
    ("evaluation:stability-agencies", {"first": 2021, "last": 2025}),
    ("evaluation:trends", {"region": "{region}"}),
    ("evaluation:flags", {"year": 2025}),
    ("evaluation:ranking", {}),
    ("evaluation:evaluation-list", {}),
    ("evaluation:indicator-list", {}),
]


@pytest.mark.parametrize(("name", "params"), TABLE_PAGES)
def test_a_table_exports_every_filtered_row_and_the_columns_on_screen(
    client, committee, english, dataset, name, params
):
    params = {k: str(v).format(region=factories.region("75").pk) for k, v in params.items()}
    client.force_login(committee)
    page = client.get(reverse(name), params)
    table = page.context["table"]
    on_screen = [str(c.header) for c in table.columns if not c.column.exclude_from_export]

    rows = csv_rows(client.get(reverse(name), {**params, "export": "csv"}))
    workbook = client.get(reverse(name), {**params, "export": "xlsx"})

    assert len(rows) - 1 == table.paginator.count
    assert [h for h in rows[0] if h in on_screen] == on_screen
    assert workbook["Content-Type"] == XLSX_CONTENT_TYPE
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    assert sheet.max_row == len(rows)
    assert [c.value for c in sheet[1]] == rows[0]


def test_the_stability_export_holds_every_row_beyond_the_first_page(client, committee, english, dataset):
    client.force_login(committee)
    for _n in range(3):  # three more NGOs with money in the window: four in all
        factories.served_contract(start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31), region_code="71")
    window = {"first": 2021, "last": 2025}
    page = client.get(reverse("evaluation:stability-providers"), {**window, "per_page": 1})

    rows = csv_rows(client.get(reverse("evaluation:stability-providers"), {**window, "export": "csv"}))

    assert len(page.context["table"].page.object_list) == 1
    assert page.context["table"].paginator.count == 4 == len(rows) - 1


def test_the_provider_and_agency_tables_show_their_verdicts(client, committee, english, dataset):
    # The dataset's NGO and agency: served from 10 January 2024 to 31 December 2025; in the window 2021–2025 its gap
    # days run from its first contract, so none; 0, 0, 0, 1 M, 2 M: mean 0.6 M, variance (3 × 0.36 + 0.16 + 1.96) ÷ 5
    # = 0.64 (M²), so a CV of 0.8 ÷ 0.6 = 1.33 > 0.3: volatile.
    client.force_login(committee)
    contract = dataset["contract"]

    providers = csv_rows(
        client.get(reverse("evaluation:stability-providers"), {"first": 2021, "last": 2025, "export": "csv"})
    )
    agencies = csv_rows(
        client.get(reverse("evaluation:stability-agencies"), {"first": 2021, "last": 2025, "export": "csv"})
    )

    assert providers[0][0] == agencies[0][0] == "verdict"  # the verdict first, what a reader looks for
    (provider,) = [row for row in providers[1:] if row[1] == contract.provider.name]
    (agency,) = [row for row in agencies[1:] if row[1] == contract.agency.name]
    assert provider[0] == agency[0] == str(Verdict.VOLATILE.label)
    assert provider[providers[0].index("gap days")] == agency[agencies[0].index("gap days")] == "0"
    page = client.get(reverse("evaluation:stability-providers"), {"verdict": Verdict.VOLATILE})
    assert [r.provider for r in page.context["table"].data] == [contract.provider]
    assert (
        client.get(reverse("evaluation:stability-providers"), {"verdict": Verdict.STABLE})
        .context["table"]
        .paginator.count
        == 0
    )


# -- the status colours come from one definition -------------------------------------------------------------------


def test_the_status_classes_are_written_from_the_colours_the_workbook_uses(client):
    response = client.get(reverse("evaluation:statuses-css"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    css = response.content.decode()
    for status, (fill, text) in CELL_COLOURS.items():
        assert f".cell-{status} {{ background-color: {fill} !important; color: {text} !important;" in css
    for verdict, (fill, text) in VERDICT_COLOURS.items():
        assert f".verdict-{verdict} {{ background: {fill}; color: {text}; }}" in css


def test_every_analytics_page_links_the_status_classes(client, committee, dataset):
    client.force_login(committee)
    link = f'<link rel="stylesheet" href="{reverse("evaluation:statuses-css")}">'
    for name in ("evaluation:coverage", "evaluation:uncovered", "evaluation:stability", "evaluation:committee"):
        assert link in client.get(reverse(name)).content.decode(), name


# -- a bounded number of queries -----------------------------------------------------------------------------------


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

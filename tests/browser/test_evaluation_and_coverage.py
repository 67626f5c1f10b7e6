"""Results and the national picture in a real browser: (a) the council's evaluation of a contract year, from the
accepted annual report to the outcome payment; (b) the ranking and a provider's profile; (c) the national picture,
the coverage heatmap and map in three languages, an uncovered cell, the uncovered list and the workbook."""

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from contracts.models import Report
from evaluation.analytics.coverage import CellStatus
from evaluation.analytics.workbook import sheet_names
from evaluation.models import CRITERION_CODES, ResultEvaluation
from evaluation.services import conclude
from tenders.models import Call
from tests import factories
from tests.browser.helpers import (
    click_and_wait,
    label,
    money,
    panel,
    switch_user,
    text_of,
    translated,
    viewport_screenshot,
)
from tests.conftest import SCREENSHOTS, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2026
TRANCHE = 1_000_000
OUTCOME_SHARE = Decimal("20")  # 200 000 ₸ of the tranche is paid by results
TARGET, ACTUAL = Decimal("70"), Decimal("63")  # 90 % achieved: 180 000 ₸ earned, 20 000 ₸ withheld
COUNCIL_SCORES = [[4, 4, 4, 4, 4], [5, 4, 4, 3, 4], [3, 4, 4, 5, 4]]  # means 4 each: 20 of 25


def a_year_contract(*, agency=None, provider=None, actual=ACTUAL, outcome_share=None, region_code="75"):
    """A contract serving 2026 (one tranche of 1 000 000 ₸) with a target of 70 % cases closed with the plan met and
    its accepted annual report stating `actual`."""
    kwargs = {"call__outcome_share": outcome_share} if outcome_share else {}
    contract = factories.served_contract(
        start=dt.date(YEAR, 1, 1),
        end=dt.date(YEAR, 12, 31),
        amounts=[TRANCHE],
        agency=agency,
        provider=provider,
        region_code=region_code,
        periods=True,
        **kwargs,
    )
    factories.TargetFactory(contract=contract, year=YEAR, value=TARGET)
    factories.annual_report(contract, YEAR, actuals={"cm-closed-positive": actual})
    return contract


# -- (a) the council's evaluation ----------------------------------------------------------------------------------


@pytest.fixture
def council(db):
    return [
        factories.ExpertFactory(username="council-1", first_name="Динара", last_name="Абенова"),
        factories.ExpertFactory(username="council-2", first_name="Серик", last_name="Жумабаев"),
        factories.ExpertFactory(username="council-3", first_name="Ольга", last_name="Ким"),
    ]


def test_council_evaluates_a_contract_year_and_the_outcome_payment_follows(
    page, clock, officer, provider, ngo_user, council
):
    clock.move_to("2027-01-20 10:00+05:00")  # the annual report of 2026 was accepted on 11 January
    contract = a_year_contract(agency=officer.agency, provider=provider, outcome_share=OUTCOME_SHARE)
    number = contract.number

    # 1. The officer sees the accepted annual report on the contract page and opens the council's evaluation.
    login(page, officer.username)
    page.goto(contract.get_absolute_url())
    annual = page.get_by_test_id("schedule").locator("tr", has_text=translated("ru", "annual report"))
    assert label(Report.Status.ACCEPTED) in text_of(annual)
    outcomes = page.get_by_test_id("outcomes")
    assert "90 %" in text_of(outcomes), "the outcome score: 63 of a target of 70"
    screenshot(page, "evaluation-01-contract-before")
    click_and_wait(page, page.get_by_test_id(f"open-evaluation-{YEAR}"), f"**/evaluate/{YEAR}/")
    for expert in council:
        page.locator(f"input[name=evaluators][value='{expert.pk}']").check()
    screenshot(page, "evaluation-02-open-form")
    click_and_wait(
        page,
        page.get_by_role("button", name=translated("ru", "Open the evaluation")),
        re.compile(r"/evaluations/\d+/$"),
    )
    evaluation = ResultEvaluation.objects.get(contract=contract, year=YEAR)
    assert text_of(page.get_by_test_id("evaluation-status")) == label(ResultEvaluation.Status.OPEN)
    assert page.get_by_test_id("conclude").count() == 0, "no quorum yet"

    # 2. Each expert finds the evaluation on the dashboard, declares no conflict and scores the five criteria.
    for n, (expert, scores) in enumerate(zip(council, COUNCIL_SCORES, strict=True), start=1):
        switch_user(page, expert.username)
        mine = panel(page, "evaluation-mine")
        click_and_wait(page, mine.get_by_role("link", name=f"{number}, {YEAR}"), f"**{evaluation.get_absolute_url()}")
        sheet = page.get_by_test_id("my-sheet")
        sheet.locator("input[name=has_conflict][value='0']").check()
        click_and_wait(page, sheet.get_by_role("button", name=translated("ru", "Declare")))
        sheet = page.get_by_test_id("my-sheet")
        radios = sheet.locator("input[type=radio][name^=score_]")
        assert radios.count() == 5 * 6, "five criteria scored 0–5"
        for code, value in zip(CRITERION_CODES, scores, strict=True):
            sheet.locator(f"input[name=score_{code}][value='{value}']").check()
        sheet.locator("textarea[name=comment]").fill("План выполнен; устойчивость результатов подтверждена.")
        screenshot(page, f"evaluation-03-expert-{n}-scores")
        click_and_wait(page, sheet.get_by_test_id("submit-evaluation"))
        assert translated("ru", "Your scores are submitted.") in text_of(page.get_by_test_id("my-sheet"))

    # 3. The officer concludes: 20 of 25, positive.
    switch_user(page, officer.username)
    in_progress = panel(page, "evaluation-officer")
    click_and_wait(
        page, in_progress.get_by_role("link", name=f"{number}, {YEAR}"), f"**{evaluation.get_absolute_url()}"
    )
    result = text_of(page.get_by_test_id("result"))
    assert "20,00 / 25" in result
    form = page.get_by_test_id("conclude-form")
    for code in CRITERION_CODES:  # the council's conclusion on each criterion
        form.locator(f"input[name=conclusion_{code}][value=positive]").check()
        form.locator(f"textarea[name=comment_{code}]").fill("Соответствует плану.")
    click_and_wait(page, page.get_by_test_id("conclude"))
    assert text_of(page.get_by_test_id("evaluation-status")) == label(ResultEvaluation.Status.SUBMITTED)
    assert page.locator("main .badge", has_text=translated("ru", "positive")).is_visible()
    screenshot(page, "evaluation-04-concluded")

    # 4. The contract page shows the outcome score, the council's total and the outcome payment.
    page.locator("main").get_by_role("link", name=number).first.click()
    page.wait_for_url(f"**{contract.get_absolute_url()}")
    outcomes = text_of(page.get_by_test_id("outcomes"))
    assert f"{label(ResultEvaluation.Status.SUBMITTED)}, 20,00 / 25" in outcomes
    assert f"{translated('ru', 'Outcome score')}: 90 %" in outcomes
    payments = page.get_by_test_id("outcome-payments")
    row = text_of(payments.locator("tbody tr"))
    outcome_part = int(TRANCHE * OUTCOME_SHARE / 100)  # 200 000 ₸
    earned = int(outcome_part * ACTUAL / TARGET)  # 90 %: 180 000 ₸
    withheld = outcome_part - earned  # 20 000 ₸
    assert row == f"{YEAR} {money(outcome_part)} 90 % {money(earned)} {money(0)} {money(withheld)}", row
    assert payments.locator("tbody .no").count() == 1, "the withheld money is highlighted"
    screenshot(page, "evaluation-05-contract-outcome-payment")


# -- (b) the ranking and a profile -------------------------------------------------------------------------------


def test_committee_opens_the_ranking_and_a_provider_profile(page, clock, committee):
    clock.move_to("2027-01-20 10:00+05:00")
    strong = factories.ProviderFactory(name_ru="ОФ «Шапағат»")
    weak = factories.ProviderFactory(name_ru="ОФ «Жанұя»")
    a_year_contract(provider=strong, actual=Decimal("70"))
    a_year_contract(provider=strong, actual=Decimal("77"), region_code="35")
    weak_contract = a_year_contract(provider=weak, actual=Decimal("49"))
    evaluation = factories.ResultEvaluationFactory(contract=weak_contract, year=YEAR)
    for values in ([2, 2, 3, 2, 2], [3, 2, 2, 2, 2], [2, 3, 2, 2, 2]):
        factories.council_sheet(evaluation, values)
    conclude(evaluation=evaluation, acting_user=weak_contract.created_by)

    login(page, committee.username)
    click_and_wait(
        page, page.locator("#main-nav").get_by_role("link", name=translated("ru", "Ranking")), "**/ranking/"
    )
    page.select_option("#id_service", str(factories.service("case-management").pk))
    show = page.locator("main form").get_by_role("button", name=translated("ru", "Filter"))
    click_and_wait(page, show, "**service=*")
    rows = page.get_by_test_id("ranking").locator("tbody tr")
    assert rows.count() == 2
    assert strong.name_ru in text_of(rows.nth(0))
    assert text_of(rows.nth(0).locator("td").nth(4)) == "2", "two evaluated contract years"
    assert weak.name_ru in text_of(rows.nth(1))
    screenshot(page, "ranking-case-management")

    click_and_wait(page, rows.nth(1).get_by_role("link", name=weak.name_ru), f"**/providers/{weak.pk}/profile/")
    assert text_of(page.get_by_test_id("negative")) == "1", "the council's negative conclusion counts"
    assert text_of(page.get_by_test_id("on-time")) == "100 %"
    evaluations = text_of(page.locator("main table").nth(1))
    assert weak_contract.number in evaluations
    assert translated("ru", "negative") in evaluations
    screenshot(page, "profile-weak-provider")


# -- (c) the national picture and coverage -------------------------------------------------------------------------


@pytest.fixture
def coverage_data(db):
    """2026: Almaty × case management had a call that failed (one bid) while a registered NGO there did not bid;
    Karaganda × case management is served by a two-year contract."""
    failed = factories.closed_call(start_year=YEAR, status=Call.Status.FAILED, region_code="75", bids=1)
    idle = factories.ProviderFactory(name_ru="ОФ «Бірлік»", home_region=factories.region("75"))
    factories.ServiceAreaFactory(provider=idle, region=factories.region("75"))
    covered = factories.served_contract(start=dt.date(YEAR, 1, 1), end=dt.date(YEAR + 1, 12, 31), region_code="35")
    return {"failed": failed, "idle": idle, "covered": covered}


def heatmap_cell(page, region_code: str, service_code: str = "case-management"):
    region, service = factories.region(region_code), factories.service(service_code)
    link = page.get_by_test_id("heatmap").locator(
        f"a[href='{reverse('evaluation:cell', args=[region.pk, service.pk, YEAR])}']"
    )
    return link.locator(".."), link


def status_label(status: str, language: str) -> str:
    with translation.override(language):
        return str(CellStatus(status).label)


def test_committee_follows_an_uncovered_cell_and_downloads_the_workbook(page, clock, committee, coverage_data):
    failed, idle = coverage_data["failed"], coverage_data["idle"]

    # 1. The national picture from the dashboard.
    login(page, committee.username)
    open_picture = panel(page, "evaluation-committee").get_by_role(
        "link", name=translated("ru", "Open the national picture")
    )
    click_and_wait(page, open_picture, "**/committee/")
    assert page.get_by_test_id("tile-map").locator("svg").count() == 1
    screenshot(page, "committee-national-picture")

    # 2. The coverage heatmap: the failed cell and the covered one.
    nav = page.locator("main ul.nav")
    click_and_wait(page, nav.get_by_role("link", name=translated("ru", "Coverage"), exact=True), "**/coverage/")
    cell, link = heatmap_cell(page, "75")
    assert cell.get_attribute("data-status") == CellStatus.FAILED
    assert heatmap_cell(page, "35")[0].get_attribute("data-status") == CellStatus.COVERED
    assert text_of(page.get_by_test_id("kpi-covered")).startswith("1 /")
    screenshot(page, "coverage-heatmap")

    # 3. Behind the failed cell: its status and the failed call.
    click_and_wait(page, link, f"**/coverage/{factories.region('75').pk}/*/{YEAR}/")
    assert text_of(page.get_by_test_id("cell-status")) == status_label(CellStatus.FAILED, "ru")
    calls = text_of(page.get_by_test_id("cell-calls"))
    assert failed.number in calls
    assert label(Call.Status.FAILED) in calls
    assert text_of(page.get_by_test_id("cell-contracts")) == translated("ru", "none")
    screenshot(page, "coverage-cell-failed")

    # 4. The uncovered list names the failed call and the NGO registered there that did not bid.
    click_and_wait(page, page.locator("main ul.nav").get_by_role("link", name=translated("ru", "Uncovered")))
    almaty = page.get_by_test_id("uncovered").locator("tbody tr", has_text=factories.region("75").name_ru)
    almaty = almaty.filter(has_text=factories.service("case-management").name_ru)
    assert almaty.count() == 1
    row = text_of(almaty)
    assert failed.number in row
    assert idle.name_ru in row
    bidder = failed.bids.get().provider
    assert bidder.name_ru not in row, "the NGO that bid is not idle"
    viewport_screenshot(page, "coverage-uncovered", almaty)  # 200-odd rows: the window around Almaty

    # 5. The heatmap and the map in the three languages, switched with the navbar buttons.
    click_and_wait(
        page, page.locator("main ul.nav").get_by_role("link", name=translated("ru", "Coverage"), exact=True)
    )
    for language in ("kk", "en", "ru"):
        click_and_wait(page, page.locator(f"button[name=language][value={language}]"), "**/coverage/")
        assert page.locator("html").get_attribute("lang") == language
        heading = translated(language, "Coverage of special social services, %(year)s") % {"year": YEAR}
        assert text_of(page.locator("main h1")) == heading
        cell, _link = heatmap_cell(page, "75")
        assert text_of(cell).startswith(status_label(CellStatus.FAILED, language))
        map_title = translated(language, "Share of services covered by region, %(year)d") % {"year": YEAR}
        assert map_title in page.get_by_test_id("tile-map").inner_html()
        screenshot(page, f"coverage-heatmap-{language}")
        page.get_by_test_id("tile-map").screenshot(path=str(SCREENSHOTS / f"coverage-map-{language}.png"))

    # 6. The workbook: its sheets in Russian, and the README's citable id naming this snapshot.
    with page.expect_download() as download_info:
        page.get_by_test_id("download-workbook").click()
    download = download_info.value
    match = re.fullmatch(r"coverage-2026-(GSZ-2026-\d{8}-202611241000-[0-9a-f]{6})\.xlsx", download.suggested_filename)
    assert match, download.suggested_filename
    book = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    with translation.override("ru"):
        names = sheet_names()
    assert book.sheetnames == list(names.values())
    readme = book[names["readme"]]
    cells = {row[0]: row[1] for row in readme.iter_rows(values_only=True) if row and row[0]}
    assert cells[translated("ru", "Citable id")] == match.group(1)
    uncovered = [" ".join(str(v) for v in row if v) for row in book[names["uncovered"]].iter_rows(values_only=True)]
    assert any(failed.number in line and idle.name_ru in line for line in uncovered)

"""Two paths of issue 11 in a real browser: an expert on a contract's council opens the annual report the
evaluation rests on, from the evaluation page; an NGO is refused a report for a period that has not begun."""

import datetime as dt

import pytest
from django.urls import reverse

from contracts.models import Report
from evaluation import services as evaluation_services
from tests import factories
from tests.browser.helpers import click_and_wait, flash, switch_user, text_of
from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_expert_reads_the_report_of_the_contract_they_evaluate(page, clock, officer, provider):
    contract = factories.ContractFactory(agency=officer.agency, provider=provider, call__start_year=2025)
    report = factories.annual_report(contract, 2025, narrative="Сопровождено 60 семей, 112 детей.")
    council = [factories.ExpertFactory(username=f"council-{i}") for i in range(3)]
    evaluation = evaluation_services.open_evaluation(
        contract=contract, year=2025, evaluators=council, acting_user=officer
    )

    switch_user(page, "council-0")
    page.goto(evaluation.get_absolute_url())
    click_and_wait(page, page.locator(f"main a[href='{report.get_absolute_url()}']").first, "**/reports/*/")
    assert "Сопровождено 60 семей" in text_of(page.locator("main"))
    assert page.get_by_test_id("accept-report").count() == 0  # read-only
    screenshot(page, "paths-expert-reads-report")


def test_an_ngo_is_refused_a_report_before_its_period_begins(page, clock, officer, provider, ngo_user):
    contract = factories.ContractFactory(agency=officer.agency, provider=provider, call__start_year=2027)
    period = contract.periods.order_by("start").first()

    switch_user(page, ngo_user.username)
    page.goto(reverse("contracts:report-edit", args=[period.pk]))
    page.fill("#id_narrative", "Черновик.")
    page.fill("#id_children_served", "10")
    page.fill("#id_families_served", "5")
    click_and_wait(page, page.get_by_test_id("submit-report"))
    assert "01.01.2027" in flash(page)
    assert Report.objects.get(period=period).status == Report.Status.DRAFT
    screenshot(page, "paths-early-report-refused")


def test_the_officers_queue_leads_to_where_each_thing_is_done(page, clock, officer, provider):
    awarded = factories.AwardedCallFactory(agency=officer.agency, created_by=officer, number="ГСЗ-2026-75-090")
    contract = factories.ContractFactory(agency=officer.agency, provider=provider, tranches=False)
    factories.TrancheFactory(contract=contract, year=2026, planned_date=dt.date(2026, 3, 1))
    asked = factories.CallFactory(agency=officer.agency, created_by=officer, number="ГСЗ-2027-75-091")
    factories.QuestionFactory(call=asked)

    switch_user(page, officer.username)
    screenshot(page, "paths-officer-queue")
    queue = page.get_by_test_id("queue-contract")
    click_and_wait(page, queue.get_by_role("link", name=awarded.number), f"**/contracts/prepare/{awarded.pk}/")
    page.go_back()
    page.wait_for_load_state()
    click_and_wait(page, page.get_by_test_id("queue-questions").get_by_role("link", name=asked.number))
    assert page.url.endswith(f"{asked.get_absolute_url()}#qa")
    page.go_back()
    page.wait_for_load_state()
    overdue = page.get_by_test_id("payments-overdue")
    click_and_wait(page, overdue.get_by_role("link", name=contract.number), "**/payments/new/")

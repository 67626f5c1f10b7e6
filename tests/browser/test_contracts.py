"""Contracts in a real browser: from an awarded call past its standstill the officer prepares the contract and signs,
the NGO counter-signs, fills and submits a quarterly report, the officer returns it with a comment, the NGO
resubmits, the officer accepts it, records a payment and cuts the amount, and the contract is flagged."""

import re
from decimal import Decimal

import pytest

from contracts.models import Amendment, Contract, Payment, Report
from core.models import Indicator
from tenders.models import Call
from tests import factories
from tests.browser.helpers import click_and_wait, flash, label, money, panel, switch_user, text_of, translated
from tests.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PRICE = 9_000_000
CUT_TO = 8_000_000
PAID = 4_500_000
RETURN_COMMENT = "Не указаны расходы на аренду помещения; приложите ведомость по семьям."


@pytest.fixture
def awarded_call(officer, provider, ngo_user, clock):
    """A one-year call for 2027 of the officer's agency, awarded to the NGO 20 days ago (the standstill is over)."""
    call = factories.AwardedCallFactory(
        agency=officer.agency, created_by=officer, number="ГСЗ-2027-75-014", start_year=2027
    )
    factories.WinningBidFactory(call=call, provider=provider, price=Decimal(PRICE))
    factories.CallTargetFactory(call=call, year=2027, value=Decimal("70"))
    assert not call.in_standstill()
    return call


def contract_status(page) -> str:
    return text_of(page.get_by_test_id("contract-status"))


def report_status(page) -> str:
    return text_of(page.get_by_test_id("report-status"))


def test_contract_from_preparation_to_amendment(page, clock, officer, ngo_user, provider, awarded_call):
    indicator = Indicator.objects.get(code="cm-closed-positive")

    # 1. The officer prepares the contract from the call page: everything is pre-filled from the call and the bid.
    login(page, officer.username)
    page.goto(awarded_call.get_absolute_url())
    assert text_of(page.get_by_test_id("call-status")) == label(Call.Status.AWARDED)
    click_and_wait(page, page.get_by_test_id("prepare-contract"), f"**/contracts/prepare/{awarded_call.pk}/")
    assert page.input_value("#id_number") == f"Д-{awarded_call.number}"
    assert page.input_value("#id_start_date") == "2027-01-01"
    assert page.input_value("#id_end_date") == "2027-12-31"
    assert Decimal(page.input_value("#id_tranches-0-amount")) == PRICE
    assert page.input_value("#id_targets-0-indicator") == str(indicator.pk)
    screenshot(page, "contracts-01-prepare")
    submit = page.locator("main form").get_by_role("button", name=translated("ru", "Prepare the contract"))
    click_and_wait(page, submit, re.compile(r"/contracts/\d+/$"))

    contract = Contract.objects.get(call=awarded_call)
    assert contract.total == PRICE
    assert contract_status(page) == label(Contract.Status.PENDING)
    assert money(PRICE) in text_of(page.get_by_test_id("tranches"))
    click_and_wait(page, page.get_by_test_id("sign"))
    assert translated("ru", "Signed. Waiting for the other party.") in flash(page)
    assert contract_status(page) == label(Contract.Status.PENDING)
    assert page.get_by_test_id("sign").count() == 0, "the agency has signed: no second signature"
    screenshot(page, "contracts-02-agency-signed")

    # 2. The NGO counter-signs from its dashboard: the contract is active and its reporting schedule exists.
    switch_user(page, ngo_user.username)
    to_sign = panel(page, "contracts-ngo")
    click_and_wait(page, to_sign.get_by_role("link", name=contract.number), f"**{contract.get_absolute_url()}")
    click_and_wait(page, page.get_by_test_id("sign"))
    assert translated("ru", "Signed by both parties: the contract is active.") in flash(page)
    assert contract_status(page) == label(Contract.Status.ACTIVE)
    schedule = page.get_by_test_id("schedule")
    assert schedule.locator("tbody tr").count() == 5, "four quarters and the annual report"
    screenshot(page, "contracts-03-active")

    # 3. The first quarter is over: the NGO fills its report and submits it.
    clock.move_to("2027-04-02 10:00+05:00")
    switch_user(page, ngo_user.username)
    due = panel(page, "contracts-ngo").locator("li", has_text="2027 Q1")
    click_and_wait(page, due.get_by_role("link", name=contract.number), "**/report/")
    page.fill("#id_narrative", "Сопровождаются 38 детей; 12 случаев закрыты с достижением целей плана.")
    page.fill("#id_children_served", "38")
    page.fill("#id_families_served", "24")
    page.fill(f"#id_actual_{indicator.pk}", "31.5")
    page.fill("#id_expenses-0-item", "Оплата труда специалистов")
    page.fill("#id_expenses-0-amount", "1800000")
    screenshot(page, "contracts-04-report-form")
    click_and_wait(page, page.get_by_test_id("submit-report"), re.compile(r"/contracts/reports/\d+/$"))
    report = Report.objects.get(period__contract=contract, period__quarter=1)
    assert report_status(page) == label(Report.Status.SUBMITTED)
    assert page.locator("main .badge", has_text=translated("ru", "late")).count() == 0, "submitted before it is due"

    # 4. The officer returns it with a comment.
    switch_user(page, officer.username)
    to_review = panel(page, "contracts-officer").locator("li", has_text="2027 Q1")
    click_and_wait(page, to_review.get_by_role("link", name=contract.number), f"**{report.get_absolute_url()}")
    page.fill("textarea[name=comment]", RETURN_COMMENT)
    click_and_wait(page, page.get_by_test_id("return-report"))
    assert report_status(page) == label(Report.Status.RETURNED)
    assert RETURN_COMMENT in text_of(page.locator("main"))
    screenshot(page, "contracts-05-report-returned")

    # 5. The NGO sees the comment, corrects the report and resubmits it.
    switch_user(page, ngo_user.username)
    heading = page.get_by_role("heading", name=translated("ru", "Returned for correction"))
    returned = panel(page, "contracts-ngo").locator("div", has=heading).last.locator("li", has_text="2027 Q1")
    click_and_wait(page, returned.get_by_role("link", name=contract.number), "**/report/")
    assert RETURN_COMMENT in text_of(page.locator("main .alert-warning"))
    page.fill("#id_families_served", "26")
    page.fill("#id_expenses-1-item", "Аренда помещения")
    page.fill("#id_expenses-1-amount", "300000")
    click_and_wait(page, page.get_by_test_id("submit-report"), f"**{report.get_absolute_url()}")
    assert report_status(page) == label(Report.Status.SUBMITTED)
    assert "Аренда помещения" in text_of(page.locator("main"))
    screenshot(page, "contracts-06-report-resubmitted")

    # 6. The officer accepts it.
    switch_user(page, officer.username)
    to_review = panel(page, "contracts-officer").locator("li", has_text="2027 Q1")
    click_and_wait(page, to_review.get_by_role("link", name=contract.number), f"**{report.get_absolute_url()}")
    click_and_wait(page, page.get_by_test_id("accept-report"))
    assert report_status(page) == label(Report.Status.ACCEPTED)
    screenshot(page, "contracts-07-report-accepted")

    # 7. The officer records the payment of the tranche's fixed part (on its planned date).
    tranche = contract.tranches.get()
    page.locator("main").get_by_role("link", name=contract.number).click()
    page.wait_for_url(f"**{contract.get_absolute_url()}")
    click_and_wait(page, page.get_by_role("link", name=translated("ru", "Record a payment")), "**/payments/new/")
    page.select_option("#id_tranche", str(tranche.pk))
    page.select_option("#id_kind", Payment.Kind.FIXED)
    page.fill("#id_date", tranche.planned_date.isoformat())
    page.fill("#id_amount", str(PAID))
    click_and_wait(
        page, page.get_by_role("button", name=translated("ru", "Record")), f"**{contract.get_absolute_url()}"
    )
    assert translated("ru", "The payment is recorded.") in flash(page)
    tranches = text_of(page.get_by_test_id("tranches"))
    assert f"{money(PAID)} / {money(PRICE)}" in tranches, tranches
    assert translated("ru", "paid late") not in tranches
    screenshot(page, "contracts-08-payment")

    # 8. A budget cut: the officer lowers the amount; the contract shows the "value reduced" flag.
    click_and_wait(page, page.get_by_role("link", name=translated("ru", "Amount"), exact=True), "**/amend/amount/")
    assert Decimal(page.input_value("#id_amount_2027")) == PRICE
    page.fill("#id_amount_2027", str(CUT_TO))
    page.fill("#id_effective_date", "2027-04-01")
    page.select_option("#id_reason_code", Amendment.Reason.BUDGET_CUT)
    page.fill("#id_reason_text", "Сокращение местного бюджета на 2027 год.")
    screenshot(page, "contracts-09-amendment-form")
    click_and_wait(
        page, page.get_by_role("button", name=translated("ru", "Record")), f"**{contract.get_absolute_url()}"
    )
    assert translated("ru", "The amendment is recorded.") in flash(page)
    header = page.get_by_test_id("contract-status").locator("..")
    assert page.get_by_text(translated("ru", "value reduced"), exact=True).is_visible()
    assert translated("ru", "value reduced") in text_of(header)
    assert money(CUT_TO) in text_of(page.locator("main dl"))
    assert f"{money(PAID)} / {money(CUT_TO)}" in text_of(page.get_by_test_id("tranches"))
    assert page.locator("main table tr.table-danger").count() == 1, "the reduction is highlighted in the amendments"
    contract.refresh_from_db()
    assert contract.total == CUT_TO
    assert contract.status == Contract.Status.ACTIVE
    screenshot(page, "contracts-10-value-reduced")

"""The competition cycle in a real browser: an officer drafts and publishes a call through the form, an NGO finds it
on its dashboard and bids, the clock passes the deadline, the officer opens the bids, appoints a commission of
three and admits the bid, every member declares and scores, and the officer awards the call to the single bid."""

import re

import pytest
from django.utils import translation

from providers.models import StaffMember
from tenders.models import Bid, Call
from tests import factories
from tests.browser.helpers import click_and_wait, label, money, panel, switch_user, text_of, translated
from tests.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMBER = "ГСЗ-2027-75-001"
TITLE = "Кейс-менеджмент для детей в трудной жизненной ситуации, Алматы"
BUDGET = {2027: 12_000_000, 2028: 13_000_000}
PRICE = 23_500_000
SCORES = {"officer": 8, "expert-1": 7, "expert-2": 9}  # every criterion; the result is their mean, 80 of 100


@pytest.fixture
def experts(db):
    return [
        factories.ExpertFactory(username="expert-1", first_name="Айгуль", last_name="Сейткали"),
        factories.ExpertFactory(username="expert-2", first_name="Ержан", last_name="Мукашев"),
    ]


@pytest.fixture
def bidder(provider, ngo_user):
    """The NGO: a service area matching the call and three staff whose certificates are current on the deadline."""
    factories.ServiceAreaFactory(
        provider=provider, region=factories.region("75"), service_type=factories.service("case-management")
    )
    for name, position in (
        ("Асель Нурланова", StaffMember.Position.SOCIAL_WORKER),
        ("Марат Ахметов", StaffMember.Position.PSYCHOLOGIST),
        ("Гульнара Исаева", StaffMember.Position.SOCIAL_WORKER),
    ):
        factories.StaffMemberFactory(provider=provider, full_name=name, position=position)
    return provider


def call_status(page) -> str:
    return text_of(page.get_by_test_id("call-status"))


def bid_row(page):
    rows = page.get_by_test_id("bid-row")
    assert rows.count() == 1
    return rows.first


# -- the officer drafts and publishes -------------------------------------------------------------------------------


def draft_call(page) -> None:
    page.fill("#id_number", NUMBER)
    page.fill("#id_title_ru", TITLE)
    page.fill("#id_description_ru", "Сопровождение детей и семей по месту жительства, межведомственная координация.")
    page.select_option("#id_region", str(factories.region("75").pk))
    page.select_option("#id_service_type", str(factories.service("case-management").pk))
    page.fill("#id_target_group", "Дети в трудной жизненной ситуации и их семьи")
    page.fill("#id_start_year", "2027")
    page.fill("#id_duration_years", str(len(BUDGET)))
    page.fill("#id_opens_at", "2026-11-24T09:00")
    page.fill("#id_deadline", "2026-12-10T18:00")
    page.fill("#id_min_qualified_staff", "3")
    page.fill("#id_min_experience_years", "2")
    page.fill("#id_min_winning_score", "50")
    page.fill("#id_quorum", "3")
    for i, (year, amount) in enumerate(BUDGET.items()):
        page.fill(f"#id_budget-{i}-year", str(year))
        page.fill(f"#id_budget-{i}-amount", str(amount))
        page.select_option(f"#id_budget-{i}-funding_source", "local")


def test_call_from_draft_to_award(page, clock, officer, experts, bidder, ngo_user):
    # 1. The officer drafts the call from the dashboard; the default criteria are there already.
    login(page, officer.username)
    panel(page, "tenders-officer").get_by_role("link", name=translated("ru", "Draft a call")).click()
    page.wait_for_url("**/calls/new/")
    weights = [int(page.input_value(f"#id_criteria-{i}-weight")) for i in range(5)]
    assert sum(weights) == 100, "the default criteria are pre-filled and weigh 100"
    assert page.input_value("#id_criteria-0-name_ru")
    draft_call(page)
    screenshot(page, "competition-01-call-form")
    click_and_wait(
        page, page.get_by_role("button", name=translated("ru", "Save the draft")), re.compile(r"/calls/\d+/$")
    )

    call = Call.objects.get(number=NUMBER)
    assert call.status == Call.Status.DRAFT
    assert call_status(page) == label(Call.Status.DRAFT)
    assert "status-call-draft" in page.get_by_test_id("call-status").get_attribute("class")
    assert page.locator("[data-testid=officer-actions] .alert-warning").count() == 0, "nothing stops publication"
    assert money(sum(BUDGET.values())) in text_of(page.locator("main"))
    screenshot(page, "competition-02-draft")

    click_and_wait(page, page.get_by_role("button", name=translated("ru", "Publish")))
    assert call_status(page) == label(Call.Status.PUBLISHED)
    assert page.get_by_text(translated("ru", "accepting bids"), exact=True).is_visible()
    assert text_of(page.get_by_test_id("bid-count")) == translated("ru", "sealed until the deadline")
    screenshot(page, "competition-03-published")

    # 2. The NGO finds the call among the open calls of its service areas and prepares a bid.
    switch_user(page, ngo_user.username)
    open_calls = panel(page, "tenders-ngo")
    assert NUMBER in text_of(open_calls)
    screenshot(page, "competition-04-ngo-dashboard")
    click_and_wait(page, open_calls.get_by_role("link", name=NUMBER), f"**{call.get_absolute_url()}")
    click_and_wait(page, page.get_by_test_id("start-bid"), "**/calls/bids/*/edit/")

    checks = page.get_by_test_id("qualification")
    assert checks.locator(".no").count() == 1, "no staff in the plan yet: the staff requirement is not met"
    page.fill("#id_price", str(PRICE))
    page.fill("#id_proposal", "Индивидуальные планы сопровождения, мобильная бригада, работа с семьёй и школой.")
    staff = page.locator("input[name=staff]")
    assert staff.count() == 3
    for i in range(3):
        staff.nth(i).check()
    page.fill("#id_items-0-year", "2027")
    page.fill("#id_items-0-item", "Оплата труда специалистов")
    page.fill("#id_items-0-amount", "9000000")
    click_and_wait(page, page.get_by_role("button", name=translated("ru", "Save the draft")))
    checks = page.get_by_test_id("qualification")
    assert checks.locator(".yes").count() == 4, text_of(checks)
    assert checks.locator(".no").count() == 0
    bid = Bid.objects.get(call=call, provider=bidder)
    assert bid.status == Bid.Status.DRAFT
    assert bid.staff.count() == 3
    screenshot(page, "competition-05-bid-qualification")

    click_and_wait(page, page.get_by_test_id("submit-bid"), f"**{bid.get_absolute_url()}")
    assert text_of(page.get_by_test_id("bid-status")) == label(Bid.Status.SUBMITTED)
    screenshot(page, "competition-06-bid-submitted")

    # 3. The deadline passes; the officer opens the bids from the work queue.
    clock.move_to("2026-12-11 09:00+05:00")
    switch_user(page, officer.username)
    queue = panel(page, "tenders-officer")
    click_and_wait(page, queue.get_by_role("link", name=NUMBER), f"**{call.get_absolute_url()}")
    click_and_wait(page, page.get_by_test_id("open-bids"))
    assert call_status(page) == label(Call.Status.EVALUATION)
    bid_count = text_of(page.get_by_test_id("bid-count"))
    assert bid_count.startswith("1")
    assert translated("ru", "single bid") in bid_count
    screenshot(page, "competition-07-bids-opened")

    # 4. The commission: the officer (chair) and two experts.
    click_and_wait(page, page.get_by_role("link", name=translated("ru", "Commission"), exact=True))
    for user, chair in ((officer, True), (experts[0], False), (experts[1], False)):
        page.select_option("#id_user", str(user.pk))
        if chair:
            page.check("#id_is_chair")
        click_and_wait(page, page.get_by_test_id("appoint-form").get_by_role("button"))
    members = text_of(page.locator("main table"))
    for user in (officer, *experts):
        assert user.get_full_name() in members
    assert translated("ru", "chair") in members
    with translation.override("ru"):
        below = translation.ngettext(
            "Fewer than %(quorum)s member: bids cannot reach quorum.",
            "Fewer than %(quorum)s members: bids cannot reach quorum.",
            3,
        ) % {"quorum": 3}
    assert page.get_by_text(below).count() == 0
    screenshot(page, "competition-08-commission")

    # 5. The officer admits the bid.
    page.get_by_role("link", name=NUMBER).click()
    page.wait_for_url(f"**{call.get_absolute_url()}")
    click_and_wait(page, page.get_by_role("link", name=translated("ru", "Bids"), exact=True), "**/bids/")
    row = bid_row(page)
    assert label(Bid.Status.SUBMITTED) in text_of(row)
    click_and_wait(page, row.get_by_role("button", name=translated("ru", "Admit")))
    assert label(Bid.Status.ADMITTED) in text_of(bid_row(page))
    screenshot(page, "competition-09-bid-admitted")

    # 6. Each member declares no conflict and scores every criterion.
    for n, member in enumerate((officer, *experts), start=1):
        if member != officer:
            switch_user(page, member.username)
            seats = panel(page, "tenders-commission")
            click_and_wait(page, seats.get_by_role("link", name=NUMBER), "**/bids/")
        row = bid_row(page)
        row.locator("input[name=has_conflict][value='0']").check()
        click_and_wait(page, row.get_by_role("button", name=translated("ru", "Declare")))
        click_and_wait(page, bid_row(page).get_by_role("link", name=translated("ru", "Score")), "**/score/")
        fields = page.locator("input[name^=score_]")
        assert fields.count() == call.criteria.count()
        for i in range(fields.count()):
            fields.nth(i).fill(str(SCORES[member.username]))
        screenshot(page, f"competition-10-score-{n}")
        click_and_wait(page, page.get_by_test_id("submit-scores"), "**/bids/")
        sheets = translated("ru", "%(n)s of %(q)s sheets") % {"n": n, "q": 3}
        assert sheets in text_of(bid_row(page))

    # 7. Every admitted bid has quorum: the officer awards the call to the single bid.
    switch_user(page, officer.username)
    click_and_wait(page, panel(page, "tenders-officer").get_by_role("link", name=NUMBER), "**/bids/")
    assert "80,00" in text_of(bid_row(page)), "the score is the mean of the three sheets"
    page.get_by_role("heading", level=1).get_by_role("link", name=NUMBER).click()
    page.wait_for_url(f"**{call.get_absolute_url()}")
    click_and_wait(page, page.get_by_test_id("award"))
    assert call_status(page) == label(Call.Status.AWARDED)
    results = text_of(page.get_by_test_id("results"))
    assert bidder.name_ru in results
    assert label(Bid.Status.WINNER) in results
    screenshot(page, "competition-11-awarded")

    # 8. The NGO sees its bid won.
    switch_user(page, ngo_user.username)
    assert f"{NUMBER} — {label(Bid.Status.WINNER)}" in text_of(panel(page, "tenders-ngo"))
    screenshot(page, "competition-12-ngo-dashboard-winner")

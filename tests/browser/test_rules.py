"""The rules in force in a real browser, in Russian, Kazakh and English: the call form's earliest deadline, the
admin's rules in force, the council's per-criterion conclusion and its printable form, the price per child on the
contract and coverage pages. Screenshots go to screenshots/rules-*.png."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import PriceLimit
from evaluation.models import CRITERION_CODES
from evaluation.services import conclude
from tests import factories
from tests.browser.helpers import switch_user, text_of, translated
from tests.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ("ru", "kk", "en")


def in_language(page, live_server, language: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])


def test_the_rules_pages_in_three_languages(page, live_server, clock, officer, committee, admin_user):
    clock.move_to("2026-11-24 10:00+05:00")  # Tuesday: 5 working days → Tuesday 1 December
    contract = factories.served_contract(
        start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), amounts=[1_200_000], agency=officer.agency
    )
    factories.annual_report(contract, 2025, children_served=20)  # 60 000 ₸ per child
    PriceLimit.objects.create(
        service_type=contract.service_type, year=2025, min_per_child=Decimal(10_000), max_per_child=Decimal(50_000)
    )
    evaluation = factories.ResultEvaluationFactory(contract=contract, year=2025)
    for values in ([4, 4, 4, 4, 4], [4, 4, 4, 4, 4], [4, 4, 4, 4, 4]):
        factories.council_sheet(evaluation, values)
    conclusions = {code: (True, "") for code in CRITERION_CODES} | {"long_term": (False, "Эффект не подтверждён")}
    conclude(evaluation=evaluation, acting_user=officer, conclusions=conclusions)

    login(page, officer.username)
    for language in LANGUAGES:
        in_language(page, live_server, language)
        page.goto(reverse("tenders:call-create"))
        hint = text_of(page.locator("#id_deadline_helptext, #id_deadline + .form-text, main").first)
        assert "01.12.2026" in hint
        screenshot(page, f"rules-call-form-{language}")

        page.goto(evaluation.get_absolute_url())
        section = page.get_by_test_id("council-conclusion")
        assert translated(language, "Conclusion of the expert council") in text_of(section)
        assert "Эффект не подтверждён" in text_of(section)
        rule = text_of(page.get_by_test_id("agency-rule"))
        assert translated(language, "no criterion has a negative conclusion") in rule
        assert text_of(page.get_by_test_id("print")) == translated(language, "Print")
        screenshot(page, f"rules-evaluation-{language}")
        page.emulate_media(media="print")
        screenshot(page, f"rules-evaluation-print-{language}")
        page.emulate_media(media="screen")

        page.goto(contract.get_absolute_url())
        prices = page.get_by_test_id("price-per-child")
        assert translated(language, "price outside limits") in text_of(prices)
        screenshot(page, f"rules-contract-prices-{language}")

    switch_user(page, committee.username)
    for language in LANGUAGES:
        in_language(page, live_server, language)
        page.goto(reverse("evaluation:coverage") + "?year=2025")
        spread = page.get_by_test_id("price-spread")
        assert translated(language, "Price per child served, %(year)s") % {"year": 2025} in text_of(spread)
        spread.scroll_into_view_if_needed()
        screenshot(page, f"rules-coverage-prices-{language}")
        page.goto(reverse("evaluation:flags") + "?kind=price-limit")
        screenshot(page, f"rules-flags-{language}")

    switch_user(page, admin_user.username)
    for language in LANGUAGES:
        in_language(page, live_server, language)
        page.goto(reverse("admin:index"))
        rules = text_of(page.locator("#rules-in-force")).lower()
        assert str(translated(language, "Rules in force: call timelines")).lower() in rules
        assert "()" not in rules
        screenshot(page, f"rules-admin-{language}")

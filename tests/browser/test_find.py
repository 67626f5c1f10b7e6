"""Finding things, the inbox and printing in a real browser: search from the navigation bar (ru, kk, en, a phone),
the bell and the inbox, and the printed evaluation protocol without navigation."""

import datetime as dt

import pytest
from django.utils import timezone

from core.models import Notification
from tenders import services
from tenders.models import Bid, Call
from tests import factories
from tests.browser.helpers import translated
from tests.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1] + 1, f"page is wider than the viewport: {widths}"


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_search_from_the_navigation_bar_finds_kazakh_names_in_any_case(page, language):
    officer = factories.OfficerFactory(username="officer", preferred_language=language)
    factories.ProviderFactory(name_ru="ОФ Камкор", name_kk="«ҚАМҚОР ҮЙІ» қоғамдық қоры")
    call = factories.CallFactory(number="ГСЗ-ӘЛЕМ-1", agency=officer.agency)
    login(page, "officer")
    page.locator("#nav-search-q").fill("қамқор")
    page.locator("form.app-nav-search button[type=submit]").click()
    page.wait_for_url("**/search/?q=*")
    assert page.locator("[data-search-kind=providers] li").count() == 1
    page.locator("#search-page-q").fill("гсз-әлем")
    page.locator("form.app-search-page button[type=submit]").click()
    page.locator("[data-search-kind=calls] a").click()
    page.wait_for_url(f"**{call.get_absolute_url()}")
    screenshot(page, f"find-search-{language}")


def test_search_fits_a_phone(page):
    factories.OfficerFactory(username="officer")
    factories.ProviderFactory(name_ru="ОФ Камкор с очень длинным названием организации для проверки переноса строк")
    login(page, "officer")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/search/?q=камкор")
    assert page.locator("[data-search-kind=providers] li").count() == 1
    no_sideways_scroll(page)
    screenshot(page, "find-search-phone")


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_the_bell_counts_unread_messages_and_the_inbox_opens_the_object(page, language):
    user = factories.NgoUserFactory(username="ngo", preferred_language=language)
    call = factories.CallFactory()
    Notification.objects.create(
        recipient=user, subject="Итоги конкурса", body="Итоги опубликованы.", link=call.get_absolute_url()
    )
    Notification.objects.create(recipient=user, subject="Прочитанное", read_at=timezone.now())
    login(page, "ngo")
    assert page.locator("[data-testid=inbox-count]").inner_text() == "1"
    page.locator("[data-testid=inbox-bell]").click()
    page.wait_for_url("**/inbox/")
    assert page.locator("[data-testid=inbox-message][data-read=no]").count() == 1
    screenshot(page, f"find-inbox-{language}")
    page.locator("[data-testid=inbox-message][data-read=no] button", has_text=translated(language, "Open")).click()
    page.wait_for_url(f"**{call.get_absolute_url()}")
    assert page.locator("[data-testid=inbox-count]").count() == 0


def test_the_inbox_fits_a_phone(page):
    user = factories.NgoUserFactory(username="ngo")
    for n in range(3):
        Notification.objects.create(
            recipient=user, subject=f"Напоминание: отчёт по договору ГСЗ-2027-{n:04d} ждёт", link="/"
        )
    login(page, "ngo")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/inbox/")
    no_sideways_scroll(page)
    screenshot(page, "find-inbox-phone")


def protocol_call(officer):
    now = timezone.now()
    call = factories.CallFactory(
        agency=officer.agency,
        criteria=[50, 50],
        quorum=1,
        opens_at=now - dt.timedelta(days=30),
        deadline=now - dt.timedelta(days=10),
        opened_at=now - dt.timedelta(days=10),
        status=Call.Status.AWARDED,
        decided_at=now - dt.timedelta(days=2),
    )
    member = factories.CommissionMemberFactory(
        call=call, user=factories.ExpertFactory(last_name="Ахметова"), is_chair=True
    )
    bid = factories.BidFactory(call=call, status=Bid.Status.WINNER, submitted_at=now - dt.timedelta(days=11))
    factories.ConflictDeclarationFactory(member=member, bid=bid, has_conflict=False)
    factories.score_sheet(member, bid, [8, 6])
    return call


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_the_protocol_prints_without_navigation(page, language):
    officer = factories.OfficerFactory(username="officer", preferred_language=language)
    call = protocol_call(officer)
    login(page, "officer")
    page.goto(call.get_absolute_url())
    page.locator("[data-testid=protocol-link]").click()
    page.wait_for_url("**/protocol/")
    assert page.locator("[data-testid=print]").is_visible()
    assert page.locator("nav.app-navbar").is_visible()
    screenshot(page, f"find-protocol-{language}")
    page.emulate_media(media="print")
    assert not page.locator("nav.app-navbar").is_visible()
    assert not page.locator("footer.app-footer").is_visible()
    assert not page.locator("[data-testid=print]").is_visible()
    assert page.locator("[data-testid=protocol-bid]").is_visible()
    assert page.locator("[data-testid=protocol-decision]").is_visible()
    screenshot(page, f"find-protocol-print-{language}")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def test_the_protocol_fits_a_phone(page):
    officer = factories.OfficerFactory(username="officer")
    call = protocol_call(officer)
    login(page, "officer")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{call.get_absolute_url()}protocol/")
    no_sideways_scroll(page)
    screenshot(page, "find-protocol-phone")


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_agency_filter_tells_agencies_apart_and_the_call_page_shows_complaint_decisions(page, language):
    officer = factories.OfficerFactory(username="officer", preferred_language=language)
    same = "Управление координации занятости и социальных программ"
    for code in ("75", "35"):
        agency = factories.AgencyFactory(name_ru=same, short_name_ru="УКЗСП", region=factories.region(code))
        factories.CallFactory(agency=agency)
    call = factories.CallFactory(agency=officer.agency)
    complaint = factories.ComplaintFactory(call=call)
    services.decide_complaint(complaint=complaint, acting_user=officer, upheld=False, decision="Срок достаточен.")
    login(page, "officer")
    page.goto("/calls/")
    labels = page.locator("select[name=agency] option").all_inner_texts()
    ukzsp = [label for label in labels if label.startswith("УКЗСП")]
    assert len(ukzsp) == 2
    assert len(set(ukzsp)) == 2
    screenshot(page, f"find-call-list-{language}")
    page.goto(call.get_absolute_url())
    assert "Срок достаточен." in page.locator("[data-testid=complaint-decisions]").inner_text()
    screenshot(page, f"find-call-decisions-{language}")
    page.set_viewport_size({"width": 390, "height": 844})
    no_sideways_scroll(page)


@pytest.mark.parametrize("width", [390, 992, 1100, 1366])
def test_the_navigation_bar_with_search_and_bell_fits(page, width):
    factories.OfficerFactory(
        username="officer", preferred_language="kk", first_name="Гүлнәр", last_name="Сыздықова-Нұрмағамбетова"
    )
    login(page, "officer")
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/dashboard/")
    no_sideways_scroll(page)
    if width >= 992:
        assert page.locator("#nav-search-q").is_visible()
        assert page.locator("[data-testid=inbox-bell]").is_visible()
    screenshot(page, f"find-navbar-{width}")

"""Small helpers shared by the end-to-end browser tests (not a test module: pytest collects test_*.py only)."""

import re

from django.utils import translation

from tests import factories
from tests.conftest import SCREENSHOTS, login

NBSP = "\u00a0"


def translated(language: str, text: str) -> str:
    """Return what the page shows for `text` in a language."""
    with translation.override(language):
        return str(translation.gettext(text))


def label(choice, language: str = "ru") -> str:
    """Return a model choice's label (e.g. Call.Status.PUBLISHED) as the page shows it in a language."""
    with translation.override(language):
        return str(choice.label)


def text_of(locator) -> str:
    """Return a locator's visible text with non-breaking spaces (money, numbers) turned into plain spaces."""
    return " ".join(locator.inner_text().replace(NBSP, " ").split())


def money(amount: int) -> str:
    """Return an amount in tenge as the Russian pages write it (after text_of): 12 000 000 ₸."""
    return f"{amount:,}".replace(",", " ") + " ₸"


def switch_user(page, username: str, password: str = factories.PASSWORD) -> None:
    """Log out whoever is logged in (by dropping the cookies) and log in as `username` through the form. Also the
    way back in after the clock jumps: a session older than two weeks of the moved clock has expired."""
    page.context.clear_cookies()
    login(page, username, password)


def click_and_wait(page, locator, url_pattern: str | re.Pattern | None = None) -> None:
    """Click something that submits a form or follows a link, and wait for the page it leads to."""
    with page.expect_navigation():
        locator.click()
    if url_pattern is not None:
        page.wait_for_url(url_pattern)
    page.wait_for_load_state()


def flash(page) -> str:
    """Return the text of the messages shown at the top of <main>."""
    return " ".join(t.replace(NBSP, " ") for t in page.locator("main > .alert").all_inner_texts())


def panel(page, key: str):
    """Return a dashboard panel by its key."""
    return page.locator(f"[data-panel='{key}']")


def viewport_screenshot(page, name: str, locator=None) -> None:
    """Save what the window shows (scrolled to `locator` first) — for pages too long for a full-page screenshot."""
    SCREENSHOTS.mkdir(exist_ok=True)
    if locator is not None:
        locator.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))

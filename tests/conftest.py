"""Shared fixtures: reference data, one user per role, the clock, and the browser."""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from django.db import connection
from hypothesis import settings as hypothesis_settings

from core.documents import private_storage
from core.models import Region
from core.reference import load_reference
from tests import factories

hypothesis_settings.register_profile("default", deadline=None)
hypothesis_settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server", "client", "admin_client"}


# -- database ---------------------------------------------------------------------------------------------------


def pytest_configure(config):
    """Hash test passwords quickly: the suite creates thousands of users (production keeps PBKDF2)."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run synchronously, inside the request or command that enqueues them.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # The apps' tasks were declared (and the backends read) while Django started: read the setting again.
    from asgiref.local import Local
    from django_tasks import task_backends

    task_backends._settings = None
    task_backends.__dict__.pop("settings", None)
    task_backends._connections = Local(task_backends.thread_critical)
    # On SQLite the live server's request threads share the test's one in-memory connection; two requests at once
    # (a page's htmx panels load together) could deadlock on it. Serve one request at a time there (the server
    # then closes each connection, so the browser never waits on a kept-alive one); PostgreSQL stays threaded.
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        from django.test.testcases import LiveServerThread

        LiveServerThread.server_class = OneRequestAtATimeServer


class OneRequestAtATimeServer(WSGIServer):
    """The live server without request threads: the server's own thread already uses the test's connections."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config, items):
    """Skip `postgres` tests on SQLite, saying why; CI runs them on PostgreSQL and fails if none ran."""
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://… (CI does)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)


_postgres_passed = []


def pytest_runtest_logreport(report):
    if report.when == "call" and report.passed and "postgres" in report.keywords:
        _postgres_passed.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput"):
        return  # an xdist worker: the controller sees every worker's reports and decides
    if os.environ.get("REQUIRE_POSTGRES_TESTS") == "1" and not _postgres_passed and exitstatus == 0:
        session.config.get_terminal_writer().line("FAILED: no test marked `postgres` ran on PostgreSQL.", red=True)
        session.exitstatus = 1


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the reference rows once into the new test database (tests roll back and keep them)."""
    with django_db_blocker.unblock():
        load_reference()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Make sure the reference rows exist: transactional tests flush every table after they run."""
    uses_db = request.node.get_closest_marker("django_db") or DB_FIXTURES & set(request.fixturenames)
    if not uses_db:
        return
    request.getfixturevalue("_django_db_helper")
    if not Region.objects.exists():
        load_reference()


@pytest.fixture
def clock():
    """A movable clock (time-machine): `clock.move_to("2026-03-01 10:00+05:00")` moves now()."""
    import time_machine

    with time_machine.travel("2026-11-24 10:00:00+05:00", tick=False) as traveller:
        yield traveller


@contextmanager
def private_media_at(path) -> Iterator[None]:
    """Store private documents under `path` instead of MEDIA_ROOT while the block runs.

    The private storage was built with the MEDIA_ROOT of import time and caches its location, so the cache goes
    too (core/documents.PrivateStorage passes `location` explicitly)."""
    saved = private_storage._location
    private_storage._location = str(path)
    for name in ("base_location", "location"):
        private_storage.__dict__.pop(name, None)
    try:
        yield
    finally:
        private_storage._location = saved
        for name in ("base_location", "location"):
            private_storage.__dict__.pop(name, None)


# -- one user per role ------------------------------------------------------------------------------------------


@pytest.fixture
def agency(db):
    return factories.AgencyFactory(region=factories.region("75"))


@pytest.fixture
def other_agency(db):
    return factories.AgencyFactory(region=factories.region("35"))


@pytest.fixture
def officer(agency):
    return factories.OfficerFactory(username="officer", agency=agency)


@pytest.fixture
def other_officer(other_agency):
    return factories.OfficerFactory(username="other-officer", agency=other_agency)


@pytest.fixture
def expert(db):
    return factories.ExpertFactory(username="expert")


@pytest.fixture
def committee(db):
    return factories.CommitteeFactory(username="committee")


@pytest.fixture
def admin_user(db):
    return factories.AdminFactory(username="admin")


@pytest.fixture
def provider(db):
    return factories.ProviderFactory(home_region=factories.region("75"))


@pytest.fixture
def other_provider(db):
    return factories.ProviderFactory(home_region=factories.region("35"))


@pytest.fixture
def ngo_user(provider):
    return factories.NgoUserFactory(username="ngo", provider=provider)


@pytest.fixture
def other_ngo_user(other_provider):
    return factories.NgoUserFactory(username="other-ngo", provider=other_provider)


@pytest.fixture
def users(officer, other_officer, expert, ngo_user, other_ngo_user, committee, admin_user):
    """Every role of the permission matrix, by name."""
    return {
        "anonymous": None,
        "officer": officer,
        "other_officer": other_officer,
        "expert": expert,
        "ngo": ngo_user,
        "other_ngo": other_ngo_user,
        "committee": committee,
        "admin": admin_user,
    }


# -- browser ----------------------------------------------------------------------------------------------------


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; skipped only when no Chromium is installed (never in CI)."""
    executable = chromium_path()
    if not executable:
        message = "Chromium not found: install it with `apt-get install chromium` (never `playwright install`)."
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop beside the ORM
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page whose relative URLs go to the live server; fails the test on a CSP violation."""
    context = browser.new_context(base_url=live_server.url, locale="ru-RU", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield page
    context.close()
    assert not violations, f"content security policy violations: {violations}"


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under the git-ignored screenshots/ folder."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, username: str, password: str = factories.PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/dashboard/")

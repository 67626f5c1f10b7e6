"""Settings: Almaty time, a clean deployment check in production, the content security policy, login required."""

import datetime as dt
import os
import secrets
import subprocess
import sys
from importlib import metadata
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.urls import reverse
from django.utils import timezone

from tests import factories

ALMATY = ZoneInfo("Asia/Almaty")


def test_the_time_zone_is_almaty():
    assert settings.TIME_ZONE == "Asia/Almaty"
    assert settings.USE_TZ


def test_tzdata_is_installed_so_the_offset_does_not_depend_on_the_system():
    assert metadata.version("tzdata")


def test_the_suite_hashes_passwords_quickly(db):
    """tests/conftest.py sets the MD5 hasher once for the whole suite; no test module needs to set it again."""
    assert get_hasher().algorithm == "md5"
    assert factories.UserFactory().password.startswith("md5$")
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize("day", [dt.date(2025, 1, 15), dt.date(2025, 7, 15), dt.date(2025, 12, 31)])
def test_almaty_is_utc_plus_five_throughout_2025(day):
    moment = dt.datetime.combine(day, dt.time(12), tzinfo=ZoneInfo(settings.TIME_ZONE))
    assert moment.utcoffset() == dt.timedelta(hours=5)


def test_almaty_was_utc_plus_six_before_march_2024():
    # The switch on 1 March 2024 is why tzdata is pinned: an old system database would still say +6.
    assert dt.datetime(2024, 2, 1, 12, tzinfo=ALMATY).utcoffset() == dt.timedelta(hours=6)


def test_local_time_is_computed_in_almaty():
    utc = dt.datetime(2025, 6, 1, 20, 0, tzinfo=dt.UTC)
    local = timezone.localtime(utc)
    assert (local.date(), local.hour) == (dt.date(2025, 6, 2), 1)


# -- deployment check -------------------------------------------------------------------------------------------


def run_manage(*args: str, **env_overrides: str | None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests in this process, never in a deployment
    for name, value in env_overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(  # noqa: S603 - our own manage.py with the running interpreter
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env() -> dict[str, str | None]:
    return {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "gsz.example.kz",
        "DEBUG": None,
        "SECURE_SSL_REDIRECT": None,
        "SECURE_HSTS_SECONDS": None,
    }


def test_the_deployment_check_passes_in_production():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", **{**production_env(), "SECRET_KEY": None})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_development_defaults_fail_the_deployment_check():
    # The same check catches a deployment that forgot DJANGO_ENV: DEBUG on, insecure key and cookies.
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", DJANGO_ENV=None, SECRET_KEY=None, DEBUG=None)
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr  # DEBUG in deployment


# -- content security policy and login --------------------------------------------------------------------------


@pytest.fixture
def csp(client, db) -> dict[str, list[str]]:
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def test_the_home_page_sends_a_content_security_policy(csp):
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]


def test_the_policy_allows_no_inline_or_eval(csp):
    sources = [s for values in csp.values() for s in values]
    assert "'unsafe-inline'" not in sources
    assert "'unsafe-eval'" not in sources


def test_the_policy_allows_no_remote_hosts(csp):
    allowed = {"'self'", "'none'", "data:"}
    assert {s for values in csp.values() for s in values} <= allowed


def test_the_home_page_is_public(client, db):
    response = client.get(reverse("core:home"))
    assert response.status_code == 200


def test_an_anonymous_visitor_asking_for_the_dashboard_is_sent_to_login(client, db):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/dashboard/"


def test_an_anonymous_visitor_asking_for_the_registry_is_sent_to_login(client, db):
    response = client.get(reverse("providers:provider-list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_signed_in_user_sees_the_dashboard(client, ngo_user):
    client.force_login(ngo_user)
    assert client.get("/dashboard/").status_code == 200


def test_pages_cannot_be_framed(client, db):
    response = client.get(reverse("core:home"))
    assert response["X-Frame-Options"] == "DENY"


def test_every_cookie_is_secure_in_production():
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.LANGUAGE_COOKIE_SECURE, s.LANGUAGE_COOKIE_HTTPONLY)"
    )
    result = run_manage("shell", "--verbosity", "0", "-c", code, **production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "True"]

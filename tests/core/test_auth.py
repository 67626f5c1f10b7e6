"""Accounts: lockout keyed on username and IP together, the language of the account, password reset, logout."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from core.models import LoginThrottle
from tests import factories

pytestmark = pytest.mark.django_db

HOME_IP = "198.51.100.10"
RIVAL_IP = "203.0.113.66"
LIMIT = settings.GSZ["LOGIN_FAILURE_LIMIT"]
LOCKOUT = dt.timedelta(minutes=settings.GSZ["LOGIN_LOCKOUT_MINUTES"])


def log_in(client, username: str, password: str = factories.PASSWORD, ip: str = HOME_IP):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(client, username: str, times: int, ip: str) -> None:
    for _ in range(times):
        response = log_in(client, username, "wrong-password", ip=ip)
        assert response.status_code == 200


def test_the_right_password_logs_in_and_goes_to_the_dashboard(client, ngo_user):
    response = log_in(client, "ngo")
    assert response.status_code == 302
    assert response.url == reverse("core:dashboard")
    assert logged_in(client)


def test_a_wrong_password_does_not_log_in(client, ngo_user):
    response = log_in(client, "ngo", "wrong-password")
    assert response.status_code == 200
    assert [error.code for error in response.context["form"].non_field_errors().as_data()] == ["invalid_login"]
    assert not logged_in(client)


def test_fewer_failures_than_the_limit_do_not_lock(client, clock, ngo_user):
    fail(client, "ngo", LIMIT - 1, HOME_IP)
    assert logged_in(client) is False
    log_in(client, "ngo")
    assert logged_in(client)


def test_repeated_failures_lock_the_username_from_that_ip_even_with_the_right_password(client, clock, ngo_user):
    fail(client, "ngo", LIMIT, RIVAL_IP)
    response = log_in(client, "ngo", ip=RIVAL_IP)
    assert response.status_code == 200
    assert not logged_in(client)
    assert [e.code for e in response.context["form"].errors.as_data()["__all__"]] == ["locked"]


def test_a_lockout_from_one_ip_does_not_lock_the_user_out_from_another(client, clock, ngo_user):
    fail(client, "ngo", LIMIT, RIVAL_IP)
    log_in(client, "ngo", ip=HOME_IP)
    assert logged_in(client)


def test_a_lockout_of_one_username_does_not_lock_other_usernames_from_that_ip(client, clock, ngo_user, officer):
    fail(client, "ngo", LIMIT, HOME_IP)
    log_in(client, "officer", ip=HOME_IP)
    assert logged_in(client)


def test_failures_of_an_unknown_username_lock_only_that_name(client, clock, ngo_user):
    fail(client, "nobody", LIMIT, HOME_IP)
    log_in(client, "ngo", ip=HOME_IP)
    assert logged_in(client)
    assert LoginThrottle.objects.get(username="nobody", ip=HOME_IP).locked_until is not None


def test_the_username_is_matched_without_regard_to_case(client, clock, ngo_user):
    fail(client, "NGO", LIMIT, HOME_IP)
    log_in(client, "ngo", ip=HOME_IP)
    assert not logged_in(client)


def test_the_lockout_still_holds_just_before_it_ends(client, clock, ngo_user):
    fail(client, "ngo", LIMIT, HOME_IP)
    clock.shift(LOCKOUT - dt.timedelta(seconds=1))
    log_in(client, "ngo", ip=HOME_IP)
    assert not logged_in(client)


def test_the_lockout_ends_after_the_lockout_minutes(client, clock, ngo_user):
    fail(client, "ngo", LIMIT, HOME_IP)
    clock.shift(LOCKOUT)
    log_in(client, "ngo", ip=HOME_IP)
    assert logged_in(client)


def test_attempts_during_a_lockout_do_not_extend_it(client, clock, ngo_user):
    fail(client, "ngo", LIMIT, HOME_IP)
    clock.shift(LOCKOUT / 2)
    fail(client, "ngo", 2, HOME_IP)
    clock.shift(LOCKOUT / 2)
    log_in(client, "ngo", ip=HOME_IP)
    assert logged_in(client)


def test_old_failures_outside_the_window_are_forgotten(client, clock, ngo_user):
    fail(client, "ngo", LIMIT - 1, HOME_IP)
    clock.shift(LOCKOUT + dt.timedelta(minutes=1))
    fail(client, "ngo", 1, HOME_IP)
    log_in(client, "ngo", ip=HOME_IP)
    assert logged_in(client)


def test_a_successful_login_clears_the_failures(client, clock, ngo_user):
    fail(client, "ngo", LIMIT - 1, HOME_IP)
    log_in(client, "ngo", ip=HOME_IP)
    assert not LoginThrottle.objects.filter(username="ngo", ip=HOME_IP).exists()


# -- language ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["kk", "en", "ru"])
def test_logging_in_sets_the_language_cookie_to_the_users_language(client, language):
    factories.NgoUserFactory(username="speaker", preferred_language=language)
    response = log_in(client, "speaker")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language


def test_a_failed_login_sets_no_language_cookie(client, ngo_user):
    response = log_in(client, "ngo", "wrong-password")
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_switching_language_stores_it_on_the_account(client, ngo_user):
    client.force_login(ngo_user)
    response = client.post(reverse("core:set-language"), {"language": "kk", "next": "/dashboard/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "kk"
    ngo_user.refresh_from_db()
    assert ngo_user.preferred_language == "kk"


def test_switching_to_an_unknown_language_changes_nothing(client, ngo_user):
    client.force_login(ngo_user)
    client.post(reverse("core:set-language"), {"language": "xx", "next": "/dashboard/"})
    ngo_user.refresh_from_db()
    assert ngo_user.preferred_language == "ru"


def test_an_anonymous_visitor_can_switch_language_by_cookie(client):
    response = client.post(reverse("core:set-language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_switching_language_is_post_only(client, ngo_user):
    client.force_login(ngo_user)
    assert client.get(reverse("core:set-language"), {"language": "kk"}).status_code == 405
    ngo_user.refresh_from_db()
    assert ngo_user.preferred_language == "ru"


def test_the_chosen_language_is_remembered_for_the_next_login(client, ngo_user):
    client.force_login(ngo_user)
    client.post(reverse("core:set-language"), {"language": "en", "next": "/"})
    client.post(reverse("logout"))
    response = log_in(client, "ngo")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


# -- password reset and logout ----------------------------------------------------------------------------------


def reset_link(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", body)
    assert match, body
    return match.group(1)


def test_password_reset_sends_an_email_with_a_link(client, ngo_user):
    response = client.post(reverse("password_reset"), {"email": ngo_user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [ngo_user.email]
    assert reset_link(message.body).startswith("/accounts/reset/")


def test_password_reset_to_an_unknown_address_sends_nothing_but_looks_the_same(client, ngo_user):
    response = client.post(reverse("password_reset"), {"email": "stranger@example.kz"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_the_reset_link_lets_the_user_set_a_new_password(client, ngo_user):
    client.post(reverse("password_reset"), {"email": ngo_user.email})
    form_url = client.get(reset_link(mail.outbox[0].body)).url  # Django moves the token into the session
    response = client.post(form_url, {"new_password1": "Новый-пароль-2026", "new_password2": "Новый-пароль-2026"})
    assert response.status_code == 302
    ngo_user.refresh_from_db()
    assert ngo_user.check_password("Новый-пароль-2026")


def test_logout_is_refused_on_get(client, ngo_user):
    client.force_login(ngo_user)
    response = client.get(reverse("logout"))
    assert response.status_code == 405
    assert logged_in(client)


def test_logout_by_post_ends_the_session_and_goes_home(client, ngo_user):
    client.force_login(ngo_user)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("core:home")
    assert not logged_in(client)


def test_a_signed_in_user_visiting_the_login_page_goes_to_the_dashboard(client, ngo_user):
    client.force_login(ngo_user)
    response = client.get(reverse("login"))
    assert response.status_code == 302
    assert response.url == reverse("core:dashboard")


# -- the admin login: the same lockout ------------------------------------------------------------------------------


def admin_log_in(client, username: str, password: str = factories.PASSWORD, ip: str = HOME_IP):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip
    )


def test_the_admin_login_logs_a_staff_account_in(client, admin_user):
    response = admin_log_in(client, "admin")
    assert response.status_code == 302
    assert logged_in(client)


def test_the_admin_login_locks_after_repeated_failures_even_with_the_right_password(client, clock, admin_user):
    for _ in range(12):
        assert admin_log_in(client, "admin", "wrong-password").status_code == 200

    response = admin_log_in(client, "admin")

    assert response.status_code == 200
    assert not logged_in(client)
    assert [e.code for e in response.context["form"].errors.as_data()["__all__"]] == ["locked"]


def test_the_admin_login_honours_a_lockout_earned_on_the_main_login(client, clock, admin_user):
    fail(client, "admin", LIMIT, HOME_IP)

    admin_log_in(client, "admin", ip=HOME_IP)

    assert not logged_in(client)


def test_the_main_login_honours_a_lockout_earned_on_the_admin_login(client, clock, admin_user):
    for _ in range(LIMIT):
        admin_log_in(client, "admin", "wrong-password")

    log_in(client, "admin")

    assert not logged_in(client)


def test_the_admin_lockout_is_keyed_on_the_address_too(client, clock, admin_user):
    for _ in range(LIMIT):
        admin_log_in(client, "admin", "wrong-password", ip=RIVAL_IP)

    admin_log_in(client, "admin", ip=HOME_IP)

    assert logged_in(client)


def test_the_admin_lockout_ends_after_the_lockout_minutes(client, clock, admin_user):
    for _ in range(LIMIT):
        admin_log_in(client, "admin", "wrong-password")
    clock.shift(LOCKOUT)

    admin_log_in(client, "admin")

    assert logged_in(client)


def test_a_non_staff_account_with_the_right_password_counts_as_a_failure_at_the_admin(client, clock, ngo_user):
    for _ in range(LIMIT):
        admin_log_in(client, "ngo")

    assert LoginThrottle.objects.get(username="ngo", ip=HOME_IP).locked_until is not None
    log_in(client, "ngo")
    assert not logged_in(client)


def page_text(response, username: str) -> str:
    """Return the page without the parts that differ between requests (the CSRF token, the typed username)."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return text.replace(f'value="{username}"', 'value=""')


@pytest.mark.parametrize("login", [log_in, admin_log_in], ids=["main", "admin"])
def test_a_lockout_answers_the_same_whether_or_not_the_account_exists(client, clock, admin_user, login):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    answers = []
    for username in ("admin", "no-such-account"):
        for _ in range(LIMIT):
            login(client, username, "wrong-password")
        response = login(client, username, "wrong-password")
        assert [e.code for e in response.context["form"].errors.as_data()["__all__"]] == ["locked"]
        answers.append((response.status_code, page_text(response, username)))

    assert answers[0][0] == answers[1][0] == 200
    assert answers[0][1] == answers[1][1]
    assert "Too many failed attempts" in answers[0][1]


# -- the password-reset request does nothing that depends on the account before it answers --------------------------


def reset_request(email: str):
    from django.contrib.sessions.backends.signed_cookies import SessionStore
    from django.test import RequestFactory

    request = RequestFactory().post(reverse("password_reset"), {"email": email})
    request.session = SessionStore()
    request._dont_enforce_csrf_checks = True  # as the test client does: CSRF is not what is measured here
    return request


@pytest.mark.parametrize("known", [True, False], ids=["existing account", "unknown address"])
def test_the_reset_view_answers_before_any_account_work(django_assert_num_queries, ngo_user, known):
    from core.views import PasswordResetView

    email = ngo_user.email if known else "stranger@example.kz"

    with django_assert_num_queries(0):  # no look-up of the account, no token, no mail before the answer
        response = PasswordResetView.as_view()(reset_request(email))
    assert (response.status_code, response.url) == (302, reverse("password_reset_done"))
    assert mail.outbox == []

    response.close()  # what the server does once the answer is written

    assert len(mail.outbox) == (1 if known else 0)


def test_the_reset_mail_is_sent_in_the_language_of_the_request(client, ngo_user):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "kk"
    client.post(reverse("password_reset"), {"email": ngo_user.email})
    assert len(mail.outbox) == 1
    assert "state social order" not in mail.outbox[0].subject  # the Kazakh subject, not the English source


def test_a_reset_mail_the_mail_system_refuses_is_logged_not_an_error_and_not_kept(client, settings, ngo_user):
    from core.models import UnsentMail

    settings.EMAIL_BACKEND = "tests.core.test_mail.RaisingBackend"

    response = client.post(reverse("password_reset"), {"email": ngo_user.email})

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert not UnsentMail.objects.exists()  # a reset link is not stored; the person asks again


# -- the language cookie is like the others -------------------------------------------------------------------------


def test_the_language_cookie_set_at_login_follows_the_cookie_settings(client, settings, ngo_user):
    settings.LANGUAGE_COOKIE_SECURE = True
    response = log_in(client, "ngo")
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_the_language_cookie_of_the_switch_follows_the_cookie_settings(client, settings, ngo_user):
    settings.LANGUAGE_COOKIE_SECURE = True
    response = client.post(reverse("core:set-language"), {"language": "kk", "next": "/"})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True

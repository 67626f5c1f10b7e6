"""Notifications: one safe subject line, plain text as written, and a mail failure never undoes a committed action
(it is logged, kept for `retry_unsent_mail`, and the user is told the action is done)."""

import logging
import smtplib

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from core.mail import SUBJECT_MAX_LENGTH, deliver, header_safe, notify, render, retry_unsent
from core.models import UnsentMail
from tenders.models import Call
from tests import factories
from tests.tenders.util import as_user

RAISING = "tests.core.test_mail.RaisingBackend"
HEADER_BREAKERS = "\r\n\t\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x00\u202e\u2066"


class RaisingBackend(BaseEmailBackend):
    """A mail system that refuses everything, as an SMTP server that is down does."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


# -- the subject line -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("breaker", list(HEADER_BREAKERS))
def test_a_subject_loses_every_line_break_control_and_override(breaker):
    assert header_safe(f"Call cancelled: ГСЗ-1{breaker}Bcc: victim@example.kz") == (
        "Call cancelled: ГСЗ-1 Bcc: victim@example.kz"
    )


def test_a_long_subject_is_cut_with_an_ellipsis():
    subject = header_safe("Ж" * 500)
    assert len(subject) == SUBJECT_MAX_LENGTH
    assert subject.endswith("…")


@given(st.text(max_size=400))
def test_any_text_makes_a_subject_the_mail_library_accepts(text):
    subject = header_safe(text)
    assert "\n" not in subject
    assert "\r" not in subject
    assert len(subject) <= SUBJECT_MAX_LENGTH
    # Django refuses a header holding a line break (BadHeaderError); building the message proves there is none.
    EmailMessage(subject, "body", "from@example.kz", ["to@example.kz"]).message().as_bytes()


def test_plain_text_mail_is_not_html_escaped(db):
    provider = factories.ProviderFactory(name_ru='ОФ "Дом & семья" <Алматы>')
    subject, body = render("providers/email/registered.txt", {"provider": provider})
    assert 'ОФ "Дом & семья" <Алматы>' in subject
    assert 'ОФ "Дом & семья" <Алматы>' in body
    assert "&quot;" not in subject + body
    assert "&amp;" not in subject + body


def test_a_record_stored_with_a_line_break_still_gets_a_one_line_subject(db, django_capture_on_commit_callbacks):
    provider = factories.ProviderFactory(name_ru="ОФ\r\nBcc: victim@example.kz")  # bypasses the form's check
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[("officer@example.kz", "en")],
            template="providers/email/registered.txt",
            context={"provider": provider},
        )
    assert [m.subject for m in mail.outbox] == ["A new NGO waits for verification: ОФ Bcc: victim@example.kz"]
    assert UnsentMail.objects.count() == 0


# -- failures: logged, kept, retried --------------------------------------------------------------------------


def test_a_refused_message_is_kept_logged_without_the_address_and_reported(db, settings, caplog):
    settings.EMAIL_BACKEND = RAISING

    with caplog.at_level(logging.WARNING, logger="core.mail"):
        sent = deliver(subject="Subject", body="Body", to=["person@example.kz"])

    assert sent is False
    kept = UnsentMail.objects.get()
    assert (kept.subject, kept.body, kept.recipients, kept.attempts) == ("Subject", "Body", "person@example.kz", 1)
    assert kept.last_error.startswith("SMTPServerDisconnected")
    assert "SMTPServerDisconnected" in caplog.text
    assert "person@example.kz" not in caplog.text


def test_a_message_that_need_not_be_kept_is_only_logged(db, settings):
    settings.EMAIL_BACKEND = RAISING
    assert deliver(subject="Reset", body="link", to=["person@example.kz"], keep=False) is False
    assert not UnsentMail.objects.exists()


def test_the_retry_sends_a_kept_message_and_forgets_it(db, settings):
    settings.EMAIL_BACKEND = RAISING
    deliver(subject="Subject", body="Body", to=["person@example.kz"])
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    result = retry_unsent()

    assert result == {"sent": 1, "failed": 0, "given up": 0}
    assert [(m.subject, m.body, m.to) for m in mail.outbox] == [("Subject", "Body", ["person@example.kz"])]
    assert not UnsentMail.objects.exists()


def test_a_retry_that_fails_again_counts_the_attempt_and_stops_at_the_limit(db, settings):
    settings.EMAIL_BACKEND = RAISING
    settings.GSZ = {**settings.GSZ, "MAIL_RETRY_LIMIT": 3}
    deliver(subject="Subject", body="Body", to=["person@example.kz"])

    assert retry_unsent() == {"sent": 0, "failed": 1, "given up": 0}
    assert retry_unsent() == {"sent": 0, "failed": 1, "given up": 1}
    assert retry_unsent() == {"sent": 0, "failed": 0, "given up": 1}  # no more tries
    assert UnsentMail.objects.get().attempts == 3


def test_the_scheduled_command_retries(db, settings, capsys):
    settings.EMAIL_BACKEND = RAISING
    deliver(subject="Subject", body="Body", to=["person@example.kz"])
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    call_command("retry_unsent_mail")

    assert "sent: 1" in capsys.readouterr().out
    assert len(mail.outbox) == 1


# -- a committed action stays committed and says so -------------------------------------------------------------


@pytest.fixture
def draft_with_a_line_break(officer, provider, ngo_user):
    """A draft call stored (before numbers were checked) with a carriage return in its number, and an NGO whose
    service area matches it, so publishing it mails that NGO."""
    factories.ServiceAreaFactory(provider=provider)
    return factories.CallFactory(draft=True, agency=officer.agency, created_by=officer, number="ГСЗ-77\rX")


@pytest.mark.django_db(transaction=True)  # the mail goes after a real commit, while the request is answered
def test_publishing_with_the_mail_system_down_publishes_keeps_the_mail_and_says_so(
    client, settings, clock, officer, ngo_user, draft_with_a_line_break
):
    settings.EMAIL_BACKEND = RAISING
    call = draft_with_a_line_break

    response = as_user(client, officer).post(reverse("tenders:call-publish", args=[call.pk]))

    assert response.status_code == 302
    call.refresh_from_db()
    assert call.status == Call.Status.PUBLISHED
    flashed = [str(m) for m in get_messages(response.wsgi_request)]
    assert "The call is published." in flashed
    assert any("will be sent again automatically" in m for m in flashed)
    kept = UnsentMail.objects.get()
    assert kept.recipients == ngo_user.email
    assert "\r" not in kept.subject
    assert "ГСЗ-77 X" in kept.subject


def test_publishing_a_call_with_a_line_break_in_its_number_mails_a_one_line_subject(
    client, clock, officer, draft_with_a_line_break, django_capture_on_commit_callbacks
):
    call = draft_with_a_line_break

    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(client, officer).post(reverse("tenders:call-publish", args=[call.pk]))

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.endswith("ГСЗ-77 X")
    assert not UnsentMail.objects.exists()

"""Email after the transaction commits, rendered in each recipient's language; every message to a user also lands
in their in-app inbox (`Notification`), with the mail's link to the object as the message's link.

Every message of the system goes through `deliver`: the subject is made a safe one-line header here and nowhere
else, and a message that cannot be sent never turns an action that has already committed into an error page. It
is logged, kept as an `UnsentMail` for the `retry_unsent_mail` command, and the user is told the action is done.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable

from django.conf import settings
from django.contrib import messages
from django.core.mail import EmailMessage
from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.middleware import current_request
from core.models import Notification, UnsentMail

logger = logging.getLogger(__name__)

SUBJECT_MAX_LENGTH = 200
_SPACES = re.compile(r"\s+")


def header_safe(text: str, *, limit: int = SUBJECT_MAX_LENGTH) -> str:
    """Return text as one header line: every control, separator and bidirectional override becomes a space."""
    cleaned = "".join(" " if unicodedata.category(char)[0] in "CZ" else char for char in str(text))
    cleaned = _SPACES.sub(" ", cleaned).strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def render(template: str, context: dict) -> tuple[str, str]:
    """Return (subject, body) of a plain-text mail template: its first line is the subject, the rest the body.

    The first line is rendered on its own, so a value holding a line break cannot push text out of the subject into
    the body. Plain text is not HTML-escaped: an NGO called ОФ "Дом & семья" is written as it is named.
    """
    compiled = get_template(template).template
    head, _newline, rest = compiled.source.lstrip().partition("\n")
    context = {**context, "SITE_URL": settings.SITE_URL}
    subject = compiled.engine.from_string(head).render(Context(context, autoescape=False))
    body = compiled.engine.from_string(rest).render(Context(context, autoescape=False))
    return header_safe(subject), body.strip()


def split_link(body: str) -> tuple[str, str]:
    """Return (text, link) of a mail body: the first line that is a link into the site (SITE_URL + path) becomes
    the inbox message's link (the path), the rest its text."""
    site = settings.SITE_URL.rstrip("/")
    lines, link = [], ""
    for line in body.splitlines():
        stripped = line.strip()
        if not link and stripped.startswith(site + "/") and " " not in stripped:
            link = stripped[len(site) :]
            continue
        lines.append(line)
    return "\n".join(lines).strip(), link


def deliver(*, subject: str, body: str, to: Iterable[str], keep: bool = True) -> bool:
    """Send one message now and return whether it went.

    On failure the error is logged (its kind only: addresses and names stay out of the log) and, when `keep`, the
    message is kept for `retry_unsent_mail`. Nothing is raised: the caller's action has already happened.
    """
    recipients = [address for address in to if address]
    subject = header_safe(subject)
    if not recipients:
        return True
    try:
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients).send(fail_silently=False)
    except Exception as error:  # any failure of the mail system (SMTP, network, a bad header) is handled alike
        kept = None
        if keep:
            kept = UnsentMail.objects.create(
                subject=subject,
                body=body,
                recipients="\n".join(recipients),
                attempts=1,
                last_attempt_at=timezone.now(),
                last_error=f"{type(error).__name__}: {error}"[:500],
            )
        logger.warning(
            "A notification was not sent (%s); %s",
            type(error).__name__,
            f"kept as unsent mail #{kept.pk} for retry" if kept else "not kept",
        )
        return False
    return True


def notify(*, recipients: Iterable, template: str, context: dict) -> None:
    """Send `template` (first line the subject, the rest the body) to users or addresses once the transaction commits.

    A recipient is a User (written to in their preferred language, and given a copy in their inbox, also when they
    have no address) or a (address, language) pair (mail only).
    """
    messages_to_send, inbox = [], []
    for recipient in recipients:
        if isinstance(recipient, tuple):
            address, language = recipient
        else:
            address, language = recipient.email, recipient.preferred_language
        with translation.override(language or settings.LANGUAGE_CODE):
            subject, body = render(template, context)
        if not isinstance(recipient, tuple):
            # The inbox copy is written with the action (rolled back with it); the mail goes after the commit.
            text, link = split_link(body)
            inbox.append(Notification(recipient=recipient, subject=subject, body=text, link=link))
        if address:
            messages_to_send.append((subject, body, address))
    Notification.objects.bulk_create(inbox)

    def send() -> None:
        failed = sum(not deliver(subject=s, body=b, to=[address]) for s, b, address in messages_to_send)
        request = current_request.get()
        if failed and request is not None:
            messages.warning(
                request,
                _(
                    "The action is done. The notification email could not be sent just now; "
                    "it will be sent again automatically."
                ),
                fail_silently=True,  # a request without the messages middleware (a test's RequestFactory)
            )

    transaction.on_commit(send)


def retry_unsent(*, limit: int | None = None) -> dict[str, int]:
    """Try every kept message again (each row locked while it is tried); return how many went and how many wait."""
    limit = limit if limit is not None else settings.GSZ["MAIL_RETRY_LIMIT"]
    sent = failed = 0
    for pk in UnsentMail.objects.filter(attempts__lt=limit).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            row = UnsentMail.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if row is None:  # another run holds it or sent it
                continue
            try:
                EmailMessage(
                    header_safe(row.subject), row.body, settings.DEFAULT_FROM_EMAIL, row.recipients.split("\n")
                ).send(fail_silently=False)
            except Exception as error:  # counted, kept, retried on the next run
                row.attempts += 1
                row.last_attempt_at = timezone.now()
                row.last_error = f"{type(error).__name__}: {error}"[:500]
                row.save(update_fields=["attempts", "last_attempt_at", "last_error"])
                logger.warning("Unsent mail #%s failed again (%s)", row.pk, type(error).__name__)
                failed += 1
            else:
                row.delete()  # sent: nothing personal is kept longer than needed
                sent += 1
    return {"sent": sent, "failed": failed, "given up": UnsentMail.objects.filter(attempts__gte=limit).count()}

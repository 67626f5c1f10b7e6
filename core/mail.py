"""Email after the transaction commits, rendered in each recipient's language."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def notify(*, recipients: Iterable, template: str, context: dict) -> None:
    """Send `template` (first line the subject, the rest the body) to users or addresses once the transaction commits.

    A recipient is a User (written to in their preferred language) or a (address, language) pair.
    """
    messages = []
    for recipient in recipients:
        if isinstance(recipient, tuple):
            address, language = recipient
        else:
            address, language = recipient.email, recipient.preferred_language
        if not address:
            continue
        with translation.override(language or settings.LANGUAGE_CODE):
            text = render_to_string(template, {**context, "SITE_URL": settings.SITE_URL}).strip()
        subject, _, body = text.partition("\n")
        messages.append((subject.strip(), body.strip(), address))

    def send() -> None:
        for subject, body, address in messages:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)

    transaction.on_commit(send)

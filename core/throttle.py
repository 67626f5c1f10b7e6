"""Login lockout keyed on username and IP together, so a rival elsewhere cannot lock an NGO out before a deadline."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.models import LoginThrottle


def _limits() -> tuple[int, dt.timedelta]:
    return settings.GSZ["LOGIN_FAILURE_LIMIT"], dt.timedelta(minutes=settings.GSZ["LOGIN_LOCKOUT_MINUTES"])


def _key(username: str) -> str:
    return (username or "").strip().lower()[:150]


def locked_until(username: str, ip: str | None) -> dt.datetime | None:
    """Return when the lockout of this username from this IP ends, or None when it is not locked."""
    if not ip:
        return None
    row = LoginThrottle.objects.filter(username=_key(username), ip=ip).first()
    if row and row.locked_until and row.locked_until > timezone.now():
        return row.locked_until
    return None


@transaction.atomic
def register_failure(username: str, ip: str | None) -> None:
    """Count a failed login; lock the pair once the limit is reached within the lockout window."""
    if not ip:
        return
    limit, window = _limits()
    now = timezone.now()
    row, _ = LoginThrottle.objects.select_for_update().get_or_create(username=_key(username), ip=ip)
    if row.last_failure_at is None or now - row.last_failure_at > window:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= limit:
        row.locked_until = now + window
        row.failures = 0
    row.save()


def register_success(username: str, ip: str | None) -> None:
    """Forget the failures of this pair after a successful login."""
    if ip:
        LoginThrottle.objects.filter(username=_key(username), ip=ip).delete()

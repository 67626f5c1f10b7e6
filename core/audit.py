"""The one way to write the audit log."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.middleware import current_ip
from core.models import AuditEvent

SENSITIVE = "•"  # recorded instead of a sensitive value: that it changed, not what it was

Action = AuditEvent.Action  # the verbs of the log, one TextChoices


def _plain(value: Any) -> Any:
    """Return a JSON-friendly form of a field value."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime, decimal.Decimal)):
        return str(value)
    if isinstance(value, (list, tuple, set)) or hasattr(value, "all"):
        items = value.all() if hasattr(value, "all") else value
        return [_plain(v) for v in items]
    if hasattr(value, "name") and hasattr(value, "url"):  # uploaded file
        return getattr(value, "name", "")
    return value


def record(
    *,
    actor,
    action: Action,
    target: models.Model,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    sensitive: Iterable[str] = (),
    note: str = "",
) -> AuditEvent:
    """Append one audit event: who did what to which object, with before/after values of changed fields.

    Sensitive fields (personal data) are recorded by name only. The verb is one of `Action`; any other is a bug.
    """
    action = Action(action)  # ValueError for a verb the timeline could not name
    sensitive = set(sensitive)
    recorded: dict[str, Any] = {}
    for field, (before, after) in (changes or {}).items():
        recorded[field] = [SENSITIVE, SENSITIVE] if field in sensitive else [_plain(before), _plain(after)]
    if note:
        recorded["note"] = note
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        object_id=str(target.pk),
        object_repr=str(target)[:300],
        changes=recorded,
        ip=current_ip.get(),
    )


def model_changes(form) -> dict[str, tuple[Any, Any]]:
    """Return {field: (before, after)} for the fields a bound ModelForm changed."""
    return {name: (form.initial.get(name), form.cleaned_data.get(name)) for name in form.changed_data}


class AuditedFormMixin:
    """For create and update views: record the saved form's changes (sensitive fields by name only)."""

    audit_action_create = Action.CREATED
    audit_action_update = Action.EDITED
    audit_sensitive: tuple[str, ...] = ()

    def form_valid(self, form):
        creating = form.instance.pk is None
        changes = model_changes(form)
        response = super().form_valid(form)
        record(
            actor=self.request.user,
            action=self.audit_action_create if creating else self.audit_action_update,
            target=self.audit_target(form.instance),
            changes=changes,
            sensitive=getattr(form.instance, "SENSITIVE_FIELDS", self.audit_sensitive),
            note=self.audit_note(form.instance),
        )
        return response

    def audit_note(self, instance) -> str:
        """Return a short note naming the edited row when the event is attached to a parent."""
        return ""

    def audit_target(self, instance):
        """Return the object whose timeline shows this change (override to attach to a parent)."""
        return instance


# Filters that hide audit events which would reveal sealed information (e.g. bids before their deadline); later apps
# register them, and every listing of audit events outside an object's own page applies them.
_sealed_filters: list = []


def register_sealed_filter(function) -> None:
    """Register `function(queryset, now) -> queryset` that removes events which must stay sealed."""
    _sealed_filters.append(function)


def without_sealed(queryset, now=None):
    """Return the events that reveal nothing sealed."""
    from django.utils import timezone

    now = now or timezone.now()
    for function in _sealed_filters:
        queryset = function(queryset, now)
    return queryset

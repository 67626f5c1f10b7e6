"""The one way an object changes status: check its TRANSITIONS map, set the status and its timestamps together,
save only those fields, and write the audit log. Models call `set_status` from their transition methods
(`call.publish(by=…)`, `report.accept(by=…)`); services and views call those methods, never this directly.

The system check `core.E001` keeps every TRANSITIONS map complete: each value of the model's `Status` is a key, and
every target is a value of `Status`."""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.core import checks
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.exceptions import InvalidTransition


def allowed(obj, to: str) -> bool:
    """Return whether the object's TRANSITIONS map lets it go from its current status to `to`."""
    return to in obj.TRANSITIONS.get(obj.status, set())


def set_status(
    obj,
    to: str,
    *,
    by,
    action: audit.Action,
    note: str = "",
    extra: dict | None = None,
    source: Iterable[str] | None = None,
    message: str | None = None,
) -> None:
    """Move `obj` to status `to` if its TRANSITIONS allow it (and, when given, only from a status in `source`), also
    setting the `extra` fields; save those fields only and audit the change. Refused: `InvalidTransition` with
    `message` or a general one."""
    if not allowed(obj, to) or (source is not None and obj.status not in set(source)):
        raise InvalidTransition(
            message or _("Not possible in the status “%(status)s”.") % {"status": obj.get_status_display()}
        )
    old = obj.status
    obj.status = to
    for name, value in (extra or {}).items():
        setattr(obj, name, value)
    with transaction.atomic():
        obj.save(update_fields=["status", *(extra or {})])
        audit.record(actor=by, action=action, target=obj, changes={"status": (old, to)}, note=note)


def transition_errors(model) -> list[checks.CheckMessage]:
    """Return the problems of one model's TRANSITIONS map: a status with no entry, or a target that is no status."""
    transitions = getattr(model, "TRANSITIONS", None)
    status = getattr(model, "Status", None)
    if transitions is None or status is None:
        return []
    label = model._meta.label
    values = set(status.values)
    errors = [
        checks.Error(
            f"{label}.TRANSITIONS has no entry for the status {value!r}.",
            hint="Give every value of Status a key in TRANSITIONS (an empty set for a final status).",
            obj=model,
            id="core.E001",
        )
        for value in sorted(values - set(transitions))
    ]
    for source, targets in transitions.items():
        for target in sorted(set(targets) - values):
            errors.append(
                checks.Error(
                    f"{label}.TRANSITIONS lets {source!r} go to {target!r}, which is not a status.",
                    obj=model,
                    id="core.E002",
                )
            )
    return errors


@checks.register(checks.Tags.models)
def check_transitions(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Check every model that has a Status and a TRANSITIONS map."""
    models = (
        [m for config in app_configs for m in config.get_models()] if app_configs is not None else apps.get_models()
    )
    return [error for model in models for error in transition_errors(model)]

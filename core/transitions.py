"""The one way an object changes status: check its TRANSITIONS map, set the status and its timestamps together,
save only those fields, and write the audit log."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core import audit
from core.exceptions import InvalidTransition


def set_status(obj, to: str, *, by, action: str, note: str = "", extra: dict | None = None) -> None:
    """Move `obj` to status `to` if its TRANSITIONS allow it, also setting the `extra` fields; audit the change."""
    if to not in obj.TRANSITIONS.get(obj.status, set()):
        raise InvalidTransition(_("Not possible in the status “%(status)s”.") % {"status": obj.get_status_display()})
    old = obj.status
    obj.status = to
    for name, value in (extra or {}).items():
        setattr(obj, name, value)
    obj.save(update_fields=["status", *(extra or {})])
    audit.record(actor=by, action=action, target=obj, changes={"status": (old, to)}, note=note)

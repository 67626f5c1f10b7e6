"""Panels that core contributes to every dashboard."""

from django.utils.translation import gettext_lazy as _

from core import dashboard
from core.models import AuditEvent, Role

ALL_ROLES = frozenset(Role.values)


def account_context(user) -> dict:
    return {"recent": AuditEvent.objects.filter(actor=user).select_related("content_type")[:5]}


def register_all() -> None:
    dashboard.register(
        dashboard.Panel(
            key="core-account",
            title=_("Your account"),
            roles=ALL_ROLES,
            template="core/panels/account.html",
            context=account_context,
            order=900,
        )
    )

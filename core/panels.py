"""What core contributes to its own registry: the account panel of every dashboard and the menu's first and last
links."""

from django.utils.translation import gettext_lazy as _

from core import dashboard, registry
from core.imports.services import may_import
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
    registry.register(
        registry.NAV,
        registry.Link(
            key="dashboard",
            order=0,
            predicate=registry.signed_in,
            label=_("Dashboard"),
            url_name="core:dashboard",
            current=frozenset({"core:dashboard"}),
        ),
    )
    registry.register(
        registry.NAV,
        registry.Link(
            key="imports",
            order=900,
            predicate=may_import,
            label=_("Import"),
            url_name="core:imports",
            current=frozenset({"core:imports", "core:import-new", "core:import-detail"}),
        ),
    )
    registry.register(
        registry.NAV,
        registry.Link(
            key="administration",
            order=1000,
            predicate=lambda user: user.is_authenticated and user.is_staff,
            label=_("Administration"),
            url_name="admin:index",
        ),
    )

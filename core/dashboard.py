"""The dashboard: the `dashboard` slot of core.registry, whose blocks are panels. Each app registers its panels in
AppConfig.ready(), so core imports no later app."""

from __future__ import annotations

from dataclasses import dataclass

from core import registry
from core.models import role_of


@dataclass(frozen=True)
class Panel(registry.Block):
    """A dashboard panel: a title, the roles that see it (a superuser as an admin), a function of the user
    returning its context (None: nothing to show), and a template."""

    roles: frozenset[str] = frozenset()

    def shows_to(self, user) -> bool:
        return role_of(user) in self.roles and self.predicate(user)

    def get_context(self, request, objects: dict) -> dict | None:
        return self.context(request.user)


def register(panel: Panel) -> None:
    """Register (or replace) a panel by its key."""
    registry.register(registry.DASHBOARD, panel)


def panels_for(user) -> list[Panel]:
    """Return the panels registered for the user's role, in order."""
    return registry.entries(registry.DASHBOARD, user)

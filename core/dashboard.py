"""The dashboard's panel registry: each app registers its panels in AppConfig.ready(), so core imports no later app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.template.loader import render_to_string


@dataclass(frozen=True)
class Panel:
    """A dashboard panel: a title, the roles that see it, a function returning its context, and a template."""

    key: str
    title: str
    roles: frozenset[str]
    template: str
    context: Callable[..., dict | None]
    order: int = 100
    width: str = "col-lg-6"
    extra: dict = field(default_factory=dict)

    def render(self, request) -> str | None:
        """Return the panel's HTML for this request, or None when it has nothing to show."""
        context = self.context(request.user)
        if context is None:
            return None
        return render_to_string(self.template, {"panel": self, **context}, request=request)


_panels: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    """Register (or replace) a panel by its key."""
    _panels[panel.key] = panel


def panels_for(user) -> list[Panel]:
    """Return the panels registered for the user's role, in order."""
    role = "admin" if user.is_superuser else user.role
    return sorted((p for p in _panels.values() if role in p.roles), key=lambda p: (p.order, p.key))

"""What later apps add to pages core renders: one registry of entries by slot, so core imports no later app.

Each app registers its entries in `AppConfig.ready()` (as `django.contrib.admin` discovers `admin.py`):

- the `nav` slot holds the links of the main menu (`Link`);
- the `dashboard` slot holds the dashboard's panels (`core.dashboard.Panel`, a `Block`);
- the `search` slot holds what the navigation bar's search finds (`core.search.Searcher`: calls, contracts, NGOs,
  agencies), each in its reader's scope;
- any other slot is a place on a page of an earlier app where a later app shows its section (`Block`): a template
  names it — `{% sections "contract-detail" object=contract %}` — and every block of that slot renders there.

An entry shows to a user when its `predicate(user)` says so (a predicate of the app's permissions.py, or a role
question of the User); a block also shows nothing when its context function returns None. Entries are ordered by
(order, key); registering a key again replaces the entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse

NAV = "nav"
DASHBOARD = "dashboard"
SEARCH = "search"


def everyone(user) -> bool:
    return True


def signed_in(user) -> bool:
    return user.is_authenticated


def signed_out(user) -> bool:
    return not user.is_authenticated


@dataclass(frozen=True)
class Entry:
    """Something a slot shows: a key (unique in its slot), an order, and who sees it."""

    key: str
    order: int = 100
    predicate: Callable[[Any], bool] = everyone

    def shows_to(self, user) -> bool:
        return self.predicate(user)


@dataclass(frozen=True)
class Link(Entry):
    """A link of the main menu: a URL name, its label, and the views (names or whole namespaces) that mark it as
    the current page; `excluded` views of such a namespace belong to another link."""

    label: str = ""
    url_name: str = ""
    current: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    def is_current(self, request) -> bool:
        match = getattr(request, "resolver_match", None)
        if match is None or match.view_name in self.excluded:
            return False
        return match.view_name in self.current or f"{match.namespace}:*" in self.current


@dataclass(frozen=True)
class Block(Entry):
    """A piece of a page rendered from a template with a context function `(request, **objects) -> dict | None`
    (None: nothing to show to this user)."""

    template: str = ""
    context: Callable[..., dict | None] | None = None
    title: str = ""
    width: str = "col-lg-6"
    extra: dict = field(default_factory=dict)

    def get_context(self, request, objects: dict) -> dict | None:
        return self.context(request, **objects) if self.context else {}

    def render(self, request, **objects) -> str | None:
        """Return the block's HTML for this request, or None when it has nothing to show."""
        context = self.get_context(request, objects)
        if context is None:
            return None
        # "panel" and "section": the names the apps' templates use for the block that renders them.
        names = {"panel": self, "section": self}
        return render_to_string(self.template, {**names, **objects, **context}, request=request)


_slots: dict[str, dict[str, Entry]] = {}


def register(slot: str, entry: Entry) -> None:
    """Register (or replace) an entry of a slot by its key."""
    _slots.setdefault(slot, {})[entry.key] = entry


def entries(slot: str, user=None) -> list:
    """Return the entries of a slot in order; with a user, only those shown to that user."""
    found = _slots.get(slot, {}).values()
    if user is not None:
        found = [entry for entry in found if entry.shows_to(user)]
    return sorted(found, key=lambda entry: (entry.order, entry.key))


def render(slot: str, request, **objects) -> list[tuple[Block, str]]:
    """Return (block, html) for every block of the slot that shows something to the request's user."""
    rendered = []
    for block in entries(slot, request.user):
        html = block.render(request, **objects)
        if html is not None:
            rendered.append((block, html))
    return rendered

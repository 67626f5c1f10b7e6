"""Sections that later apps add to earlier apps' pages (as dashboard panels are added to the dashboard), so that a page
of `contracts` can show evaluation results without `contracts` importing `evaluation`.

A template names a slot — `{% sections "contract-detail" object=contract %}` — and every section registered for that
slot renders there, in order, for users who may see it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string


@dataclass(frozen=True)
class Section:
    key: str
    slot: str
    template: str
    context: Callable[..., dict | None]  # (request, **objects) -> context, or None to show nothing
    order: int = 100

    def render(self, request, objects: dict) -> str:
        context = self.context(request, **objects)
        if context is None:
            return ""
        return render_to_string(self.template, {"section": self, **objects, **context}, request=request)


_sections: dict[str, Section] = {}


def register(section: Section) -> None:
    _sections[section.key] = section


def for_slot(slot: str) -> list[Section]:
    return sorted((s for s in _sections.values() if s.slot == slot), key=lambda s: (s.order, s.key))

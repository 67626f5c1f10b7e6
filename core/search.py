"""Search from the navigation bar: one normalised search column per searchable model, and searchers that later
apps register in the registry's `search` slot (as they register menu links), each answering in its reader's scope.

Why a column and not `icontains`: SQLite folds the case of ASCII letters only, so `name__icontains="қазақ"` misses
"ҚАЗАҚ" there while PostgreSQL finds it. The column holds the casefolded text (Python's `str.casefold`, which knows
ә ғ қ ң ө ұ ү һ і and every other letter), and the term is folded the same way, so one plain `contains` answers
alike on both databases.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from core import registry

SEARCH = registry.SEARCH
MIN_LENGTH = 2
LIMIT = 20
_SPACES = re.compile(r"\s+")


def normalise(text: str | None) -> str:
    """Return text as the search column holds it: NFC, casefolded, ё read as е, spaces collapsed."""
    folded = unicodedata.normalize("NFC", str(text or "")).casefold().replace("ё", "е")
    return _SPACES.sub(" ", folded).strip()


class Searchable(models.Model):
    """A model with a `search_text` column kept from its `SEARCH_FIELDS` by every save (a data migration fills the
    rows that existed before)."""

    SEARCH_FIELDS: tuple[str, ...] = ()

    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(self.SEARCH_FIELDS):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def build_search_text(self) -> str:
        """Return the normalised text of the model's search fields, one line each."""
        return "\n".join(normalise(getattr(self, name)) for name in self.SEARCH_FIELDS if getattr(self, name))


def fill_search_text(model, fields: Iterable[str]) -> None:
    """Fill `search_text` of every row of a (historical) model: the body of each app's data migration."""
    fields = tuple(fields)
    for row in model.objects.only("pk", *fields).iterator():
        text = "\n".join(normalise(getattr(row, name)) for name in fields if getattr(row, name))
        model.objects.filter(pk=row.pk).update(search_text=text)


def matching(queryset: models.QuerySet, term: str) -> models.QuerySet:
    """Return the rows of the queryset whose search column contains the normalised term."""
    return queryset.filter(search_text__contains=normalise(term))


@dataclass(frozen=True)
class Hit:
    """One result: what it is called, a line that tells it apart, and where it is."""

    title: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class Searcher(registry.Entry):
    """A kind of thing the search finds: its plural label and `find(user, term, limit) -> list[Hit]`, which
    answers within the user's scope (`visible_to`)."""

    label: Any = ""
    find: Callable[[Any, str, int], list[Hit]] | None = None


def register(searcher: Searcher) -> None:
    registry.register(SEARCH, searcher)


def search(user, term: str, *, limit: int = LIMIT) -> list[tuple[Searcher, list[Hit]]]:
    """Return (searcher, hits) for every kind that finds something for the term, in the registry's order; nothing
    for a term shorter than MIN_LENGTH letters."""
    if len(normalise(term)) < MIN_LENGTH:
        return []
    found = []
    for searcher in registry.entries(SEARCH, user):
        hits = searcher.find(user, term, limit)
        if hits:
            found.append((searcher, hits))
    return found

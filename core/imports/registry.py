"""The kinds of records an import takes, each defined by its app (`<app>/imports.py`) and registered here.

A kind names its sheet, its columns, its natural key and how a row becomes a record. The engine (`engine.py`) does
the rest the same way for every kind: parse, check, compare with what exists, count, and write in bulk."""

from __future__ import annotations

from typing import Any

from django.db import models

from core.imports.columns import Column, ParsedRow

_kinds: dict[str, Kind] = {}


class Kind:
    """One kind of record (one sheet). Subclasses set the attributes and override the hooks they need."""

    code: str = ""  # the sheet's name (and a CSV file's kind)
    label: Any = ""
    order: int = 100  # sheets are processed in this order, so rows can refer to earlier kinds
    model: type[models.Model]
    columns: list[Column] = []
    key_columns: tuple[str, ...] = ()

    def key(self, values: dict) -> Any:
        parts = tuple(values[name] for name in self.key_columns)
        return parts[0] if len(parts) == 1 else parts

    def key_text(self, key: Any) -> str:
        return " / ".join(str(part) for part in key) if isinstance(key, tuple) else str(key)

    # -- checking ------------------------------------------------------------------------------------------------

    def prepare(self, rows: list[ParsedRow], ctx) -> None:
        """Fetch in bulk what the chunk's rows refer to (called once per chunk, before `check`)."""

    def check(self, row: ParsedRow, ctx) -> None:
        """Add the row's problems beyond single cells: the order of dates, references, the user's scope."""

    def existing(self, keys: list, ctx) -> dict:
        """Return the records that already exist, by key."""
        raise NotImplementedError

    def may_change(self, instance, ctx) -> bool:
        """Return whether the import's user may change this existing record."""
        return ctx.user.is_admin

    def fields(self, row: ParsedRow, ctx) -> dict[str, Any]:
        """Return the model's field values (attnames) the row sets; compared with an existing record."""
        raise NotImplementedError

    def extra_changes(self, instance, row: ParsedRow, ctx) -> bool:
        """Return whether something beyond `fields` differs (e.g. a call's budget lines)."""
        return False

    def summary(self, row: ParsedRow, fields: dict, instance) -> dict:
        """What later rows need to know about this record (a contract's call, a payment's tranche)."""
        return {"pk": getattr(instance, "pk", None)}

    def first_years(self, object_ids: list[str]) -> dict[int, int]:
        """Return {region id: the first year} of these imported records, for kinds that cover regions in years."""
        return {}

    def finish(self, ctx) -> None:
        """Add problems that need every row of the kind (sums over tranches and payments)."""

    # -- writing ---------------------------------------------------------------------------------------------------

    def new(self, fields: dict, ctx) -> models.Model:
        return self.model(**fields)

    def after_write(self, written: list[tuple[models.Model, ParsedRow, bool]], ctx) -> None:
        """Write what belongs to the written records (a call's budget lines); `bool` says created."""


def register(kind: Kind) -> None:
    _kinds[kind.code] = kind


def kinds() -> list[Kind]:
    return sorted(_kinds.values(), key=lambda kind: (kind.order, kind.code))


def get(code: str) -> Kind | None:
    return _kinds.get(code)

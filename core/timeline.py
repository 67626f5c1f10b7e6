"""An object's timeline in plain language.

The audit log keeps raw values — English verbs, field names, choice codes, ISO dates, amounts as text, primary keys of
related rows — so that it stays exact and comparable. This module, and only it, turns an event into what a person
reads: the verb and the fields' verbose names in the reader's language, choice labels instead of codes, money and
dates in the reader's locale (dates in Asia/Almaty time), amendments as "tranche 2025: 35,6 → 28,1 млн ₸", related
rows by name, and sensitive fields by name only. The model is resolved from the event's content type; an event about
a child row (a staff member noted on its organisation's timeline) names the child's model through `register_subject`,
which later apps call in their AppConfig.ready()."""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import dateformat, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.audit import SENSITIVE, Action
from core.models import AuditEvent
from core.templatetags.gsz import group_number, money

NOTE = "note"
MILLION = decimal.Decimal(1_000_000)
DATE_FORMAT, DATETIME_FORMAT = "d.m.Y", "d.m.Y H:i"

# What an amendment's before/after values name (the keys of Amendment.old_value / new_value).
AMENDMENT_KEYS = {
    "total": _("total"),
    "end_date": _("end date"),
    "terminated_on": _("terminated on"),
    "scope": _("scope"),
}


@dataclass(frozen=True)
class Subject:
    """The model whose fields an event's changes describe, when it is not the event's own target (a staff member
    edited, noted on its organisation), and how to name one of its rows for a reader."""

    model: type[models.Model]
    name: Callable[[models.Model, object], str] = str


_subjects: dict[str, Subject] = {}


def register_subject(action: Action, model: type[models.Model], name: Callable | None = None) -> None:
    """Say that events with this verb describe rows of `model`; `name(row, viewer)` names a row (default: str)."""
    _subjects[Action(action)] = Subject(model, name or (lambda row, viewer: str(row)))


@dataclass
class Line:
    """One line under an event: a field's label with what it became (or just a note when the label is empty)."""

    label: str
    text: str


@dataclass
class Entry:
    """One event as the reader sees it."""

    event: AuditEvent
    when: dt.datetime
    action: str
    actor: str
    lines: list[Line] = field(default_factory=list)


def entries(events: Iterable[AuditEvent], *, viewer=None) -> list[Entry]:
    """Return the events in plain language for `viewer` (who may or may not see personal data)."""
    renderer = _Renderer(viewer)
    return [renderer.entry(event) for event in events]


# -- values ------------------------------------------------------------------------------------------------------


def format_date(value) -> str:
    """Return an ISO date (or datetime) as the reader reads it: 02.01.2026 (15:00 Almaty time for datetimes)."""
    text = str(value)
    try:
        if len(text) <= 10:
            return dateformat.format(dt.date.fromisoformat(text), DATE_FORMAT)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return dateformat.format(moment, DATETIME_FORMAT)


def _decimal(value) -> decimal.Decimal | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        number = decimal.Decimal(str(value))
    except decimal.InvalidOperation:
        return None
    return number if number.is_finite() else None


def money_change(before, after) -> str:
    """Return a change of an amount of tenge: in millions with one decimal when both are a million or more and the
    change still shows, else in full tenge."""
    old, new = _decimal(before), _decimal(after)
    if old is not None and new is not None and min(old, new) >= MILLION:
        old_m, new_m = (group_number(v / MILLION, 1) for v in (old, new))
        if old_m != new_m:
            return gettext("%(before)s → %(after)s mln ₸") % {"before": old_m, "after": new_m}
    return f"{money(old) if old is not None else '—'} → {money(new) if new is not None else '—'}"


def amendment_label(key) -> str:
    """Name what an amendment changed: a tranche year, the total, a date or the scope."""
    key = str(key)
    if key.isdigit():
        return gettext("tranche %(year)s") % {"year": key}
    return str(AMENDMENT_KEYS.get(key, key.replace("_", " ")))


def amendment_position(key) -> tuple:
    """Order an amendment's keys: the total, the tranches by year, then the dates and the scope."""
    key = str(key)
    if key == "total":
        return (0, 0, "")
    if key.isdigit():
        return (1, int(key), "")
    keys = list(AMENDMENT_KEYS)
    return (2, keys.index(key), "") if key in keys else (3, 0, key)


def amendment_value(value) -> str:
    """Show an amendment's before/after value: money as tenge, dates as dd.mm.yyyy, text as it is."""
    number = _decimal(value)
    if number is not None:
        return money(number)
    text = str(value)
    try:
        return dateformat.format(dt.date.fromisoformat(text), DATE_FORMAT)
    except ValueError:
        return text


def _number(value: decimal.Decimal) -> str:
    places = 0 if value == value.to_integral_value() else 2
    return group_number(value, places)


_AMOUNT_IN_NOTE = re.compile(r"(?<![\d.,])(\d+(?:\.\d+)?) ₸")
_SCORE_IN_NOTE = re.compile(r"(?<![\d.,])(\d+\.\d+) / 25\b")


def plain_note(note) -> str:
    """Return a note with the amounts and scores it quotes in the reader's locale."""
    text = str(note)
    text = _AMOUNT_IN_NOTE.sub(lambda m: money(decimal.Decimal(m.group(1))), text)
    return _SCORE_IN_NOTE.sub(lambda m: f"{group_number(decimal.Decimal(m.group(1)), 2)} / 25", text)


# -- events ------------------------------------------------------------------------------------------------------


class _Renderer:
    """Render events for one reader, fetching each related row once."""

    def __init__(self, viewer):
        self.viewer = viewer
        self.rows: dict[tuple[type, str], models.Model | None] = {}

    def entry(self, event: AuditEvent) -> Entry:
        target = ContentType.objects.get_for_id(event.content_type_id).model_class()  # cached: no query per event
        subject = _subjects.get(event.action)
        model = subject.model if subject else target
        sensitive = set(getattr(model, "SENSITIVE_FIELDS", ()))
        lines = []
        for name, values in sorted((event.changes or {}).items(), key=lambda item: self.position(model, item[0])):
            if name == NOTE:
                lines.append(Line("", self.note(values, subject)))
            elif isinstance(values, (list, tuple)) and len(values) == 2:
                lines.extend(self.change(model, name, values[0], values[1], sensitive))
            else:
                lines.append(Line(self.label(model, name), self.value(model, name, values)))
        return Entry(
            event=event,
            when=timezone.localtime(event.created_at),
            action=event.action_label,
            actor=str(event.actor) if event.actor else "",
            lines=lines,
        )

    # -- one change

    def change(self, model, name: str, before, after, sensitive: set[str]) -> list[Line]:
        label = self.label(model, name)
        if name in sensitive or SENSITIVE in (before, after):
            return [Line(label, gettext("changed"))]
        if isinstance(before, dict) or isinstance(after, dict):  # an amendment: {key: value} before and after
            return self.amendment(before or {}, after or {})
        field_ = self.field(model, name)
        if field_ is not None and self.is_money(field_):
            return [Line(label, money_change(before, after))]
        return [Line(label, f"{self.value(model, name, before)} → {self.value(model, name, after)}")]

    def amendment(self, before: dict, after: dict) -> list[Line]:
        lines = []
        for key in sorted({*before, *after}, key=amendment_position):
            label = amendment_label(key)
            if key in before and key in after:
                old_number, new_number = _decimal(before[key]), _decimal(after[key])
                if before[key] == after[key] or (old_number is not None and old_number == new_number):
                    continue  # unchanged (a tranche the amendment left as it was)
                if str(key).isdigit() or key == "total":
                    lines.append(Line(label, money_change(before[key], after[key])))
                else:
                    lines.append(Line(label, f"{amendment_value(before[key])} → {amendment_value(after[key])}"))
            else:
                lines.append(Line(label, amendment_value(before.get(key, after.get(key)))))
        return lines

    # -- names and values

    def position(self, model, name: str) -> tuple:
        """Order the lines as the model orders its fields, other names after them and the note last (PostgreSQL's
        jsonb keeps no order of its own)."""
        if name == NOTE:
            return (2, 0, "")
        names = [f.name for f in model._meta.get_fields()] if model is not None else []
        return (0, names.index(name), "") if name in names else (1, 0, name)

    def field(self, model, name: str) -> models.Field | None:
        if model is None:
            return None
        try:
            field_ = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        return field_ if isinstance(field_, models.Field) else None

    def label(self, model, name: str) -> str:
        field_ = self.field(model, name)
        if field_ is None:
            return str(AMENDMENT_KEYS.get(name, name.replace("_", " ")))
        return re.sub(r",\s*₸$", "", str(field_.verbose_name))  # the amount itself carries ₸

    @staticmethod
    def is_money(field_) -> bool:
        return isinstance(field_, models.DecimalField) and "₸" in str(field_.verbose_name)

    def value(self, model, name: str, value) -> str:
        if value is None or value == "" or value == []:
            return "—"
        field_ = self.field(model, name)
        if isinstance(value, (list, tuple)):
            return ", ".join(self.value(model, name, v) for v in value) or "—"
        if isinstance(value, bool):
            return gettext("yes") if value else gettext("no")
        if field_ is None:
            return str(value)
        if field_.choices:
            return str(dict(field_.flatchoices).get(value, value))
        if field_.is_relation and field_.related_model is not None:
            return self.related(field_.related_model, value)
        if isinstance(field_, models.DateField):  # DateTimeField too
            return format_date(value)
        if isinstance(field_, models.DecimalField):
            number = _decimal(value)
            return money(number) if self.is_money(field_) else _number(number) if number is not None else str(value)
        return str(value)

    def related(self, model, value) -> str:
        """Name a related row: a stored primary key is looked up and named in the reader's language; a stored name
        (the row as it read when recorded) stays as it is."""
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            row = self.row(model, str(value))
            return str(row) if row is not None else f"{model._meta.verbose_name} #{value}"
        return str(value)

    def row(self, model, pk: str):
        key = (model, pk)
        if key not in self.rows:
            self.rows[key] = model._default_manager.filter(pk=pk).first()
        return self.rows[key]

    def note(self, note, subject: Subject | None) -> str:
        """Return the note in plain language; a note "<row kind> #<id>" of a child row names the row instead."""
        match = re.fullmatch(r".+ #(\d+)", str(note))
        if subject is not None and match:
            row = self.row(subject.model, match.group(1))
            if row is not None:
                return f"{subject.model._meta.verbose_name}: {subject.name(row, self.viewer)}"
            return f"{subject.model._meta.verbose_name} #{match.group(1)}"
        return plain_note(note)

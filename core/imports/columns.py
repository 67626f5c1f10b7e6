"""The columns of an import sheet: how a cell's text becomes a value, with the project's own validators.

Every cell is read as text (nothing is guessed); a parser returns the value or raises `CellError` with a message in
the reader's language. An empty cell is None (a required column reports it before any parser runs)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.validators import bin_error, validate_single_line


class CellError(Exception):
    """A cell's text cannot be used; the message says why."""


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header (a code), what it means, an example, and its parser."""

    name: str
    help: Any  # a lazy translation: the README sheet explains the column in the reader's language
    example: str = ""
    parse: Callable[[str, Any], Any] = lambda value, ctx: value
    required: bool = True
    choices: Callable[[], list[tuple[str, str]]] | None = None  # (code, label) for the template's drop-downs
    text_format: bool = False  # codes with leading zeros: the template formats the column as text


def integral_text(value: str) -> str:
    """Return a code as typed: "123.0" (a number cell read as text) loses its ".0"."""
    return value[:-2] if re.fullmatch(r"\d+\.0", value) else value


def text(max_length: int) -> Callable[[str, Any], str]:
    def parse(value: str, ctx) -> str:
        if len(value) > max_length:
            raise CellError(_("At most %(count)d characters.") % {"count": max_length})
        try:
            validate_single_line(value)
        except ValidationError as error:
            raise CellError(" ".join(error.messages)) from error
        return value

    return parse


def code_text(max_length: int) -> Callable[[str, Any], str]:
    inner = text(max_length)
    return lambda value, ctx: inner(integral_text(value), ctx)


def bin_number(value: str, ctx) -> str:
    value = integral_text(value)
    error = bin_error(value)
    if error:
        raise CellError(error)
    return value


def integer(minimum: int = 0, maximum: int = 10**9) -> Callable[[str, Any], int]:
    def parse(value: str, ctx) -> int:
        try:
            number = Decimal(value.replace(" ", "").replace("\u00a0", ""))
        except InvalidOperation as error:
            raise CellError(_("A whole number is expected.")) from error
        if number != number.to_integral_value():
            raise CellError(_("A whole number is expected."))
        if not minimum <= number <= maximum:
            raise CellError(_("The number must be from %(min)d to %(max)d.") % {"min": minimum, "max": maximum})
        return int(number)

    return parse


def year(value: str, ctx) -> int:
    return integer(2000, 2100)(value, ctx)


def money(value: str, ctx) -> Decimal:
    """Tenge as Decimal: spaces as thousands separators and a decimal comma are accepted; at most 2 decimals."""
    cleaned = value.replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as error:
        raise CellError(_("An amount in tenge is expected, e.g. 1500000.00.")) from error
    if not amount.is_finite() or amount < 0:
        raise CellError(_("An amount in tenge is expected, e.g. 1500000.00."))
    if amount != amount.quantize(Decimal("0.01")):
        raise CellError(_("At most two digits after the decimal point."))
    if amount >= Decimal("1e12"):
        raise CellError(_("The amount is too large."))
    return amount.quantize(Decimal("0.01"))


DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def date(value: str, ctx) -> dt.date:
    """A date as dd.mm.yyyy or ISO yyyy-mm-dd (a date cell of a workbook reads as ISO with a zero time)."""
    for fmt in DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(value, fmt)  # noqa: DTZ007 (a calendar date, no moment)
        except ValueError:
            continue
        if parsed.time() != dt.time.min:
            break
        return parsed.date()
    raise CellError(_("A date is expected as dd.mm.yyyy or yyyy-mm-dd."))


def choice(values: Callable[[], list[tuple[str, str]]]) -> Callable[[str, Any], str]:
    def parse(value: str, ctx) -> str:
        codes = [code for code, _label in values()]
        if value not in codes:
            raise CellError(_("Unknown value; allowed: %(codes)s.") % {"codes": ", ".join(codes)})
        return value

    return parse


def region(value: str, ctx):
    found = ctx.regions.get(integral_text(value))
    if found is None:
        raise CellError(_("Unknown region: no region has this KATO code."))
    return found


def service_type(value: str, ctx):
    found = ctx.service_types.get(value)
    if found is None:
        raise CellError(_("Unknown service type code."))
    return found


def agency(value: str, ctx):
    value = bin_number(value, ctx)
    found = ctx.agencies.get(value)
    if found is None:
        raise CellError(_("No agency in the system has this BIN."))
    return found


@dataclass
class ParsedRow:
    """One data row: its number in the sheet, the raw texts, the parsed values and the problems found."""

    number: int
    raw: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, message)

    def problem(self, column: str, message: str) -> None:
        self.problems.append((column, str(message)))

"""Validation of Kazakh business identification numbers (BIN) and of one-line names, titles and numbers."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FIRST_PASS_WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
SECOND_PASS_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
LEGAL_ENTITY_TYPE_DIGITS = "456"


def bin_check_digit(first_eleven: str) -> int | None:
    """Return the check digit for the first 11 digits, or None when no digit can be valid."""
    digits = [int(c) for c in first_eleven]
    check = sum(d * w for d, w in zip(digits, FIRST_PASS_WEIGHTS, strict=True)) % 11
    if check == 10:
        check = sum(d * w for d, w in zip(digits, SECOND_PASS_WEIGHTS, strict=True)) % 11
    return None if check == 10 else check


def bin_error(value: str) -> str | None:
    """Return what is wrong with a BIN in words, or None when it is valid."""
    value = (value or "").strip()
    if not value.isdigit() or not value.isascii():
        return _("A BIN consists of digits only.")
    if len(value) != 12:
        return _("A BIN has exactly 12 digits; this one has %(count)d.") % {"count": len(value)}
    if value[4] not in LEGAL_ENTITY_TYPE_DIGITS:
        return _("The fifth digit of a legal entity's BIN is 4, 5 or 6; this looks like a personal IIN, not a BIN.")
    check = bin_check_digit(value[:11])
    if check is None:
        return _("No valid BIN begins with these 11 digits: the check digit cannot be computed.")
    if check != int(value[11]):
        return _("The check digit (the last digit) is wrong: check the number for a typing error.")
    return None


def validate_bin(value: str) -> None:
    error = bin_error(value)
    if error:
        raise ValidationError(error, code="invalid_bin")


def make_bin(prefix_eleven: str) -> str | None:
    """Return a valid BIN completing 11 digits, or None (used to build demo and test data)."""
    check = bin_check_digit(prefix_eleven)
    return None if check is None else f"{prefix_eleven}{check}"


# -- single-line text: names, titles, numbers and anything that becomes an email header or a file name ---------------

# Bidirectional embeddings, overrides and isolates reorder what a reader sees (a number can read as another one).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Characters that draw nothing although Unicode does not class them as spaces or format characters.
BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5")


def forbidden_control(value: str) -> str | None:
    """Return the first control character that has no place in a one-line name, title or number, or None.

    C0 and C1 controls (line breaks and tabs among them), DEL, the Unicode line and paragraph separators and the
    bidirectional overrides are refused; they break email headers and file names or disguise what the text says.
    """
    for char in value or "":
        if unicodedata.category(char) == "Cc" or char in BIDI_CONTROLS or char in "\u2028\u2029":
            return char
    return None


def is_invisible(value: str) -> bool:
    """Return whether text that is not empty consists only of spaces, format characters and blank-looking marks."""
    return bool(value) and all(
        unicodedata.category(char)[0] in "ZCM" or char in BLANK_LOOKING or char.isspace() for char in value
    )


def validate_single_line(value: str) -> None:
    """Refuse control characters and names made only of invisible characters (one-line names, titles, numbers)."""
    char = forbidden_control(value)
    if char is not None:
        raise ValidationError(
            _(
                "Remove the control character %(code)s (a line break, a tab or an invisible formatting mark): "
                "this text must be a single line of visible characters."
            ),
            code="control_character",
            params={"code": f"U+{ord(char):04X}"},
        )
    if is_invisible(value):
        raise ValidationError(_("This text consists only of invisible characters."), code="invisible")

"""Validation of Kazakh business identification numbers (BIN)."""

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

"""Domain exceptions."""

from django.core.exceptions import PermissionDenied, ValidationError


class InvalidTransition(ValidationError):
    """A state change that the object's status or the rules do not allow; the message is translated."""


class Refused(PermissionDenied):
    """A 403 whose reason the page shows (a translated sentence: "You are recused from this bid."), where the
    generic "your role does not allow this action" would mislead someone whose role does allow it."""

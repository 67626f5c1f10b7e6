"""Domain exceptions."""

from django.core.exceptions import ValidationError


class InvalidTransition(ValidationError):
    """A state change that the object's status or the rules do not allow; the message is translated."""

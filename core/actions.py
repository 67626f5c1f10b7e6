"""What a detail page offers: the buttons a user may press, decided by the view from the app's predicates, so a
template renders them (`includes/action_form.html`) without re-encoding a state machine."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageAction:
    """One POST form of a page: a button, and at most one field (`reason`, `required-reason` or `deadline`)."""

    name: str
    url: str
    label: str
    style: str = "btn-outline-primary"
    field: str = ""
    placeholder: str = ""
    confirm: str = ""
    testid: str = ""
    form_class: str = ""

"""Panels of result evaluations (filled in with the evaluation views)."""


def register_all() -> None:
    return None

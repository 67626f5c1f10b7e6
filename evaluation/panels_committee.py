"""Panels of the committee dashboard (coverage, stability, red flags)."""


def register_all() -> None:
    return None

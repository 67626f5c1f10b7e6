"""Templates stay readable and decide nothing: lines a reader can follow, no role strings, no hand-written query
strings for the current page (Django's `{% querystring %}` builds them)."""

import re
from pathlib import Path

from django.conf import settings

MAX_LINE = 160
ROOT = Path(settings.BASE_DIR)


def templates() -> list[Path]:
    found = []
    for folder in [ROOT / "templates", *ROOT.glob("*/templates")]:
        for path in folder.rglob("*.html"):
            found.append(path)
    return sorted(found)


def test_there_are_templates_to_check():
    names = {path.relative_to(ROOT).as_posix() for path in templates()}
    assert {
        "templates/base.html",
        "tenders/templates/tenders/call_detail.html",
        "evaluation/templates/evaluation/analytics/committee.html",
        "templates/includes/timeline.html",
    } <= names


def test_no_template_line_is_longer_than_a_reader_can_follow():
    long = [
        f"{path.relative_to(ROOT)}:{number} ({len(line)})"
        for path in templates()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if len(line) > MAX_LINE
    ]
    assert not long, f"template lines over {MAX_LINE} characters: {long}"


def test_no_template_decides_by_role():
    pattern = re.compile(r"user\.(role|is_superuser|is_officer|is_expert|is_ngo|is_committee|is_admin)\b")
    found = [str(path.relative_to(ROOT)) for path in templates() if pattern.search(path.read_text())]
    assert not found, f"templates that re-encode roles (pass the view's or the registry's decision): {found}"


def test_no_template_writes_the_current_pages_query_string_by_hand():
    pattern = re.compile(r'href="\?|querystring_replace|query_with')
    found = [str(path.relative_to(ROOT)) for path in templates() if pattern.search(path.read_text())]
    assert not found, f"use {{% querystring %}}: {found}"

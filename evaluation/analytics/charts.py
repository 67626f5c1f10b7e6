"""Every colour of the analytics, and the server-side SVG charts: no script, no inline style, so they work under the
content security policy.

The status colours of coverage cells and stability verdicts are defined here once: the pages' CSS classes
(`cell-<status>`, `verdict-<verdict>`, served by views.StatusStylesView) and the workbook's cell formats both come
from them. Every chart carries a <title> and a <desc> and shows its numbers as text, never colour alone. Text is
escaped here; coordinates are numbers formatted here.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.models import Region
from core.templatetags.gsz import group_number
from evaluation.analytics.coverage import CellStatus
from evaluation.analytics.stability import Verdict

PLANNED = "#0d6efd"
PAID = "#20c997"
GRID = "#dee2e6"
TEXT = "#212529"
_ids = itertools.count(1)

# (fill, text) of each status: text and colour together, never colour alone.
CELL_COLOURS: dict[str, tuple[str, str]] = {
    CellStatus.COVERED: ("#198754", "#ffffff"),
    CellStatus.ENDING: ("#a3cfbb", "#212529"),
    CellStatus.FAILED: ("#dc3545", "#ffffff"),
    CellStatus.GAP: ("#fd7e14", "#212529"),
    CellStatus.NEVER: ("#6f1d1b", "#ffffff"),
    CellStatus.NA: ("#e9ecef", "#6c757d"),
    CellStatus.NO_DATA: ("#f8f9fa", "#6c757d"),
}
VERDICT_COLOURS: dict[str, tuple[str, str]] = {
    Verdict.UNFUNDED: ("#6f1d1b", "#ffffff"),
    Verdict.INTERRUPTED: ("#dc3545", "#ffffff"),
    Verdict.VOLATILE: ("#ffc107", "#212529"),
    Verdict.STABLE: ("#198754", "#ffffff"),
    Verdict.NO_DATA: ("#e9ecef", "#6c757d"),
}


def short_money(value: Decimal | float) -> str:
    """Return tenge in millions with one decimal (the axis of money charts)."""
    return group_number(Decimal(value) / Decimal(1_000_000), 1)


def _text(
    x: float, y: float, text: str, *, size: int = 10, anchor: str = "start", fill: str = TEXT, bold=False
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{weight}>'
        f"{escape(text)}</text>"
    )


def money_chart(
    years: Sequence[int],
    planned: Sequence[Decimal],
    paid: Sequence[Decimal] | None,
    *,
    title: str,
    description: str,
    planned_label: str,
    paid_label: str,
    unit_label: str,
    width: int = 640,
    height: int = 260,
) -> SafeString:
    """Return grouped bars of money by year (planned and, when given, paid), labelled with their values."""
    uid = next(_ids)
    left, right, top, bottom = 56, 12, 30, 36
    inner_w, inner_h = width - left - right, height - top - bottom
    top_value = max([Decimal(1), *planned, *(paid or [])])
    slot = inner_w / max(len(years), 1)
    bar = slot * (0.38 if paid is not None else 0.6)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart" '
        f'aria-labelledby="chart{uid}-t chart{uid}-d">',
        f'<title id="chart{uid}-t">{escape(title)}</title><desc id="chart{uid}-d">{escape(description)}</desc>',
    ]
    for i in range(5):
        y = top + inner_h - inner_h * i / 4
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        out.append(_text(left - 6, y + 3, short_money(top_value * Decimal(i) / 4), anchor="end"))
    out.append(_text(4, 12, unit_label))
    for index, year in enumerate(years):
        series = [(planned[index], PLANNED, planned_label)]
        if paid is not None:
            series.append((paid[index], PAID, paid_label))
        x0 = left + slot * index + (slot - bar * len(series)) / 2
        for k, (value, colour, label) in enumerate(series):
            h = float(inner_h * Decimal(value) / top_value)
            x, y = x0 + k * bar, top + inner_h - h
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 2:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(label)} {year}: {escape(short_money(value))}</title></rect>"
            )
            if bar >= 26:  # a value label only where it fits above its bar
                out.append(_text(x + bar / 2 - 1, top + inner_h - h - 3, short_money(value), size=9, anchor="middle"))
        out.append(_text(left + slot * index + slot / 2, height - bottom + 16, str(year), size=11, anchor="middle"))
    legend = width - right - 230
    out.append(f'<rect x="{legend}" y="8" width="10" height="10" fill="{PLANNED}"/>')
    out.append(_text(legend + 14, 17, planned_label))
    if paid is not None:
        out.append(f'<rect x="{legend + 115}" y="8" width="10" height="10" fill="{PAID}"/>')
        out.append(_text(legend + 129, 17, paid_label))
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped, every number formatted here


@dataclass(frozen=True)
class Tile:
    row: int
    col: int
    name: str
    label: str  # the figure shown on the tile, e.g. "3 / 11"
    share: Decimal | None  # 0–1; None when no service applies (no data)
    url: str
    highlighted: bool = False  # the reader's own region (an officer's): outlined


SHARE_STEPS = [
    (Decimal("0"), "#b02a37", "#ffffff"),
    (Decimal("0.25"), "#e35d6a", "#ffffff"),
    (Decimal("0.5"), "#ffc107", TEXT),
    (Decimal("0.75"), "#75b798", TEXT),
    (Decimal("1"), "#198754", "#ffffff"),
]


def share_colour(share: Decimal | None) -> tuple[str, str]:
    """Return (fill, text colour) for a share of services covered: dark red (none) through green (all)."""
    if share is None:
        return "#e9ecef", TEXT
    for limit, fill, text in SHARE_STEPS:
        if share <= limit:
            return fill, text
    return SHARE_STEPS[-1][1], SHARE_STEPS[-1][2]


def tile_map(tiles: Sequence[Tile], *, title: str, description: str, size: int = 96) -> SafeString:
    """Return Kazakhstan's regions as a tile grid (positions from the reference data), each tile a link coloured by
    the share of services covered and labelled with its name and figure."""
    rows = max((t.row for t in tiles), default=0) + 1
    cols = max((t.col for t in tiles), default=0) + 1
    gap = 4
    width, height = cols * (size + gap), rows * (size + gap)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="tile-map">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
    ]
    for tile in tiles:
        fill, text = share_colour(tile.share)
        x, y = tile.col * (size + gap), tile.row * (size + gap)
        words = tile.name.split()
        half = (len(words) + 1) // 2
        lines = (
            [" ".join(words[:half]), " ".join(words[half:])] if len(tile.name) > 13 and len(words) > 1 else [tile.name]
        )
        mark = ' class="own-region" aria-current="true"' if tile.highlighted else ""
        stroke = 'stroke="#0d1b2a" stroke-width="5"' if tile.highlighted else 'stroke="#ffffff"'
        out.append(f'<a href="{escape(tile.url)}"{mark}>')
        out.append(
            f'<rect x="{x}" y="{y}" width="{size}" height="{size}" rx="6" fill="{fill}" {stroke}>'
            f"<title>{escape(tile.name)}: {escape(tile.label)}</title></rect>"
        )
        for i, line in enumerate(lines):
            font = 10 if len(line) <= 14 else 8
            out.append(_text(x + size / 2, y + 18 + i * 12, line, size=font, anchor="middle", fill=text))
        out.append(_text(x + size / 2, y + size - 16, tile.label, size=15, anchor="middle", fill=text, bold=True))
        out.append("</a>")
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped, every number formatted here


def short_name(region: Region) -> str:
    """Return a region's name for a tile: without the word for 'city' (the regions keep theirs, so Almaty city and
    Almaty Region stay apart)."""
    words = [w for w in region.name.split() if w.lower() not in {"город", "қаласы"}]
    return " ".join(words) or region.name


def coverage_tiles(matrix, year: int, highlight: int | None = None) -> list[Tile]:
    """Return the tiles of a coverage matrix's regions: covered of applicable services, linked to the heatmap;
    the region with the pk `highlight` (the reader's own) outlined."""
    return [
        Tile(
            row=rc.region.tile_row,
            col=rc.region.tile_col,
            name=short_name(rc.region),
            label=f"{rc.covered} / {rc.applicable}" if rc.applicable else _("no data"),
            share=rc.share,
            url=reverse("evaluation:coverage") + f"?year={year}&region={rc.region.pk}#heatmap",
            highlighted=rc.region.pk == highlight,
        )
        for rc in matrix.region_coverage
    ]

"""Every colour of the analytics, and the server-side SVG charts: no script, no inline style, so they work under the
content security policy.

The status colours of coverage cells and stability verdicts are defined here once: the pages' CSS classes
(`cell-<status>`, `verdict-<verdict>`, served by views.StatusStylesView) and the workbook's cell formats both come
from them. Every chart carries a <title> and a <desc> and shows its numbers as text, never colour alone. Text is
escaped here; coordinates are numbers formatted here.
"""

from __future__ import annotations

import itertools
import re
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
    CellStatus.NA: ("#e9ecef", "#495057"),
    CellStatus.NO_DATA: ("#f8f9fa", "#495057"),
}
VERDICT_COLOURS: dict[str, tuple[str, str]] = {
    Verdict.UNFUNDED: ("#6f1d1b", "#ffffff"),
    Verdict.INTERRUPTED: ("#dc3545", "#ffffff"),
    Verdict.VOLATILE: ("#ffc107", "#212529"),
    Verdict.STABLE: ("#198754", "#ffffff"),
    Verdict.NO_DATA: ("#e9ecef", "#495057"),
}


def short_money(value: Decimal | float) -> str:
    """Return tenge in millions with one decimal (the axis of money charts)."""
    return group_number(Decimal(value) / Decimal(1_000_000), 1)


def _text(
    x: float, y: float, text: str, *, size: float = 10, anchor: str = "start", fill: str = TEXT, bold=False
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}" fill="{fill}"{weight}>'
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
    """Return grouped bars of money by year (planned and, when given, paid), labelled with their values. Years before
    the first with any money are left out (a chart starts where the data starts); a series without any money keeps
    its last year, so the chart says "0" rather than nothing."""
    first = first_year_with_data(planned, paid)
    years, planned = list(years)[first:], list(planned)[first:]
    paid = list(paid)[first:] if paid is not None else None
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


def first_year_with_data(planned: Sequence[Decimal], paid: Sequence[Decimal] | None) -> int:
    """Return the index of the first year with planned or paid money (the last index when none has any)."""
    for index, value in enumerate(planned):
        if value or (paid is not None and paid[index]):
            return index
    return max(len(planned) - 1, 0)


@dataclass(frozen=True)
class Tile:
    row: int
    col: int
    name: str
    label: str  # the figure shown on the tile, e.g. "3 / 11"
    share: Decimal | None  # 0–1; None when no service applies (no data)
    url: str
    highlighted: bool = False  # the reader's own region (an officer's): outlined
    short: str = ""  # the name on the tile (without "Region"/"city" where that stays unambiguous); `name` if empty


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


# The widths of the tile's text: a character of the sans-serif face the pages use (DejaVu Sans, Arial, Helvetica) is at
# most about 0.62 of the font size wide in Cyrillic and Latin lower case, so a line of n characters at size f takes
# n * 0.62 * f. The name is fitted to the tile with this, never clipped; a font below MIN_FONT is wrapped instead.
CHAR_WIDTH = 0.62
MAX_FONT, MIN_FONT = 15.0, 10.5
TILE_PADDING = 4


def wrap_name(name: str, *, lines: int = 2) -> list[str]:
    """Return a name split into at most `lines` lines at spaces and after hyphens, the longest line as short as
    possible ("Восточно-Казахстанская" -> ["Восточно-", "Казахстанская"])."""
    parts = re.findall(r"[^\s-]+-?", name)
    if len(parts) <= 1 or lines <= 1:
        return [name]
    best = [name]
    for cut in range(1, len(parts)):
        head = "".join(p if p.endswith("-") else p + " " for p in parts[:cut]).strip()
        tail = wrap_name("".join(p if p.endswith("-") else p + " " for p in parts[cut:]).strip(), lines=lines - 1)
        candidate = [head, *tail]
        if max(map(len, candidate)) < max(map(len, best)):
            best = candidate
    return best


def fitted_font(lines: Sequence[str], width: float) -> float:
    """Return the largest font size (up to MAX_FONT, in half points) at which every line fits in `width`."""
    longest = max((len(line) for line in lines), default=1)
    return max(min(MAX_FONT, width / (CHAR_WIDTH * longest)) // 0.5 * 0.5, 1.0)


def tile_lines(name: str, size: int) -> tuple[list[str], float]:
    """Return the lines of a tile's name and their font size: one line if it fits at MIN_FONT and wrapping would not
    make it clearly larger, else wrapped."""
    width = size - 2 * TILE_PADDING
    one, wrapped = [name], wrap_name(name)
    if fitted_font(one, width) < MIN_FONT or fitted_font(wrapped, width) >= fitted_font(one, width) + 2:
        return wrapped, fitted_font(wrapped, width)
    return one, fitted_font(one, width)


def share_legend() -> list[tuple[str, str, str, str]]:
    """Return the colour scale of the tile map as (CSS class, fill, text colour, label), the steps share_colour uses;
    the classes are written into the statuses stylesheet (no inline style under the content security policy)."""
    labels = [
        _("none covered"),
        _("up to 25 %"),
        _("up to 50 %"),
        _("up to 75 %"),
        _("over 75 %"),
    ]
    steps = [(fill, text, label) for (_limit, fill, text), label in zip(SHARE_STEPS, labels, strict=True)]
    steps.append((*share_colour(None), _("no data")))
    return [(f"share-{i}", fill, text, label) for i, (fill, text, label) in enumerate(steps)]


def _swatch(css_class: str, _fill: str, _text: str, label: str) -> str:
    """A legend entry: its colour as a small square (a class of the statuses stylesheet) beside its text."""
    swatch = f'<span class="map-swatch {css_class}" aria-hidden="true"></span>'
    return f'<li class="map-legend-item">{swatch}{escape(label)}</li>'


def tile_map(tiles: Sequence[Tile], *, title: str, description: str, size: int = 100) -> SafeString:
    """Return Kazakhstan's regions as a tile grid (positions from the reference data), each tile a link coloured by
    the share of services covered and labelled with its name (fitted, wrapped, never clipped; the full name in its
    <title>) and figure; with the colour legend beside it and the regions as a list (the map on a phone)."""
    rows = max((t.row for t in tiles), default=0) + 1
    cols = max((t.col for t in tiles), default=0) + 1
    gap = 4
    width, height = cols * (size + gap) - gap, rows * (size + gap) - gap
    uid = next(_ids)
    out = [
        '<div class="tile-map-block"><div class="tile-map-scroll">',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="group" class="tile-map" '
        f'aria-labelledby="map{uid}-t map{uid}-d">'
        f'<title id="map{uid}-t">{escape(title)}</title><desc id="map{uid}-d">{escape(description)}</desc>',
    ]
    for tile in tiles:
        fill, text = share_colour(tile.share)
        x, y = tile.col * (size + gap), tile.row * (size + gap)
        lines, font = tile_lines(tile.short or tile.name, size)
        mark = ' class="own-region" aria-current="true"' if tile.highlighted else ""
        stroke = 'stroke="#0d1b2a" stroke-width="5"' if tile.highlighted else 'stroke="#ffffff"'
        out.append(f'<a href="{escape(tile.url)}"{mark} aria-label="{escape(tile.name)}: {escape(tile.label)}">')
        out.append(
            f'<rect x="{x}" y="{y}" width="{size}" height="{size}" rx="6" fill="{fill}" {stroke}>'
            f"<title>{escape(tile.name)}: {escape(tile.label)}</title></rect>"
        )
        for i, line in enumerate(lines):
            out.append(_text(x + size / 2, y + 8 + font * (i + 1) * 1.1, line, size=font, anchor="middle", fill=text))
        out.append(_text(x + size / 2, y + size - 14, tile.label, size=18, anchor="middle", fill=text, bold=True))
        out.append("</a>")
    out.append("</svg></div>")
    out.append(f'<ul class="map-legend list-unstyled" aria-label="{escape(_("Colour: share of services covered"))}">')
    out.append(f'<li class="map-legend-title">{escape(_("Share of services covered"))}</li>')
    out.extend(_swatch(*entry) for entry in share_legend())
    out.append("</ul>")
    out.append(f'<details class="map-list"><summary>{escape(_("The regions as a list"))}</summary>')
    out.append('<ul class="list-unstyled">')
    for tile in sorted(tiles, key=lambda t: t.name):
        out.append(
            f'<li><a href="{escape(tile.url)}">{escape(tile.name)}</a> '
            f'<span class="text-nowrap">{escape(tile.label)}</span></li>'
        )
    out.append("</ul></details></div>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped, every number formatted here


CITY_WORDS = {"город", "қаласы", "city"}
REGION_WORDS = {"область", "облысы", "region"}


def short_name(region: Region, taken: frozenset[str] = frozenset()) -> str:
    """Return a region's name for a tile: without the word for 'city', and without the word for 'region' unless the
    shorter name is `taken` by another (Almaty Region stays "Алматы облысы" beside the city "Алматы" in Kazakh)."""
    words = region.name.split()
    city = [w for w in words if w.lower() not in CITY_WORDS]
    if len(city) < len(words):
        return " ".join(city) or region.name
    bare = " ".join(w for w in words if w.lower() not in REGION_WORDS)
    return bare if bare and bare not in taken else region.name


def short_names(regions: Sequence[Region]) -> dict[int, str]:
    """Return each region's tile name, unambiguous among `regions` (cities keep the bare name)."""
    cities = frozenset(short_name(r) for r in regions if any(w.lower() in CITY_WORDS for w in r.name.split()))
    taken = cities | {r.name for r in regions}
    return {r.pk: short_name(r, taken) for r in regions}


def coverage_tiles(matrix, year: int, highlight: int | None = None) -> list[Tile]:
    """Return the tiles of a coverage matrix's regions: covered of applicable services, linked to the heatmap;
    the region with the pk `highlight` (the reader's own) outlined."""
    names = short_names([rc.region for rc in matrix.region_coverage])
    return [
        Tile(
            row=rc.region.tile_row,
            col=rc.region.tile_col,
            name=rc.region.name,
            short=names[rc.region.pk],
            label=f"{rc.covered} / {rc.applicable}" if rc.applicable else _("no data"),
            share=rc.share,
            url=reverse("evaluation:coverage") + f"?year={year}&region={rc.region.pk}#heatmap",
            highlighted=rc.region.pk == highlight,
        )
        for rc in matrix.region_coverage
    ]

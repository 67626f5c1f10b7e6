"""The committee's charts as people read them (issue 11): every region's name fits its tile in all three languages
(wrapped, never clipped, the full name in its <title>), the map carries its colour legend and a list of the regions,
and money-by-year charts start at the first year with money."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from core.models import Region
from evaluation.analytics import charts

pytestmark = pytest.mark.django_db

SIZE = 100
TEXT = re.compile(r'<text x="([\d.]+)" y="([\d.]+)" font-size="([\d.]+)"[^>]*>([^<]*)</text>')


def region_tiles() -> list[charts.Tile]:
    regions = list(Region.objects.all())
    names = charts.short_names(regions)
    return [
        charts.Tile(
            row=r.tile_row, col=r.tile_col, name=r.name, short=names[r.pk], label="3 / 11", share=None, url="/x/"
        )
        for r in regions
    ]


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_every_region_name_fits_its_tile_in_a_readable_size(language):
    with translation.override(language):
        tiles = region_tiles()
        svg = str(charts.tile_map(tiles, title="t", description="d", size=SIZE))
    names = [(float(size), text) for _x, _y, size, text in TEXT.findall(svg) if text != "3 / 11"]
    assert names, svg
    for size, text in names:
        assert size >= charts.MIN_FONT, (text, size)
        assert len(text) * charts.CHAR_WIDTH * size <= SIZE - 2 * charts.TILE_PADDING, (text, size)
    shown = {" ".join(t for _s, t in names[i : i + 2]) for i in range(len(names))} | {t for _s, t in names}
    for tile in tiles:
        whole = tile.short.replace("- ", "-")
        assert any(whole == s.replace("- ", "-") for s in shown), f"{tile.short!r} is not on its tile whole"
        assert f"<title>{tile.name}: 3 / 11</title>" in svg
    assert len({t.short for t in tiles}) == len(tiles), "two tiles read the same"


def test_the_longest_names_wrap_at_their_hyphen():
    assert charts.wrap_name("Восточно-Казахстанская") == ["Восточно-", "Казахстанская"]
    assert charts.wrap_name("Батыс Қазақстан") == ["Батыс", "Қазақстан"]
    assert charts.wrap_name("Абай") == ["Абай"]


def test_almaty_city_and_almaty_region_stay_apart_in_every_language():
    for language in ["ru", "kk", "en"]:
        with translation.override(language):
            names = charts.short_names(list(Region.objects.filter(kato__in=["190000000", "750000000"])))
            assert len(set(names.values())) == 2, names


def test_the_map_carries_its_colour_legend_and_the_regions_as_a_list():
    with translation.override("en"):
        svg = str(charts.tile_map(region_tiles(), title="t", description="d"))
    legend = re.search(r'<ul class="map-legend[^"]*"[^>]*>(.*?)</ul>', svg).group(1)
    assert [c for c, _fill, _text, _label in charts.share_legend()] == re.findall(r'"map-swatch (share-\d)"', legend)
    assert "up to 50 %" in legend
    assert "no data" in legend
    listed = re.search(r'<details class="map-list">(.*?)</details>', svg).group(1)
    assert listed.count("<li>") == Region.objects.count()
    assert "East Kazakhstan Region" in listed


def test_money_by_year_starts_at_the_first_year_with_money():
    years = list(range(2017, 2027))
    planned = [Decimal(0)] * 4 + [Decimal(1_000_000)] * 6
    paid = [Decimal(0)] * 5 + [Decimal(500_000)] * 5
    svg = str(charts.money_chart(years, planned, paid, **labels()))
    shown = [int(t) for *_xy, _s, t in TEXT.findall(svg) if re.fullmatch(r"20\d\d", t)]
    assert shown == list(range(2021, 2027))


def test_money_by_year_paid_alone_counts_as_data_and_no_money_keeps_one_year():
    years = [2020, 2021, 2022]
    svg = str(charts.money_chart(years, [Decimal(0)] * 3, [Decimal(0), Decimal(5), Decimal(0)], **labels()))
    assert [t for *_xy, _s, t in TEXT.findall(svg) if t.startswith("20")] == ["2021", "2022"]
    svg = str(charts.money_chart(years, [Decimal(0)] * 3, None, **labels()))
    assert [t for *_xy, _s, t in TEXT.findall(svg) if t.startswith("20")] == ["2022"]


def labels() -> dict:
    return {"title": "t", "description": "d", "planned_label": "p", "paid_label": "q", "unit_label": "u"}


def test_the_legends_colours_are_the_tiles_colours(client):
    css = client.get(reverse("evaluation:statuses-css")).content.decode()
    for css_class, fill, _text, _label in charts.share_legend():
        assert f".{css_class} {{ background: {fill}; }}" in css
    assert charts.share_legend()[2][1] == charts.share_colour(Decimal("0.4"))[0]

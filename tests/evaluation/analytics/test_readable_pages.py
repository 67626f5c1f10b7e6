"""The committee's pages as people read them (issue 11): the heatmap's service names whole, the stability table
with its verdict first, a page a reader can scan, and a unit on every number of days; the map with its legend on
every page that shows it."""

import re

import pytest
from django.urls import reverse

from core.models import ServiceType
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_heatmap_shows_each_service_name_whole(client, english, dataset):
    page = client.get(reverse("evaluation:coverage")).content.decode()
    headers = re.findall(r'<th class="service" scope="col" title="([^"]*)">([^<]*)</th>', page)
    assert len(headers) == ServiceType.objects.count()
    for title, shown in headers:
        assert shown.strip() == title, "a service name is cut short"
    assert any(len(shown) > 42 for _t, shown in headers)


def test_the_stability_table_puts_the_verdict_first_and_pages_its_rows(client, committee, english, dataset):
    client.force_login(committee)
    response = client.get(reverse("evaluation:stability"), {"first": 2021, "last": 2025})
    table = response.context["table"]
    assert next(iter(table.columns)).name == "verdict"
    assert table.paginator.count == 20 * ServiceType.objects.count()
    assert len(table.page.object_list) == 50


def test_every_number_of_days_carries_its_unit(client, committee, english, dataset):
    client.force_login(committee)
    almaty = factories.region("75")
    window = {"first": 2021, "last": 2027, "region": almaty.pk}
    page = client.get(reverse("evaluation:stability"), window).content.decode()
    cells = re.findall(r'<td class="text-end"><span class="text-nowrap">([^<]*)</span></td>', page)
    assert cells
    assert all(re.fullmatch(r"[\d,\s\u00a0]+ days?", c) for c in cells), cells
    panel = client.get(reverse("evaluation:committee-panel", args=["stability"]), {"year": 2026}).content.decode()
    gaps = re.findall(r'<td class="text-end text-nowrap">\s*([^<]*?)\s*</td>', panel)
    assert gaps
    assert all(g == "—" or re.fullmatch(r"\d+ days?", g) for g in gaps), gaps


def test_the_provider_and_agency_stability_put_the_verdict_first(client, committee, english, dataset):
    client.force_login(committee)
    for name in ("evaluation:stability-providers", "evaluation:stability-agencies"):
        table = client.get(reverse(name), {"first": 2021, "last": 2025}).context["table"]
        assert next(iter(table.columns)).name == "verdict"


@pytest.mark.parametrize("name", ["evaluation:committee", "evaluation:coverage", "core:dashboard"])
def test_the_map_carries_its_colour_legend_wherever_it_appears(client, committee, english, dataset, name):
    client.force_login(committee)
    page = client.get(reverse(name)).content.decode()
    assert 'class="tile-map"' in page
    assert 'class="map-legend' in page
    assert "up to 50 %" in page
    assert reverse("evaluation:statuses-css") in page  # the legend's colours

"""A small national picture the pages, their exports and the workbook are compared on."""

import datetime as dt

import pytest
from django.utils import translation

from tests import factories


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def dataset(clock):
    """Almaty case management served 2024–2025 (1 M then 2 M ₸); a failed Karaganda call for 2025; population."""
    clock.move_to("2026-03-01 10:00+05:00")
    contract = factories.served_contract(
        start=dt.date(2024, 1, 10), end=dt.date(2025, 12, 31), amounts=[1_000_000, 2_000_000]
    )
    failed = factories.closed_call(start_year=2025, region_code="35")
    factories.RegionPopulationFactory(region=factories.region("75"), year=2025, children=200_000)
    return {"contract": contract, "failed": failed}

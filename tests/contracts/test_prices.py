"""Price per child served (contracts.prices), its limits and the red flag "price outside limits", hand-worked."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from contracts.models import PriceLimit, ReportingPeriod
from contracts.prices import price_spreads, year_prices
from evaluation.analytics.flags import RULES, FlagKind, red_flags
from tests import factories as f

pytestmark = pytest.mark.django_db
CM = "case-management"


def contract(region_code="75", amounts=(1_200_000, 1_500_000), children=(40, None)):
    """A 2024–2025 contract; the annual report of each year with `children` is accepted (None: no report)."""
    c = f.served_contract(
        start=dt.date(2024, 1, 1), end=dt.date(2025, 12, 31), amounts=list(amounts), region_code=region_code
    )
    for year, served in zip((2024, 2025), children, strict=True):
        if served is not None:
            f.annual_report(c, year, children_served=served)
    return c


def test_the_price_per_child_is_the_tranche_over_the_children_of_the_accepted_annual_report():
    c = contract(children=(40, None))
    f.annual_report(c, 2025, children_served=50, submitted=True)  # not accepted: no price

    prices = {p.year: p for p in year_prices() if p.contract_id == c.pk}

    assert prices[2024].per_child == Decimal("30000.00")  # 1 200 000 ÷ 40
    assert prices[2025].per_child is None


def test_limits_flag_a_year_outside_with_the_rule_and_the_numbers():
    inside = contract(children=(40, 60))  # 30 000 and 25 000 per child
    outside = contract(region_code="71", children=(20, 60))  # 60 000 in 2024
    PriceLimit.objects.create(
        service_type=f.service(CM), year=2024, min_per_child=Decimal(10_000), max_per_child=Decimal(50_000)
    )

    with translation.override("en"):
        flags = red_flags(today=dt.date(2026, 3, 1), kinds=[FlagKind.PRICE_LIMIT])

    assert [(flag.contract_id, flag.year) for flag in flags] == [(outside.pk, 2024)]
    assert flags[0].rule == RULES[FlagKind.PRICE_LIMIT]
    assert (
        flags[0].detail == "2024: 60,000\xa0₸ per child (1,200,000\xa0₸ ÷ 20 children); limits 10,000\xa0₸–50,000\xa0₸"
    )
    assert inside.pk not in [flag.contract_id for flag in flags]


def test_median_and_spread_per_region_and_service():
    for children in ((40, None), (30, None), (60, None)):  # 30 000, 40 000, 20 000 per child in Almaty
        contract(children=children)
    contract(region_code="71", children=(100, None))  # 12 000 in Astana

    spreads = {s.region_id: s for s in price_spreads(p for p in year_prices() if p.year == 2024)}

    almaty = spreads[f.region("75").pk]
    assert (almaty.count, almaty.median, almaty.low, almaty.high) == (
        3,
        Decimal("30000.00"),
        Decimal(20000),
        Decimal(40000),
    )
    assert (almaty.q1, almaty.q3) == (Decimal("25000.00"), Decimal("35000.00"))
    assert spreads[f.region("71").pk].median == Decimal("12000.00")
    assert ReportingPeriod.objects.exists()


def test_the_contract_page_and_the_committees_coverage_page_show_the_price_per_child(client, committee, officer):
    from django.urls import reverse

    c = contract(children=(20, None))  # 60 000 per child in 2024
    c.agency = officer.agency
    c.save()
    PriceLimit.objects.create(
        service_type=f.service(CM), year=2024, min_per_child=Decimal(10_000), max_per_child=Decimal(50_000)
    )
    client.force_login(officer)
    client.cookies["django_language"] = "en"

    page = client.get(c.get_absolute_url()).content.decode()

    assert 'data-testid="price-per-child"' in page
    assert "60,000" in page
    assert "price outside limits" in page
    call_page = client.get(c.call.get_absolute_url()).content.decode()
    assert 'data-testid="price-per-child"' in call_page  # the call page shows its contract's prices too

    client.force_login(committee)
    response = client.get(reverse("evaluation:coverage"), {"year": 2024})
    [spread] = response.context["prices"]
    assert (spread.count, spread.median) == (1, Decimal("60000.00"))
    assert 'data-testid="price-spread"' in response.content.decode()
    client.logout()
    assert client.get(reverse("evaluation:coverage"), {"year": 2024}).context["prices"] is None  # the public

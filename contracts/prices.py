"""Price per child served: the one answer for contract pages, committee pages, the workbook and the red flag.

The price per child of a contract year = the year's tranche (planned, ₸) ÷ the children served that the accepted
annual report of the year records. Without an accepted annual report, or with zero children, there is no price
(never read as zero). A year is outside the limits when a `PriceLimit` exists for the contract's service type and
year and the price is below its minimum or above its maximum.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import OuterRef, QuerySet, Subquery

from contracts.models import PriceLimit, Report, ReportingPeriod, Tranche

CENT = Decimal("0.01")


@dataclass
class YearPrice:
    contract_id: int
    number: str
    region_id: int
    service_type_id: int
    agency_id: int
    year: int
    tranche: Decimal
    children: int | None
    limit: PriceLimit | None = None

    @property
    def per_child(self) -> Decimal | None:
        if not self.children:
            return None
        return (self.tranche / self.children).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def outside(self) -> bool:
        """Whether the price is outside the limits of its service type and year (False without either)."""
        price = self.per_child
        if price is None or self.limit is None:
            return False
        return price < self.limit.min_per_child or price > self.limit.max_per_child


def year_prices(tranches: QuerySet[Tranche] | None = None) -> list[YearPrice]:
    """Return the price per child of each tranche (default: every tranche of a serving contract), with its limit,
    in two queries, ordered by contract and year."""
    if tranches is None:
        tranches = Tranche.objects.serving()
    children = Report.objects.filter(
        status=Report.Status.ACCEPTED,
        period__kind=ReportingPeriod.Kind.ANNUAL,
        period__contract=OuterRef("contract"),
        period__year=OuterRef("year"),
    ).values("children_served")[:1]
    rows = (
        tranches.annotate(children=Subquery(children))
        .order_by("contract_id", "year")
        .values_list(
            "contract_id",
            "contract__number",
            "contract__region_id",
            "contract__service_type_id",
            "contract__agency_id",
            "year",
            "amount",
            "children",
        )
    )
    prices = [YearPrice(*row) for row in rows]
    limits = {(lim.service_type_id, lim.year): lim for lim in PriceLimit.objects.all()}
    for price in prices:
        price.limit = limits.get((price.service_type_id, price.year))
    return prices


@dataclass
class PriceSpread:
    """The prices per child of one region × service type in a year: how many, the median, the lowest and highest,
    and the quartiles (the spread)."""

    region_id: int
    service_type_id: int
    count: int
    median: Decimal
    low: Decimal
    high: Decimal
    q1: Decimal
    q3: Decimal


def _quantiles(values: list[Decimal]) -> tuple[Decimal, Decimal]:
    if len(values) < 2:
        return values[0], values[0]
    q1, _q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Decimal(q1).quantize(CENT), Decimal(q3).quantize(CENT)


def price_spreads(prices: Iterable[YearPrice]) -> list[PriceSpread]:
    """The median and spread of the price per child per region × service type (of the given contract years)."""
    by_cell: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    for price in prices:
        if price.per_child is not None:
            by_cell[(price.region_id, price.service_type_id)].append(price.per_child)
    spreads = []
    for (region_id, service_id), values in sorted(by_cell.items()):
        values.sort()
        q1, q3 = _quantiles(values)
        spreads.append(
            PriceSpread(
                region_id=region_id,
                service_type_id=service_id,
                count=len(values),
                median=Decimal(statistics.median(values)).quantize(CENT),
                low=values[0],
                high=values[-1],
                q1=q1,
                q3=q3,
            )
        )
    return spreads

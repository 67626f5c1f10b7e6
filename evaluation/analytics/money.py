"""Money by year, planned and paid, grouped in the database: for a region, a service, a provider, an agency, any
combination, or the whole country. Planned money of a contract in year y is its tranche for y (after amendments)
while it serves y (`Tranche.objects.serving`); paid is what was paid on that tranche."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import DecimalField, Model, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from contracts.models import Payment, Tranche

ZERO = Decimal("0")
GROUPS = {
    "region": "contract__region_id",
    "service_type": "contract__service_type_id",
    "provider": "contract__provider_id",
    "agency": "contract__agency_id",
}


def _paid_per_tranche():
    paid = Payment.objects.filter(tranche=OuterRef("pk")).values("tranche").annotate(s=Sum("amount")).values("s")
    return Coalesce(Subquery(paid, output_field=DecimalField(max_digits=16, decimal_places=2)), ZERO)


def tranches(first_year: int, last_year: int, **filters) -> QuerySet[Tranche]:
    """Return the tranches of first_year … last_year whose contract serves the tranche's year, filtered by region,
    service_type, provider or agency: each an object, an id, or a list of them (None: no filter)."""
    queryset = Tranche.objects.serving(range(first_year, last_year + 1))
    for name, value in filters.items():
        if value is None:
            continue
        if isinstance(value, Iterable) and not isinstance(value, str):
            ids = [getattr(v, "pk", v) for v in value]
            queryset = queryset.filter(**{f"{GROUPS[name]}__in": ids})
        else:
            queryset = queryset.filter(**{GROUPS[name]: value.pk if isinstance(value, Model) else value})
    return queryset


def money_by(
    first_year: int, last_year: int, *, by: tuple[str, ...] = (), paid: bool = True, **filters
) -> dict[tuple, dict[int, tuple[Decimal, Decimal]]]:
    """Return {group key: {year: (planned, paid)}} over the years, grouped by any of region, service_type, provider,
    agency, and filtered by the same names (see `tranches`). One grouped query; with `paid=False` the paid money is
    not summed (reported as 0), which spares a subquery per tranche."""
    fields = [GROUPS[name] for name in by]
    rows = tranches(first_year, last_year, **filters)
    if paid:
        rows = rows.annotate(paid_amount=_paid_per_tranche())
    rows = (
        rows.values(*fields, "year")
        .annotate(planned=Sum("amount"), **({"paid": Sum("paid_amount")} if paid else {}))
        .order_by()
    )
    result: dict[tuple, dict[int, tuple[Decimal, Decimal]]] = defaultdict(dict)
    for row in rows:
        key = tuple(row[f] for f in fields)
        result[key][row["year"]] = (row["planned"] or ZERO, row.get("paid") or ZERO)
    return result


def series(first_year: int, last_year: int, **filters) -> tuple[list[int], list[Decimal], list[Decimal]]:
    """Return years, planned and paid money by year (zero years included) for one selection."""
    money = money_by(first_year, last_year, **filters).get((), {})
    years = list(range(first_year, last_year + 1))
    return years, [money.get(y, (ZERO, ZERO))[0] for y in years], [money.get(y, (ZERO, ZERO))[1] for y in years]

"""Coverage of regions × service types in a year: the heatmap, the tile map and the list of uncovered cells.

The definitions are DESIGN.md's "Exposing uncovered regions and unstable funding", exactly. A cell's status is the
first that applies:

1. ``na``: the region did not exist in the year (its ``valid_from`` year is later); ``no_data``: the year is before
   the region's ``data_from_year``;
2. ``covered``: a contract serves the year — shown as ``ending`` when every contract serving it stops serving within
   the year, no signed or pending contract serves any day of the next year, and no published, evaluating or awarded
   call covers the next year (a cliff ahead);
3. ``failed``: a call whose years include the year failed, or was cancelled after publication;
4. ``gap``: some day of the five previous years was served; ``since`` is the day after the last serving day;
5. ``never``.

Everything is aggregated in the database by a fixed number of grouped queries whatever the number of contracts,
calls, payments or reports (eight for the matrix, three more for the uncovered cells).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import (
    Aggregate,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    Max,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, Payment, Report, ReportingPeriod, dated_q
from core.models import Region, ServiceType
from core.util import start_of_day, year_end, year_start
from evaluation.analytics.stats import ONE_DAY, ZERO, per_thousand, share
from evaluation.models import RegionPopulation
from providers.models import Provider, ServiceArea
from tenders.models import MAX_DURATION_YEARS, Bid, Call

GAP_LOOKBACK_YEARS = 5  # a cell is a gap when some day of the five previous years was served
DAYS_PER_YEAR = Decimal("365.25")


class CellStatus(models.TextChoices):
    COVERED = "covered", _("covered")
    ENDING = "ending", _("ending")
    FAILED = "failed", _("failed")
    GAP = "gap", _("gap")
    NEVER = "never", _("never")
    NA = "na", _("n/a")
    NO_DATA = "no_data", _("no data")


COVERED_STATUSES = frozenset({CellStatus.COVERED, CellStatus.ENDING})
UNCOVERED_STATUSES = frozenset({CellStatus.FAILED, CellStatus.GAP, CellStatus.NEVER})
NOT_APPLICABLE_STATUSES = frozenset({CellStatus.NA, CellStatus.NO_DATA})
# A call still on its way to a contract for the next year keeps a covered cell from being `ending`.
PROSPECT_CALL_STATUSES = frozenset({Call.Status.PUBLISHED, Call.Status.EVALUATION, Call.Status.AWARDED})

CellKey = tuple[int, int]  # (region id, service type id)
MONEY = models.DecimalField(max_digits=16, decimal_places=2)


def region_status(region: Region, year: int) -> CellStatus | None:
    """Return `n/a` when the region did not exist in the year, `no data` when the year is before the region's
    data_from_year, else None: the year counts for the region (in coverage, stability and flags alike)."""
    if not region.exists_in(year):
        return CellStatus.NA
    if region.data_from_year is not None and year < region.data_from_year:
        return CellStatus.NO_DATA
    return None


# -- the regions and services of a table ---------------------------------------------------------------------------


def _ids(items: Iterable[Model | int]) -> list[int]:
    return [item if isinstance(item, int) else item.pk for item in items]


def table_regions(regions: QuerySet[Region] | Iterable[Region | int] | Region | None = None) -> list[Region]:
    """Return the regions of a table ordered by KATO: the first-level units unless a selection is given."""
    if regions is None:
        return list(Region.objects.filter(level=Region.Level.FIRST).order_by("kato"))
    if isinstance(regions, Region):
        regions = [regions]
    if isinstance(regions, QuerySet):
        return list(regions.order_by("kato"))
    return list(Region.objects.filter(pk__in=_ids(regions)).order_by("kato"))


def table_service_types(
    service_types: QuerySet[ServiceType] | Iterable[ServiceType | int] | ServiceType | None = None,
) -> list[ServiceType]:
    """Return the service types of a table in their reference order: all unless a selection is given."""
    if service_types is None:
        return list(ServiceType.objects.order_by("id"))
    if isinstance(service_types, ServiceType):
        service_types = [service_types]
    if isinstance(service_types, QuerySet):
        return list(service_types.order_by("id"))
    return list(ServiceType.objects.filter(pk__in=_ids(service_types)).order_by("id"))


class JoinedIds(Aggregate):
    """Return the group's values as one comma-separated string (STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite),
    so a grouped query can carry the ids behind each number; `parse_ids` reads it back."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(distinct)s%(expressions)s)"
    allow_distinct = True
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # Set on a copy, not passed as arguments: Aggregate.as_sql passes its own template when there is a filter.
        clone = self.copy()
        clone.function = "STRING_AGG"
        clone.template = "%(function)s(%(distinct)s(%(expressions)s)::text, ',')"
        return super(JoinedIds, clone).as_sql(compiler, connection, **extra_context)


def parse_ids(joined: str | None) -> list[int]:
    """Return the sorted ids of a JoinedIds value (None for an empty group)."""
    return sorted(int(part) for part in joined.split(",")) if joined else []


@dataclass
class Cell:
    """One region × service type × year of the coverage matrix, with the figures behind its status.

    Money is the sum of the tranches for the year of the contracts serving it (tranches after amendments); paid is
    what was paid on those tranches up to the snapshot day. `children_served` sums the accepted annual reports of
    the year of those contracts and is None when there is none (missing, never zero). `submitted_bids_per_call` is
    the submitted bids ÷ the cell's calls for the year whose deadline had passed before the snapshot day began."""

    region: Region
    service_type: ServiceType
    year: int
    status: str
    since: dt.date | None = None
    money_planned: Decimal = ZERO
    money_paid: Decimal = ZERO
    contract_ids: list[int] = field(default_factory=list)
    provider_count: int = 0
    children_served: int | None = None
    calls: list[int] = field(default_factory=list)
    failed_calls: list[int] = field(default_factory=list)
    calls_past_deadline: int = 0
    submitted_bids: int = 0
    submitted_bids_per_call: Decimal | None = None
    population: int | None = None
    money_per_1000: Decimal | None = None
    children_per_1000: Decimal | None = None

    def derive(self) -> None:
        """Set the figures derived from the stored ones: bids per call and the figures per 1,000 children."""
        self.submitted_bids_per_call = share(self.submitted_bids, self.calls_past_deadline)
        self.money_per_1000 = per_thousand(self.money_planned, self.population)
        self.children_per_1000 = per_thousand(self.children_served, self.population)

    @property
    def uncovered(self) -> bool:
        return self.status in UNCOVERED_STATUSES

    @property
    def covered(self) -> bool:
        return self.status in COVERED_STATUSES

    @property
    def applicable(self) -> bool:
        """Return whether the cell counts at all (neither n/a nor no data)."""
        return self.status not in NOT_APPLICABLE_STATUSES

    @property
    def status_label(self) -> str:
        return CellStatus(self.status).label


@dataclass
class RegionCoverage:
    """One region of the tile map: the share of its applicable services that are covered (covered or ending)."""

    region: Region
    covered: int
    applicable: int
    share: Decimal | None
    status_counts: dict[str, int]
    money_planned: Decimal


@dataclass
class CoverageTotals:
    """The whole matrix in a few numbers (n/a and no-data cells count only in `by_status`)."""

    by_status: dict[str, int]
    applicable: int
    covered: int
    uncovered: int
    share: Decimal | None
    money_planned: Decimal
    money_paid: Decimal
    contracts: int
    providers: int
    children_served: int | None


@dataclass
class CoverageMatrix:
    """Regions (by KATO) × service types for one year as of a snapshot day."""

    year: int
    as_of: dt.date
    regions: list[Region]
    service_types: list[ServiceType]
    cells: list[Cell]
    region_coverage: list[RegionCoverage]
    totals: CoverageTotals
    _index: dict[CellKey, Cell] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._index = {(c.region.pk, c.service_type.pk): c for c in self.cells}

    def cell(self, region: Region | int, service_type: ServiceType | int) -> Cell:
        """Return the cell of a region and a service type (objects or ids)."""
        region_id = region if isinstance(region, int) else region.pk
        service_id = service_type if isinstance(service_type, int) else service_type.pk
        return self._index[(region_id, service_id)]

    def rows(self) -> list[tuple[Region, list[Cell]]]:
        """Return the heatmap's rows: each region with its cells in the order of `service_types`."""
        return [(region, [self.cell(region, s) for s in self.service_types]) for region in self.regions]

    def uncovered(self) -> list[Cell]:
        return [c for c in self.cells if c.uncovered]


@dataclass
class TriedCall:
    """A failed call, or one cancelled after publication, of an uncovered cell; `submitted_bids` is None when its
    deadline had not passed (or it was cancelled before it), so sealed bids stay sealed."""

    id: int
    number: str
    status: str
    start_year: int
    end_year: int
    submitted_bids: int | None


@dataclass
class UncoveredCell:
    """An uncovered cell with how long it has been uncovered and what was tried: the failed or cancelled calls of
    the cell in the year and the five before it, and the NGOs registered for the region × service that did not
    submit a bid on any of them."""

    cell: Cell
    days: int | None
    years: Decimal | None
    tried_calls: list[TriedCall]
    idle_providers: list[Provider]

    @property
    def region(self) -> Region:
        return self.cell.region

    @property
    def service_type(self) -> ServiceType:
        return self.cell.service_type

    @property
    def status(self) -> str:
        return self.cell.status

    @property
    def since(self) -> dt.date | None:
        return self.cell.since


# -- queries -------------------------------------------------------------------------------------------------------


def _cell_filter(prefix: str, region_ids: list[int], service_ids: list[int]) -> Q:
    return Q(**{f"{prefix}region_id__in": region_ids, f"{prefix}service_type_id__in": service_ids})


def _calls_of_years(first_year: int, last_year: int, cell_q: Q) -> QuerySet[Call]:
    """Return public calls whose years meet first_year … last_year."""
    return (
        Call.objects.public()
        .filter(cell_q)
        .annotate(end_year=F("start_year") + F("duration_years") - 1)
        .filter(start_year__lte=last_year, start_year__gte=first_year - MAX_DURATION_YEARS + 1)
        .filter(end_year__gte=first_year)
    )


def coverage_matrix(
    year: int,
    *,
    today: dt.date,
    regions: QuerySet[Region] | Iterable[Region | int] | None = None,
    service_types: QuerySet[ServiceType] | Iterable[ServiceType | int] | None = None,
) -> CoverageMatrix:
    """Return the coverage matrix of a year as of `today`: every region (first-level units by KATO unless a
    selection is given) × every service type (or the selection), with status, money, contracts, providers, children
    served, calls, bids per call and figures per 1,000 children."""
    region_list = table_regions(regions)
    service_list = table_service_types(service_types)
    region_ids = [r.pk for r in region_list]
    service_ids = [s.pk for s in service_list]
    first, last = year_start(year), year_end(year)
    next_first, next_last = year_start(year + 1), year_end(year + 1)

    cell_q = _cell_filter("", region_ids, service_ids)

    # Contracts serving the year, by cell: ids, providers, whether any serves on past 31 December, the money (their
    # tranches for the year) and what was paid on those tranches by today. A contract has at most one tranche a
    # year, so the join with it does not repeat rows.
    paid_on_tranche = (
        Payment.objects.filter(tranche=OuterRef("this_year__pk"), date__lte=today)
        .order_by()
        .values("tranche")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    continuing = dated_q(next_first, next_first)  # still serves on 1 January of the next year
    serving: dict[CellKey, dict] = {
        (r["region_id"], r["service_type_id"]): r
        for r in Contract.objects.serving_between(first, last)
        .filter(cell_q)
        .annotate(this_year=FilteredRelation("tranches", condition=Q(tranches__year=year)))
        .order_by()
        .values("region_id", "service_type_id")
        .annotate(
            ids=JoinedIds("id"),
            provider_ids=JoinedIds("provider_id", distinct=True),
            continuing=Count("id", filter=continuing),
            planned=Sum("this_year__amount"),
            paid=Sum(Subquery(paid_on_tranche, output_field=MONEY)),
        )
    }

    # Signed or pending contracts with a day in the next year (pending ones are unsigned, so the dates decide).
    next_contracts = set(
        Contract.objects.serving_between(next_first, next_last, pending=True)
        .filter(cell_q)
        .order_by()
        .values_list("region_id", "service_type_id")
        .distinct()
    )

    # Public calls of the year or the next, by cell: the year's calls and failures, bids per call that reached its
    # deadline, and prospects for the next year. An awarded call is a prospect until its contract exists; from
    # then on the contract itself decides.
    # Bids count only for calls whose deadline passed before the snapshot day began, so a deadline later that day
    # never reveals how many bids exist.
    of_year = Q(start_year__lte=year, end_year__gte=year)
    of_next_year = Q(start_year__lte=year + 1, end_year__gte=year + 1)
    failed_q = Q(status=Call.Status.FAILED) | Q(status=Call.Status.CANCELLED, published_at__isnull=False)
    reached = Q(submitted_bids__isnull=False)
    prospect = Q(status__in=PROSPECT_CALL_STATUSES) & ~Q(status=Call.Status.AWARDED, has_contract=True)
    calls: dict[CellKey, dict] = {
        (r["region_id"], r["service_type_id"]): r
        for r in _calls_of_years(year, year + 1, cell_q)
        .with_submitted_bids(start_of_day(today))
        .annotate(has_contract=Exists(Contract.objects.filter(call=OuterRef("pk"))))
        .order_by()
        .values("region_id", "service_type_id")
        .annotate(
            ids=JoinedIds("id", filter=of_year),
            failed_ids=JoinedIds("id", filter=of_year & failed_q),
            past_deadline=Count("id", filter=of_year & reached),
            bids=Sum("submitted_bids", filter=of_year & reached),
            prospects=Count("id", filter=of_next_year & prospect),
        )
    }

    # Children served: accepted annual reports of the year of the contracts serving it.
    children = {
        (r["period__contract__region_id"], r["period__contract__service_type_id"]): r["children"]
        for r in Report.objects.filter(
            status=Report.Status.ACCEPTED,
            period__kind=ReportingPeriod.Kind.ANNUAL,
            period__year=year,
            period__contract__in=Contract.objects.serving_between(first, last).filter(cell_q).values("pk"),
        )
        .order_by()
        .values("period__contract__region_id", "period__contract__service_type_id")
        .annotate(children=Sum("children_served"))
    }

    population = dict(
        RegionPopulation.objects.filter(year=year, region_id__in=region_ids).values_list("region_id", "children")
    )

    # The last serving day in the five previous years: the latest end of contracts not cut short, and the latest
    # termination (the day before it) of those that were.
    lookback_last = year_end(year - 1)
    last_served: dict[CellKey, dt.date] = {}
    for r in (
        Contract.objects.serving_between(year_start(year - GAP_LOOKBACK_YEARS), lookback_last)
        .filter(cell_q)
        .order_by()
        .values("region_id", "service_type_id")
        .annotate(
            last_end=Max("end_date", filter=Q(terminated_on__isnull=True) | Q(terminated_on__gt=F("end_date"))),
            last_stop=Max("terminated_on", filter=Q(terminated_on__lte=F("end_date"))),
        )
    ):
        days = [min(r["last_end"], lookback_last)] if r["last_end"] else []
        if r["last_stop"]:
            days.append(min(r["last_stop"] - ONE_DAY, lookback_last))
        last_served[(r["region_id"], r["service_type_id"])] = max(days)

    cells = []
    for region in region_list:
        not_applicable = region_status(region, year)
        for service in service_list:
            key = (region.pk, service.pk)
            cell = Cell(region=region, service_type=service, year=year, status=CellStatus.NEVER)
            cell.population = population.get(region.pk)
            if not_applicable is not None:
                cell.status = not_applicable
                cells.append(cell)
                continue
            contracts = serving.get(key)
            tried = calls.get(key, {})
            cell.contract_ids = parse_ids(contracts["ids"]) if contracts else []
            cell.provider_count = len(parse_ids(contracts["provider_ids"])) if contracts else 0
            cell.money_planned = (contracts and contracts["planned"]) or ZERO
            cell.money_paid = (contracts and contracts["paid"]) or ZERO
            cell.children_served = children.get(key)
            cell.calls = parse_ids(tried.get("ids"))
            cell.failed_calls = parse_ids(tried.get("failed_ids"))
            cell.calls_past_deadline = tried.get("past_deadline", 0)
            cell.submitted_bids = tried.get("bids") or 0
            cell.derive()
            if contracts:
                cliff = not contracts["continuing"] and key not in next_contracts and not tried.get("prospects")
                cell.status = CellStatus.ENDING if cliff else CellStatus.COVERED
            elif cell.failed_calls:
                cell.status = CellStatus.FAILED
            elif key in last_served:
                cell.status = CellStatus.GAP
                cell.since = last_served[key] + ONE_DAY
            cells.append(cell)

    provider_ids = {key: parse_ids(row["provider_ids"]) for key, row in serving.items()}
    return assemble_matrix(year, today, region_list, service_list, cells, provider_ids)


def assemble_matrix(
    year: int,
    as_of: dt.date,
    regions: list[Region],
    service_types: list[ServiceType],
    cells: list[Cell],
    provider_ids: dict[CellKey, list[int]],
) -> CoverageMatrix:
    """Return the matrix of computed cells with its tile-map shares and totals: the one way both a live computation
    and a stored snapshot (evaluation.analytics.snapshots) become a matrix. `provider_ids` holds each serving
    cell's providers (the totals count distinct providers across cells)."""
    return CoverageMatrix(
        year=year,
        as_of=as_of,
        regions=regions,
        service_types=service_types,
        cells=cells,
        region_coverage=_region_coverage(regions, cells),
        totals=_totals(cells, provider_ids),
    )


def _region_coverage(regions: list[Region], cells: list[Cell]) -> list[RegionCoverage]:
    by_region: dict[int, list[Cell]] = defaultdict(list)
    for cell in cells:
        by_region[cell.region.pk].append(cell)
    result = []
    for region in regions:
        own = by_region[region.pk]
        applicable = [c for c in own if c.applicable]
        covered = sum(1 for c in applicable if c.covered)
        result.append(
            RegionCoverage(
                region=region,
                covered=covered,
                applicable=len(applicable),
                share=share(covered, len(applicable)),
                status_counts=dict(Counter(c.status for c in own)),
                money_planned=sum((c.money_planned for c in applicable), ZERO),
            )
        )
    return result


def _totals(cells: list[Cell], provider_ids: dict[CellKey, list[int]]) -> CoverageTotals:
    applicable = [c for c in cells if c.applicable]
    covered = sum(1 for c in applicable if c.covered)
    providers = {p for c in applicable for p in provider_ids.get((c.region.pk, c.service_type.pk), ())}
    children = [c.children_served for c in applicable if c.children_served is not None]
    return CoverageTotals(
        by_status={status: sum(1 for c in cells if c.status == status) for status in CellStatus.values},
        applicable=len(applicable),
        covered=covered,
        uncovered=sum(1 for c in applicable if c.uncovered),
        share=share(covered, len(applicable)),
        money_planned=sum((c.money_planned for c in applicable), ZERO),
        money_paid=sum((c.money_paid for c in applicable), ZERO),
        contracts=sum(len(c.contract_ids) for c in applicable),
        providers=len(providers),
        children_served=sum(children) if children else None,
    )


def uncovered_cells(
    year: int,
    *,
    today: dt.date,
    regions: QuerySet[Region] | Iterable[Region | int] | None = None,
    service_types: QuerySet[ServiceType] | Iterable[ServiceType | int] | None = None,
    matrix: CoverageMatrix | None = None,
) -> list[UncoveredCell]:
    """Return the failed, gap and never cells of a year (in matrix order) with how long each has been uncovered —
    from `since` to the end of the year or today, whichever is earlier — the failed or cancelled-after-publication
    calls of the cell in the year and the five before it, and the NGOs registered for the region × service that did
    not submit a bid on those calls. Pass the year's `matrix` when it is already computed."""
    if matrix is None:
        matrix = coverage_matrix(year, today=today, regions=regions, service_types=service_types)
    cells = matrix.uncovered()
    if not cells:
        return []
    keys = {(c.region.pk, c.service_type.pk) for c in cells}
    region_ids = sorted({k[0] for k in keys})
    service_ids = sorted({k[1] for k in keys})
    tried: dict[CellKey, list[TriedCall]] = defaultdict(list)
    tried_cell: dict[int, CellKey] = {}
    tried_calls = (
        Call.objects.filter(Q(status=Call.Status.FAILED) | Q(status=Call.Status.CANCELLED, published_at__isnull=False))
        .filter(_cell_filter("", region_ids, service_ids))
        .annotate(end_year=F("start_year") + F("duration_years") - 1)
        .filter(start_year__lte=year, end_year__gte=year - GAP_LOOKBACK_YEARS)
    )
    for row in (
        tried_calls.with_submitted_bids(start_of_day(today))
        .order_by("-start_year", "id")
        .values_list(
            "id", "region_id", "service_type_id", "number", "status", "start_year", "end_year", "submitted_bids"
        )
    ):
        call_id, region_id, service_id, number, status, start_year, end_year, submitted = row
        key = (region_id, service_id)
        if key not in keys:
            continue
        tried[key].append(TriedCall(call_id, number, status, start_year, end_year, submitted))
        tried_cell[call_id] = key

    # Only unsealed bids name their NGOs: the bids of a call cancelled before its deadline were never opened and
    # count nowhere, so its bidders stay among the NGOs that did not bid (else the list would reveal who bid).
    bidders: dict[CellKey, set[int]] = defaultdict(set)
    for call_id, provider_id in (
        Bid.objects.unsealed(start_of_day(today))
        .filter(call__in=tried_calls.values("pk"))
        .values_list("call_id", "provider_id")
        .distinct()
    ):
        if call_id in tried_cell:  # calls of cells that are not uncovered are left out above
            bidders[tried_cell[call_id]].add(provider_id)

    idle: dict[CellKey, list[Provider]] = defaultdict(list)
    for area in (
        ServiceArea.objects.filter(region_id__in=region_ids, service_type_id__in=service_ids)
        .select_related("provider")
        .order_by("provider__name_ru", "provider_id")
    ):
        key = (area.region_id, area.service_type_id)
        if key in keys and area.provider_id not in bidders[key]:
            idle[key].append(area.provider)

    end = min(year_end(year), today)
    result = []
    for cell in cells:
        key = (cell.region.pk, cell.service_type.pk)
        days = max(0, (end - cell.since).days + 1) if cell.since else None
        result.append(
            UncoveredCell(
                cell=cell,
                days=days,
                years=Decimal(days) / DAYS_PER_YEAR if days is not None else None,
                tried_calls=tried.get(key, []),
                idle_providers=idle.get(key, []),
            )
        )
    return result

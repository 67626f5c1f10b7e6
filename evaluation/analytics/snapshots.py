"""Snapshots: the system-level analytics computed once by the same functions the pages use (coverage_matrix,
stability_table, red_flags), stored in one transaction, numbered and kept, so that a figure handed to Parliament
can be opened again with the same numbers; and what changed between two snapshots.

A snapshot holds every year's coverage matrix (FIRST_YEAR to three years ahead), the stability table over the
default window and the red flags as of its day. `matrix_of` turns its stored cells back into the same
`CoverageMatrix` a live computation returns (through `coverage.assemble_matrix`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from core.models import Job, Region, ServiceType
from core.util import today as local_today
from evaluation.analytics.coverage import (
    Cell,
    CellStatus,
    CoverageMatrix,
    assemble_matrix,
    coverage_matrix,
    table_regions,
    table_service_types,
)
from evaluation.analytics.flags import RULES, Flag, red_flags
from evaluation.analytics.forms import FIRST_YEAR, YEARS_AHEAD
from evaluation.analytics.stability import Verdict, default_window, stability_table
from evaluation.models import Snapshot, SnapshotCell, SnapshotFlag, SnapshotStability

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def _text(value) -> str | None:
    return None if value is None else str(value)


def _digest(cells: list[SnapshotCell], stability: list[SnapshotStability], flags: list[SnapshotFlag]) -> str:
    """Return the SHA-256 of the snapshot's rows in a canonical order: the workbook cites it, so anyone can check
    that two copies hold the same numbers."""
    digest = hashlib.sha256()
    for c in sorted(cells, key=lambda c: (c.year, c.region_id, c.service_type_id)):
        row = [c.year, c.region_id, c.service_type_id, c.status, _text(c.since), _text(c.money_planned)]
        row += [_text(c.money_paid), c.contract_ids, c.provider_ids, c.children_served, c.calls, c.failed_calls]
        row += [c.calls_past_deadline, c.submitted_bids, c.population]
        digest.update(json.dumps(row, ensure_ascii=False).encode())
    for s in sorted(stability, key=lambda s: (s.region_id, s.service_type_id)):
        row = [s.region_id, s.service_type_id, s.verdict, _text(s.total), s.money, _text(s.cv), s.gap_days]
        row += [_text(s.single_bid_share), _text(s.failed_call_share), _text(s.churn), s.contract_ids]
        digest.update(json.dumps(row, ensure_ascii=False).encode())
    for f in sorted(flags, key=flag_key):
        row = [*flag_key(f), f.provider_id, f.number, f.agency_id, f.detail.get("ru", "")]
        digest.update(json.dumps(row, ensure_ascii=False).encode())
    return digest.hexdigest()


def flag_key(flag) -> tuple:
    """Return what identifies a flag across snapshots: its kind and subject (call, contract, cell, year)."""
    return (
        flag.kind,
        flag.call_id or 0,
        flag.contract_id or 0,
        flag.region_id if hasattr(flag, "region_id") else flag.region.pk,
        (flag.service_type_id if hasattr(flag, "service_type_id") else getattr(flag.service_type, "pk", None)) or 0,
        flag.year or 0,
    )


def make_snapshot(
    *,
    today: dt.date | None = None,
    trigger: str = Snapshot.Trigger.SCHEDULED,
    by=None,
    progress: Callable[[int, int], None] | None = None,
) -> Snapshot:
    """Compute the analytics as of `today` (default: today in Almaty) and store them as a new snapshot; `progress`
    hears (steps done, steps in all): one step per year's matrix, one for stability, one for the flags."""
    on = today or local_today()
    first_year, last_year = FIRST_YEAR, on.year + YEARS_AHEAD
    window = default_window(on)
    steps = last_year - first_year + 3
    report = progress or (lambda done, total: None)
    cells = []
    for year in range(first_year, last_year + 1):
        report(year - first_year, steps)
        matrix = coverage_matrix(year, today=on)
        providers = _provider_ids(matrix)
        cells += [
            SnapshotCell(
                year=year,
                region_id=c.region.pk,
                service_type_id=c.service_type.pk,
                status=c.status,
                since=c.since,
                money_planned=c.money_planned,
                money_paid=c.money_paid,
                contract_ids=c.contract_ids,
                provider_ids=providers.get((c.region.pk, c.service_type.pk), []),
                children_served=c.children_served,
                calls=c.calls,
                failed_calls=c.failed_calls,
                calls_past_deadline=c.calls_past_deadline,
                submitted_bids=c.submitted_bids,
                population=c.population,
            )
            for c in matrix.cells
        ]
    report(steps - 2, steps)
    stability = [
        SnapshotStability(
            region_id=row.region.pk,
            service_type_id=row.service_type.pk,
            verdict=row.verdict,
            total=row.total,
            money={str(year): str(amount) for year, amount in row.money.items()},
            cv=row.cv,
            gap_days=row.gap_days,
            single_bid_share=row.single_bid_share,
            failed_call_share=row.failed_call_share,
            churn=row.churn,
            contract_ids=row.contract_ids,
        )
        for row in stability_table(*window, today=on)
    ]
    report(steps - 1, steps)
    flags = _flags(on)
    with transaction.atomic():
        snapshot = Snapshot.objects.create(
            as_of=on,
            first_year=first_year,
            last_year=last_year,
            window_first=window[0],
            window_last=window[1],
            trigger=trigger,
            made_by=by,
            content_hash=_digest(cells, stability, flags),
        )
        for rows in (cells, stability, flags):
            for row in rows:
                row.snapshot = snapshot
        SnapshotCell.objects.bulk_create(cells, batch_size=1000)
        SnapshotStability.objects.bulk_create(stability, batch_size=1000)
        SnapshotFlag.objects.bulk_create(flags, batch_size=1000)
    report(steps, steps)
    return snapshot


JOB_KIND = "snapshot"


def refresh_in_background(*, by=None, trigger: str = Snapshot.Trigger.MANUAL) -> Job:
    """Ask the worker for a new snapshot and return the job that follows it. Requests coalesce: while one is still
    queued, it is returned instead of a second (it will see every change made meanwhile)."""
    from evaluation.tasks import refresh_snapshot

    with transaction.atomic():
        queued = Job.objects.select_for_update().filter(kind=JOB_KIND, status=Job.Status.QUEUED).first()
        if queued is not None:
            return queued
        job = Job.objects.create(kind=JOB_KIND, owner=by)
    result = refresh_snapshot.enqueue(job.pk, trigger)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def running_job() -> Job | None:
    """Return the snapshot job queued or running now, if any (the pages say newer data is being computed)."""
    unfinished = (Job.Status.QUEUED, Job.Status.RUNNING)
    return Job.objects.filter(kind=JOB_KIND, status__in=unfinished).order_by("created_at").first()


def _provider_ids(matrix: CoverageMatrix) -> dict[tuple[int, int], list[int]]:
    """Return each serving cell's providers (the live matrix keeps only their count on the cell)."""
    from contracts.models import Contract

    ids = {cid for c in matrix.cells for cid in c.contract_ids}
    provider_of = dict(Contract.objects.filter(pk__in=ids).values_list("pk", "provider_id"))
    return {
        (c.region.pk, c.service_type.pk): sorted({provider_of[cid] for cid in c.contract_ids})
        for c in matrix.cells
        if c.contract_ids
    }


def _flags(on: dt.date) -> list[SnapshotFlag]:
    """Return the red flags as of `on`, each with its explanation in every language (computed once per language:
    the explanations are sentences with numbers, not codes)."""
    by_language: dict[str, list[Flag]] = {}
    for language in LANGUAGES:
        with translation.override(language):
            by_language[language] = red_flags(today=on)
    base = by_language[LANGUAGES[0]]
    details: dict[tuple, dict[str, str]] = defaultdict(dict)
    for language, flags in by_language.items():
        for flag in flags:
            details[(*flag_key(flag), flag.provider_id or 0, flag.number)][language] = flag.detail
    return [
        SnapshotFlag(
            kind=f.kind,
            call_id=f.call_id,
            contract_id=f.contract_id,
            provider_id=f.provider_id,
            number=f.number,
            region_id=f.region.pk,
            service_type_id=getattr(f.service_type, "pk", None),
            agency_id=getattr(f.agency, "pk", None),
            year=f.year,
            detail=details[(*flag_key(f), f.provider_id or 0, f.number)],
        )
        for f in base
    ]


def matrix_of(snapshot: Snapshot, year: int, *, regions=None, service_types=None) -> CoverageMatrix:
    """Return the coverage matrix of a year as the snapshot stored it (the same object `coverage_matrix` returns)."""
    region_list = table_regions(regions)
    service_list = table_service_types(service_types)
    region_by_id = {r.pk: r for r in region_list}
    service_by_id = {s.pk: s for s in service_list}
    stored = {
        (row.region_id, row.service_type_id): row
        for row in snapshot.cells.filter(year=year, region__in=region_list, service_type__in=service_list)
    }
    cells, providers = [], {}
    for region in region_list:
        for service in service_list:
            row = stored.get((region.pk, service.pk))
            if row is None:  # a region or service added after the snapshot was made
                cells.append(Cell(region=region, service_type=service, year=year, status=CellStatus.NO_DATA))
                continue
            cell = Cell(
                region=region_by_id[row.region_id],
                service_type=service_by_id[row.service_type_id],
                year=year,
                status=row.status,
                since=row.since,
                money_planned=row.money_planned,
                money_paid=row.money_paid,
                contract_ids=row.contract_ids,
                provider_count=len(row.provider_ids),
                children_served=row.children_served,
                calls=row.calls,
                failed_calls=row.failed_calls,
                calls_past_deadline=row.calls_past_deadline,
                submitted_bids=row.submitted_bids,
                population=row.population,
            )
            if cell.applicable:
                cell.derive()
            cells.append(cell)
            if row.provider_ids:
                providers[(region.pk, service.pk)] = row.provider_ids
    return assemble_matrix(year, snapshot.as_of, region_list, service_list, cells, providers)


def flags_of(snapshot: Snapshot) -> list[Flag]:
    """Return the snapshot's red flags as `Flag` objects, explained in the active language."""
    language = translation.get_language() or LANGUAGES[0]
    regions, services = Region.objects.in_bulk(), ServiceType.objects.in_bulk()
    from core.models import Agency

    agencies = Agency.objects.in_bulk()
    return [
        Flag(
            kind=f.kind,
            rule=RULES[f.kind],
            call_id=f.call_id,
            contract_id=f.contract_id,
            number=f.number,
            region=regions[f.region_id],
            service_type=services.get(f.service_type_id),
            agency=agencies.get(f.agency_id),
            year=f.year,
            detail=f.detail.get(language[:2]) or f.detail.get(LANGUAGES[0], ""),
            provider_id=f.provider_id,
        )
        for f in snapshot.flags.order_by("pk")
    ]


# -- what changed ------------------------------------------------------------------------------------------------


@dataclass
class CellChange:
    region: Region
    service_type: ServiceType
    year: int
    before: str
    after: str

    @property
    def before_label(self) -> str:
        return CellStatus(self.before).label

    @property
    def after_label(self) -> str:
        return CellStatus(self.after).label


@dataclass
class VerdictChange:
    region: Region
    service_type: ServiceType
    before: str | None
    after: str | None

    @property
    def before_label(self) -> str:
        return Verdict(self.before).label if self.before else "—"

    @property
    def after_label(self) -> str:
        return Verdict(self.after).label if self.after else "—"


@dataclass
class Changes:
    older: Snapshot
    newer: Snapshot
    cells: list[CellChange]
    verdicts: list[VerdictChange]
    new_flags: list[Flag]
    cleared_flags: list[Flag]

    @property
    def empty(self) -> bool:
        return not (self.cells or self.verdicts or self.new_flags or self.cleared_flags)


def compare(a: Snapshot, b: Snapshot) -> Changes:
    """Return what changed from the older of two snapshots to the newer: cells whose status changed (in the years
    both hold), region × service pairs whose stability verdict changed, and red flags raised or cleared."""
    older, newer = sorted((a, b), key=lambda s: (s.made_at, s.pk))
    regions, services = Region.objects.in_bulk(), ServiceType.objects.in_bulk()
    years = (max(older.first_year, newer.first_year), min(older.last_year, newer.last_year))

    def statuses(snapshot):
        rows = snapshot.cells.filter(year__range=years).values_list("year", "region_id", "service_type_id", "status")
        return {(year, r, s): status for year, r, s, status in rows}

    before, after = statuses(older), statuses(newer)
    cells = [
        CellChange(regions[r], services[s], year, before[(year, r, s)], status)
        for (year, r, s), status in after.items()
        if (year, r, s) in before and before[(year, r, s)] != status
    ]
    cells.sort(key=lambda c: (c.year, c.region.kato, c.service_type.pk))

    def verdicts(snapshot):
        rows = snapshot.stability.values_list("region_id", "service_type_id", "verdict")
        return {(r, s): verdict for r, s, verdict in rows}

    old_v, new_v = verdicts(older), verdicts(newer)
    changed = [
        VerdictChange(regions[r], services[s], old_v.get((r, s)), new_v.get((r, s)))
        for (r, s) in sorted(old_v.keys() | new_v.keys(), key=lambda k: (regions[k[0]].kato, k[1]))
        if old_v.get((r, s)) != new_v.get((r, s))
    ]
    old_flags = {flag_key(f): f for f in flags_of(older)}
    new_flags = {flag_key(f): f for f in flags_of(newer)}
    return Changes(
        older=older,
        newer=newer,
        cells=cells,
        verdicts=changed,
        new_flags=[f for key, f in new_flags.items() if key not in old_flags],
        cleared_flags=[f for key, f in old_flags.items() if key not in new_flags],
    )


def month_before(snapshot: Snapshot) -> Snapshot | None:
    """Return the snapshot to compare with by default: the newest made at least a month before, else the oldest."""
    earlier = Snapshot.objects.filter(made_at__lt=snapshot.made_at).order_by("-made_at", "-pk")
    month = earlier.filter(made_at__lte=snapshot.made_at - dt.timedelta(days=30)).first()
    return month or earlier.order_by("made_at", "pk").first()


# -- retention -----------------------------------------------------------------------------------------------------


def kept(snapshots: list[Snapshot], *, daily: int) -> set[int]:
    """Return the pks to keep: the first snapshot of every month (forever), the newest of each of the `daily` most
    recent days that have one, and the newest of all."""
    ordered = sorted(snapshots, key=lambda s: (s.made_at, s.pk))
    keep: set[int] = set()
    months: set[tuple[int, int]] = set()
    for snapshot in ordered:
        day = timezone.localdate(snapshot.made_at)
        if (day.year, day.month) not in months:
            months.add((day.year, day.month))
            keep.add(snapshot.pk)
    newest_of_day: dict[dt.date, Snapshot] = {}
    for snapshot in ordered:
        newest_of_day[timezone.localdate(snapshot.made_at)] = snapshot
    for day in sorted(newest_of_day, reverse=True)[:daily]:
        keep.add(newest_of_day[day].pk)
    if ordered:
        keep.add(ordered[-1].pk)
    return keep


def prune(*, daily: int | None = None) -> int:
    """Delete the snapshots the retention rule does not keep; return how many."""
    daily = settings.GSZ["SNAPSHOT_KEEP_DAILY"] if daily is None else daily
    snapshots = list(Snapshot.objects.only("pk", "made_at"))
    keep = kept(snapshots, daily=daily)
    doomed = [s.pk for s in snapshots if s.pk not in keep]
    Snapshot.objects.filter(pk__in=doomed).delete()
    return len(doomed)


def stored_money(row: SnapshotStability) -> dict[int, Decimal]:
    return {int(year): Decimal(amount) for year, amount in row.money.items()}

"""The open-data bulk file at scale: the time and peak memory of `evaluation.analytics.ocds.write_bulk_file` (every
release as gzipped JSON lines), and the ratio to serialising the same rows with `json.dumps` from dicts already in
memory (the floor: no database, no compression). Targets (issue 13): within 3× of the floor, memory flat from scale
1 to 3.

The generated dataset has no audit log (rows are bulk-inserted), so its releases are made here, once per database:
the real release builders make the releases of a sample of contracting processes — each event dated from the rows'
own dates — and copies of them under the other calls' OCIDs make up the number of releases the dataset's events
would publish (calls published, opened, decided or cancelled; contracts signed, amended, terminated; payments;
accepted annual reports). The bulk writer only streams the stored texts, so what matters is their number and size.

Entry points (wired into `manage.py bench` by the lead):
- `opendata_rows(options)`: the rows of the results table (measure.Row), on this database and, for the memory,
  on `options.memory_databases` (scale → DATABASE_URL) in fresh child processes;
- `python -m bench.opendata_child prepare|bulk` (DATABASE_URL picks the database): a child process that makes the
  releases, or writes the bulk file, and prints its peak memory as JSON on the last line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from bench import measure
from contracts.models import Amendment, Contract, Payment, Report, ReportingPeriod
from evaluation.analytics import ocds
from evaluation.models import Release
from tenders.models import Call

SAMPLE_CALLS = 300  # processes whose releases are really built; the rest are copies of theirs
BATCH = 2000
CAUSE = "bench"


def planned_releases() -> dict[str, int]:
    """Return how many releases of each kind the dataset's events would publish."""
    calls = Call.objects.exclude(published_at=None)
    counts = calls.aggregate(
        tender=Count("pk"),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        decided=Count("pk", filter=Q(decided_at__isnull=False, status__in=["awarded", "failed"])),
        cancelled=Count("pk", filter=Q(status="cancelled")),
    )
    counts["contract"] = Contract.objects.signed().count()
    counts["amended"] = Amendment.objects.exclude(kind=Amendment.Kind.TERMINATION).count()
    counts["terminated"] = Contract.objects.filter(status=Contract.Status.TERMINATED).count()
    counts["payment"] = Payment.objects.count()
    counts["report"] = Report.objects.filter(
        status=Report.Status.ACCEPTED, period__kind=ReportingPeriod.Kind.ANNUAL
    ).count()
    return counts


def _aware(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(11), ocds.OFFSET)


def events_of(call: Call) -> list[tuple[dt.datetime, object, object]]:
    """Return (moment, release builder, subject) for each public event of a call, from its rows' own dates."""
    events = [(call.published_at, ocds._release_tender, call)]
    if call.opened_at:
        events.append((call.opened_at, ocds._release_tender_update, call))
    if call.status == Call.Status.CANCELLED and call.cancelled_at:
        events.append((call.cancelled_at, ocds._release_cancellation, call))
    if call.decided_at and call.status == Call.Status.AWARDED:
        events.append((call.decided_at, ocds._release_award, call))
    if call.decided_at and call.status == Call.Status.FAILED:
        events.append((call.decided_at, ocds._release_unsuccessful, call))
    contract = Contract.objects.filter(call=call).first()
    if contract is not None and contract.is_signed:
        events.append((ocds.Process.signed_at(contract), ocds._release_contract, contract))
        for amendment in contract.amendments.exclude(kind=Amendment.Kind.TERMINATION):
            events.append((_aware(amendment.effective_date), ocds._release_contract_amendment, contract))
        if contract.terminated_on:
            events.append((_aware(contract.terminated_on), ocds._release_contract_end, contract))
        for payment in Payment.objects.filter(tranche__contract=contract):
            events.append((_aware(payment.date), ocds._release_payment, contract))
        for report in Report.objects.filter(period__contract=contract, status=Report.Status.ACCEPTED):
            if report.reviewed_at:
                events.append((report.reviewed_at, ocds._release_report, report))
    return sorted(events, key=lambda event: event[0])


def _sample(count: int) -> list[Call]:
    """Return published calls of every outcome, contracts with long histories first."""
    calls = Call.objects.exclude(published_at=None).select_related("agency", "region", "service_type")
    with_contracts = list(calls.filter(contract__isnull=False).order_by("pk")[: count * 2 // 3])
    others = list(calls.filter(contract__isnull=True).order_by("pk")[: count - len(with_contracts)])
    return with_contracts + others


def prepare_releases(*, sample: int = SAMPLE_CALLS, echo=print) -> dict:
    """Make the bench's releases (once per database) and return what is there."""
    planned = planned_releases()
    wanted = sum(planned.values())
    have = Release.objects.count()
    if have >= wanted and have > 0:
        return {"releases": have, "made": 0, "planned": planned}
    with transaction.atomic():
        Release.objects.filter(cause=CAUSE).delete()
        texts: list[tuple[str, str]] = []  # (the sample's ocid, a release text)
        for call in _sample(sample):
            ocid = ocds.ocid_of(call)
            for index, (moment, builder, subject) in enumerate(events_of(call)):
                release = ocds.build_release(builder, subject, at=moment, release_id=f"{ocid}-b{index}")
                if release is not None:
                    texts.append((ocid, ocds.dumps(release)))
        echo(f"  {len(texts)} releases built for {sample} sample processes; copying them to {wanted:,}…")
        calls = list(Call.objects.exclude(published_at=None).order_by("pk").values_list("pk", "number"))
        prefix = ocds.ocid_prefix()
        now = timezone.now()
        rows, made = [], 0
        for index in range(wanted):
            ocid, text = texts[index % len(texts)]
            call_pk, number = calls[index % len(calls)]
            target = f"{prefix}-{number}"
            data = text.replace(ocid, target)
            release_id = f"{target}-c{index}"
            release = json.loads(data)
            release["id"] = release_id
            rows.append(
                Release(
                    ocid=target,
                    release_id=release_id,
                    date=dt.datetime.fromisoformat(release["date"]),
                    tags=release["tag"],
                    call_id=call_pk,
                    cause=CAUSE,
                    text=ocds.dumps(release),
                    published_at=now,
                )
            )
            if len(rows) >= BATCH:
                Release.objects.bulk_create(rows)
                made += len(rows)
                rows.clear()
        Release.objects.bulk_create(rows)
        made += len(rows)
    return {"releases": Release.objects.count(), "made": made, "planned": planned}


def json_dumps_floor(*, chunk: int = 5000) -> float:
    """Return the seconds `json.dumps` takes to serialise every release from dicts already in memory (loaded a
    chunk at a time, untimed), one line each as the bulk file has them."""
    seconds = 0.0
    batch: list[dict] = []

    def dump(rows: list[dict]) -> float:
        started = time.perf_counter()
        for row in rows:
            json.dumps(row, ensure_ascii=False, separators=(",", ":"))
        return time.perf_counter() - started

    for text in Release.objects.order_by("date", "pk").values_list("text", flat=True).iterator(chunk_size=chunk):
        batch.append(json.loads(text))
        if len(batch) >= chunk:
            seconds += dump(batch)
            batch.clear()
    return seconds + dump(batch)


def time_bulk(*, repeat: int = 3) -> dict:
    """Return the median seconds of writing the bulk file (to a temporary folder), its size and its releases."""
    samples, result = [], {}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(repeat):
            started = time.perf_counter()
            result = ocds.write_bulk_file(Path(folder) / ocds.BULK_NAME)
            samples.append(time.perf_counter() - started)
    return {"seconds": statistics.median(samples), "samples": samples, **result}


def run_child(task: str, *, database_url: str | None = None, timeout: int = 7200) -> dict:
    """Run `python -m bench.opendata_child TASK` in a fresh process (on another database when given); return what it
    reports."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if database_url:
        env["DATABASE_URL"] = database_url
    command = [sys.executable, "-m", "bench.opendata_child", task]
    # This interpreter running this package with a task name made here, never user input.
    done = subprocess.run(  # noqa: S603
        command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"error": (done.stderr.strip().splitlines() or ["no output"])[-1]}
    return json.loads(lines[-1])


def opendata_rows(options: measure.Options) -> list[measure.Row]:
    """Return the rows of the results table for the bulk file: time, the json.dumps floor and the ratio here; peak
    memory at each scale of `options.memory_databases` and its growth."""
    Row = measure.Row
    rows: list[Row] = []
    options.echo("  open data: releases for the bench…")
    prepared = prepare_releases(echo=options.echo)
    options.echo(f"  open data: the bulk file ({options.repeat} writes)…")
    bulk = time_bulk(repeat=max(1, min(options.repeat, 3)))
    floor = json_dumps_floor()
    ratio = bulk["seconds"] / floor if floor else None
    size = f"{bulk['releases']:,} releases, {bulk['bytes'] / 1e6:.1f} MB gzipped"
    rows.append(Row("open data", "bulk file: write", round(bulk["seconds"], 3), "s", note=size, extra=bulk))
    rows.append(
        Row(
            "open data",
            "bulk file: ratio to json.dumps of the rows in memory",
            round(ratio, 2) if ratio else None,
            "×",
            "json.dumps floor",
            round(floor, 3),
            target="≤ 3×",
            met=(ratio <= 3) if ratio else None,
            extra={"prepared": prepared},
        )
    )
    peaks = {}
    scales = sorted(options.memory_databases)
    for scale in scales:
        url = options.memory_databases[scale]
        options.echo(f"  open data: releases and the bulk file's peak memory at scale {scale:g} (child process)…")
        made = run_child("prepare", database_url=url)
        result = made if "error" in made else run_child("bulk", database_url=url)
        name = f"bulk file: peak RSS, scale {scale:g}"
        if "error" in result:
            rows.append(Row("memory", name, None, note=f"failed: {result['error']}"))
            continue
        peaks[scale] = result["peak_kb"] / 1024
        rows.append(
            Row(
                "memory",
                name,
                round(peaks[scale], 1),
                "MB",
                f"after start-up {result['baseline_kb'] / 1024:.0f} MB",
                round(result["baseline_kb"] / 1024, 1),
                note=f"{result['seconds']:.1f} s, {result['releases']:,} releases",
                extra=result,
            )
        )
    if len(peaks) >= 2:
        low, high = scales[0], scales[-1]
        growth = peaks[high] / peaks[low]
        rows.append(
            Row(
                "memory",
                f"bulk file: peak RSS growth {low:g} → {high:g}",
                round(growth, 2),
                "×",
                f"data grows {high / low:g}×",
                round(high / low, 2),
                target="< 1.5× (flat)",
                met=growth < 1.5,
            )
        )
    return rows

"""The benchmark at a tiny scale: counts follow the scale, the synthetic data keeps the invariants the application
keeps, the same seed gives the same data, and every measurement runs once without error (fast: a few seconds)."""

import datetime as dt
import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management.base import CommandError
from django.db.models import F, Q, Sum

from bench import measure
from bench.__main__ import main as bench_main
from bench.database import has_other_data, prepare, scale_database_url
from bench.generate import AS_OF, Plan, generate
from contracts.models import Actual, Contract, Payment, Report, ReportingPeriod, Tranche
from core.validators import bin_error
from providers.models import Provider
from tenders.models import Bid, Call

pytestmark = pytest.mark.django_db

SCALE = 0.002


def contract_shapes(contracts) -> list[tuple]:
    return list(
        contracts.order_by("id").values_list(
            "region__code", "service_type__code", "start_date", "end_date", "total", "status"
        )
    )


def test_counts_follow_the_scale():
    small = generate(SCALE)
    double = generate(2 * SCALE)

    assert (small["call"], small["contract"]) == (Plan.of(SCALE).calls, Plan.of(SCALE).contracts) == (60, 50)
    assert (double["call"], double["contract"]) == (120, 100)
    for name in ("bid", "tranche", "reportingperiod", "report", "actual"):
        assert 1.5 <= double[name] / small[name] <= 2.6, name
    for counts in (small, double):
        assert 2.5 <= counts["bid"] / counts["call"] <= 4
        assert 2.0 <= counts["tranche"] / counts["contract"] <= 2.8
        assert counts["report"] >= 6 * counts["contract"] * 0.9
        assert counts["actual"] >= 2.5 * counts["report"]
    assert Call.objects.count() == 180
    assert Provider.objects.count() == small["provider"] + double["provider"]


def test_the_data_keeps_the_invariants():
    generate(SCALE)

    tranche_sums = Contract.objects.annotate(sum_of_tranches=Sum("tranches__amount"))
    assert all(c.sum_of_tranches == c.total for c in tranche_sums)
    assert not Tranche.objects.exclude(amount=F("fixed_amount") + F("outcome_amount")).exists()
    assert not Report.objects.exclude(period__contract__in=Contract.objects.signed()).exists()
    assert not ReportingPeriod.objects.exclude(contract__in=Contract.objects.signed()).exists()
    assert not ReportingPeriod.objects.filter(end__gte=F("contract__terminated_on")).exists()
    outside = Q(start__lt=F("contract__start_date")) | Q(end__gt=F("contract__end_date"))
    assert not ReportingPeriod.objects.filter(outside).exists()
    # Every contract comes from its call's winning bid, with the call's cell.
    assert not Contract.objects.exclude(bid__status=Bid.Status.WINNER).exists()
    assert not Contract.objects.exclude(bid__call=F("call"), provider=F("bid__provider")).exists()
    assert not Contract.objects.exclude(region=F("call__region"), service_type=F("call__service_type")).exists()
    assert not Contract.objects.exclude(call__status=Call.Status.AWARDED).exists()
    assert Bid.objects.count() <= 7 * Call.objects.count()
    assert not Bid.objects.filter(call__status=Call.Status.CANCELLED, call__published_at__isnull=True).exists()
    # Money: payments never exceed their part, and nothing happens after the snapshot day.
    for tranche in Tranche.objects.annotate(fixed_paid=Sum("payments__amount", filter=Q(payments__kind="fixed"))):
        assert (tranche.fixed_paid or 0) <= tranche.fixed_amount
    assert not Payment.objects.filter(date__gte=AS_OF).exists()
    assert not Report.objects.filter(first_submitted_at__date__gte=AS_OF).exists()
    assert not Contract.objects.filter(terminated_on__gte=AS_OF).exists()
    assert Actual.objects.exists()
    assert all(bin_error(b) is None for b in Provider.objects.values_list("bin", flat=True))


def test_the_same_seed_gives_the_same_data():
    generate(SCALE, seed=7)
    first = contract_shapes(Contract.objects.all())
    generate(SCALE, seed=7)
    second = contract_shapes(Contract.objects.all())[len(first) :]
    generate(SCALE, seed=8)
    other = contract_shapes(Contract.objects.all())[2 * len(first) :]

    assert first == second
    assert first != other


def test_progress_is_reported_up_to_the_end():
    seen = []
    generate(SCALE, progress=lambda fraction, label: seen.append((fraction, label)))

    fractions = [fraction for fraction, _label in seen]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0


def test_the_bench_refuses_a_database_with_other_data():
    generate(SCALE)  # no marker: to the guard this is someone else's data

    assert has_other_data()
    with pytest.raises(CommandError, match="dedicated database"):
        prepare(scale=SCALE, seed=1, regenerate=False, force=False, stderr=None, stdout=None)


def test_other_scales_get_their_own_database():
    assert scale_database_url("sqlite:////work/bench.sqlite3", 3) == "sqlite:////work/bench-scale3.sqlite3"
    assert scale_database_url("postgres://u@h:5432/gsz_bench", 0.5) == "postgres://u@h:5432/gsz_bench_scale0_5"


def test_every_measurement_runs_once():
    generate(SCALE)
    today = AS_OF
    echoed = []

    rows = measure.run(measure.Options(scale=SCALE, repeat=1, requests=1, today=today, echo=echoed.append))

    failures = [(row.measurement, row.note) for row in rows if row.note.startswith(("failed", "import failed"))]
    assert failures == []
    names = {row.measurement for row in rows}
    assert {"coverage matrix 2025", "contracts list: queries", "  xlsxwriter floor"} <= names
    assert any(row.measurement.startswith("  naive baseline") and row.value for row in rows)
    assert "measurement" in measure.table(rows)
    assert json.loads(json.dumps(measure.as_json(rows, {"scale": SCALE}), default=str))["results"]
    # The workloads of the memory measurement, in this process.
    params = {"year": 2025, "first_year": 2021, "last_year": 2025, "today": today.isoformat()}
    for task in ("floor", "pandas", "tablib"):
        measure.run_task(task, params)
    assert measure.peak_rss_kb() > 0


def test_the_naive_baselines_agree_with_the_sql_floor():
    generate(SCALE)
    year = 2024

    naive = measure.naive_coverage(year, dt.date(2026, 1, 15))
    floor = {(r, s): (money, contracts) for r, s, money, contracts, _p in measure.sql_floor_coverage(year)}

    for key, (money, contracts) in floor.items():
        assert abs(naive[key]["money"] - Decimal(str(money))) < 1
        assert naive[key]["contracts"] == contracts
        assert naive[key]["status"] == "covered"


def test_a_child_process_reports_its_failure():
    result = measure.run_child(
        "no-such-task", {"year": 2025, "first_year": 2021, "last_year": 2025, "today": "2026-01-15"}
    )

    assert "error" in result


def test_the_bench_runs_as_a_module_and_no_app_imports_it():
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(  # noqa: S603 - this interpreter, this package, fixed arguments
        [sys.executable, "-m", "bench", "--help"], cwd=root, capture_output=True, text=True, check=False
    )

    assert done.returncode == 0, done.stderr
    assert "--memory-scales" in done.stdout
    importers = [
        str(path.relative_to(root))
        for app in ("core", "providers", "tenders", "contracts", "evaluation", "config")
        for path in (root / app).rglob("*.py")
        if re.search(r"^\s*(from|import) bench\b", path.read_text(encoding="utf-8"), re.M)
    ]
    assert importers == []


def test_the_bench_refuses_a_scale_that_is_not_positive(capsys):
    with pytest.raises(SystemExit) as refused:
        bench_main(["--scale", "0"])

    assert refused.value.code == 2
    assert "--scale must be positive" in capsys.readouterr().err

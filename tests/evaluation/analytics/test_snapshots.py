"""Snapshots hold exactly what the live analytics compute, re-open with the same numbers after the records change,
say what changed between two of them, and are kept by the retention rule. Small hand-made datasets."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from core.models import Job
from evaluation.analytics.coverage import CellStatus, coverage_matrix
from evaluation.analytics.flags import FlagKind, red_flags
from evaluation.analytics.snapshots import (
    JOB_KIND,
    compare,
    flags_of,
    kept,
    make_snapshot,
    matrix_of,
    month_before,
    prune,
    refresh_in_background,
    running_job,
)
from evaluation.analytics.stability import default_window, stability_table
from evaluation.models import Snapshot
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 1)
CM, FS = "case-management", "family-support"


@pytest.fixture
def dataset():
    """Almaty: case management 2024–2026, nothing called for 2027 (2026 ending). Astana: case management 2023–2024
    (a gap from 2025). Shymkent (79): the 2026 family-support call failed."""
    ending = f.served_contract(start=dt.date(2024, 1, 1), end=dt.date(2026, 12, 31), region_code="75")
    f.PaymentFactory(tranche=ending.tranches.get(year=2026), amount=Decimal("250000"), date=dt.date(2026, 2, 1))
    f.served_contract(start=dt.date(2023, 1, 1), end=dt.date(2024, 12, 31), region_code="71")
    f.closed_call(start_year=2026, region_code="79", service_code=FS, bids=1)
    return ending


def test_a_snapshot_holds_the_same_matrices_stability_and_flags_as_computing_live(dataset):
    snapshot = make_snapshot(today=TODAY)

    assert (snapshot.first_year, snapshot.last_year) == (2016, 2029)
    for year in range(2016, 2030):
        live, stored = coverage_matrix(year, today=TODAY), matrix_of(snapshot, year)
        assert stored.cells == live.cells, year
        assert stored.totals == live.totals, year
        assert stored.region_coverage == live.region_coverage, year
    stored_2026 = matrix_of(snapshot, 2026)
    assert stored_2026.cell(f.region("75"), f.service(CM)).status == CellStatus.ENDING
    assert stored_2026.cell(f.region("71"), f.service(CM)).status == CellStatus.GAP
    assert stored_2026.cell(f.region("79"), f.service(FS)).status == CellStatus.FAILED
    assert stored_2026.totals.money_paid == Decimal("250000")

    live_rows = stability_table(*default_window(TODAY), today=TODAY)
    stored_rows = {(s.region_id, s.service_type_id): s for s in snapshot.stability.all()}
    assert len(stored_rows) == len(live_rows) == 220
    for row in live_rows:
        stored = stored_rows[(row.region.pk, row.service_type.pk)]
        assert (stored.verdict, stored.total, stored.gap_days) == (row.verdict, row.total, row.gap_days)

    assert flags_of(snapshot) == red_flags(today=TODAY)
    assert len(snapshot.content_hash) == 64


def test_a_past_snapshot_keeps_its_numbers_when_the_records_change(dataset):
    before = make_snapshot(today=TODAY)
    f.served_contract(start=dt.date(2026, 4, 1), end=dt.date(2026, 12, 31), region_code="79", service_code=FS)

    again = matrix_of(Snapshot.objects.get(pk=before.pk), 2026)
    assert again.cell(f.region("79"), f.service(FS)).status == CellStatus.FAILED
    after = make_snapshot(today=TODAY)
    assert matrix_of(after, 2026).cell(f.region("79"), f.service(FS)).status == CellStatus.ENDING
    assert after.content_hash != before.content_hash
    assert Snapshot.objects.current() == after


def test_two_snapshots_of_the_same_records_have_the_same_hash(dataset):
    assert make_snapshot(today=TODAY).content_hash == make_snapshot(today=TODAY).content_hash


def test_what_changed_lists_cells_verdicts_and_flags(dataset):
    older = make_snapshot(today=TODAY)
    f.served_contract(start=dt.date(2026, 4, 1), end=dt.date(2027, 12, 31), region_code="79", service_code=FS)
    cut = f.served_contract(
        start=dt.date(2025, 1, 1), end=dt.date(2027, 12, 31), region_code="63", terminated_on=dt.date(2026, 2, 1)
    )
    newer = make_snapshot(today=TODAY)

    changes = compare(newer, older)  # the order of the arguments does not matter

    assert (changes.older, changes.newer) == (older, newer)
    moved = {(c.year, c.region.code, c.service_type.code, c.before, c.after) for c in changes.cells}
    # Shymkent's family support: covered in 2026 (it goes on), ending in 2027, then interrupted.
    assert {m for m in moved if m[1] == "79"} == {
        (2026, "79", FS, CellStatus.FAILED, CellStatus.COVERED),
        (2027, "79", FS, CellStatus.NEVER, CellStatus.ENDING),
        (2028, "79", FS, CellStatus.NEVER, CellStatus.GAP),
        (2029, "79", FS, CellStatus.NEVER, CellStatus.GAP),
    }
    # East Kazakhstan (63): served from 2025, cut on 1 February 2026 with nothing after it.
    assert {m for m in moved if m[1] == "63"} == {
        (2025, "63", CM, CellStatus.NEVER, CellStatus.COVERED),
        (2026, "63", CM, CellStatus.NEVER, CellStatus.ENDING),
        (2027, "63", CM, CellStatus.NEVER, CellStatus.GAP),
        (2028, "63", CM, CellStatus.NEVER, CellStatus.GAP),
        (2029, "63", CM, CellStatus.NEVER, CellStatus.GAP),
    }
    assert {m[1] for m in moved} == {"79", "63"}
    # The window 2021–2025 holds 2025: only East Kazakhstan's case management moves.
    assert [(v.region.code, v.service_type.code) for v in changes.verdicts] == [("63", CM)]
    assert (FlagKind.EARLY_TERMINATION, cut.pk) in {(flag.kind, flag.contract_id) for flag in changes.new_flags}
    assert changes.cleared_flags == []
    assert not changes.empty
    assert compare(older, older).empty


def test_the_default_comparison_is_a_month_before():
    def made(day):
        snapshot = Snapshot.objects.create(
            as_of=day, first_year=2016, last_year=2029, window_first=2021, window_last=2025, content_hash="0" * 64
        )
        Snapshot.objects.filter(pk=snapshot.pk).update(made_at=f.almaty(day, 6))
        return Snapshot.objects.get(pk=snapshot.pk)

    first, month, week, now = (made(dt.date(2026, m, d)) for m, d in ((9, 1), (10, 30), (11, 24), (12, 1)))
    assert month_before(now) == month
    assert month_before(week) == first  # nothing a month before it: the oldest
    assert month_before(first) is None


def test_retention_keeps_the_first_of_each_month_and_the_last_days():
    def made(day, hour=6):
        snapshot = Snapshot.objects.create(
            as_of=day, first_year=2016, last_year=2029, window_first=2021, window_last=2025, content_hash="0" * 64
        )
        when = f.almaty(day, hour)
        Snapshot.objects.filter(pk=snapshot.pk).update(made_at=when)
        return snapshot.pk

    oct_1 = made(dt.date(2026, 10, 1))
    oct_2 = made(dt.date(2026, 10, 2))
    nov_1 = made(dt.date(2026, 11, 1))
    nov_30_early, nov_30_late = made(dt.date(2026, 11, 30), 6), made(dt.date(2026, 11, 30), 18)
    dec_1 = made(dt.date(2026, 12, 1))

    assert kept(list(Snapshot.objects.all()), daily=2) == {oct_1, nov_1, nov_30_late, dec_1}
    assert prune(daily=2) == 2
    assert set(Snapshot.objects.values_list("pk", flat=True)) == {oct_1, nov_1, nov_30_late, dec_1}
    assert not Snapshot.objects.filter(pk__in=[oct_2, nov_30_early]).exists()


def test_the_command_makes_a_snapshot_and_prunes(dataset, capsys, clock):
    call_command("make_snapshot")
    snapshot = Snapshot.objects.current()
    assert snapshot.trigger == Snapshot.Trigger.SCHEDULED
    assert f"#{snapshot.pk}" in capsys.readouterr().out


# -- the pages -----------------------------------------------------------------------------------------------------


def test_the_coverage_page_reads_the_current_snapshot_and_a_past_one_on_request(client, dataset, clock):
    shymkent_fs = (f.region("79"), f.service(FS))
    url = reverse("evaluation:coverage") + "?year=2026"
    live = client.get(url)
    assert live.context["snapshot"] is None
    with translation.override("ru"):
        assert translation.gettext("Computed live: no snapshot has been made yet.") in live.content.decode()

    first = make_snapshot(today=TODAY)
    f.served_contract(start=dt.date(2026, 4, 1), end=dt.date(2027, 12, 31), region_code="79", service_code=FS)

    page = client.get(url)  # the snapshot, not the records as they are now
    assert page.context["snapshot"] == first
    assert page.context["matrix"].cell(*shymkent_fs).status == CellStatus.FAILED
    assert f'href="{first.get_absolute_url()}"' in page.content.decode()  # the banner names and links it

    second = make_snapshot(today=TODAY)
    assert client.get(url).context["matrix"].cell(*shymkent_fs).status == CellStatus.COVERED
    past = client.get(url + f"&snapshot={first.pk}")
    assert past.context["snapshot"] == first
    assert past.context["matrix"].cell(*shymkent_fs).status == CellStatus.FAILED
    assert client.get(url + "&snapshot=abc").context["snapshot"] == second  # a wrong value: the current one


def test_the_snapshot_page_cites_its_number_and_hash(client, dataset):
    snapshot = make_snapshot(today=TODAY)
    page = client.get(reverse("evaluation:snapshot", args=[snapshot.pk]))
    text = page.content.decode()
    assert snapshot.content_hash in text
    assert f"http://testserver/snapshots/{snapshot.pk}/" in text
    assert f"?year=2026&amp;snapshot={snapshot.pk}" in text
    listing = client.get(reverse("evaluation:snapshots")).content.decode()
    assert f"#{snapshot.pk}" in listing


def test_the_change_page_shows_what_changed(client, committee, dataset):
    older = make_snapshot(today=TODAY)
    f.served_contract(start=dt.date(2026, 4, 1), end=dt.date(2026, 12, 31), region_code="79", service_code=FS)
    newer = make_snapshot(today=TODAY)
    client.force_login(committee)

    page = client.get(reverse("evaluation:snapshot-compare"))  # default: the current one and the one before

    changes = page.context["changes"]
    assert (changes.older, changes.newer) == (older, newer)
    text = page.content.decode()
    assert 'data-testid="changed-cells"' in text
    assert str(f.region("79").name) in text


def test_committee_staff_make_a_snapshot_by_hand_in_the_background(client, committee, dataset, clock):
    client.force_login(committee)
    response = client.post(reverse("evaluation:snapshot-refresh"))

    assert response.status_code == 302
    assert response["Location"] == reverse("evaluation:snapshots")
    snapshot = Snapshot.objects.get()  # tests run tasks at once (the immediate backend)
    assert (snapshot.trigger, snapshot.made_by) == (Snapshot.Trigger.MANUAL, committee)
    job = Job.objects.get(kind=JOB_KIND)
    steps = 2029 - 2016 + 1 + 2  # each year's matrix, the stability table, the flags
    assert (job.status, job.done, job.total, job.result) == (Job.Status.DONE, steps, steps, {"snapshot": snapshot.pk})


def test_requests_coalesce_while_one_is_queued(committee, monkeypatch):
    """A refresh asked for while another is still queued joins it (that one will see every change meanwhile)."""
    from evaluation import tasks

    enqueued = []
    monkeypatch.setattr(tasks, "refresh_snapshot", _Queue(enqueued))  # the task waits in the queue
    first = refresh_in_background(by=committee)
    second = refresh_in_background(by=committee)

    assert first == second
    assert len(enqueued) == 1
    assert running_job() == first


def test_the_pages_say_newer_data_is_being_computed(client, committee, dataset, clock):
    make_snapshot(today=TODAY)
    Job.objects.create(kind=JOB_KIND, status=Job.Status.RUNNING, done=3, total=16)
    client.force_login(committee)

    assert 'data-testid="refreshing"' in client.get(reverse("evaluation:coverage")).content.decode()
    progress = client.get(reverse("evaluation:snapshots"), {"progress": 1}, headers={"HX-Request": "true"})
    text = progress.content.decode()
    assert 'data-testid="snapshot-progress"' in text
    assert 'value="18"' in text  # 3 of 16 steps
    assert "<html" not in text  # only the partial


class _Queue:
    """A task that only records that it was enqueued (as a worker that has not started yet)."""

    def __init__(self, enqueued: list) -> None:
        self.enqueued = enqueued

    def enqueue(self, *args):
        self.enqueued.append(args)
        return type("Result", (), {"id": "queued-task"})()

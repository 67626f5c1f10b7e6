"""The coverage matrix and the uncovered cells on small hand-made datasets whose answers are worked out here."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.models import Contract, Payment, ReportingPeriod, Tranche
from evaluation.analytics.coverage import CellStatus, coverage_matrix, uncovered_cells
from tenders.models import Bid, Call
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 1)
CM, FS, CRISIS = "case-management", "family-support", "crisis-temporary-stay"


def cell(matrix, region_code: str, service_code: str = CM):
    return matrix.cell(f.region(region_code), f.service(service_code))


def pay(contract: Contract, year: int, amount, day: dt.date, kind=Payment.Kind.FIXED) -> Payment:
    return f.PaymentFactory(tranche=contract.tranches.get(year=year), amount=Decimal(amount), date=day, kind=kind)


# -- the shape of the matrix ------------------------------------------------------------------------------------------


def test_matrix_has_the_twenty_regions_by_kato_times_every_service():
    matrix = coverage_matrix(2024, today=TODAY)

    assert len(matrix.regions) == 20
    assert [r.kato for r in matrix.regions] == sorted(r.kato for r in matrix.regions)
    assert matrix.regions[0].code == "10"  # Abai, KATO 100000000
    assert len(matrix.service_types) == 11
    assert len(matrix.cells) == 220
    assert matrix.as_of == TODAY
    region, cells = matrix.rows()[0]
    assert [c.service_type for c in cells] == matrix.service_types
    assert all(c.region == region for c in cells)


def test_nothing_anywhere_is_never_everywhere_the_region_existed():
    matrix = coverage_matrix(2024, today=TODAY)

    # Every region existed in 2024 (the youngest, Abai, Zhetysu and Ulytau, since 8 June 2022).
    assert matrix.totals.by_status[CellStatus.NEVER] == 220
    assert matrix.totals.uncovered == 220
    assert matrix.totals.share == 0
    assert all(c.uncovered for c in matrix.cells)


# -- covered, ending --------------------------------------------------------------------------------------------------


def test_contract_spanning_three_years_covers_each_year_with_that_years_tranche():
    contract = f.served_contract(
        start=dt.date(2023, 1, 1), end=dt.date(2025, 12, 31), amounts=[1_000_000, 2_000_000, 3_000_000]
    )
    pay(contract, 2024, 500_000, dt.date(2024, 3, 1))
    pay(contract, 2024, 250_000, dt.date(2024, 9, 1), kind=Payment.Kind.OUTCOME)
    pay(contract, 2024, 100_000, dt.date(2026, 4, 1))  # recorded ahead of the snapshot day: not paid yet

    in_2024 = cell(coverage_matrix(2024, today=TODAY), "75")
    # It serves 2025 too, so 2024 is covered, not ending; money is the 2024 tranche only.
    assert in_2024.status == CellStatus.COVERED
    assert in_2024.money_planned == Decimal("2000000")
    assert in_2024.money_paid == Decimal("750000")  # 500 000 + 250 000 by 1 March 2026
    assert in_2024.contract_ids == [contract.pk]
    assert in_2024.provider_count == 1
    assert in_2024.calls == [contract.call_id]

    assert cell(coverage_matrix(2023, today=TODAY), "75").money_planned == Decimal("1000000")
    # 2025 is the last year and nothing follows (the contract's own awarded call has its contract): a cliff.
    in_2025 = cell(coverage_matrix(2025, today=TODAY), "75")
    assert in_2025.status == CellStatus.ENDING
    assert in_2025.money_planned == Decimal("3000000")
    assert in_2025.covered
    assert not in_2025.uncovered
    # 2026: the service stopped on 31 December 2025.
    in_2026 = cell(coverage_matrix(2026, today=TODAY), "75")
    assert (in_2026.status, in_2026.since) == (CellStatus.GAP, dt.date(2026, 1, 1))
    # 2022: nothing was ever served in 2017–2021.
    assert cell(coverage_matrix(2022, today=TODAY), "75").status == CellStatus.NEVER


def test_unsigned_contract_does_not_serve():
    f.served_contract(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31), unsigned=True)
    f.served_contract(  # signed by the agency only
        start=dt.date(2024, 1, 1),
        end=dt.date(2024, 12, 31),
        region_code="71",
        provider_signed_at=None,
        status=Contract.Status.PENDING,
    )

    matrix = coverage_matrix(2024, today=TODAY)

    assert cell(matrix, "75").status == CellStatus.NEVER
    assert cell(matrix, "71").status == CellStatus.NEVER
    assert cell(matrix, "75").money_planned == 0


def test_terminated_mid_year_serves_until_the_day_before_and_then_is_a_gap():
    contract = f.served_contract(
        start=dt.date(2023, 1, 1),
        end=dt.date(2024, 12, 31),
        amounts=[1_000_000, 1_000_000],
        terminated_on=dt.date(2024, 7, 1),  # last serving day: 30 June 2024
    )

    in_2024 = cell(coverage_matrix(2024, today=TODAY), "75")
    # It stops serving within 2024 and nothing follows: ending, with the 2024 tranche as money.
    assert in_2024.status == CellStatus.ENDING
    assert in_2024.contract_ids == [contract.pk]
    assert in_2024.money_planned == Decimal("1000000")
    in_2025 = cell(coverage_matrix(2025, today=TODAY), "75")
    assert (in_2025.status, in_2025.since) == (CellStatus.GAP, dt.date(2024, 7, 1))


def test_terminated_on_first_of_january_does_not_serve_that_year():
    f.served_contract(
        start=dt.date(2024, 1, 1),
        end=dt.date(2025, 12, 31),
        amounts=[1_000_000, 1_000_000],
        terminated_on=dt.date(2025, 1, 1),  # last serving day: 31 December 2024
    )

    assert cell(coverage_matrix(2024, today=TODAY), "75").status == CellStatus.ENDING
    in_2025 = cell(coverage_matrix(2025, today=TODAY), "75")
    # Not served in 2025, so its 2025 tranche is no money of 2025 either.
    assert (in_2025.status, in_2025.since, in_2025.money_planned) == (CellStatus.GAP, dt.date(2025, 1, 1), 0)


def test_ending_versus_covered_depends_on_what_follows_into_next_year():
    # Almaty × case management: a 2024 contract and nothing for 2025 → ending.
    f.served_contract(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    # … a draft, a failed and a cancelled call for 2025 do not change that.
    f.closed_call(start_year=2025, status=Call.Status.DRAFT, published=False)
    f.closed_call(start_year=2025, status=Call.Status.FAILED)
    f.closed_call(start_year=2025, status=Call.Status.CANCELLED)
    # Almaty × family support: the same, but a published call for 2025 → covered.
    f.served_contract(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31), service_code=FS)
    f.closed_call(start_year=2025, status=Call.Status.PUBLISHED, service_code=FS, deadline=f.almaty(TODAY, 18))
    # Almaty × crisis stay: a call for 2024–2025 in evaluation → covered.
    f.served_contract(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31), service_code=CRISIS)
    f.closed_call(start_year=2024, duration_years=2, status=Call.Status.EVALUATION, service_code=CRISIS)
    # Astana × case management: a contract for 2025 pending signature → covered.
    f.served_contract(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31), region_code="71")
    f.served_contract(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), region_code="71", unsigned=True)
    # Astana × family support: an awarded call for 2025 still without its contract → covered.
    f.served_contract(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31), region_code="71", service_code=FS)
    f.closed_call(start_year=2025, status=Call.Status.AWARDED, region_code="71", service_code=FS)
    # Astana × crisis stay: a signed contract starting 31 December 2024 serves 2025 → covered.
    f.served_contract(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 30), region_code="71", service_code=CRISIS)
    f.served_contract(start=dt.date(2024, 12, 31), end=dt.date(2025, 6, 30), region_code="71", service_code=CRISIS)

    matrix = coverage_matrix(2024, today=TODAY)

    assert cell(matrix, "75", CM).status == CellStatus.ENDING
    assert cell(matrix, "75", FS).status == CellStatus.COVERED
    assert cell(matrix, "75", CRISIS).status == CellStatus.COVERED
    assert cell(matrix, "71", CM).status == CellStatus.COVERED
    assert cell(matrix, "71", FS).status == CellStatus.COVERED
    assert cell(matrix, "71", CRISIS).status == CellStatus.COVERED


def test_a_terminated_contracts_awarded_call_is_no_prospect_for_next_year():
    # A 2024–2025 contract terminated on 1 October 2024: its call is awarded and covers 2025, but the contract it
    # became no longer reaches 2025, so 2024 faces a cliff.
    f.served_contract(
        start=dt.date(2024, 1, 1),
        end=dt.date(2025, 12, 31),
        amounts=[1_000_000, 1_000_000],
        terminated_on=dt.date(2024, 10, 1),
    )

    assert cell(coverage_matrix(2024, today=TODAY), "75").status == CellStatus.ENDING


# -- failed, gap, never -----------------------------------------------------------------------------------------------


def test_failed_call_and_call_cancelled_after_publication_make_failed_cells():
    f.closed_call(start_year=2024, region_code="35", service_code=CM, status=Call.Status.FAILED)
    f.closed_call(start_year=2023, duration_years=2, region_code="35", service_code=FS, status=Call.Status.CANCELLED)
    f.closed_call(
        start_year=2024, region_code="35", service_code=CRISIS, status=Call.Status.CANCELLED, published=False
    )  # cancelled as a draft: never public, so no attempt
    f.closed_call(start_year=2025, region_code="71", status=Call.Status.FAILED)  # another year

    matrix = coverage_matrix(2024, today=TODAY)

    assert cell(matrix, "35", CM).status == CellStatus.FAILED
    assert cell(matrix, "35", FS).status == CellStatus.FAILED  # 2023–2024 includes 2024
    assert cell(matrix, "35", CRISIS).status == CellStatus.NEVER
    assert cell(matrix, "35", CRISIS).calls == []
    assert cell(matrix, "71", CM).status == CellStatus.NEVER
    assert cell(matrix, "35", CM).failed_calls == cell(matrix, "35", CM).calls
    assert cell(matrix, "35", CM).since is None


def test_failed_is_below_covered_and_above_gap():
    # Almaty: served in 2024 despite a failed call for 2024 → covered (ending) wins.
    f.served_contract(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    f.closed_call(start_year=2024)
    # Astana: served in 2022, and a failed call for 2024 → failed, not gap.
    f.served_contract(start=dt.date(2022, 1, 1), end=dt.date(2022, 12, 31), region_code="71")
    f.closed_call(start_year=2024, region_code="71")

    matrix = coverage_matrix(2024, today=TODAY)

    assert cell(matrix, "75").status == CellStatus.ENDING
    assert cell(matrix, "71").status == CellStatus.FAILED


def test_gap_looks_back_five_years_and_shows_the_day_after_the_last_serving_day():
    # Almaty: served in January 2019 only. For 2024, 2019 is y−5: a gap since 1 February 2019.
    f.served_contract(start=dt.date(2019, 1, 1), end=dt.date(2019, 1, 31))
    # Astana: served until 31 December 2018, which is before 2019: never (for 2024).
    f.served_contract(start=dt.date(2018, 1, 1), end=dt.date(2018, 12, 31), region_code="71")
    # Karaganda: two contracts, the later one terminated on 15 May 2022 (last day 14 May): since 15 May 2022.
    f.served_contract(start=dt.date(2021, 1, 1), end=dt.date(2021, 12, 31), region_code="35")
    f.served_contract(
        start=dt.date(2022, 1, 1), end=dt.date(2022, 12, 31), region_code="35", terminated_on=dt.date(2022, 5, 15)
    )

    matrix = coverage_matrix(2024, today=TODAY)

    assert (cell(matrix, "75").status, cell(matrix, "75").since) == (CellStatus.GAP, dt.date(2019, 2, 1))
    assert (cell(matrix, "71").status, cell(matrix, "71").since) == (CellStatus.NEVER, None)
    assert (cell(matrix, "35").status, cell(matrix, "35").since) == (CellStatus.GAP, dt.date(2022, 5, 15))


# -- n/a and no data --------------------------------------------------------------------------------------------------


def test_region_created_in_2022_is_na_before_and_exists_from_that_year():
    abai = f.region("10")
    assert abai.valid_from == dt.date(2022, 6, 8)

    in_2021 = coverage_matrix(2021, today=TODAY)
    in_2022 = coverage_matrix(2022, today=TODAY)

    assert {c.status for c in in_2021.cells if c.region == abai} == {CellStatus.NA}
    assert {c.status for c in in_2022.cells if c.region == abai} == {CellStatus.NEVER}
    tile_2021 = next(r for r in in_2021.region_coverage if r.region == abai)
    assert (tile_2021.applicable, tile_2021.share) == (0, None)
    assert in_2021.totals.by_status[CellStatus.NA] == 3 * 11  # Abai, Zhetysu and Ulytau did not exist yet
    assert in_2021.totals.applicable == 17 * 11


def test_year_before_data_from_year_is_no_data_never_never():
    akmola = f.region("11")
    akmola.data_from_year = 2023
    akmola.save()
    # Even a served contract or a failed call in 2022 does not make it anything but "no data".
    f.served_contract(start=dt.date(2022, 1, 1), end=dt.date(2022, 12, 31), region_code="11")
    f.closed_call(start_year=2022, region_code="11", service_code=FS)

    in_2022 = coverage_matrix(2022, today=TODAY)
    in_2024 = coverage_matrix(2024, today=TODAY)

    assert {c.status for c in in_2022.cells if c.region == akmola} == {CellStatus.NO_DATA}
    assert cell(in_2022, "11").money_planned == 0
    assert not cell(in_2022, "11").uncovered
    # From 2023 on the data is complete: the 2022 contract makes 2024 a gap, the rest never.
    assert cell(in_2024, "11", CM).status == CellStatus.GAP
    assert cell(in_2024, "11", FS).status == CellStatus.NEVER


# -- the figures of a cell --------------------------------------------------------------------------------------------


def test_children_served_come_from_accepted_annual_reports_and_per_1000_from_population():
    first = f.served_contract(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31), amounts=[2_000_000])
    second = f.served_contract(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31), amounts=[1_000_000])
    f.annual_report(first, 2024, children_served=40)
    f.annual_report(second, 2024, children_served=25, submitted=True)  # not accepted: does not count
    quarter = f.ReportingPeriodFactory(
        contract=second,
        kind=ReportingPeriod.Kind.QUARTERLY,
        year=2024,
        quarter=1,
        end=dt.date(2024, 3, 31),
    )
    f.ReportFactory(period=quarter, accepted=True, children_served=99)  # quarterly: progress only
    f.RegionPopulationFactory(region=f.region("75"), year=2024, children=200_000)
    f.served_contract(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31), region_code="71")  # no population

    matrix = coverage_matrix(2024, today=TODAY)

    almaty = cell(matrix, "75")
    assert almaty.children_served == 40
    assert almaty.provider_count == 2
    assert almaty.money_planned == Decimal("3000000")
    assert almaty.population == 200_000
    assert almaty.children_per_1000 == Decimal("0.2")  # 40 × 1000 ÷ 200 000
    assert almaty.money_per_1000 == Decimal("15000")  # 3 000 000 × 1000 ÷ 200 000
    astana = cell(matrix, "71")
    assert astana.children_served is None  # no accepted annual report: missing, not zero
    assert (astana.population, astana.money_per_1000, astana.children_per_1000) == (None, None, None)
    assert matrix.totals.children_served == 40


def test_submitted_bids_per_call_counts_only_calls_past_their_deadline():
    # Karaganda × case management, 2026, as of 1 March 2026:
    failed = f.closed_call(start_year=2026, region_code="35", deadline=f.almaty(dt.date(2026, 1, 15)), bids=3)
    f.BidFactory(call=failed)  # a draft: not submitted
    f.BidFactory(call=failed, status=Bid.Status.WITHDRAWN)
    empty = f.closed_call(
        start_year=2026, region_code="35", status=Call.Status.PUBLISHED, deadline=f.almaty(dt.date(2026, 2, 20))
    )
    sealed = f.closed_call(  # the deadline is later today: its bids stay sealed
        start_year=2026, region_code="35", status=Call.Status.PUBLISHED, deadline=f.almaty(TODAY, 15), bids=2
    )

    karaganda = cell(coverage_matrix(2026, today=TODAY), "35")

    assert karaganda.status == CellStatus.FAILED
    assert sorted(karaganda.calls) == sorted([failed.pk, empty.pk, sealed.pk])
    assert karaganda.calls_past_deadline == 2
    assert karaganda.submitted_bids == 3
    assert karaganda.submitted_bids_per_call == Decimal("1.5")  # (3 + 0) bids ÷ 2 calls
    assert cell(coverage_matrix(2026, today=TODAY), "71").submitted_bids_per_call is None


def test_region_share_for_the_tile_map_and_totals():
    f.served_contract(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31), amounts=[1_000_000])
    f.served_contract(start=dt.date(2024, 1, 1), end=dt.date(2025, 12, 31), service_code=FS, amounts=[2, 3])
    f.closed_call(start_year=2024, service_code=CRISIS)

    matrix = coverage_matrix(2024, today=TODAY)

    almaty = next(r for r in matrix.region_coverage if r.region.code == "75")
    # Case management is ending, family support covered: 2 of Almaty's 11 services.
    assert (almaty.covered, almaty.applicable) == (2, 11)
    assert almaty.share == Decimal(2) / Decimal(11)
    assert almaty.status_counts == {CellStatus.ENDING: 1, CellStatus.COVERED: 1, CellStatus.FAILED: 1, "never": 8}
    assert almaty.money_planned == Decimal("1000002")
    assert matrix.totals.covered == 2
    assert matrix.totals.uncovered == 218
    assert matrix.totals.contracts == 2
    assert matrix.totals.providers == 2
    assert matrix.totals.money_planned == Decimal("1000002")


def test_selection_of_regions_and_services():
    matrix = coverage_matrix(
        2024, today=TODAY, regions=[f.region("75"), f.region("11")], service_types=[f.service(FS)]
    )

    assert [r.code for r in matrix.regions] == ["11", "75"]  # by KATO whatever the order given
    assert [c.service_type.code for c in matrix.cells] == [FS, FS]


# -- uncovered cells --------------------------------------------------------------------------------------------------


def test_uncovered_cells_say_how_long_and_what_was_tried():
    karaganda = "35"
    tried_2024 = f.closed_call(start_year=2024, region_code=karaganda, bids=0)
    tried_2025 = f.closed_call(start_year=2025, region_code=karaganda, status=Call.Status.CANCELLED, bids=0)
    f.closed_call(start_year=2019, region_code=karaganda)  # before 2020 (y − 5): not recent
    bidder_2024, bidder_2025, idle, elsewhere = (f.ProviderFactory(name_ru=f"НПО {n}") for n in "АБВГ")
    f.BidFactory(call=tried_2024, provider=bidder_2024, status=Bid.Status.REJECTED)
    f.BidFactory(call=tried_2025, provider=bidder_2025, status=Bid.Status.SUBMITTED)
    for provider in (bidder_2024, bidder_2025, idle):
        f.ServiceAreaFactory(provider=provider, region=f.region(karaganda), service_type=f.service(CM))
    f.ServiceAreaFactory(provider=elsewhere, region=f.region("71"), service_type=f.service(CM))
    # Astana × case management: served until 30 June 2024 (terminated 1 July).
    f.served_contract(
        start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31), region_code="71", terminated_on=dt.date(2024, 7, 1)
    )

    result = {(u.region.code, u.service_type.code): u for u in uncovered_cells(2025, today=TODAY)}

    failed = result[(karaganda, CM)]
    assert failed.status == CellStatus.FAILED
    assert (failed.since, failed.days, failed.years) == (None, None, None)
    assert [c.id for c in failed.tried_calls] == [tried_2025.pk, tried_2024.pk]  # latest first
    assert [c.submitted_bids for c in failed.tried_calls] == [1, 1]
    assert failed.idle_providers == [idle]  # the two others did bid
    gap = result[("71", CM)]
    assert (gap.status, gap.since) == (CellStatus.GAP, dt.date(2024, 7, 1))
    # 1 July – 31 December 2024 is 184 days, plus the 365 days of 2025 (the end of 2025 is before today).
    assert gap.days == 184 + 365
    assert gap.years == Decimal(549) / Decimal("365.25")
    assert gap.idle_providers == [elsewhere]
    assert gap.tried_calls == []
    assert len(result) == 220  # nothing is covered in 2025


def test_the_bidders_of_a_call_cancelled_before_its_deadline_stay_among_the_ngos_that_did_not_bid():
    karaganda = "35"
    deadline = f.almaty(dt.date(2024, 12, 1), 18)
    cancelled = f.closed_call(
        start_year=2025,
        region_code=karaganda,
        status=Call.Status.CANCELLED,
        deadline=deadline,
        cancelled_at=deadline - dt.timedelta(days=2),
    )
    sealed_bidder, idle = f.ProviderFactory(name_ru="НПО А"), f.ProviderFactory(name_ru="НПО Б")
    f.BidFactory(call=cancelled, provider=sealed_bidder, status=Bid.Status.SUBMITTED, submitted_at=deadline)
    for provider in (sealed_bidder, idle):
        f.ServiceAreaFactory(provider=provider, region=f.region(karaganda), service_type=f.service(CM))

    (cell,) = [
        u for u in uncovered_cells(2025, today=TODAY) if (u.region.code, u.service_type.code) == (karaganda, CM)
    ]

    assert [c.id for c in cell.tried_calls] == [cancelled.pk]
    assert cell.tried_calls[0].submitted_bids is None  # sealed for ever: not even how many
    assert cell.idle_providers == [sealed_bidder, idle]  # its bid was never opened: it counts nowhere


def test_uncovered_days_stop_at_today_within_the_year():
    f.served_contract(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))

    (gap,) = [u for u in uncovered_cells(2026, today=TODAY) if u.region.code == "75" and u.service_type.code == CM]

    # 1 January – 1 March 2026: 31 + 28 + 1 = 60 days.
    assert (gap.since, gap.days) == (dt.date(2026, 1, 1), 60)


# -- a bounded number of queries --------------------------------------------------------------------------------------


def build(size: int) -> None:
    """Contracts in `size` cells with payments and reports, plus failed calls and service areas."""
    services = [CM, FS, CRISIS]
    regions = ["75", "71", "35", "11", "10", "19"]
    for n in range(size):
        code, service_code = regions[n % len(regions)], services[n % len(services)]
        contract = f.served_contract(
            start=dt.date(2023, 1, 1), end=dt.date(2024, 12, 31), region_code=code, service_code=service_code
        )
        pay(contract, 2024, 1000, dt.date(2024, 3, 1))
        f.annual_report(contract, 2024, children_served=10)
        f.closed_call(start_year=2024, region_code=regions[(n + 1) % 6], service_code=services[(n + 2) % 3], bids=1)
        f.ServiceAreaFactory(region=f.region(regions[(n + 1) % 6]), service_type=f.service(services[(n + 2) % 3]))
    f.RegionPopulationFactory(region=f.region("75"), year=2024)


def count_queries(function) -> int:
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


def test_coverage_matrix_and_uncovered_cells_run_the_same_number_of_queries_whatever_the_data():
    build(1)
    small = count_queries(lambda: coverage_matrix(2024, today=TODAY))
    small_uncovered = count_queries(lambda: uncovered_cells(2025, today=TODAY))
    build(12)
    assert Tranche.objects.count() >= 26
    large = count_queries(lambda: coverage_matrix(2024, today=TODAY))
    large_uncovered = count_queries(lambda: uncovered_cells(2025, today=TODAY))

    assert small == large
    assert small_uncovered == large_uncovered
    assert large <= 12

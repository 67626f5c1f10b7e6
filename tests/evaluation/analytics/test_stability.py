"""Funding stability on small hand-made datasets whose answers are worked out here."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.models import Tranche
from evaluation.analytics.stability import (
    Thresholds,
    Verdict,
    agency_stability,
    default_window,
    provider_stability,
    stability_table,
    thresholds,
)
from tenders.models import Bid, Call
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 1)
CM, FS, CRISIS = "case-management", "family-support", "crisis-temporary-stay"
M = 1_000_000


def row_of(rows, region_code: str, service_code: str = CM):
    (row,) = [r for r in rows if r.region.code == region_code and r.service_type.code == service_code]
    return row


def yearly(amounts: dict[int, int], **kwargs) -> None:
    """One calendar-year contract per year with the given money (no gaps between them)."""
    for year, amount in amounts.items():
        f.served_contract(start=dt.date(year, 1, 1), end=dt.date(year, 12, 31), amounts=[amount], **kwargs)


def close(value: Decimal, expected: Decimal) -> bool:
    """Equal to 20 decimal places (square roots are rounded at 28 significant digits)."""
    return abs(value - expected) < Decimal("1e-20")


def table(first=2021, last=2025, today=TODAY, **kwargs):
    return stability_table(first, last, today=today, **kwargs)


# -- window and thresholds --------------------------------------------------------------------------------------------


def test_default_window_is_the_last_five_complete_years():
    assert default_window(dt.date(2026, 3, 1)) == (2021, 2025)
    assert default_window(dt.date(2026, 1, 1)) == (2021, 2025)  # 2025 ended the day before
    assert default_window(dt.date(2025, 12, 31)) == (2020, 2024)


def test_thresholds_are_the_settings(settings):
    assert thresholds() == Thresholds(drop=Decimal("0.3"), cv=Decimal("0.3"), gap_days=60)
    settings.GSZ = {**settings.GSZ, "STABILITY_GAP_DAYS": 90, "STABILITY_DROP": 0.5}
    assert thresholds() == Thresholds(drop=Decimal("0.5"), cv=Decimal("0.3"), gap_days=90)


# -- money, change, drops, coefficient of variation -------------------------------------------------------------------


def test_drop_of_exactly_30_percent_is_not_a_drop_and_cv_by_hand():
    # 1.0, 1.0, 0.7, 0.7, 1.0 million. (1.0 − 0.7) ÷ 1.0 = 0.30, not above 0.30: no drop.
    yearly({2021: M, 2022: M, 2023: 700_000, 2024: 700_000, 2025: M})

    row = row_of(table(), "75")

    assert row.years == [2021, 2022, 2023, 2024, 2025]
    assert row.money == {2021: M, 2022: M, 2023: 700_000, 2024: 700_000, 2025: M}
    assert row.total == Decimal("4400000")
    assert [c.change for c in row.changes] == [0, -300_000, 0, 300_000]
    assert row.changes[1].relative == Decimal("-0.3")
    assert row.drops == []
    # Mean 0.88 M; deviations 0.12, 0.12, −0.18, −0.18, 0.12; squares 0.0144 × 3 + 0.0324 × 2 = 0.108;
    # ÷ 5 = 0.0216; √0.0216 = 0.146969…; ÷ 0.88 = 0.167010…
    assert close(row.cv, Decimal("0.0216").sqrt() / Decimal("0.88"))
    assert round(row.cv, 6) == Decimal("0.167011")
    assert (row.gap_days, row.longest_gap) == (0, 0)  # one contract after the other, every day served
    assert row.verdict == Verdict.STABLE


def test_drop_of_30_01_percent_is_a_drop_and_makes_it_volatile():
    # 1 000 000 then 699 900: (1 000 000 − 699 900) ÷ 1 000 000 = 0.3001 > 0.30.
    yearly({2021: M, 2022: 699_900, 2023: 699_900, 2024: 699_900, 2025: 699_900}, service_code=FS)

    row = row_of(table(), "75", FS)

    assert [(d.year, d.next_year) for d in row.drops] == [(2021, 2022)]
    # Mean 759 920; deviations 240 080 and −60 020 four times; variance (240 080² + 4 × 60 020²) ÷ 5
    # = 14 409 601 600 = 120 040²; CV = 120 040 ÷ 759 920 = 0.15796… — below 0.3, so only the drop decides.
    assert row.cv == Decimal(120_040) / Decimal(759_920)
    assert row.verdict == Verdict.VOLATILE


def test_coefficient_of_variation_above_threshold_is_volatile_without_any_drop():
    # 1, 2, 3, 4, 5 million: mean 3, population variance (4 + 1 + 0 + 1 + 4) ÷ 5 = 2, CV = √2 ÷ 3 = 0.4714 > 0.3.
    yearly({2021: M, 2022: 2 * M, 2023: 3 * M, 2024: 4 * M, 2025: 5 * M}, service_code=CRISIS)

    row = row_of(table(), "75", CRISIS)

    assert row.drops == []
    assert close(row.cv, Decimal(2).sqrt() / 3)
    assert row.verdict == Verdict.VOLATILE


def test_never_funded_pair_is_unfunded_with_zero_years():
    f.closed_call(start_year=2023, region_code="35")  # a failed attempt brings no money

    row = row_of(table(), "35")

    assert row.money == {2021: 0, 2022: 0, 2023: 0, 2024: 0, 2025: 0}
    assert row.cv == 0  # the mean is 0
    assert (row.gap_days, row.longest_gap, row.gaps) == (None, None, [])  # no contract: no span to count
    assert row.multi_year_share is None
    assert row.verdict == Verdict.UNFUNDED
    assert (row.calls_ended, row.failed_calls, row.failed_call_share) == (1, 1, Decimal(1))


def test_terminated_contract_has_no_money_in_years_it_no_longer_serves():
    # 2024–2025, 1 M a year, terminated on 1 July 2024: it serves 2024 only.
    f.served_contract(
        start=dt.date(2024, 1, 1), end=dt.date(2025, 12, 31), amounts=[M, M], terminated_on=dt.date(2024, 7, 1)
    )

    row = row_of(table(2024, 2025), "75")

    assert row.money == {2024: M, 2025: 0}
    # Served 1 January – 30 June 2024; uncovered from 1 July 2024 to 31 December 2025: 184 + 365 days.
    assert row.gaps == [(dt.date(2024, 7, 1), dt.date(2025, 12, 31))]
    assert (row.gap_days, row.longest_gap) == (549, 549)
    assert row.verdict == Verdict.INTERRUPTED


def test_amended_tranche_is_the_money_of_its_year():
    contract = f.served_contract(start=dt.date(2024, 1, 1), end=dt.date(2025, 12, 31), amounts=[M, M])
    Tranche.objects.filter(contract=contract, year=2025).update(amount=600_000, fixed_amount=600_000)

    row = row_of(table(2024, 2025), "75")

    assert row.money == {2024: M, 2025: 600_000}
    assert row.drops[0].relative == Decimal("-0.4")


# -- gaps -------------------------------------------------------------------------------------------------------------


def test_gap_of_exactly_60_days_across_29_february_is_interrupted():
    # Served to 31 January 2024, again from 1 April 2024: 1 February – 31 March 2024 = 29 + 31 = 60 days.
    f.served_contract(start=dt.date(2023, 1, 1), end=dt.date(2024, 1, 31), amounts=[M, 100_000], region_code="71")
    f.served_contract(start=dt.date(2024, 4, 1), end=dt.date(2025, 12, 31), amounts=[900_000, M], region_code="71")

    row = row_of(table(2023, 2025), "71")

    assert row.money == {2023: M, 2024: M, 2025: M}  # steady money: only the gap decides
    assert row.gaps == [(dt.date(2024, 2, 1), dt.date(2024, 3, 31))]
    assert (row.gap_days, row.longest_gap) == (60, 60)
    assert row.verdict == Verdict.INTERRUPTED


def test_gap_of_59_days_is_not_interrupted():
    # Again from 31 March 2024: 1 February – 30 March 2024 = 29 + 30 = 59 days.
    f.served_contract(start=dt.date(2023, 1, 1), end=dt.date(2024, 1, 31), amounts=[M, 100_000], region_code="71")
    f.served_contract(start=dt.date(2024, 3, 31), end=dt.date(2025, 12, 31), amounts=[900_000, M], region_code="71")

    row = row_of(table(2023, 2025), "71")

    assert (row.gap_days, row.longest_gap) == (59, 59)
    assert row.cv == 0
    assert row.verdict == Verdict.STABLE


def test_gap_threshold_is_the_setting(settings):
    settings.GSZ = {**settings.GSZ, "STABILITY_GAP_DAYS": 59}
    f.served_contract(start=dt.date(2023, 1, 1), end=dt.date(2024, 1, 31), amounts=[M, 100_000], region_code="71")
    f.served_contract(start=dt.date(2024, 3, 31), end=dt.date(2025, 12, 31), amounts=[900_000, M], region_code="71")

    assert row_of(table(2023, 2025), "71").verdict == Verdict.INTERRUPTED


def test_gap_days_start_at_the_first_contract_and_trail_up_to_today():
    # Window 2021–2025 as of 1 July 2025. Nothing before 1 June 2024 counts (the first contract starts then);
    # served to 31 March 2025, then uncovered 1 April – 1 July 2025 = 30 + 31 + 30 + 1 = 92 days.
    f.served_contract(start=dt.date(2024, 6, 1), end=dt.date(2025, 3, 31), amounts=[M, M], service_code=CRISIS)
    # Overlapping contracts merge: 1–10 March and 5–20 March 2024, then a gap 21 March – 1 July 2025.
    f.served_contract(start=dt.date(2024, 3, 1), end=dt.date(2024, 3, 10), amounts=[M], region_code="71")
    f.served_contract(start=dt.date(2024, 3, 5), end=dt.date(2024, 3, 20), amounts=[M], region_code="71")

    rows = table(2021, 2025, today=dt.date(2025, 7, 1))

    crisis = row_of(rows, "75", CRISIS)
    assert crisis.gaps == [(dt.date(2025, 4, 1), dt.date(2025, 7, 1))]
    assert (crisis.gap_days, crisis.longest_gap) == (92, 92)
    astana = row_of(rows, "71")
    # 21 March 2024 – 1 July 2025: 11 + 30 + 31 + 30 + 31 + 31 + 30 + 31 + 30 + 31 (to 31 Dec) = 286, + 182 = 468.
    assert astana.gaps == [(dt.date(2024, 3, 21), dt.date(2025, 7, 1))]
    assert astana.gap_days == (dt.date(2025, 7, 1) - dt.date(2024, 3, 21)).days + 1 == 468


# -- n/a and no data years --------------------------------------------------------------------------------------------


def test_years_that_are_na_or_no_data_are_left_out():
    # Abai exists from 8 June 2022: 2021 is n/a. Its contract starts 1 July 2022.
    f.served_contract(start=dt.date(2022, 7, 1), end=dt.date(2023, 12, 31), amounts=[M, M], region_code="10")
    akmola = f.region("11")
    akmola.data_from_year = 2023
    akmola.save()
    pavlodar = f.region("55")
    pavlodar.data_from_year = 2030
    pavlodar.save()

    rows = table()

    abai = row_of(rows, "10")
    assert abai.years == [2022, 2023, 2024, 2025]
    assert list(abai.money) == [2022, 2023, 2024, 2025]
    # From the first contract's start (1 July 2022): served to 31 December 2023, then 2024 and 2025 uncovered.
    assert abai.gaps == [(dt.date(2024, 1, 1), dt.date(2025, 12, 31))]
    assert abai.verdict == Verdict.INTERRUPTED
    assert row_of(rows, "11").years == [2023, 2024, 2025]
    assert row_of(rows, "11").verdict == Verdict.UNFUNDED
    no_data = row_of(rows, "55")
    assert (no_data.years, no_data.money, no_data.cv, no_data.verdict) == ([], {}, None, Verdict.NO_DATA)


# -- multi-year share, late start, churn, calls -----------------------------------------------------------------------


def test_multi_year_share_and_provider_churn():
    first, second = f.ProviderFactory(), f.ProviderFactory()
    f.served_contract(start=dt.date(2023, 1, 1), end=dt.date(2024, 12, 31), amounts=[600_000, 400_000], provider=first)
    f.served_contract(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), amounts=[M], provider=second)

    row = row_of(table(2023, 2025), "75")

    # 600 000 + 400 000 of the 2 000 000 are in a two-tranche contract.
    assert row.multi_year_share == Decimal("0.5")
    # Main providers: 2023 first, 2024 first, 2025 second → of 2 pairs, 1 changed.
    assert row.main_providers == {2023: first.pk, 2024: first.pk, 2025: second.pk}
    assert (row.churn_pairs, row.churn_changes, row.churn) == (2, 1, Decimal("0.5"))
    # 600 000 → 400 000 is a fall of a third.
    assert [(d.year, d.next_year) for d in row.drops] == [(2023, 2024)]
    assert row.verdict == Verdict.VOLATILE


def test_churn_ties_go_to_the_lower_provider_id_and_only_consecutive_covered_years_pair():
    low, high = f.ProviderFactory(), f.ProviderFactory()
    assert low.pk < high.pk
    yearly({2021: 500_000}, provider=high)
    yearly({2021: 500_000}, provider=low)  # a tie in 2021: the lower id is the main provider
    yearly({2022: M}, provider=low)
    # 2023 is not covered.
    yearly({2024: M}, provider=high)
    yearly({2025: M}, provider=low)

    row = row_of(table(), "75")

    assert row.main_providers == {2021: low.pk, 2022: low.pk, 2024: high.pk, 2025: low.pk}
    # Pairs: 2021–2022 (same) and 2024–2025 (changed); 2022–2023 and 2023–2024 are not both covered.
    assert (row.churn_pairs, row.churn_changes, row.churn) == (2, 1, Decimal("0.5"))


def test_late_start_median_odd_and_even():
    def contract(start, signed, service_code, **kwargs):
        return f.served_contract(start=start, end=dt.date(2024, 12, 31), service_code=service_code, **kwargs | signed)

    utc = dt.UTC
    for service_code in (CM, FS):
        # 0 days: signed before it starts on 1 January.
        contract(dt.date(2024, 1, 1), {"signed_on": dt.date(2023, 12, 22)}, service_code)
        # 19 days: the NGO signed at 20:00 UTC on 19 January = 01:00 on 20 January in Almaty, the second signature.
        contract(
            dt.date(2024, 1, 1),
            {
                "agency_signed_at": f.almaty(dt.date(2023, 12, 20)),
                "provider_signed_at": dt.datetime(2024, 1, 19, 20, 0, tzinfo=utc),
            },
            service_code,
        )
        # 31 days: starts 1 February, signed before.
        contract(dt.date(2024, 2, 1), {"signed_on": dt.date(2024, 1, 25)}, service_code)
    # Family support has a fourth: starts 1 March 2024 (31 + 29 = 60 days in), the agency signs last on 10 March.
    contract(
        dt.date(2024, 3, 1),
        {"agency_signed_at": f.almaty(dt.date(2024, 3, 10)), "provider_signed_at": f.almaty(dt.date(2024, 3, 2))},
        FS,
    )
    # Started before the window: not a late start of it.
    f.served_contract(
        start=dt.date(2020, 1, 1), end=dt.date(2021, 12, 31), amounts=[M, M], signed_on=dt.date(2020, 6, 1)
    )

    rows = table()

    odd = row_of(rows, "75", CM)
    assert sorted(odd.late_start_days) == [0, 19, 31]
    assert odd.late_start_median == 19
    even = row_of(rows, "75", FS)
    assert sorted(even.late_start_days) == [0, 19, 31, 69]
    assert even.late_start_median == 25  # (19 + 31) ÷ 2


def test_single_bid_and_failed_call_shares():
    # Ended: the contract's call (one winning bid), an awarded call with two bids, a failed call with none, and a
    # call cancelled after publication with one bid. Not ended: cancelled as a draft, draft, published.
    f.served_contract(start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31), service_code=FS, region_code="35")
    f.closed_call(start_year=2024, status=Call.Status.AWARDED, service_code=FS, region_code="35", bids=2)
    f.closed_call(start_year=2024, status=Call.Status.FAILED, service_code=FS, region_code="35")
    f.closed_call(start_year=2025, status=Call.Status.CANCELLED, service_code=FS, region_code="35", bids=1)
    f.closed_call(start_year=2025, status=Call.Status.CANCELLED, service_code=FS, region_code="35", published=False)
    f.closed_call(start_year=2025, status=Call.Status.PUBLISHED, service_code=FS, region_code="35", bids=1)
    f.closed_call(start_year=2019, status=Call.Status.FAILED, service_code=FS, region_code="35")  # before the window
    withdrawn = f.closed_call(start_year=2022, status=Call.Status.FAILED, service_code=FS, region_code="35", bids=1)
    f.BidFactory(call=withdrawn, status=Bid.Status.WITHDRAWN)  # withdrawn: still a single bid

    row = row_of(table(), "35", FS)

    assert row.calls_ended == 5
    assert row.single_bid_calls == 3  # the contract's call, the cancelled one, the 2022 failed one
    assert row.failed_calls == 3
    assert (row.single_bid_share, row.failed_call_share) == (Decimal("0.6"), Decimal("0.6"))


def test_a_call_cancelled_before_its_deadline_keeps_its_bids_out_of_the_single_bid_share():
    # Cancelled after publication, before its deadline, with one submitted bid: it ended (failed-call share), but its
    # sealed bid counts in no statistic, so it is no single-bid call.
    deadline = f.almaty(dt.date(2024, 12, 1), 18)
    f.closed_call(
        start_year=2025,
        status=Call.Status.CANCELLED,
        service_code=FS,
        region_code="35",
        bids=1,
        deadline=deadline,
        cancelled_at=deadline - dt.timedelta(days=3),
    )

    row = row_of(table(), "35", FS)

    assert (row.calls_ended, row.failed_calls, row.single_bid_calls) == (1, 1, 0)


# -- providers and agencies -------------------------------------------------------------------------------------------


def test_provider_and_agency_stability():
    provider = f.ProviderFactory()
    first_agency = f.AgencyFactory(region=f.region("75"))
    second_agency = f.AgencyFactory(region=f.region("71"))
    yearly({2021: M, 2022: M}, provider=provider, agency=first_agency)
    yearly({2024: 3 * M}, provider=provider, agency=second_agency, region_code="71")
    other = f.ProviderFactory()
    yearly({2025: M}, provider=other, agency=first_agency)

    rows = provider_stability(2021, 2025, today=TODAY)

    assert [r.provider for r in rows] == [provider, other]  # most money first
    mine = rows[0]
    assert mine.money == {2021: M, 2022: M, 2023: 0, 2024: 3 * M, 2025: 0}
    assert mine.total == 5 * M
    # Mean 1 M; deviations 0, 0, −1, 2, −1; variance (1 + 4 + 1) ÷ 5 = 1.2; CV = √1.2 ÷ 1.
    assert close(mine.cv, Decimal("1.2").sqrt())
    assert [(d.year, d.next_year) for d in mine.drops] == [(2022, 2023), (2024, 2025)]
    assert (mine.years_funded, mine.longest_run) == (3, 2)
    assert (mine.largest_agency, mine.largest_agency_share) == (second_agency, Decimal("0.6"))

    agencies = agency_stability(2021, 2025, today=TODAY)
    assert [a.agency for a in agencies] == [first_agency, second_agency]  # 3 M each: ties by id
    first = agencies[0]
    assert first.money == {2021: M, 2022: M, 2023: 0, 2024: 0, 2025: M}
    # Mean 0.6 M; deviations 0.4, 0.4, −0.6, −0.6, 0.4; variance (0.16 × 3 + 0.36 × 2) ÷ 5 = 0.24; CV = √0.24 ÷ 0.6.
    assert close(first.cv, Decimal("0.24").sqrt() / Decimal("0.6"))
    assert (first.years_funded, first.longest_run) == (3, 2)
    assert [(d.year, d.next_year) for d in first.drops] == [(2022, 2023)]


def test_providers_and_agencies_get_the_verdict_of_a_cell_by_the_same_rule():
    gappy, steady, shrinking = f.ProviderFactory(), f.ProviderFactory(), f.ProviderFactory()
    agency = f.AgencyFactory(region=f.region("75"))
    # 2021, 2022 and 2024: no contract serves 2023, nor 2025 (trailing, up to 31 December 2025): 365 + 365 days.
    yearly({2021: M, 2022: M, 2024: M}, provider=gappy, agency=agency)
    # every year, the same money: no gap, a CV of 0, no drop.
    yearly({y: M for y in range(2021, 2026)}, provider=steady, region_code="71", service_code=FS)
    # every year, but 2 M then 1 M from 2023: no gap, a drop of 50 % from 2022 to 2023.
    yearly({2021: 2 * M, 2022: 2 * M, 2023: M, 2024: M, 2025: M}, provider=shrinking, region_code="35")

    rows = {r.provider: r for r in provider_stability(2021, 2025, today=TODAY)}
    (idle,) = provider_stability(2021, 2025, today=TODAY, providers=[f.ProviderFactory()])
    agencies = {r.agency: r for r in agency_stability(2021, 2025, today=TODAY)}

    assert (rows[gappy].gap_days, rows[gappy].longest_gap, rows[gappy].verdict) == (730, 365, Verdict.INTERRUPTED)
    assert (rows[steady].gap_days, rows[steady].cv, rows[steady].verdict) == (0, 0, Verdict.STABLE)
    assert (rows[shrinking].gap_days, rows[shrinking].verdict) == (0, Verdict.VOLATILE)
    assert [(d.year, d.next_year) for d in rows[shrinking].drops] == [(2022, 2023)]
    assert (idle.gap_days, idle.longest_gap, idle.verdict) == (None, None, Verdict.UNFUNDED)
    assert idle.verdict_label == Verdict.UNFUNDED.label
    assert (agencies[agency].gap_days, agencies[agency].verdict) == (730, Verdict.INTERRUPTED)


def test_provider_selection_includes_unfunded_ones():
    idle = f.ProviderFactory()

    (row,) = provider_stability(2021, 2025, today=TODAY, providers=[idle])

    assert (row.total, row.cv, row.longest_run, row.largest_agency, row.largest_agency_share) == (0, 0, 0, None, None)


# -- a bounded number of queries --------------------------------------------------------------------------------------


def build(size: int) -> None:
    services = [CM, FS, CRISIS]
    regions = ["75", "71", "35", "11", "10", "19"]
    for n in range(size):
        f.served_contract(
            start=dt.date(2022, 1 + n % 12, 1),
            end=dt.date(2024, 6, 30),
            amounts=[M, 2 * M, M],
            region_code=regions[n % 6],
            service_code=services[n % 3],
        )
        f.closed_call(start_year=2023, region_code=regions[(n + 2) % 6], service_code=services[n % 3], bids=n % 3)


def test_stability_table_runs_the_same_number_of_queries_whatever_the_data():
    build(1)
    with CaptureQueriesContext(connection) as small:
        table()
        provider_stability(2021, 2025, today=TODAY)
        agency_stability(2021, 2025, today=TODAY)
    build(15)
    with CaptureQueriesContext(connection) as large:
        table()
        provider_stability(2021, 2025, today=TODAY)
        agency_stability(2021, 2025, today=TODAY)

    assert len(small) == len(large)
    assert len(large) <= 12

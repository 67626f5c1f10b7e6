"""Red flags, each positive and negative, on small hand-made datasets whose answers are worked out here."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from contracts.models import Contract, Payment, ReportingPeriod, Tranche
from evaluation.analytics.flags import RULES, FlagKind, red_flags
from tenders.models import Bid, Call
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 1)
CM, FS = "case-management", "family-support"
M = 1_000_000


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def flags_of(kind, **kwargs):
    return red_flags(today=kwargs.pop("today", TODAY), kinds=[kind], **kwargs)


def call_ids(kind, **kwargs) -> list[int]:
    return sorted(flag.call_id for flag in flags_of(kind, **kwargs))


def contract_ids(kind, **kwargs) -> list[int]:
    return sorted(flag.contract_id for flag in flags_of(kind, **kwargs))


def test_every_kind_has_its_rule_in_words():
    assert set(RULES) == set(FlagKind.values)
    assert all(str(rule) for rule in RULES.values())


# -- calls ------------------------------------------------------------------------------------------------------------


def test_single_bid_is_exactly_one_submitted_bid_at_the_deadline():
    single = f.closed_call(start_year=2025, bids=1)
    f.BidFactory(call=single, status=Bid.Status.WITHDRAWN)  # withdrawn and draft bids were not submitted
    f.BidFactory(call=single)
    f.closed_call(start_year=2025, bids=2)
    f.closed_call(start_year=2025, bids=0)
    # One bid so far, but the deadline is later today: sealed, not counted.
    f.closed_call(start_year=2026, status=Call.Status.PUBLISHED, deadline=f.almaty(TODAY, 15), bids=1)

    (flag,) = flags_of(FlagKind.SINGLE_BID)

    assert flag.call_id == single.pk
    assert (flag.number, flag.region, flag.year, flag.contract_id) == (single.number, single.region, 2025, None)
    assert flag.agency == single.agency
    assert flag.rule == RULES[FlagKind.SINGLE_BID]
    assert flag.kind_label == "single bid"


def _window_call(published, opens, deadline, **kwargs):
    return f.CallFactory(
        published_at=published, opens_at=opens, deadline=deadline, status=Call.Status.EVALUATION, **kwargs
    )


def test_short_submission_window_before_2025_is_below_15_calendar_days():
    day = dt.date
    # 1 March 10:00 → 15 March 18:00: 14 calendar days.
    short = _window_call(f.almaty(day(2024, 3, 1), 10), f.almaty(day(2024, 3, 1), 10), f.almaty(day(2024, 3, 15), 18))
    # 1 March 10:00 → 16 March 09:00: 15 calendar days — not short.
    _window_call(f.almaty(day(2024, 3, 1), 10), f.almaty(day(2024, 3, 1), 10), f.almaty(day(2024, 3, 16), 9))
    # Published 1 February, opened 1 March, deadline 10 March: 9 days from the opening.
    late_opening = _window_call(f.almaty(day(2024, 2, 1)), f.almaty(day(2024, 3, 1)), f.almaty(day(2024, 3, 10)))
    # Published Friday 20.12.2024, deadline 03.01.2025: 14 calendar days, short under the rule in force at
    # publication although it has 5 working days (23–27 December).
    across = _window_call(f.almaty(day(2024, 12, 20)), f.almaty(day(2024, 12, 20)), f.almaty(day(2025, 1, 3), 18))
    # A draft is never published.
    _window_call(None, f.almaty(day(2024, 3, 1)), f.almaty(day(2024, 3, 3)), draft=True)

    flags = {flag.call_id: flag.detail for flag in flags_of(FlagKind.SHORT_WINDOW)}

    assert sorted(flags) == sorted([short.pk, late_opening.pk, across.pk])
    assert flags[short.pk] == (
        "14 calendar days from 01.03.2024 to the deadline 15.03.2024; "
        "minimum 15 (for calls published before 01.01.2025)"
    )
    assert flags[late_opening.pk].startswith("9 calendar days from 01.03.2024")


def test_short_submission_window_from_2025_is_below_5_working_days():
    day = dt.date
    # Thursday 20.03.2025 → Monday 31.03.2025: Nauryz 21–25 March, then 26, 27, 28, 31: 4 working days.
    nauryz = _window_call(f.almaty(day(2025, 3, 20), 10), f.almaty(day(2025, 3, 1)), f.almaty(day(2025, 3, 31), 18))
    # … → Tuesday 1 April: 5 working days — not short.
    _window_call(f.almaty(day(2025, 3, 20), 10), f.almaty(day(2025, 3, 20), 10), f.almaty(day(2025, 4, 1), 9))
    # Thursday 02.01.2025 → Friday 10.01.2025: 8 calendar days but 5 working days (Sunday 5 January was worked,
    # Tuesday 7 January a holiday) — not short under the rule in force.
    _window_call(f.almaty(day(2025, 1, 2), 10), f.almaty(day(2025, 1, 2), 10), f.almaty(day(2025, 1, 10), 18))
    # Published 1 February, opened Monday 3 March, deadline Friday 7 March: 4 working days from the opening.
    late_opening = _window_call(f.almaty(day(2025, 2, 1)), f.almaty(day(2025, 3, 3)), f.almaty(day(2025, 3, 7)))

    flags = {flag.call_id: flag for flag in flags_of(FlagKind.SHORT_WINDOW)}

    assert sorted(flags) == sorted([nauryz.pk, late_opening.pk])
    assert flags[nauryz.pk].detail == (
        "4 working days from 20.03.2025 to the deadline 31.03.2025; minimum 5 (in force from 01.01.2025)"
    )
    assert flags[nauryz.pk].rule == RULES[FlagKind.SHORT_WINDOW]


def test_a_transfer_by_decree_counts_in_the_short_window():
    from core.models import CalendarOverride

    day = dt.date
    # Wednesday 11.06.2025 → Wednesday 18.06.2025: 5 working days — until Tuesday 17 June is declared a day off.
    call = _window_call(f.almaty(day(2025, 6, 11), 9), f.almaty(day(2025, 6, 11), 9), f.almaty(day(2025, 6, 18), 18))
    assert flags_of(FlagKind.SHORT_WINDOW) == []
    CalendarOverride.objects.create(date=day(2025, 6, 17), is_working_day=False, reason="Decree")

    (flag,) = flags_of(FlagKind.SHORT_WINDOW)

    assert flag.call_id == call.pk
    assert flag.detail.startswith("4 working days")


def test_abnormally_low_winning_price_is_below_70_percent_of_the_budget():
    def awarded(price):
        call = f.closed_call(start_year=2025, status=Call.Status.AWARDED, budget=[4 * M, 6 * M], duration_years=2)
        f.WinningBidFactory(call=call, price=Decimal(price))
        return call

    # Budget 10 000 000 (two lines); 70 % is 7 000 000.
    below = awarded("6999999.99")
    awarded("7000000")
    awarded("9000000")
    not_awarded = f.closed_call(start_year=2025, status=Call.Status.FAILED, bids=0)
    f.BidFactory(call=not_awarded, status=Bid.Status.REJECTED, price=Decimal(1000))

    assert call_ids(FlagKind.LOW_PRICE) == [below.pk]


def test_all_other_bids_rejected():
    def awarded(*statuses):
        call = f.closed_call(start_year=2025, status=Call.Status.AWARDED)
        f.WinningBidFactory(call=call)
        for status in statuses:
            f.BidFactory(call=call, status=status)
        return call

    both_rejected = awarded(Bid.Status.REJECTED, Bid.Status.REJECTED)
    rejected_and_withdrawn = awarded(Bid.Status.REJECTED, Bid.Status.WITHDRAWN)  # the withdrawn one never counted
    awarded(Bid.Status.REJECTED, Bid.Status.NOT_SELECTED)
    awarded()  # the winner alone: a single bid, not this flag

    assert call_ids(FlagKind.OTHERS_REJECTED) == sorted([both_rejected.pk, rejected_and_withdrawn.pk])


# -- concentration ----------------------------------------------------------------------------------------------------


def test_concentration_is_more_than_half_the_money_with_at_least_two_contracts():
    big, small = f.ProviderFactory(), f.ProviderFactory()

    def contract(year, provider, amount=M, **kwargs):
        f.served_contract(
            start=dt.date(year, 1, 1), end=dt.date(year, 12, 31), amounts=[amount], provider=provider, **kwargs
        )

    # Almaty × case management: big has 2 of 3 million in two contracts → 66.7 %: flagged.
    contract(2021, big)
    contract(2023, big)
    contract(2022, small)
    # Almaty × family support: big has 2 of 3 million but in one contract: not flagged.
    contract(2021, big, 2 * M, service_code=FS)
    contract(2022, small, service_code=FS)
    # Astana × case management: big has exactly half (2 of 4 million): not more than half.
    contract(2021, big, region_code="71")
    contract(2022, big, region_code="71")
    contract(2023, small, 2 * M, region_code="71")
    # Karaganda: big's two contracts are before the 2021–2025 window.
    contract(2019, big, region_code="35")
    contract(2020, big, region_code="35")
    contract(2022, small, region_code="35")

    (flag,) = flags_of(FlagKind.CONCENTRATION)

    assert (flag.region.code, flag.service_type.code, flag.provider_id) == ("75", CM, big.pk)
    assert (flag.call_id, flag.contract_id, flag.agency, flag.year) == (None, None, None, 2025)
    assert flag.detail.startswith("one NGO holds 66.7% of 3,000,000")
    # Over 2019–2021 only Karaganda's big (2019 and 2020, all of its money there) has two contracts with money.
    assert [fl.region.code for fl in flags_of(FlagKind.CONCENTRATION, window=(2019, 2021))] == ["35"]


# -- contracts --------------------------------------------------------------------------------------------------------


def test_value_reduced_by_amendment():
    reduced = f.served_contract(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    f.AmendmentFactory(contract=reduced, value_change=Decimal(-200_000), effective_date=dt.date(2024, 5, 1))
    f.AmendmentFactory(contract=reduced, value_change=Decimal(-300_000), effective_date=dt.date(2024, 8, 1))
    increased = f.served_contract(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    f.AmendmentFactory(contract=increased, value_change=Decimal(100_000))
    f.AmendmentFactory(contract=increased, value_change=Decimal(0))

    (flag,) = flags_of(FlagKind.VALUE_REDUCED)

    assert (flag.contract_id, flag.number, flag.year) == (reduced.pk, reduced.number, 2024)
    assert flag.detail == "2 reductions, -500,000\u00a0₸ in all, the first from 01.05.2024"


def test_termination_before_the_end():
    terminated = f.served_contract(
        start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31), terminated_on=dt.date(2024, 12, 1)
    )
    f.served_contract(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31), status=Contract.Status.COMPLETED)

    (flag,) = flags_of(FlagKind.EARLY_TERMINATION)

    assert flag.contract_id == terminated.pk
    # Not served 1–31 December: 31 days.
    assert flag.detail == "terminated on 01.12.2024, 31 days before the end date 31.12.2024"


def test_late_signature_is_more_than_15_days_after_the_award_unsigned_counted_up_to_today():
    def contract(start, **kwargs):
        # Awarded at noon 20 days before the start.
        return f.served_contract(start=start, end=dt.date(start.year, 12, 31), **kwargs)

    day = dt.date
    # Awarded 12 January 2024.
    contract(day(2024, 2, 1), signed_on=day(2024, 1, 27))  # 15 days: not late
    sixteen = contract(day(2024, 2, 1), signed_on=day(2024, 1, 28))
    second_late = contract(  # the agency signed the next day, the NGO after 18 days: the later one counts
        day(2024, 2, 1), agency_signed_at=f.almaty(day(2024, 1, 13)), provider_signed_at=f.almaty(day(2024, 1, 30))
    )
    unsigned = contract(day(2026, 3, 2), unsigned=True)  # awarded 10 February 2026: 19 days to 1 March
    contract(day(2026, 3, 6), unsigned=True)  # awarded 14 February 2026: 15 days: not yet late
    # An awarded call without any contract, decided 1 February 2026 18:00: 28 days.
    no_contract = f.closed_call(start_year=2026, status=Call.Status.AWARDED, deadline=f.almaty(day(2026, 1, 25), 18))
    f.closed_call(start_year=2026, status=Call.Status.AWARDED, deadline=f.almaty(day(2026, 2, 13), 18))  # 9 days

    flags = flags_of(FlagKind.LATE_SIGNATURE)

    assert sorted(fl.contract_id for fl in flags if fl.contract_id) == sorted(
        [sixteen.pk, second_late.pk, unsigned.pk]
    )
    assert [fl.call_id for fl in flags if not fl.contract_id] == [no_contract.pk]
    details = {fl.contract_id: fl.detail for fl in flags}
    assert details[second_late.pk] == "signed 18 days after the award (12.01.2024 → 30.01.2024)"
    assert details[unsigned.pk] == "not signed 19 days after the award of 10.02.2026"


def test_fixed_part_payment_late_or_missing():
    def contract(start=dt.date(2024, 1, 1), **kwargs):
        # One tranche of 1 000 000, all fixed, planned 30 days after the start.
        return f.served_contract(start=start, end=dt.date(start.year, 12, 31), **kwargs)

    def pay(contract, amount, day, kind=Payment.Kind.FIXED):
        f.PaymentFactory(tranche=contract.tranches.get(), amount=Decimal(amount), date=day, kind=kind)

    late = contract()
    pay(late, M, dt.date(2024, 2, 5))  # planned 31 January
    on_time = contract()
    pay(on_time, M, dt.date(2024, 1, 31))
    partial = contract()
    pay(partial, 400_000, dt.date(2024, 1, 31))
    not_due = contract(start=dt.date(2026, 1, 30))  # planned 1 March 2026, today: not passed yet
    outcome_late = contract()
    Tranche.objects.filter(contract=outcome_late).update(fixed_amount=800_000, outcome_amount=200_000)
    pay(outcome_late, 800_000, dt.date(2024, 1, 30))
    pay(outcome_late, 200_000, dt.date(2024, 6, 1), kind=Payment.Kind.OUTCOME)  # outcome money is never late
    contract(terminated_on=dt.date(2024, 1, 20))  # terminated before the planned date: nothing was due
    contract(unsigned=True)  # not signed: not serving, nothing due

    flags = flags_of(FlagKind.LATE_PAYMENT)

    assert sorted(fl.contract_id for fl in flags) == sorted([late.pk, partial.pk])
    assert not_due.pk not in [fl.contract_id for fl in flags]
    details = {fl.contract_id: fl.detail for fl in flags}
    assert details[late.pk] == "2024: paid after the planned date 31.01.2024 (last payment 05.02.2024)"
    assert details[partial.pk] == (
        "2024: 400,000\u00a0₸ of the fixed part 1,000,000\u00a0₸ paid; planned for 31.01.2024"
    )
    assert {fl.year for fl in flags} == {2024}


def test_reports_overdue():
    contract = f.served_contract(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), periods=True)
    periods = {(p.kind, p.quarter): p for p in contract.periods.all()}
    f.ReportFactory(period=periods[(ReportingPeriod.Kind.QUARTERLY, 1)], submitted=True)
    f.ReportFactory(period=periods[(ReportingPeriod.Kind.QUARTERLY, 2)], accepted=True)
    f.ReportFactory(period=periods[(ReportingPeriod.Kind.QUARTERLY, 3)], returned=True)  # returned: due again
    f.ReportFactory(period=periods[(ReportingPeriod.Kind.ANNUAL, 0)], accepted=True)
    # Q4 (due 10 January 2026) has no report.
    f.served_contract(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), periods=True)  # nothing due yet

    (flag,) = flags_of(FlagKind.OVERDUE_REPORTS)

    assert (flag.contract_id, flag.year) == (contract.pk, 2025)
    assert flag.detail == "2 reports of 2025 overdue, the first due 10.10.2025"


def test_missing_data_is_a_flag_of_its_own():
    def contract(**kwargs):
        return f.served_contract(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31), **kwargs)

    no_report = contract()
    complete = contract()
    f.TargetFactory(contract=complete, year=2024)
    f.annual_report(complete, 2024, actuals={"cm-closed-positive": 75})
    target_without_actual = contract()
    f.TargetFactory(contract=target_without_actual, year=2024)
    f.annual_report(target_without_actual, 2024, actuals={"cm-plans": 120})  # an actual, but not the target's
    not_accepted = contract()
    f.annual_report(not_accepted, 2024, submitted=True)
    no_actuals = contract()
    f.annual_report(no_actuals, 2024)
    f.RegionPopulationFactory(region=f.region("75"), year=2024)

    flags = flags_of(FlagKind.MISSING_DATA, year=2024)

    by_contract = {fl.contract_id: fl.detail for fl in flags if fl.contract_id}
    assert by_contract == {
        no_report.pk: "2024: no annual report",
        target_without_actual.pk: "2024: a target has no actual in the accepted annual report",
        not_accepted.pk: "2024: the annual report is not accepted",
        no_actuals.pk: "2024: no indicator actuals in the accepted annual report",
    }
    # Population: entered for Almaty in 2024 only; every other region existed in 2024 and has none.
    population = [fl for fl in flags if not fl.contract_id]
    assert len(population) == 19
    assert "75" not in {fl.region.code for fl in population}
    assert {(fl.year, fl.agency, fl.number) for fl in population} == {(2024, None, "")}


def test_missing_annual_report_only_once_the_contract_year_has_ended():
    f.served_contract(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))  # 2026 runs on
    ended_early = f.served_contract(start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31))  # ended 31 January 2026
    terminated = f.served_contract(
        start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), terminated_on=dt.date(2026, 3, 1)
    )  # its last day was yesterday
    for year in range(2021, 2026):
        for code in ("10", "11", "15", "19", "23", "27", "31", "33", "35", "62"):
            f.RegionPopulationFactory(region=f.region(code), year=year)

    flags = flags_of(FlagKind.MISSING_DATA, region=f.region("75"), year=2026)

    assert sorted(fl.contract_id for fl in flags if fl.contract_id) == sorted([ended_early.pk, terminated.pk])
    # Without a year, missing population is of 2021–2025 (the default window): ten regions that existed in all five
    # years lack it (Abai, Zhetysu and Ulytau, n/a in 2021, have theirs).
    without_year = [fl for fl in flags_of(FlagKind.MISSING_DATA) if not fl.contract_id]
    assert len(without_year) == 10 * 5


# -- filters ----------------------------------------------------------------------------------------------------------


def test_filters_by_year_region_agency_and_kind():
    three_years = f.closed_call(start_year=2024, duration_years=3, bids=1)  # a single bid, 2024–2026
    astana = f.closed_call(start_year=2025, region_code="71", bids=1)
    terminated = f.served_contract(
        start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), terminated_on=dt.date(2025, 6, 1), region_code="71"
    )

    kinds = [FlagKind.SINGLE_BID, FlagKind.EARLY_TERMINATION, FlagKind.MISSING_DATA]
    in_2025 = red_flags(today=TODAY, year=2025, kinds=kinds)
    # The terminated contract's own call had one (winning) bid too.
    single_2025 = {three_years.pk, astana.pk, terminated.call_id}
    assert {fl.call_id for fl in in_2025 if fl.kind == FlagKind.SINGLE_BID} == single_2025
    in_2023 = red_flags(today=TODAY, year=2023, kinds=[FlagKind.SINGLE_BID])
    assert in_2023 == []
    only_astana = red_flags(today=TODAY, region=f.region("71"), kinds=kinds)
    assert {fl.region.code for fl in only_astana} == {"71"}
    assert {fl.call_id for fl in only_astana if fl.kind == FlagKind.SINGLE_BID} == {astana.pk, terminated.call_id}
    by_agency = red_flags(today=TODAY, agency=terminated.agency, kinds=kinds)
    # The agency's call had a single bid, its contract is terminated and has no 2025 annual report; population
    # flags carry no agency.
    assert {(fl.kind, fl.call_id, fl.contract_id) for fl in by_agency} == {
        (FlagKind.SINGLE_BID, terminated.call_id, None),
        (FlagKind.EARLY_TERMINATION, None, terminated.pk),
        (FlagKind.MISSING_DATA, None, terminated.pk),
    }
    # Ordered by kind as declared, then region by KATO.
    everything = red_flags(today=TODAY, year=2025, kinds=kinds)
    order = list(FlagKind.values)
    keys = [(order.index(fl.kind), fl.region.kato) for fl in everything]
    assert keys == sorted(keys)


# -- a bounded number of queries --------------------------------------------------------------------------------------


def build(size: int) -> None:
    for n in range(size):
        contract = f.served_contract(
            start=dt.date(2024, 1 + n % 12, 1),
            end=dt.date(2025, 12, 31),
            amounts=[M, M],
            region_code=["75", "71", "35"][n % 3],
            service_code=[CM, FS][n % 2],
            periods=True,
            signed_on=dt.date(2024, 6, 1),
        )
        f.AmendmentFactory(contract=contract, value_change=Decimal(-1000))
        f.PaymentFactory(tranche=contract.tranches.get(year=2024), date=dt.date(2024, 12, 1))
        f.closed_call(start_year=2025, bids=1 + n % 2, region_code="35")


def test_red_flags_run_the_same_number_of_queries_whatever_the_data():
    build(1)
    with CaptureQueriesContext(connection) as small:
        red_flags(today=TODAY)
    build(10)
    with CaptureQueriesContext(connection) as large:
        flags = red_flags(today=TODAY)

    assert len(small) == len(large)
    assert len(large) <= 22
    assert len(flags) > 30

"""Targets against actuals (DESIGN.md, "evaluation"): achievement, the outcome score with "n of m", what counts
(only the accepted annual report), terminated contracts, and the outcome money earned and withheld. Every number is
worked out by hand in the comments."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from contracts.models import Contract, ReportingPeriod
from core.models import Indicator, ServiceType
from evaluation.outcomes import (
    achievement,
    contract_years,
    earned,
    outcome_payments,
    outcome_score,
    outcomes_for,
)
from tests import factories

D = dt.date
HIGHER, LOWER = Indicator.Direction.HIGHER, Indicator.Direction.LOWER


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


# -- achievement of one target --------------------------------------------------------------------------------------


def test_achievement_higher_is_better_is_actual_over_target():
    # 63 ÷ 70 = 0.9
    assert achievement(Decimal("70"), Decimal("63"), HIGHER) == Decimal("0.9")


def test_achievement_lower_is_better_is_target_over_actual():
    # repeat referrals: target 10 %, actual 16 % → 10 ÷ 16 = 0.625
    assert achievement(Decimal("10"), Decimal("16"), LOWER) == Decimal("0.625")


def test_achievement_lower_is_better_with_an_actual_of_zero_is_the_cap():
    # 10 ÷ 0 has no value: no repeat referrals at all is the best possible, so it counts as the cap, 150 %
    assert achievement(Decimal("10"), Decimal("0"), LOWER) == Decimal("1.5")


def test_achievement_is_capped_at_150_percent_higher_is_better():
    # 210 ÷ 100 = 2.1 → 1.5
    assert achievement(Decimal("100"), Decimal("210"), HIGHER) == Decimal("1.5")


def test_achievement_is_capped_at_150_percent_lower_is_better():
    # 10 ÷ 4 = 2.5 → 1.5
    assert achievement(Decimal("10"), Decimal("4"), LOWER) == Decimal("1.5")


def test_achievement_just_under_the_cap_is_not_capped():
    # 149 ÷ 100 = 1.49
    assert achievement(Decimal("100"), Decimal("149"), HIGHER) == Decimal("1.49")


def test_a_target_of_zero_when_higher_is_better_gives_no_achievement():
    assert achievement(Decimal("0"), Decimal("12"), HIGHER) is None
    assert achievement(Decimal("0"), Decimal("0"), HIGHER) is None


def test_a_missing_actual_gives_no_achievement_never_zero_or_full():
    assert achievement(Decimal("70"), None, HIGHER) is None
    assert achievement(Decimal("10"), None, LOWER) is None


def test_achievement_is_exact_decimal_arithmetic():
    # 2 ÷ 3 = 0.666… kept unrounded (the display rounds, the arithmetic does not)
    result = achievement(Decimal("3"), Decimal("2"), HIGHER)

    assert isinstance(result, Decimal)
    assert result * 3 == Decimal("2.000000000000000000000000000")


# -- the outcome score ----------------------------------------------------------------------------------------------


def test_outcome_score_is_the_mean_of_the_available_achievements():
    # (0.9 + 0.6) ÷ 2 = 0.75; the missing one is left out, not counted as 0
    assert outcome_score([Decimal("0.9"), None, Decimal("0.6")]) == Decimal("0.75")


def test_outcome_score_is_capped_at_100_percent():
    # (1.5 + 1.2) ÷ 2 = 1.35 → 1
    assert outcome_score([Decimal("1.5"), Decimal("1.2")]) == Decimal("1")


def test_outcome_score_may_average_a_capped_achievement_with_a_low_one():
    # (1.5 + 0.3) ÷ 2 = 0.9: the 150 % cap per target lets one strong result make up for a weak one, up to 100 %
    assert outcome_score([Decimal("1.5"), Decimal("0.3")]) == Decimal("0.9")


def test_outcome_score_is_missing_when_no_achievement_is_available():
    assert outcome_score([None, None]) is None
    assert outcome_score([]) is None


# -- outcomes of a contract year --------------------------------------------------------------------------------------


@pytest.fixture
def contract(officer, clock):
    """An active case-management contract 2025–2026 (18 M, tranches of 9 M)."""
    return factories.ContractFactory(agency=officer.agency, call__start_year=2025, call__duration_years=2)


@pytest.fixture
def targets_2025(contract):
    """Three outcome targets and one output target for 2025."""
    for code, value in [
        ("cm-closed-positive", 70),  # outcome, higher is better
        ("cm-kept-in-family", 80),  # outcome, higher is better
        ("cm-repeat-referrals", 10),  # outcome, lower is better
        ("cm-plans", 100),  # output: shown, never in the score
    ]:
        factories.TargetFactory(contract=contract, year=2025, indicator=indicator(code), value=value)
    return contract


def test_outcome_score_uses_the_accepted_annual_report_with_n_of_m(targets_2025):
    factories.annual_report(
        targets_2025,
        2025,
        {"cm-closed-positive": 63, "cm-repeat-referrals": 16, "cm-plans": 50},  # kept-in-family not reported
    )

    outcome = outcomes_for([targets_2025])[(targets_2025.pk, 2025)]

    # closed positive 63 ÷ 70 = 0.9; repeat referrals 10 ÷ 16 = 0.625; kept in family missing.
    # Score = (0.9 + 0.625) ÷ 2 = 0.7625, from 2 of the 3 outcome indicators (the output indicator is not one).
    assert outcome.score == Decimal("0.7625")
    assert (outcome.available, outcome.total) == (2, 3)
    rows = {row.indicator.code: row for row in outcome.rows}
    assert rows["cm-kept-in-family"].actual is None
    assert rows["cm-kept-in-family"].achievement is None
    assert rows["cm-plans"].achievement == Decimal("0.5")  # 50 ÷ 100, shown as progress of the output


def test_a_year_without_an_annual_report_has_a_missing_score_not_zero(targets_2025):
    outcome = outcomes_for([targets_2025])[(targets_2025.pk, 2025)]

    assert outcome.score is None
    assert not outcome.has_annual_report
    assert (outcome.available, outcome.total) == (0, 3)


@pytest.mark.parametrize("state", ["draft", "submitted", "returned"])
def test_an_annual_report_that_is_not_accepted_never_counts(targets_2025, state):
    kwargs = {"status": "draft"} if state == "draft" else {state: True}
    factories.annual_report(targets_2025, 2025, {"cm-closed-positive": 70, "cm-repeat-referrals": 10}, **kwargs)

    outcome = outcomes_for([targets_2025])[(targets_2025.pk, 2025)]

    assert outcome.score is None
    assert all(row.actual is None for row in outcome.rows)


def test_a_quarterly_report_shows_progress_only(targets_2025):
    q3 = targets_2025.periods.get(year=2025, quarter=3)
    report = factories.ReportFactory(period=q3, accepted=True)
    factories.ActualFactory(report=report, indicator=indicator("cm-closed-positive"), value=60)

    outcome = outcomes_for([targets_2025])[(targets_2025.pk, 2025)]
    row = next(r for r in outcome.rows if r.indicator.code == "cm-closed-positive")

    assert row.progress == 60
    assert row.actual is None
    assert row.achievement is None
    assert outcome.score is None


def test_the_latest_accepted_quarter_is_the_progress_shown(targets_2025):
    for quarter, value in [(1, 40), (2, 55)]:
        report = factories.ReportFactory(period=targets_2025.periods.get(year=2025, quarter=quarter), accepted=True)
        factories.ActualFactory(report=report, indicator=indicator("cm-closed-positive"), value=value)

    outcome = outcomes_for([targets_2025])[(targets_2025.pk, 2025)]

    assert next(r for r in outcome.rows if r.indicator.code == "cm-closed-positive").progress == 55


def test_the_annual_actual_counts_even_when_a_quarter_reported_more(targets_2025):
    report = factories.ReportFactory(period=targets_2025.periods.get(year=2025, quarter=4), accepted=True)
    factories.ActualFactory(report=report, indicator=indicator("cm-closed-positive"), value=70)
    factories.annual_report(targets_2025, 2025, {"cm-closed-positive": 35})

    outcome = outcomes_for([targets_2025])[(targets_2025.pk, 2025)]

    # only the annual 35 ÷ 70 = 0.5 counts (the quarter's 70 is progress)
    assert outcome.score == Decimal("0.5")


def test_a_lower_is_better_actual_of_zero_counts_as_the_cap_in_the_score(targets_2025):
    factories.annual_report(targets_2025, 2025, {"cm-repeat-referrals": 0, "cm-closed-positive": 21})

    outcome = outcomes_for([targets_2025])[(targets_2025.pk, 2025)]

    # repeat referrals 0 → 1.5; closed positive 21 ÷ 70 = 0.3; (1.5 + 0.3) ÷ 2 = 0.9
    assert outcome.score == Decimal("0.9")


def test_a_higher_is_better_target_of_zero_is_missing_in_the_score(contract):
    factories.TargetFactory(contract=contract, year=2025, indicator=indicator("cm-closed-positive"), value=0)
    factories.TargetFactory(contract=contract, year=2025, indicator=indicator("cm-kept-in-family"), value=80)
    factories.annual_report(contract, 2025, {"cm-closed-positive": 50, "cm-kept-in-family": 60})

    outcome = outcomes_for([contract])[(contract.pk, 2025)]

    # closed positive has no achievement (target 0); kept in family 60 ÷ 80 = 0.75 is the score, 1 of 2
    assert outcome.score == Decimal("0.75")
    assert (outcome.available, outcome.total) == (1, 2)


def test_a_service_type_without_outcome_indicators_has_no_score(officer, clock):
    legal = ServiceType.objects.create(
        code="legal-aid", name_ru="Правовая помощь", name_kk="Құқықтық көмек", name_en="Legal aid", setting="community"
    )
    output = factories.IndicatorFactory(service_type=legal, kind=Indicator.Kind.OUTPUT, unit=Indicator.Unit.CASES)
    contract = factories.ContractFactory(agency=officer.agency, call__start_year=2025, call__service_type=legal)
    factories.TargetFactory(contract=contract, year=2025, indicator=output, value=40)
    factories.annual_report(contract, 2025, {output: 40})

    outcome = outcomes_for([contract])[(contract.pk, 2025)]

    assert not outcome.applicable
    assert outcome.score is None
    assert outcome.rows[0].achievement == Decimal("1")  # the output is still shown against its target


def test_an_outcome_indicator_for_every_service_gives_any_service_a_score(officer, clock):
    legal = ServiceType.objects.create(
        code="legal-aid", name_ru="Правовая помощь", name_kk="Құқықтық көмек", name_en="Legal aid", setting="community"
    )
    for_all = factories.IndicatorFactory(service_type=None, kind=Indicator.Kind.OUTCOME)
    contract = factories.ContractFactory(agency=officer.agency, call__start_year=2025, call__service_type=legal)
    factories.TargetFactory(contract=contract, year=2025, indicator=for_all, value=80)
    factories.annual_report(contract, 2025, {for_all: 60})

    outcome = outcomes_for([contract])[(contract.pk, 2025)]

    # an indicator "for every service" is an outcome indicator of legal aid too: 60 ÷ 80 = 0.75
    assert outcome.applicable
    assert outcome.score == Decimal("0.75")


def test_outcomes_are_keyed_by_contract_and_year_for_several_contracts(contract, officer):
    other = factories.ContractFactory(agency=officer.agency, call__start_year=2026)
    factories.TargetFactory(contract=contract, year=2026, value=50)
    factories.TargetFactory(contract=other, year=2026, value=50)
    factories.annual_report(contract, 2026, {"cm-closed-positive": 25})
    factories.annual_report(other, 2026, {"cm-closed-positive": 40})

    outcomes = outcomes_for([contract, other])

    assert set(outcomes) == {(contract.pk, 2025), (contract.pk, 2026), (other.pk, 2026)}
    assert outcomes[(contract.pk, 2026)].score == Decimal("0.5")  # 25 ÷ 50
    assert outcomes[(other.pk, 2026)].score == Decimal("0.8")  # 40 ÷ 50


# -- terminated contracts -------------------------------------------------------------------------------------------


@pytest.fixture
def three_years(officer, clock):
    """A 2024–2026 contract with a 70 % target each year."""
    contract = factories.ContractFactory(agency=officer.agency, call__start_year=2024, call__duration_years=3)
    for year in (2024, 2025, 2026):
        factories.TargetFactory(contract=contract, year=year, value=70)
    return contract


def terminate(contract: Contract, on: dt.date) -> Contract:
    Contract.objects.filter(pk=contract.pk).update(status=Contract.Status.TERMINATED, terminated_on=on)
    contract.refresh_from_db()
    return contract


def test_a_contract_terminated_mid_year_counts_that_year_but_not_the_later_ones(three_years):
    terminate(three_years, D(2025, 7, 1))

    outcomes = outcomes_for([three_years])

    # it served until 30 June 2025: 2024 and 2025 are its contract years; the 2026 target is not pro-rated or counted
    assert sorted(year for _pk, year in outcomes) == [2024, 2025]
    assert contract_years(three_years) == [2024, 2025]


def test_a_contract_terminated_on_1_january_does_not_count_that_year(three_years):
    terminate(three_years, D(2026, 1, 1))

    assert sorted(year for _pk, year in outcomes_for([three_years])) == [2024, 2025]
    assert contract_years(three_years) == [2024, 2025]


def test_a_terminated_contracts_served_year_is_scored_from_its_annual_report(three_years):
    terminate(three_years, D(2025, 7, 1))
    factories.annual_report(three_years, 2025, {"cm-closed-positive": 35})

    # targets are not pro-rated on termination: 35 ÷ 70 = 0.5 for the half year served
    assert outcomes_for([three_years])[(three_years.pk, 2025)].score == Decimal("0.5")


# -- outcome payments -------------------------------------------------------------------------------------------------


def test_earned_is_the_outcome_part_times_the_score():
    # 1 800 000 × 0.7625 = 1 372 500.00
    assert earned(Decimal("1800000.00"), Decimal("0.7625")) == Decimal("1372500.00")


def test_earned_is_rounded_to_the_tiyn_only_at_the_end():
    # 1 000 000 × 2/3 = 666 666.666… → 666 666.67
    assert earned(Decimal("1000000"), Decimal(2) / Decimal(3)) == Decimal("666666.67")


def test_nothing_is_earned_while_the_score_is_missing():
    assert earned(Decimal("1800000"), None) is None


@pytest.fixture
def with_outcome_part(officer, clock):
    """A 2026 contract of 9 M with a 20 % outcome share: outcome part 1 800 000, and four outcome targets."""
    contract = factories.ContractFactory(agency=officer.agency, call__outcome_share=Decimal("20"))
    for code, value in [("cm-closed-positive", 70), ("cm-kept-in-family", 80), ("cm-repeat-referrals", 10)]:
        factories.TargetFactory(contract=contract, year=2026, indicator=indicator(code), value=value)
    return contract


def test_outcome_payment_earned_and_withheld(with_outcome_part):
    factories.annual_report(with_outcome_part, 2026, {"cm-closed-positive": 63, "cm-repeat-referrals": 16})
    factories.PaymentFactory(tranche=with_outcome_part.tranches.get(), kind="outcome", amount=Decimal("1000000"))

    [row] = outcome_payments(with_outcome_part, outcomes_for([with_outcome_part]))

    # score (0.9 + 0.625) ÷ 2 = 0.7625; earned 1 800 000 × 0.7625 = 1 372 500; withheld 1 800 000 − 1 372 500
    # = 427 500; 1 000 000 paid, so 372 500 may still be paid.
    assert row.outcome_part == Decimal("1800000.00")
    assert row.score == Decimal("0.7625")
    assert row.earned == Decimal("1372500.00")
    assert row.withheld == Decimal("427500.00")
    assert row.paid == Decimal("1000000")
    assert row.payable == Decimal("372500.00")


def test_a_full_score_earns_the_whole_outcome_part(with_outcome_part):
    factories.annual_report(
        with_outcome_part, 2026, {"cm-closed-positive": 105, "cm-kept-in-family": 80, "cm-repeat-referrals": 10}
    )

    [row] = outcome_payments(with_outcome_part, outcomes_for([with_outcome_part]))

    # achievements 1.5, 1 and 1 → mean 1.1666… → capped at 1: all 1 800 000 earned, nothing withheld
    assert row.earned == Decimal("1800000.00")
    assert row.withheld == 0


def test_outcome_payment_is_unknown_without_an_accepted_annual_report(with_outcome_part):
    factories.annual_report(with_outcome_part, 2026, {"cm-closed-positive": 63}, submitted=True)

    [row] = outcome_payments(with_outcome_part, outcomes_for([with_outcome_part]))

    assert row.score is None
    assert row.earned is None
    assert row.withheld is None
    assert row.payable is None


def test_contracts_without_an_outcome_share_have_no_outcome_payments(contract):
    assert outcome_payments(contract, outcomes_for([contract])) == []


def test_outcomes_for_runs_a_fixed_number_of_queries(django_assert_max_num_queries, officer, clock):
    contracts = [factories.ContractFactory(agency=officer.agency) for _ in range(5)]
    for contract in contracts:
        factories.TargetFactory(contract=contract, year=2026)
        factories.annual_report(contract, 2026, {"cm-closed-positive": 50})

    # indicators with an outcome, actuals, accepted annual periods, targets (with their indicators)
    with django_assert_max_num_queries(4):
        outcomes = outcomes_for(contracts)

    assert len(outcomes) == 5
    assert ReportingPeriod.objects.filter(kind="annual", report__status="accepted").count() == 5

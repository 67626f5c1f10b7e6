"""Provider performance profiles, track-record summaries and the ranking by shrunk score, on small hand-made
datasets; and their query counts, which must not grow with the number of contracts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from contracts.models import Contract
from evaluation.profiles import provider_profile, ranking, shrunk_score, summaries
from tests import factories
from tests.factories import almaty

D = dt.date


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def scored_contract(provider, agency, first_year: int, actuals: list[int], **kwargs) -> Contract:
    """A contract over len(actuals) years from `first_year`, each year with a 70 % target on "cases closed with
    plan goals met" and an accepted annual report stating the actual: 70 scores 1, 63 scores 0.9, 21 scores 0.3."""
    contract = factories.ContractFactory(
        provider=provider,
        agency=agency,
        call__start_year=first_year,
        call__duration_years=len(actuals),
        **kwargs,
    )
    for year, actual in enumerate(actuals, start=first_year):
        factories.TargetFactory(contract=contract, year=year, value=70)
        factories.annual_report(contract, year, {"cm-closed-positive": actual})
    return contract


# -- the shrunk score -------------------------------------------------------------------------------------------------


def test_shrunk_score_pulls_a_short_record_towards_the_overall_mean():
    # (0.8 + 0.9 + 3 × 0.6) ÷ (2 + 3) = 3.5 ÷ 5 = 0.7
    assert shrunk_score([Decimal("0.8"), Decimal("0.9")], Decimal("0.6")) == Decimal("0.7")


def test_shrunk_score_of_a_single_perfect_year():
    # (1 + 3 × 0.5) ÷ (1 + 3) = 2.5 ÷ 4 = 0.625
    assert shrunk_score([Decimal("1")], Decimal("0.5")) == Decimal("0.625")


def test_shrunk_score_without_evaluated_years_is_the_overall_mean():
    # (0 + 3 × 0.61) ÷ 3
    assert shrunk_score([], Decimal("0.61")) == Decimal("0.61")


# -- the ranking ------------------------------------------------------------------------------------------------------


@pytest.fixture
def three_providers(officer, clock):
    """Case management in Almaty: A has one excellent year (1.0), B four good ones (0.9 each), C five poor (0.3)."""
    a, b, c = (factories.ProviderFactory(name_ru=f"ОФ «{name}»") for name in "ABC")
    scored_contract(a, officer.agency, 2025, [70])
    scored_contract(b, officer.agency, 2023, [63, 63, 63])
    scored_contract(b, officer.agency, 2026, [63])
    scored_contract(c, officer.agency, 2022, [21, 21, 21])
    scored_contract(c, officer.agency, 2025, [21, 21])
    return a, b, c


def test_ranking_orders_a_long_good_record_above_one_excellent_year(three_providers):
    a, b, c = three_providers

    rows, overall = ranking(service_type=factories.service("case-management"))

    # overall mean of the 10 evaluated years: (1 + 4 × 0.9 + 5 × 0.3) ÷ 10 = 6.1 ÷ 10 = 0.61
    # A: (1 + 3 × 0.61) ÷ (1 + 3) = 2.83 ÷ 4 = 0.7075
    # B: (3.6 + 1.83) ÷ (4 + 3) = 5.43 ÷ 7 = 0.7757…
    # C: (1.5 + 1.83) ÷ (5 + 3) = 3.33 ÷ 8 = 0.41625
    assert overall == Decimal("0.61")
    assert [row.provider for row in rows] == [b, a, c]
    shrunk = {row.provider: row.shrunk for row in rows}
    assert shrunk[a] == Decimal("0.7075")
    assert shrunk[b] == Decimal("5.43") / 7
    assert shrunk[c] == Decimal("0.41625")
    assert [row.evaluated_years for row in rows] == [4, 1, 5]
    assert rows[1].mean == Decimal("1")  # A's raw mean is the best, its record the shortest


def test_ranking_shows_each_providers_money(three_providers):
    a, b, _c = three_providers

    rows, _overall = ranking(service_type=factories.service("case-management"))

    money = {row.provider: row.money for row in rows}
    # each contract is 90 % of a call of 10 M a year: A 9 M; B 27 M + 9 M = 36 M
    assert money[a] == Decimal("9000000")
    assert money[b] == Decimal("36000000")


def test_ranking_by_region_leaves_other_regions_out(three_providers, other_officer):
    a, *_rest = three_providers
    elsewhere = factories.ProviderFactory()
    scored_contract(elsewhere, other_officer.agency, 2025, [70, 70])

    rows, _overall = ranking(service_type=factories.service("case-management"), region=other_officer.agency.region)

    assert [row.provider for row in rows] == [elsewhere]


def test_ranking_leaves_out_providers_without_an_evaluated_year(officer, clock):
    factories.ContractFactory(agency=officer.agency)  # no targets, no reports

    rows, overall = ranking(service_type=factories.service("case-management"))

    assert (rows, overall) == ([], None)


def test_ranking_ignores_unsigned_contracts(officer, clock):
    scored_contract(factories.ProviderFactory(), officer.agency, 2025, [70], agency_only=True)

    assert ranking(service_type=factories.service("case-management")) == ([], None)


def test_ranking_breaks_ties_by_the_longer_record(officer, clock):
    one, two = factories.ProviderFactory(), factories.ProviderFactory()
    scored_contract(one, officer.agency, 2025, [63])
    scored_contract(two, officer.agency, 2024, [63, 63])

    rows, overall = ranking(service_type=factories.service("case-management"))

    # every year scores 0.9, so every shrunk score is 0.9; the longer record goes first
    assert overall == Decimal("0.9")
    assert [row.provider for row in rows] == [two, one]


# -- the profile ------------------------------------------------------------------------------------------------------


@pytest.fixture
def record(provider, officer, clock):
    """The provider's 2025–2026 contract (18 M) and its reports: Q1 2025 on time at 23:59 on its due date, Q2 a
    day late, Q3 on time but returned once, the 2025 annual report on time; Q4 still a draft."""
    contract = scored_contract(provider, officer.agency, 2025, [63, 63])
    periods = {p.quarter: p for p in contract.periods.filter(year=2025, kind="quarterly")}
    factories.ReportFactory(period=periods[1], accepted=True, first_submitted_at=almaty(periods[1].due_date, 23, 59))
    factories.ReportFactory(
        period=periods[2], accepted=True, first_submitted_at=almaty(periods[2].due_date + dt.timedelta(days=1), 0, 1)
    )
    factories.ReportFactory(period=periods[3], returned=True)
    factories.ReportFactory(period=periods[4])
    return contract


def test_profile_on_time_rate_is_computed_from_the_report_dates(provider, record):
    profile = provider_profile(provider)

    # submitted reports: Q1, Q2, Q3 and the annual reports of 2025 and 2026 (made by the fixture on their due
    # dates): 5, of which Q2 alone is late → 4 ÷ 5 = 0.8. The draft Q4 has no submission and does not count.
    assert (profile.reports, profile.on_time) == (5, 4)
    assert profile.on_time_rate == Decimal("0.8")
    assert profile.returned == 1


def test_profile_by_year_has_money_outcomes_and_contracts_won(provider, record):
    profile = provider_profile(provider)

    lines = {line.year: line for line in profile.years}
    # awarded 20 days before 24 Nov 2026: one contract won in 2026; 9 M a year in 2025 and 2026; 63 ÷ 70 = 0.9 each
    assert lines[2026].contracts_won == 1
    assert (lines[2025].money, lines[2026].money) == (Decimal("9000000"), Decimal("9000000"))
    assert lines[2025].outcome_scores == [Decimal("0.9")]
    assert profile.mean_outcome == Decimal("0.9")


def test_profile_money_is_the_tranches_of_the_years_a_contract_serves(provider, clock):
    # 2025–2027, 1 M a year, terminated on 1 January 2027: it serves 2025 and 2026 only, so the 2027 tranche is no
    # money of 2027 (the serving rule, as in coverage, stability and money by year).
    factories.served_contract(start=D(2025, 1, 1), end=D(2027, 12, 31), provider=provider, terminated_on=D(2027, 1, 1))

    profile = provider_profile(provider)

    assert {line.year: line.money for line in profile.years if line.money} == {
        2025: Decimal("1000000"),
        2026: Decimal("1000000"),
    }
    assert [amount for _region, amount in profile.regions] == [Decimal("2000000")]


def test_profile_counts_conclusions_terminations_and_reductions(provider, record, officer):
    factories.ResultEvaluationFactory(
        contract=record, year=2025, status="submitted", total=Decimal("12"), positive=False
    )
    factories.AmendmentFactory(contract=record, kind="amount", value_change=Decimal("-1000000"))
    factories.AmendmentFactory(contract=record, kind="termination")

    profile = provider_profile(provider)

    assert profile.negative_conclusions == 1
    assert {line.year: line.negative for line in profile.years}[2025] == 1
    assert (profile.amendments, profile.reductions, profile.terminations) == (2, 1, 1)


def test_profile_of_a_provider_without_contracts_is_empty(provider, clock):
    profile = provider_profile(provider)

    assert (profile.years, profile.reports, profile.on_time_rate, profile.mean_outcome) == ([], 0, None, None)


def test_profile_counts_staff_who_may_work_with_children(provider, clock):
    factories.StaffMemberFactory(provider=provider, no_record_certificate_date=D(2026, 6, 1))
    factories.StaffMemberFactory(provider=provider, no_record_certificate_date=D(2025, 6, 1))  # over 12 months old

    profile = provider_profile(provider)

    assert (profile.staff, profile.staff_child_ok) == (2, 1)


# -- summaries --------------------------------------------------------------------------------------------------------


def test_summaries_give_the_track_record_of_several_providers(provider, other_provider, officer, clock):
    scored_contract(provider, officer.agency, 2024, [70, 63])  # 1 and 0.9
    terminated = scored_contract(provider, officer.agency, 2026, [21])  # 0.3
    Contract.objects.filter(pk=terminated.pk).update(status="terminated", terminated_on=D(2026, 12, 1))
    factories.ResultEvaluationFactory(
        contract=terminated, year=2026, status="submitted", total=Decimal("9"), positive=False
    )

    result = summaries([provider.pk, other_provider.pk])

    mine = result[provider.pk]
    # mean of 1, 0.9 and 0.3 = 2.2 ÷ 3 = 0.7333…
    assert (mine.contracts, mine.evaluated_years) == (2, 3)
    assert mine.mean_outcome == Decimal("2.2") / 3
    assert (mine.negative_conclusions, mine.positive_conclusions, mine.terminations) == (1, 0, 1)
    assert result[other_provider.pk].contracts == 0
    assert result[other_provider.pk].mean_outcome is None


def test_summaries_count_only_concluded_evaluations(provider, officer, clock):
    contract = scored_contract(provider, officer.agency, 2025, [70])
    factories.ResultEvaluationFactory(contract=contract, year=2025)  # open

    assert summaries([provider.pk])[provider.pk].positive_conclusions == 0


# -- query counts -----------------------------------------------------------------------------------------------------


def full_record(provider, agency, n: int) -> None:
    """n one-year contracts of the provider, each with a target, an accepted annual report, a returned quarterly
    report, a payment, an amendment and a concluded evaluation."""
    for i in range(n):
        contract = scored_contract(provider, agency, 2020 + i % 7, [63])
        year = contract.start_date.year
        factories.ReportFactory(period=contract.periods.get(year=year, quarter=1), returned=True)
        factories.PaymentFactory(tranche=contract.tranches.get())
        factories.AmendmentFactory(contract=contract)
        factories.ResultEvaluationFactory(contract=contract, year=year, status="submitted", positive=True, total=18)


def count_queries(function) -> int:
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


@pytest.mark.parametrize(
    "read",
    [
        pytest.param(lambda p: provider_profile(p), id="provider_profile"),
        pytest.param(lambda p: summaries([p.pk]), id="summaries"),
        pytest.param(lambda p: ranking(service_type=factories.service("case-management")), id="ranking"),
    ],
)
def test_queries_do_not_grow_with_the_number_of_contracts(provider, officer, clock, read):
    full_record(provider, officer.agency, 2)
    with_two = count_queries(lambda: read(provider))
    full_record(provider, officer.agency, 10)

    with_twelve = count_queries(lambda: read(provider))

    assert Contract.objects.filter(provider=provider).count() == 12
    assert with_twelve == with_two, (with_two, with_twelve)


def test_a_contracts_final_conclusion_replaces_its_preliminary_ones_in_the_track_record(db):
    from evaluation.models import ResultEvaluation
    from evaluation.profiles import counted_conclusions, summaries

    contract = factories.ContractFactory()
    other = factories.ContractFactory(provider=contract.provider)
    concluded = {"status": ResultEvaluation.Status.SUBMITTED}
    factories.ResultEvaluationFactory(contract=contract, year=2025, positive=False, **concluded)
    factories.ResultEvaluationFactory(
        contract=contract, year=2025, stage=ResultEvaluation.Stage.FINAL, positive=True, **concluded
    )
    factories.ResultEvaluationFactory(contract=other, year=2025, positive=False, **concluded)  # preliminary only

    assert sorted(counted_conclusions([contract.provider_id])) == [(contract.provider_id, False)] + [
        (contract.provider_id, True)
    ]
    summary = summaries([contract.provider_id])[contract.provider_id]
    assert (summary.positive_conclusions, summary.negative_conclusions) == (1, 1)

"""The one serving rule (DESIGN.md, "Exposing…"): a contract serves day d when it is signed, start ≤ d ≤ end (both
inclusive) and, if terminated, d < the termination date; it serves year y when it serves at least one day of y.
`ContractQuerySet.serving_on/serving_year/serving_between` and `Contract.serves` must say the same thing."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.models import Contract, Tranche
from tests import factories

D = dt.date


def make(start: dt.date, end: dt.date, *, terminated_on: dt.date | None = None, **kwargs) -> Contract:
    """A signed contract with the given dates (no tranches or periods: only the dates matter here)."""
    if terminated_on is not None:
        kwargs.update(status=Contract.Status.TERMINATED, terminated_on=terminated_on)
    return factories.ContractFactory(start_date=start, end_date=end, tranches=False, periods=False, **kwargs)


def serving_on(day: dt.date) -> set[int]:
    return set(Contract.objects.serving_on(day).values_list("pk", flat=True))


def serving_year(year: int) -> set[int]:
    return set(Contract.objects.serving_year(year).values_list("pk", flat=True))


def serving_between(first: dt.date, last: dt.date) -> set[int]:
    return set(Contract.objects.serving_between(first, last).values_list("pk", flat=True))


# -- year boundaries --------------------------------------------------------------------------------------------


def test_contract_serves_its_first_and_last_day_inclusive(db):
    contract = make(D(2025, 1, 1), D(2025, 12, 31))

    assert serving_on(D(2025, 1, 1)) == {contract.pk}
    assert serving_on(D(2025, 12, 31)) == {contract.pk}
    assert contract.serves(D(2025, 1, 1))
    assert contract.serves(D(2025, 12, 31))


def test_contract_does_not_serve_the_day_before_its_start_or_after_its_end(db):
    contract = make(D(2025, 1, 1), D(2025, 12, 31))

    assert serving_on(D(2024, 12, 31)) == set()
    assert serving_on(D(2026, 1, 1)) == set()
    assert not contract.serves(D(2024, 12, 31))
    assert not contract.serves(D(2026, 1, 1))


def test_contract_ending_on_31_december_serves_that_year_only(db):
    contract = make(D(2025, 1, 1), D(2025, 12, 31))

    assert serving_year(2025) == {contract.pk}
    assert serving_year(2024) == set()
    assert serving_year(2026) == set()


def test_contract_starting_on_31_december_serves_that_year_by_one_day(db):
    contract = make(D(2025, 12, 31), D(2026, 6, 30))

    assert serving_year(2025) == {contract.pk}
    assert serving_year(2026) == {contract.pk}
    assert serving_on(D(2025, 12, 30)) == set()


def test_contract_ending_on_1_january_serves_that_year_by_one_day(db):
    contract = make(D(2025, 3, 1), D(2026, 1, 1))

    assert serving_year(2026) == {contract.pk}
    assert serving_on(D(2026, 1, 1)) == {contract.pk}
    assert serving_on(D(2026, 1, 2)) == set()


def test_serving_between_counts_a_single_shared_day(db):
    contract = make(D(2025, 1, 1), D(2025, 12, 31))

    assert serving_between(D(2025, 12, 31), D(2026, 3, 31)) == {contract.pk}
    assert serving_between(D(2026, 1, 1), D(2026, 3, 31)) == set()
    assert serving_between(D(2024, 6, 1), D(2025, 1, 1)) == {contract.pk}
    assert serving_between(D(2024, 6, 1), D(2024, 12, 31)) == set()


# -- 29 February --------------------------------------------------------------------------------------------------


def test_contract_starting_on_29_february_2024_serves_from_that_day(db):
    contract = make(D(2024, 2, 29), D(2025, 2, 28))

    assert serving_on(D(2024, 2, 28)) == set()
    assert serving_on(D(2024, 2, 29)) == {contract.pk}
    assert contract.serves(D(2024, 2, 29))
    assert serving_year(2024) == {contract.pk}


def test_contract_ending_on_29_february_2024_stops_on_1_march(db):
    contract = make(D(2023, 3, 1), D(2024, 2, 29))

    assert serving_on(D(2024, 2, 29)) == {contract.pk}
    assert serving_on(D(2024, 3, 1)) == set()
    assert not contract.serves(D(2024, 3, 1))
    assert contract.last_serving_day == D(2024, 2, 29)


def test_contract_terminated_on_29_february_2024_serves_until_28_february(db):
    contract = make(D(2024, 1, 1), D(2024, 12, 31), terminated_on=D(2024, 2, 29))

    assert serving_on(D(2024, 2, 28)) == {contract.pk}
    assert serving_on(D(2024, 2, 29)) == set()
    assert contract.last_serving_day == D(2024, 2, 28)


# -- signatures ----------------------------------------------------------------------------------------------------


def test_contract_signed_by_the_agency_only_never_serves(db):
    contract = make(D(2025, 1, 1), D(2026, 12, 31), agency_only=True)

    assert contract.agency_signed_at is not None
    assert contract.provider_signed_at is None
    assert serving_on(D(2025, 6, 1)) == set()
    assert serving_year(2025) == set()
    assert serving_between(D(2025, 1, 1), D(2026, 12, 31)) == set()
    assert not contract.serves(D(2025, 6, 1))


def test_contract_signed_by_the_ngo_only_never_serves(db):
    contract = make(
        D(2025, 1, 1), D(2025, 12, 31), status=Contract.Status.PENDING, agency_signed_at=None, agency_signed_by=None
    )

    assert contract.provider_signed_at is not None
    assert serving_on(D(2025, 6, 1)) == set()
    assert serving_year(2025) == set()
    assert not contract.serves(D(2025, 6, 1))


def test_unsigned_contract_never_serves(db):
    contract = make(D(2025, 1, 1), D(2025, 12, 31), unsigned=True)

    assert serving_year(2025) == set()
    assert not contract.serves(D(2025, 6, 1))


# -- termination --------------------------------------------------------------------------------------------------


def test_terminated_contract_serves_the_day_before_termination_but_not_the_day_itself(db):
    contract = make(D(2026, 1, 1), D(2026, 12, 31), terminated_on=D(2026, 6, 15))

    assert serving_on(D(2026, 6, 14)) == {contract.pk}
    assert serving_on(D(2026, 6, 15)) == set()
    assert serving_on(D(2026, 12, 31)) == set()
    assert contract.serves(D(2026, 6, 14))
    assert not contract.serves(D(2026, 6, 15))
    assert contract.last_serving_day == D(2026, 6, 14)


def test_contract_terminated_on_1_january_does_not_serve_that_year(db):
    contract = make(D(2025, 1, 1), D(2026, 12, 31), terminated_on=D(2026, 1, 1))

    assert serving_year(2025) == {contract.pk}
    assert serving_year(2026) == set()
    assert serving_on(D(2025, 12, 31)) == {contract.pk}
    assert serving_on(D(2026, 1, 1)) == set()
    assert serving_between(D(2026, 1, 1), D(2026, 12, 31)) == set()


def test_contract_terminated_on_2_january_serves_that_year_by_one_day(db):
    contract = make(D(2025, 1, 1), D(2026, 12, 31), terminated_on=D(2026, 1, 2))

    assert serving_year(2026) == {contract.pk}
    assert serving_on(D(2026, 1, 1)) == {contract.pk}


def test_contract_terminated_on_its_start_date_never_serves(db):
    # Terminating on the first day is allowed (start ≤ on ≤ end), and then no day is served: d < 15 March and
    # d ≥ 15 March cannot both hold. So the contract serves no year either.
    contract = make(D(2026, 3, 15), D(2026, 12, 31), terminated_on=D(2026, 3, 15))

    assert serving_on(D(2026, 3, 15)) == set()
    assert serving_year(2026) == set()
    assert serving_between(D(2026, 1, 1), D(2026, 12, 31)) == set()
    assert not any(contract.serves(D(2026, 3, 15) + dt.timedelta(days=n)) for n in range(300))


# -- the queryset and the model agree -----------------------------------------------------------------------------

DAYS = st.dates(min_value=D(2023, 1, 1), max_value=D(2028, 12, 31))


@pytest.fixture
def one_contract(db):
    return make(D(2025, 1, 1), D(2025, 12, 31))


def reshape(contract: Contract, start, length, termination, agency_signed, provider_signed) -> Contract:
    """Give the contract new dates, termination and signatures straight in the database (no services involved)."""
    end = start + dt.timedelta(days=length)
    terminated_on = None if termination is None else start + dt.timedelta(days=termination)
    Contract.objects.filter(pk=contract.pk).update(
        start_date=start,
        end_date=end,
        status=Contract.Status.TERMINATED if terminated_on else Contract.Status.ACTIVE,
        terminated_on=terminated_on,
        agency_signed_at=contract.call.decided_at if agency_signed else None,
        provider_signed_at=contract.call.decided_at if provider_signed else None,
    )
    contract.refresh_from_db()
    return contract


CONTRACT_SHAPES = {
    "start": DAYS,
    "length": st.integers(min_value=0, max_value=1100),
    # a termination anywhere from a month before the start to a month after the end, often near the start (or none)
    "termination": st.none() | st.integers(min_value=-31, max_value=31) | st.integers(min_value=-31, max_value=1131),
    "agency_signed": st.booleans(),
    "provider_signed": st.booleans(),
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=DAYS, **CONTRACT_SHAPES)
def test_serving_on_agrees_with_contract_serves(one_contract, day, **shape):
    contract = reshape(one_contract, **shape)

    assert (contract.pk in serving_on(day)) == contract.serves(day)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(year=st.integers(min_value=2022, max_value=2029), **CONTRACT_SHAPES)
def test_serving_year_means_serving_at_least_one_day_of_the_year(one_contract, year, **shape):
    contract = reshape(one_contract, **shape)
    first, last = D(year, 1, 1), D(year, 12, 31)
    # some day of the year is served ⇔ the served span [start, last serving day] meets [1 Jan, 31 Dec]
    expected = contract.is_signed and max(first, contract.start_date) <= min(last, contract.last_serving_day)

    assert (contract.pk in serving_year(year)) == expected
    assert (contract.pk in serving_between(first, last)) == expected
    if expected:  # spot-check with the day rule itself
        assert contract.serves(max(first, contract.start_date))


# -- the money of a year: Tranche.objects.serving spells the same rule ---------------------------------------------

TRANCHE_YEARS = range(2022, 2030)


@pytest.fixture
def contract_with_tranches(db):
    """A contract with a tranche (1 ₸) in every year 2022–2029, whatever its dates: only the rule decides."""
    contract = make(D(2025, 1, 1), D(2025, 12, 31))
    for year in TRANCHE_YEARS:
        Tranche.objects.create(contract=contract, year=year, amount=1, fixed_amount=1, planned_date=D(year, 6, 1))
    return contract


def tranche_years(queryset) -> set[int]:
    return set(queryset.values_list("year", flat=True))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(**CONTRACT_SHAPES)
def test_the_money_of_a_year_is_the_tranche_of_a_year_the_contract_serves(contract_with_tranches, **shape):
    contract = reshape(contract_with_tranches, **shape)
    served = {y for y in TRANCHE_YEARS if contract.pk in serving_year(y)}

    # By the years' dates (one year, several) and by the years' parts (every year at once): the same tranches.
    assert tranche_years(Tranche.objects.serving(TRANCHE_YEARS)) == served
    assert tranche_years(Tranche.objects.serving()) == served
    assert {y for y in TRANCHE_YEARS if Tranche.objects.serving_year(y).exists()} == served


def test_a_tranche_of_a_year_after_the_termination_is_no_money_of_that_year(contract_with_tranches):
    Contract.objects.filter(pk=contract_with_tranches.pk).update(
        end_date=D(2027, 12, 31), status=Contract.Status.TERMINATED, terminated_on=D(2026, 1, 1)
    )

    assert tranche_years(Tranche.objects.serving()) == {2025}
    assert tranche_years(Tranche.objects.serving([2025, 2026, 2027])) == {2025}


def test_pending_contracts_count_for_a_cliff_ahead_only_when_asked(db):
    pending = make(D(2026, 1, 1), D(2026, 12, 31), unsigned=True)
    signed = make(D(2026, 1, 1), D(2026, 12, 31))
    make(D(2027, 1, 1), D(2027, 12, 31), unsigned=True)  # pending, but for another year
    year = (D(2026, 1, 1), D(2026, 12, 31))

    with_pending = set(Contract.objects.serving_between(*year, pending=True).values_list("pk", flat=True))

    assert pending.status == Contract.Status.PENDING
    assert serving_between(*year) == {signed.pk}
    assert with_pending == {signed.pk, pending.pk}

"""Contract workflows through the services: preparing and signing, the reporting schedule, payments, amendments,
termination, reports and the scheduled command. Numbers are worked out by hand in the comments."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from contracts import services
from contracts.models import Amendment, Contract, Report, ReportingPeriod, Target, Tranche
from core.exceptions import InvalidTransition
from core.models import AuditEvent, Indicator
from tenders.models import Call
from tests import factories
from tests.factories import almaty

D = dt.date
M = Decimal("1000000")


def subject_of(message: str) -> str:
    """Return an email subject's start as the recipients (Russian by default) read it."""
    with translation.override("ru"):
        return gettext(message)


# -- default tranches ---------------------------------------------------------------------------------------------


@pytest.fixture
def three_year_call(officer, clock):
    """Budget lines of 10, 20 and 30 million for 2027–2029 (60 million in all)."""
    return factories.AwardedCallFactory(
        agency=officer.agency, start_year=2027, duration_years=3, budget=[10 * M, 20 * M, 30 * M]
    )


def test_default_tranches_are_proportional_to_the_budget_lines_and_sum_exactly_to_the_price(three_year_call):
    tranches = services.default_tranches(three_year_call, 50 * M)

    # 50 M × 10/60 = 8 333 333.333… → 8 333 333.33; 50 M × 20/60 = 16 666 666.666… → 16 666 666.67;
    # the last year takes the rest: 50 000 000 − 8 333 333.33 − 16 666 666.67 = 25 000 000.00 (not 50 × 30/60
    # computed separately, so rounding never leaves a tiyn over or short).
    assert [t["year"] for t in tranches] == [2027, 2028, 2029]
    assert [t["amount"] for t in tranches] == [Decimal("8333333.33"), Decimal("16666666.67"), Decimal("25000000.00")]
    assert sum(t["amount"] for t in tranches) == 50 * M


def test_default_tranches_give_the_rounding_remainder_to_the_last_year(officer, clock):
    call = factories.AwardedCallFactory(agency=officer.agency, start_year=2027, duration_years=3, budget=[M, M, M])

    tranches = services.default_tranches(call, Decimal("100"))

    # 100 / 3 = 33.333… → 33.33 twice, and 100 − 66.66 = 33.34 last.
    assert [t["amount"] for t in tranches] == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]


def test_default_tranches_plan_later_years_for_1_march_and_leave_the_first_to_the_officer(three_year_call):
    tranches = services.default_tranches(three_year_call, 50 * M)

    assert [t["planned_date"] for t in tranches] == [None, D(2028, 3, 1), D(2029, 3, 1)]


def test_default_tranches_split_the_outcome_share_off_each_tranche(three_year_call):
    three_year_call.outcome_share = Decimal("20")

    tranches = services.default_tranches(three_year_call, 50 * M)

    # 2027: 20 % of 8 333 333.33 = 1 666 666.666 → 1 666 666.67 (half up); fixed = 8 333 333.33 − 1 666 666.67.
    first = tranches[0]
    assert first["outcome_amount"] == Decimal("1666666.67")
    assert first["fixed_amount"] == Decimal("6666666.66")
    # 2029: 20 % of 25 000 000.00 = 5 000 000.00 exactly.
    assert (tranches[2]["fixed_amount"], tranches[2]["outcome_amount"]) == (20 * M, 5 * M)
    assert all(t["fixed_amount"] + t["outcome_amount"] == t["amount"] for t in tranches)


def test_tranches_without_an_outcome_share_are_all_fixed(three_year_call):
    tranches = services.default_tranches(three_year_call, 50 * M)

    assert all(t["outcome_amount"] == 0 and t["fixed_amount"] == t["amount"] for t in tranches)


def test_default_dates_start_the_day_after_the_standstill_in_the_first_year(officer, clock):
    # clock: 24 Nov 2026. Awarded 20 days ago (4 Nov), the 5-day standstill ends 9 Nov 10:00 Almaty, so a 2026
    # contract starts on 10 Nov 2026 rather than on 1 January.
    call = factories.AwardedCallFactory(agency=officer.agency, start_year=2026, duration_years=1)

    assert timezone.localdate(call.standstill_until) == D(2026, 11, 9)
    assert services.default_dates(call) == (D(2026, 11, 10), D(2026, 12, 31))


def test_default_dates_of_a_future_call_run_over_its_whole_years(three_year_call):
    assert services.default_dates(three_year_call) == (D(2027, 1, 1), D(2029, 12, 31))


# -- preparing a contract -------------------------------------------------------------------------------------------


@pytest.fixture
def awarded(officer, provider, ngo_user, clock):
    """A two-year call (2027–2028, 12 + 13 million) awarded to the provider's bid of 20 million; standstill over."""
    call = factories.AwardedCallFactory(
        agency=officer.agency, start_year=2027, duration_years=2, budget=[12 * M, 13 * M]
    )
    factories.CallTargetFactory(call=call, year=2027)
    factories.WinningBidFactory(call=call, provider=provider, price=20 * M)
    return call


def tranche_rows(*amounts, start_year=2027):
    return [
        {
            "year": start_year + i,
            "amount": Decimal(a),
            "planned_date": D(start_year + i, 3, 1),
            "funding_source": "local",
        }
        for i, a in enumerate(amounts)
    ]


def prepare(call, user, **overrides):
    kwargs = {
        "call": call,
        "acting_user": user,
        "number": "Д-2027-1",
        "start_date": D(2027, 1, 1),
        "end_date": D(2028, 12, 31),
        # 20 M × 12/25 = 9.6 M and 20 M − 9.6 M = 10.4 M
        "tranches": tranche_rows(Decimal("9600000"), Decimal("10400000")),
        "targets": [{"year": 2027, "indicator": Indicator.objects.get(code="cm-closed-positive"), "value": 70}],
    }
    kwargs.update(overrides)
    return services.prepare_contract(**kwargs)


def nothing_changed(events_before: int) -> bool:
    return (
        not Contract.objects.exists()
        and not Tranche.objects.exists()
        and not Target.objects.exists()
        and AuditEvent.objects.count() == events_before
    )


def test_prepare_contract_creates_a_pending_contract_with_tranches_and_targets(
    awarded, officer, provider, ngo_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        contract = prepare(awarded, officer)

    assert contract.status == Contract.Status.PENDING
    assert not contract.is_signed
    assert contract.total == 20 * M
    assert (contract.provider, contract.agency, contract.region) == (provider, awarded.agency, awarded.region)
    assert list(contract.tranches.values_list("year", "amount")) == [(2027, Decimal("9600000")), (2028, 10400000)]
    assert contract.targets.get().value == 70
    assert contract.periods.count() == 0  # the schedule comes with both signatures
    assert AuditEvent.objects.for_object(contract).filter(action="contract prepared").exists()
    assert [m.to for m in mailoutbox] == [[ngo_user.email]]


def test_prepare_contract_is_refused_during_the_standstill(awarded, officer, clock):
    awarded.standstill_until = timezone.now() + dt.timedelta(days=2)
    awarded.save()
    events = AuditEvent.objects.count()

    with pytest.raises(InvalidTransition, match="The standstill for complaints has not ended yet."):
        prepare(awarded, officer)

    assert nothing_changed(events)


def test_prepare_contract_is_refused_for_a_call_that_is_not_awarded(awarded, officer):
    Call.objects.filter(pk=awarded.pk).update(status=Call.Status.EVALUATION)
    events = AuditEvent.objects.count()

    with pytest.raises(InvalidTransition, match="Only an awarded call gets a contract."):
        prepare(awarded, officer)

    assert nothing_changed(events)


def test_prepare_contract_is_refused_for_dates_outside_the_calls_years(awarded, officer):
    events = AuditEvent.objects.count()

    with pytest.raises(InvalidTransition, match="The contract dates must fall within the call's years."):
        prepare(awarded, officer, start_date=D(2026, 12, 1))
    with pytest.raises(InvalidTransition, match="The contract dates must fall within the call's years."):
        prepare(awarded, officer, end_date=D(2029, 1, 31))

    assert nothing_changed(events)


def test_prepare_contract_is_refused_when_the_tranches_do_not_sum_to_the_price(awarded, officer):
    events = AuditEvent.objects.count()

    with pytest.raises(InvalidTransition) as refused:
        prepare(awarded, officer, tranches=tranche_rows(Decimal("9600000"), Decimal("10399999.99")))

    assert refused.value.messages == ["The tranches sum to 19,999,999.99 ₸, not the total of 20,000,000 ₸."]
    assert nothing_changed(events)


def test_prepare_contract_is_refused_when_a_year_has_no_tranche(awarded, officer):
    events = AuditEvent.objects.count()

    with pytest.raises(InvalidTransition) as refused:
        prepare(awarded, officer, tranches=tranche_rows(20 * M))

    assert "Every year of the contract needs a tranche." in refused.value.messages
    assert nothing_changed(events)


def test_tranche_errors_lists_every_problem_at_once():
    errors = services.tranche_errors(
        total=Decimal("100"),
        start=D(2027, 1, 1),
        end=D(2027, 12, 31),
        tranches=[{"year": 2027, "amount": "-5"}, {"year": 2027, "amount": "5"}, {"year": 2028, "amount": "1"}],
    )

    assert errors == [
        "Each year may have one tranche only.",
        "Every tranche year must fall within the contract's dates.",
        "Every year of the contract needs a tranche.",
        "Amounts cannot be negative.",
        "The tranches sum to 1 ₸, not the total of 100 ₸.",
    ]


def test_tranche_errors_is_empty_for_tranches_that_are_right():
    tranches = [{"year": 2027, "amount": "33.33"}, {"year": 2028, "amount": "66.67"}]

    assert (
        services.tranche_errors(total=Decimal("100.00"), start=D(2027, 3, 1), end=D(2028, 6, 30), tranches=tranches)
        == []
    )


# -- signing and the reporting schedule ---------------------------------------------------------------------------


@pytest.fixture
def pending(officer, provider, ngo_user, clock):
    """A contract 15 March 2025 – 31 December 2026 that nobody has signed yet."""
    return factories.ContractFactory(
        agency=officer.agency,
        provider=provider,
        call__start_year=2025,
        call__duration_years=2,
        start_date=D(2025, 3, 15),
        end_date=D(2026, 12, 31),
        unsigned=True,
    )


def test_agency_signature_alone_leaves_the_contract_pending(pending, officer):
    services.sign(contract=pending, acting_user=officer)

    pending.refresh_from_db()
    assert pending.status == Contract.Status.PENDING
    assert pending.agency_signed_by == officer
    assert pending.periods.count() == 0


def test_signing_by_agency_then_ngo_activates_the_contract(pending, officer, ngo_user):
    services.sign(contract=pending, acting_user=officer)
    services.sign(contract=pending, acting_user=ngo_user)

    pending.refresh_from_db()
    assert pending.status == Contract.Status.ACTIVE
    assert pending.is_signed
    assert AuditEvent.objects.for_object(pending).filter(action="activated").exists()


def test_signing_generates_quarterly_periods_clipped_to_the_dates_and_one_annual_per_tranche_year(
    pending, officer, ngo_user
):
    services.sign(contract=pending, acting_user=officer)
    services.sign(contract=pending, acting_user=ngo_user)

    periods = list(
        pending.periods.order_by("year", "kind", "quarter").values_list("kind", "quarter", "start", "end", "due_date")
    )
    # 2025 starts on 15 March, so Q1 is 15–31 March; each report is due 10 days after its period ends.
    assert periods == [
        ("annual", 0, D(2025, 3, 15), D(2025, 12, 31), D(2026, 1, 10)),
        ("quarterly", 1, D(2025, 3, 15), D(2025, 3, 31), D(2025, 4, 10)),
        ("quarterly", 2, D(2025, 4, 1), D(2025, 6, 30), D(2025, 7, 10)),
        ("quarterly", 3, D(2025, 7, 1), D(2025, 9, 30), D(2025, 10, 10)),
        ("quarterly", 4, D(2025, 10, 1), D(2025, 12, 31), D(2026, 1, 10)),
        ("annual", 0, D(2026, 1, 1), D(2026, 12, 31), D(2027, 1, 10)),
        ("quarterly", 1, D(2026, 1, 1), D(2026, 3, 31), D(2026, 4, 10)),
        ("quarterly", 2, D(2026, 4, 1), D(2026, 6, 30), D(2026, 7, 10)),
        ("quarterly", 3, D(2026, 7, 1), D(2026, 9, 30), D(2026, 10, 10)),
        ("quarterly", 4, D(2026, 10, 1), D(2026, 12, 31), D(2027, 1, 10)),
    ]


def test_signing_twice_for_the_same_side_is_refused(pending, officer):
    services.sign(contract=pending, acting_user=officer)

    with pytest.raises(InvalidTransition, match="The agency has already signed."):
        services.sign(contract=pending, acting_user=officer)


def test_an_officer_of_another_agency_cannot_sign(pending, other_officer):
    with pytest.raises(InvalidTransition, match="You cannot sign for either party of this contract."):
        services.sign(contract=pending, acting_user=other_officer)

    pending.refresh_from_db()
    assert pending.agency_signed_at is None


def test_signing_emails_the_other_party_after_commit(
    pending, officer, ngo_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.sign(contract=pending, acting_user=officer)
    assert mailoutbox == []  # nothing goes out before the transaction commits

    for callback in callbacks:
        callback()
    assert [m.to for m in mailoutbox] == [[ngo_user.email]]
    assert mailoutbox[0].subject.startswith(subject_of("The contract was signed"))


def test_expected_periods_without_tranches_fall_back_to_the_contract_years(officer, clock):
    contract = factories.ContractFactory(
        agency=officer.agency, start_date=D(2026, 11, 15), end_date=D(2026, 12, 31), tranches=False, periods=False
    )

    periods = services.expected_periods(contract)

    # Q4 clipped to 15 Nov – 31 Dec, plus the annual report for 2026 over the same days.
    assert [(p["kind"], p["start"], p["end"], p["due_date"]) for p in periods] == [
        ("quarterly", D(2026, 11, 15), D(2026, 12, 31), D(2027, 1, 10)),
        ("annual", D(2026, 11, 15), D(2026, 12, 31), D(2027, 1, 10)),
    ]


# -- payments -----------------------------------------------------------------------------------------------------


@pytest.fixture
def contract(officer, provider, ngo_user, clock):
    """An active one-year contract for 2026: 9 000 000 ₸ (90 % of a 10 M call), its tranche planned 31 Jan 2026."""
    return factories.ContractFactory(agency=officer.agency, provider=provider)


def test_payments_add_up_in_decimal_to_exactly_the_fixed_part(contract, officer):
    tranche = contract.tranches.get()
    assert tranche.fixed_amount == 9 * M

    for amount in ("8999999.70", "0.10", "0.20"):  # 0.1 + 0.2 is exactly 0.3 in Decimal, not 0.30000000000000004
        services.record_payment(
            tranche=tranche, kind="fixed", date=D(2026, 1, 31), amount=Decimal(amount), acting_user=officer
        )

    assert sum(p.amount for p in tranche.payments.all()) == 9 * M
    with pytest.raises(InvalidTransition, match=r"remains of this part of the tranche \(0 ₸\)"):
        services.record_payment(
            tranche=tranche, kind="fixed", date=D(2026, 1, 31), amount=Decimal("0.01"), acting_user=officer
        )


def test_a_payment_above_what_remains_is_refused_and_records_nothing(contract, officer):
    tranche = contract.tranches.get()
    services.record_payment(tranche=tranche, kind="fixed", date=D(2026, 2, 1), amount=6 * M, acting_user=officer)

    # 9 000 000 − 6 000 000 = 3 000 000 remain; 3 000 000.01 is one tiyn too many.
    with pytest.raises(InvalidTransition, match=r"\(3,000,000 ₸\)"):
        services.record_payment(
            tranche=tranche, kind="fixed", date=D(2026, 2, 1), amount=Decimal("3000000.01"), acting_user=officer
        )

    assert tranche.payments.count() == 1


def test_fixed_and_outcome_parts_are_paid_separately(officer, provider, clock):
    contract = factories.ContractFactory(agency=officer.agency, provider=provider, call__outcome_share=Decimal("20"))
    tranche = contract.tranches.get()
    # 9 000 000 × 20 % = 1 800 000 outcome part; 7 200 000 fixed.
    assert (tranche.fixed_amount, tranche.outcome_amount) == (Decimal("7200000.00"), Decimal("1800000.00"))

    services.record_payment(
        tranche=tranche, kind="outcome", date=D(2026, 11, 1), amount=Decimal("1800000"), acting_user=officer
    )
    with pytest.raises(InvalidTransition, match="exceeds what remains"):
        services.record_payment(
            tranche=tranche, kind="outcome", date=D(2026, 11, 1), amount=Decimal("0.01"), acting_user=officer
        )
    with pytest.raises(InvalidTransition, match="exceeds what remains"):
        services.record_payment(
            tranche=tranche, kind="fixed", date=D(2026, 11, 1), amount=Decimal("7200000.01"), acting_user=officer
        )
    services.record_payment(
        tranche=tranche, kind="fixed", date=D(2026, 11, 1), amount=Decimal("7200000"), acting_user=officer
    )

    assert sum(p.amount for p in tranche.payments.all()) == 9 * M


def test_a_payment_dated_in_the_future_is_refused(contract, officer):
    tranche = contract.tranches.get()

    with pytest.raises(InvalidTransition, match="A payment cannot be dated in the future."):
        services.record_payment(tranche=tranche, kind="fixed", date=D(2026, 11, 25), amount=M, acting_user=officer)
    services.record_payment(
        tranche=tranche, kind="fixed", date=D(2026, 11, 24), amount=M, acting_user=officer
    )  # today

    assert tranche.payments.count() == 1


def test_a_payment_on_an_unsigned_contract_is_refused(officer, clock):
    contract = factories.ContractFactory(agency=officer.agency, agency_only=True)

    with pytest.raises(InvalidTransition, match="Payments are recorded only on a signed contract."):
        services.record_payment(
            tranche=contract.tranches.get(), kind="fixed", date=D(2026, 11, 1), amount=M, acting_user=officer
        )


def test_a_fixed_payment_after_the_planned_date_is_late(contract, officer):
    tranche = contract.tranches.get()  # planned for 31 January 2026

    on_time = services.record_payment(
        tranche=tranche, kind="fixed", date=D(2026, 1, 31), amount=M, acting_user=officer
    )
    late = services.record_payment(tranche=tranche, kind="fixed", date=D(2026, 2, 1), amount=M, acting_user=officer)

    assert not on_time.is_late
    assert late.is_late


def test_an_outcome_payment_is_never_late(officer, clock):
    contract = factories.ContractFactory(agency=officer.agency, call__outcome_share=Decimal("20"))
    tranche = contract.tranches.get()

    payment = services.record_payment(
        tranche=tranche, kind="outcome", date=D(2026, 11, 20), amount=M, acting_user=officer
    )

    assert payment.date > tranche.planned_date
    assert not payment.is_late


def test_recording_a_payment_emails_the_ngo_after_commit(
    contract, officer, ngo_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.record_payment(
            tranche=contract.tranches.get(), kind="fixed", date=D(2026, 2, 1), amount=M, acting_user=officer
        )

    assert [m.to for m in mailoutbox] == [[ngo_user.email]]
    assert mailoutbox[0].subject == f"{subject_of('Payment recorded')}: {contract.number}"


# -- amendments ---------------------------------------------------------------------------------------------------


@pytest.fixture
def two_years(officer, provider, ngo_user, clock):
    """An active contract 2025–2026 of 18 000 000 ₸: tranches of 9 000 000 each, 2 000 000 of 2025 already paid."""
    contract = factories.ContractFactory(
        agency=officer.agency, provider=provider, call__start_year=2025, call__duration_years=2
    )
    factories.PaymentFactory(tranche=contract.tranches.get(year=2025), amount=2 * M, date=D(2025, 2, 1))
    return contract


def amend(contract, officer, amounts, **kwargs):
    return services.amend_amounts(
        contract=contract,
        amounts=amounts,
        reason_code=kwargs.pop("reason_code", Amendment.Reason.BUDGET_CUT),
        reason_text=kwargs.pop("reason_text", "Сокращение бюджета"),
        effective_date=D(2026, 11, 24),
        acting_user=officer,
    )


def test_cutting_the_amounts_keeps_the_tranches_summing_to_the_total(two_years, officer):
    amend(two_years, officer, {2025: 2 * M, 2026: 9 * M})

    two_years.refresh_from_db()
    # 2 000 000 + 9 000 000 = 11 000 000
    assert two_years.total == 11 * M
    assert sum(t.amount for t in two_years.tranches.all()) == two_years.total


def test_a_cut_records_old_and_new_values_and_a_negative_value_change(two_years, officer):
    amendment = amend(two_years, officer, {2025: 2 * M, 2026: 9 * M})

    # 11 000 000 − 18 000 000 = −7 000 000: a reduction, the red flag.
    assert amendment.kind == Amendment.Kind.AMOUNT
    assert amendment.value_change == -7 * M
    assert amendment.is_reduction
    assert {k: Decimal(v) for k, v in amendment.old_value.items()} == {"total": 18 * M, "2025": 9 * M, "2026": 9 * M}
    assert {k: Decimal(v) for k, v in amendment.new_value.items()} == {"total": 11 * M, "2025": 2 * M, "2026": 9 * M}
    assert AuditEvent.objects.for_object(two_years).filter(action="amended").exists()


def test_an_increase_is_not_a_reduction(two_years, officer):
    amendment = amend(two_years, officer, {2025: 9 * M, 2026: 10 * M}, reason_code=Amendment.Reason.BUDGET_INCREASE)

    assert amendment.value_change == M
    assert not amendment.is_reduction


def test_a_tranche_cannot_be_cut_below_what_is_paid(two_years, officer):
    with pytest.raises(InvalidTransition, match="The 2025 tranche cannot be less than what is already paid."):
        amend(two_years, officer, {2025: Decimal("1999999.99"), 2026: 9 * M})

    two_years.refresh_from_db()
    assert two_years.total == 18 * M
    assert list(two_years.tranches.values_list("amount", flat=True)) == [9 * M, 9 * M]
    assert not two_years.amendments.exists()


def test_a_cut_keeps_the_outcome_share_of_each_tranche(officer, clock):
    contract = factories.ContractFactory(agency=officer.agency, call__outcome_share=Decimal("20"))

    amend(contract, officer, {2026: Decimal("5000000.05")})

    tranche = contract.tranches.get()
    # 20 % of 5 000 000.05 = 1 000 000.01 (1 000 000.010, half up); fixed 4 000 000.04.
    assert (tranche.fixed_amount, tranche.outcome_amount) == (Decimal("4000000.04"), Decimal("1000000.01"))


def test_an_amendment_needs_an_explanation(two_years, officer):
    with pytest.raises(InvalidTransition, match="Explain the amendment."):
        amend(two_years, officer, {2025: 9 * M, 2026: 8 * M}, reason_text="  ")

    assert not two_years.amendments.exists()
    assert Tranche.objects.get(contract=two_years, year=2026).amount == 9 * M


def test_amending_the_same_amounts_is_refused(two_years, officer):
    with pytest.raises(InvalidTransition, match="Nothing changes."):
        amend(two_years, officer, {2025: 9 * M, 2026: 9 * M})


def test_amounts_must_cover_every_tranche_year(two_years, officer):
    with pytest.raises(InvalidTransition, match="Give an amount for every tranche year."):
        amend(two_years, officer, {2025: 9 * M})


def amend_end(contract, officer, end_date):
    return services.amend_end_date(
        contract=contract, end_date=end_date, reason_code="other", reason_text="Сдвиг", acting_user=officer
    )


def test_moving_the_end_date_earlier_reshapes_the_schedule(two_years, officer):
    amendment = amend_end(two_years, officer, D(2026, 9, 30))

    two_years.refresh_from_db()
    assert two_years.end_date == D(2026, 9, 30)
    assert amendment.old_value == {"end_date": "2026-12-31"}
    assert amendment.new_value == {"end_date": "2026-09-30"}
    # Q4 2026 is gone; the 2026 annual report now covers 1 Jan – 30 Sep and is due 10 Oct.
    assert not two_years.periods.filter(year=2026, quarter=4).exists()
    annual = two_years.periods.get(year=2026, kind="annual")
    assert (annual.end, annual.due_date) == (D(2026, 9, 30), D(2026, 10, 10))


def test_the_end_date_must_stay_in_the_last_tranche_year(two_years, officer):
    with pytest.raises(InvalidTransition, match="The end date must fall in 2026, the year of the last tranche"):
        amend_end(two_years, officer, D(2027, 3, 31))
    with pytest.raises(InvalidTransition, match="The end date must fall in 2026"):
        amend_end(two_years, officer, D(2025, 12, 31))

    assert not two_years.amendments.exists()


def test_the_end_date_cannot_move_before_the_start(officer, clock):
    contract = factories.ContractFactory(agency=officer.agency, start_date=D(2026, 6, 1))

    with pytest.raises(InvalidTransition, match="The end date must not be before the start."):
        amend_end(contract, officer, D(2026, 5, 31))


def test_an_unchanged_end_date_is_refused(two_years, officer):
    with pytest.raises(InvalidTransition, match="Nothing changes."):
        amend_end(two_years, officer, D(2026, 12, 31))


def test_only_an_active_contract_can_be_amended(officer, clock):
    contract = factories.ContractFactory(agency=officer.agency, agency_only=True)

    with pytest.raises(InvalidTransition, match="Only an active contract can be amended."):
        amend_end(contract, officer, D(2026, 10, 31))


def test_amending_the_scope_records_old_and_new(two_years, officer):
    old = two_years.scope

    amendment = services.amend_scope(
        contract=two_years,
        scope="Новый объём услуг",
        reason_code="scope-change",
        reason_text="Потребности",
        acting_user=officer,
    )

    two_years.refresh_from_db()
    assert two_years.scope == "Новый объём услуг"
    assert (amendment.old_value, amendment.new_value) == ({"scope": old}, {"scope": "Новый объём услуг"})
    assert amendment.value_change == 0


# -- termination --------------------------------------------------------------------------------------------------


def terminate(contract, officer, on):
    return services.terminate(
        contract=contract, on=on, reason_code="non-performance", reason_text="Не оказывает услуги", acting_user=officer
    )


def test_terminating_sets_the_status_and_the_date(two_years, officer):
    amendment = terminate(two_years, officer, D(2026, 6, 15))

    two_years.refresh_from_db()
    assert two_years.status == Contract.Status.TERMINATED
    assert two_years.terminated_on == D(2026, 6, 15)
    assert two_years.last_serving_day == D(2026, 6, 14)
    assert amendment.kind == Amendment.Kind.TERMINATION
    assert amendment.new_value == {"terminated_on": "2026-06-15"}


def test_terminating_drops_unreported_later_periods_and_clips_the_current_ones(two_years, officer):
    terminate(two_years, officer, D(2026, 6, 15))

    periods_2026 = list(
        two_years.periods.filter(year=2026)
        .order_by("kind", "quarter")
        .values_list("kind", "quarter", "end", "due_date")
    )
    # the last serving day is 14 June: Q2 and the annual report end there and are due 10 days later, on 24 June;
    # Q3 and Q4 are gone.
    assert periods_2026 == [
        ("annual", 0, D(2026, 6, 14), D(2026, 6, 24)),
        ("quarterly", 1, D(2026, 3, 31), D(2026, 4, 10)),
        ("quarterly", 2, D(2026, 6, 14), D(2026, 6, 24)),
    ]


def test_terminating_keeps_a_later_period_that_already_has_a_report(two_years, officer):
    q3 = two_years.periods.get(year=2026, quarter=3)
    factories.ReportFactory(period=q3)

    terminate(two_years, officer, D(2026, 6, 15))

    assert ReportingPeriod.objects.filter(pk=q3.pk).exists()
    assert not two_years.periods.filter(year=2026, quarter=4).exists()


def test_termination_outside_the_contract_dates_is_refused(two_years, officer):
    with pytest.raises(InvalidTransition, match="The termination date must fall within the contract's dates."):
        terminate(two_years, officer, D(2027, 1, 1))

    two_years.refresh_from_db()
    assert two_years.status == Contract.Status.ACTIVE


def test_a_terminated_contract_cannot_be_amended(two_years, officer):
    terminate(two_years, officer, D(2026, 6, 15))

    with pytest.raises(InvalidTransition, match="Only an active contract can be amended."):
        amend(two_years, officer, {2025: 9 * M, 2026: 3 * M})


def test_an_amendment_emails_both_parties_after_commit(
    two_years, officer, ngo_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        terminate(two_years, officer, D(2026, 6, 15))

    assert sorted(m.to[0] for m in mailoutbox) == sorted([ngo_user.email, officer.email])


# -- reports ------------------------------------------------------------------------------------------------------


@pytest.fixture
def q3_report(contract):
    """A draft report on Q3 2026 (1 July – 30 September), due 10 October 2026."""
    period = contract.periods.get(year=2026, quarter=3)
    assert period.due_date == D(2026, 10, 10)
    return factories.ReportFactory(period=period)


def test_a_report_submitted_at_2359_almaty_on_its_due_date_is_not_late(q3_report, ngo_user, clock):
    clock.move_to(almaty(D(2026, 10, 10), 23, 59))

    report = services.submit_report(report=q3_report, acting_user=ngo_user)

    assert report.status == Report.Status.SUBMITTED
    assert not report.is_late


def test_a_report_submitted_after_midnight_almaty_is_late_though_utc_is_still_on_the_due_date(
    q3_report, ngo_user, clock
):
    # 11 October 00:30 in Almaty is 10 October 19:30 UTC: the due date in UTC, but late in Almaty.
    clock.move_to(almaty(D(2026, 10, 11), 0, 30))
    assert timezone.now().astimezone(dt.UTC).date() == D(2026, 10, 10)

    report = services.submit_report(report=q3_report, acting_user=ngo_user)

    assert report.is_late


def test_a_late_report_stays_late_after_return_and_resubmission(q3_report, ngo_user, officer, clock):
    clock.move_to(almaty(D(2026, 10, 12)))
    services.submit_report(report=q3_report, acting_user=ngo_user)
    services.return_report(report=q3_report, acting_user=officer, comment="Добавьте расходы")

    clock.move_to(almaty(D(2026, 10, 20)))
    report = services.submit_report(report=q3_report, acting_user=ngo_user)

    assert report.first_submitted_at == almaty(D(2026, 10, 12))
    assert report.submitted_at == almaty(D(2026, 10, 20))
    assert report.is_late


def test_a_report_first_submitted_on_time_stays_on_time_when_resubmitted_after_the_due_date(
    q3_report, ngo_user, officer, clock
):
    clock.move_to(almaty(D(2026, 10, 9)))
    services.submit_report(report=q3_report, acting_user=ngo_user)
    services.return_report(report=q3_report, acting_user=officer, comment="Добавьте расходы")

    clock.move_to(almaty(D(2026, 10, 30)))
    report = services.submit_report(report=q3_report, acting_user=ngo_user)

    assert report.status == Report.Status.SUBMITTED
    assert not report.is_late


def test_returning_a_report_needs_a_comment(q3_report, ngo_user, officer):
    services.submit_report(report=q3_report, acting_user=ngo_user)

    with pytest.raises(InvalidTransition, match="Say what must be corrected."):
        services.return_report(report=q3_report, acting_user=officer, comment="   ")

    q3_report.refresh_from_db()
    assert q3_report.status == Report.Status.SUBMITTED


def test_an_accepted_report_cannot_be_returned(q3_report, ngo_user, officer):
    services.submit_report(report=q3_report, acting_user=ngo_user)
    services.accept_report(report=q3_report, acting_user=officer)

    with pytest.raises(InvalidTransition):
        services.return_report(report=q3_report, acting_user=officer, comment="Поздно")

    q3_report.refresh_from_db()
    assert q3_report.status == Report.Status.ACCEPTED
    assert q3_report.reviewed_by == officer


def test_a_draft_cannot_be_accepted(q3_report, officer):
    with pytest.raises(InvalidTransition):
        services.accept_report(report=q3_report, acting_user=officer)


def test_returning_a_report_emails_the_ngo_after_commit(
    q3_report, ngo_user, officer, mailoutbox, django_capture_on_commit_callbacks
):
    services.submit_report(report=q3_report, acting_user=ngo_user)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.return_report(report=q3_report, acting_user=officer, comment="Приложите акты")

    assert [m.to for m in mailoutbox] == [[ngo_user.email]]
    assert mailoutbox[0].subject.startswith(subject_of("Your report was returned"))
    assert "Приложите акты" in mailoutbox[0].body


# -- the scheduled command ------------------------------------------------------------------------------------------


@pytest.fixture
def year_2025(officer, provider, ngo_user, clock):
    """On 5 January 2026: a 2025 contract whose Q1 report is accepted, Q2 submitted, Q3 missing (due 10 Oct:
    overdue), Q4 and the annual report due 10 January (within the 7 days of a reminder)."""
    clock.move_to(almaty(D(2026, 1, 5), 9))
    contract = factories.ContractFactory(agency=officer.agency, provider=provider, call__start_year=2025)
    factories.ReportFactory(period=contract.periods.get(quarter=1), accepted=True)
    factories.ReportFactory(period=contract.periods.get(quarter=2), submitted=True)
    return contract


def subjects(mailoutbox) -> list[tuple[str, str]]:
    return sorted((m.subject.split(":")[0], m.to[0]) for m in mailoutbox)


def test_run_schedule_sends_due_and_overdue_reminders_once_after_commit(
    year_2025, ngo_user, officer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = services.run_schedule()
    assert mailoutbox == []

    for callback in callbacks:
        callback()
    # due soon: Q4 and the annual report (to the NGO); overdue: Q3 (to the NGO and the agency's officers).
    assert result == {"periods": 0, "completed": 0, "due_reminders": 2, "overdue_reminders": 1}
    due, overdue = subject_of("A report is due soon"), subject_of("A report is overdue")
    assert subjects(mailoutbox) == sorted(
        [(due, ngo_user.email), (due, ngo_user.email), (overdue, ngo_user.email), (overdue, officer.email)]
    )


def test_run_schedule_a_second_time_sends_nothing_and_creates_nothing(
    year_2025, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.run_schedule()
    sent, periods = len(mailoutbox), ReportingPeriod.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        result = services.run_schedule()

    assert result == {"periods": 0, "completed": 0, "due_reminders": 0, "overdue_reminders": 0}
    assert len(mailoutbox) == sent
    assert ReportingPeriod.objects.count() == periods


def test_run_schedule_creates_the_missing_periods_of_a_signed_contract(year_2025):
    year_2025.periods.filter(quarter=4).delete()

    result = services.run_schedule()

    assert result["periods"] == 1
    assert year_2025.periods.filter(quarter=4).exists()


def accept_every_report(contract):
    for period in contract.periods.all():
        report = getattr(period, "report", None)
        if report is None:
            factories.ReportFactory(period=period, accepted=True)
        else:
            Report.objects.filter(pk=report.pk).update(status=Report.Status.ACCEPTED)


def test_run_schedule_completes_a_finished_contract_whose_reports_are_all_accepted(year_2025):
    accept_every_report(year_2025)

    result = services.run_schedule()

    year_2025.refresh_from_db()
    assert result["completed"] == 1
    assert year_2025.status == Contract.Status.COMPLETED
    assert year_2025.completed_at is not None
    assert services.run_schedule()["completed"] == 0  # idempotent


def test_run_schedule_does_not_complete_a_contract_with_a_returned_report(year_2025):
    accept_every_report(year_2025)
    Report.objects.filter(period__contract=year_2025, period__quarter=2).update(status=Report.Status.RETURNED)

    result = services.run_schedule()

    year_2025.refresh_from_db()
    assert result["completed"] == 0
    assert year_2025.status == Contract.Status.ACTIVE


def test_run_schedule_does_not_complete_a_contract_that_has_not_ended(contract):
    accept_every_report(contract)  # a 2026 contract on 24 November 2026

    assert services.run_schedule()["completed"] == 0


def test_run_schedule_leaves_unsigned_contracts_without_periods(officer, clock):
    contract = factories.ContractFactory(agency=officer.agency, agency_only=True)

    services.run_schedule()

    assert not contract.periods.exists()

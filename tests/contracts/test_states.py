"""Where each period's report stands (one annotation: the list, its filter, the dashboards, the contract page), whether
a contract is flagged (one annotation: the list's filter and flags column), the tranche balance a report shows, and
the contract's and report's transitions as model methods."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.filters import ContractFilter, PeriodFilter
from contracts.models import Contract, Report, ReportingPeriod
from contracts.panels import ngo_contracts, officer_contracts
from core.exceptions import InvalidTransition
from core.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 24)  # the clock fixture's day
Q = ReportingPeriod.Kind.QUARTERLY
State = ReportingPeriod.State


def period(contract, quarter: int) -> ReportingPeriod:
    if quarter == 0:
        return contract.periods.get(kind=ReportingPeriod.Kind.ANNUAL)
    return contract.periods.get(kind=Q, quarter=quarter)


@pytest.fixture
def contract(clock, officer, provider, ngo_user):
    """A 2026 contract of the officer's agency with the NGO: Q1 accepted, Q2 submitted, Q3 returned (past due),
    Q4 returned (not yet due: it is made due later in the year), the annual report not started (due 10.01.2027)."""
    contract = factories.ContractFactory(agency=officer.agency, provider=provider)
    factories.ReportFactory(period=period(contract, 1), accepted=True)
    factories.ReportFactory(period=period(contract, 2), submitted=True)
    factories.ReportFactory(period=period(contract, 3), returned=True)
    factories.ReportFactory(period=period(contract, 4), returned=True)
    return contract


@pytest.fixture
def behind(clock, officer, provider):
    """A second 2026 contract of the same parties: Q1 has a draft (overdue), Q2 nothing (overdue)."""
    contract = factories.ContractFactory(agency=officer.agency, provider=provider)
    factories.ReportFactory(period=period(contract, 1))
    return contract


def states(contract) -> dict[str, str]:
    rows = ReportingPeriod.objects.filter(contract=contract).with_state(TODAY)
    return {str(p): p.state for p in rows}


def test_each_period_has_one_state(contract, behind):
    assert states(contract) == {
        "2026 Q1": State.ACCEPTED,
        "2026 Q2": State.SUBMITTED,
        "2026 Q3": State.OVERDUE_RETURNED,
        "2026 Q4": State.RETURNED,
        f"2026 — {ReportingPeriod.Kind.ANNUAL.label}": State.DUE,
    }
    assert states(behind)["2026 Q1"] == State.OVERDUE  # a draft past its due date
    assert states(behind)["2026 Q2"] == State.OVERDUE  # nothing at all past its due date


def test_a_period_turns_overdue_the_day_after_its_due_date(contract):
    due = period(contract, 0).due_date
    assert ReportingPeriod.objects.with_state(due).get(pk=period(contract, 0).pk).state == State.DUE
    later = due + dt.timedelta(days=1)
    assert ReportingPeriod.objects.with_state(later).get(pk=period(contract, 0).pk).state == State.OVERDUE


def test_overdue_means_past_due_without_a_submitted_or_accepted_report(contract, behind):
    overdue = ReportingPeriod.objects.overdue(TODAY)
    assert {(p.contract_id, p.quarter) for p in overdue} == {
        (contract.pk, 3),
        (behind.pk, 1),
        (behind.pk, 2),
        (behind.pk, 3),
    }


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("to_review", {"2026 Q2"}),
        ("overdue", {"2026 Q3"}),
        ("returned", {"2026 Q3", "2026 Q4"}),
        ("accepted", {"2026 Q1"}),
    ],
)
def test_the_period_filter_reads_the_state(contract, state, expected):
    rows = PeriodFilter(data={"state": state}, queryset=ReportingPeriod.objects.filter(contract=contract)).qs
    assert {str(p) for p in rows} == expected


def test_the_period_list_shows_each_state_in_words(client, officer, contract, behind):
    client.force_login(officer)
    response = client.get(reverse("contracts:period-list"))
    shown = {
        (row.record.contract_id, row.record.quarter): row.get_cell("report_status")
        for row in response.context["table"].rows
    }
    assert response.status_code == 200
    assert shown == {
        (contract.pk, 1): "accepted",
        (contract.pk, 2): "submitted, to review",
        (contract.pk, 3): "returned, overdue",
        (contract.pk, 4): "returned",
        (contract.pk, 0): "due",
        (behind.pk, 1): "overdue",
        (behind.pk, 2): "overdue",
        (behind.pk, 3): "overdue",
        (behind.pk, 4): "due",
        (behind.pk, 0): "due",
    }


def test_the_officers_panel_lists_reports_to_review_and_overdue(officer, contract, behind):
    panel = officer_contracts(officer)
    assert [str(p) for p in panel["to_review"]] == ["2026 Q2"]
    assert panel["overdue_count"] == 4
    assert {(p.contract_id, p.quarter) for p in panel["overdue"]} == {
        (contract.pk, 3),
        (behind.pk, 1),
        (behind.pk, 2),
        (behind.pk, 3),
    }


def test_the_ngos_panel_separates_due_overdue_and_returned(ngo_user, contract, behind):
    panel = ngo_contracts(ngo_user)
    assert {(p.contract_id, str(p)) for p in panel["due"]} == {
        (contract.pk, "2026 Q4"),  # returned, not yet due
        (contract.pk, str(period(contract, 0))),
        (behind.pk, "2026 Q4"),
        (behind.pk, str(period(behind, 0))),
    }
    assert {(p.contract_id, p.quarter) for p in panel["overdue"]} == {(behind.pk, 1), (behind.pk, 2), (behind.pk, 3)}
    assert {(p.contract_id, p.quarter) for p in panel["returned"]} == {(contract.pk, 3), (contract.pk, 4)}


def test_the_contract_page_marks_overdue_periods_and_offers_to_fill_the_owed_ones(client, ngo_user, contract):
    client.force_login(ngo_user)
    periods = {str(p): p for p in client.get(contract.get_absolute_url()).context["periods"]}
    assert [name for name, p in periods.items() if p.overdue] == ["2026 Q3"]
    assert {name for name, p in periods.items() if p.awaiting_report} == {
        "2026 Q3",
        "2026 Q4",
        str(period(contract, 0)),
    }


# -- flagged -----------------------------------------------------------------------------------------------------


def test_a_contract_is_flagged_by_any_of_its_flags(clock, officer):
    clean = factories.ContractFactory(agency=officer.agency, call__start_year=2027, call__duration_years=1)
    overdue = factories.ContractFactory(agency=officer.agency)  # 2026: Q1–Q3 past due, nothing reported
    terminated = factories.ContractFactory(
        agency=officer.agency,
        call__start_year=2027,
        status=Contract.Status.TERMINATED,
        terminated_on=dt.date(2027, 6, 1),
    )
    rows = {c.pk: c for c in Contract.objects.with_money_and_flags(TODAY)}
    assert (rows[clean.pk].flagged, rows[overdue.pk].flagged, rows[terminated.pk].flagged) == (False, True, True)
    assert (rows[overdue.pk].overdue_reports, rows[terminated.pk].overdue_reports) == (True, False)
    flagged = ContractFilter(data={"flagged": "on"}, queryset=Contract.objects.with_money_and_flags(TODAY)).qs
    assert {c.pk for c in flagged} == {overdue.pk, terminated.pk}


# -- the tranche balance -------------------------------------------------------------------------------------------


def test_the_balance_counts_submitted_and_accepted_quarterly_reports_of_the_year(clock, provider):
    contract = factories.ContractFactory(provider=provider, tranches=["3000000"])
    reports = {
        1: factories.ReportFactory(period=period(contract, 1), accepted=True),
        2: factories.ReportFactory(period=period(contract, 2), submitted=True),
        3: factories.ReportFactory(period=period(contract, 3)),  # a draft: not counted
        0: factories.ReportFactory(period=period(contract, 0), submitted=True),  # annual: not counted
    }
    for quarter, amount in ((1, "400000.50"), (2, "250000"), (3, "90000"), (0, "1000000")):
        factories.ReportExpenseFactory(report=reports[quarter], amount=Decimal(amount))

    balance = period(contract, 4).tranche_balance()

    assert balance.tranche == contract.tranches.get()
    assert (balance.spent, balance.balance) == (Decimal("650000.50"), Decimal("2349999.50"))
    editing_q2 = period(contract, 2).tranche_balance(excluding=reports[2])
    assert (editing_q2.spent, editing_q2.balance) == (Decimal("400000.50"), Decimal("2599999.50"))


def test_a_year_without_a_tranche_has_no_balance(clock, provider):
    contract = factories.ContractFactory(provider=provider, tranches=False)
    assert period(contract, 1).tranche_balance() is None


def test_the_report_page_shows_the_balance(client, clock, ngo_user, provider):
    contract = factories.ContractFactory(provider=provider, tranches=["3000000"])
    report = factories.ReportFactory(period=period(contract, 1), accepted=True)
    factories.ReportExpenseFactory(report=report, amount=Decimal("500000"))
    client.force_login(ngo_user)
    response = client.get(reverse("contracts:report-edit", args=[period(contract, 2).pk]))
    assert (response.context["spent"], response.context["balance"]) == (Decimal("500000"), Decimal("2500000"))


# -- contracts and reports change state through their methods -------------------------------------------------------


def test_signing_twice_for_the_same_party_is_refused(clock, officer):
    contract = factories.ContractFactory(agency=officer.agency, unsigned=True)
    contract.sign(by=officer, party=Contract.AGENCY, now=timezone.now())
    with pytest.raises(InvalidTransition):
        contract.sign(by=officer, party=Contract.AGENCY, now=timezone.now())
    assert [e.action for e in AuditEvent.objects.for_object(contract)] == ["agency signature"]


def test_the_second_signature_activates_the_contract(clock, officer, ngo_user, provider):
    contract = factories.ContractFactory(agency=officer.agency, provider=provider, unsigned=True)
    contract.sign(by=officer, party=Contract.AGENCY, now=timezone.now())
    contract.sign(by=ngo_user, party=Contract.NGO, now=timezone.now())
    contract.refresh_from_db()
    assert (contract.status, contract.provider_signed_by) == (Contract.Status.ACTIVE, ngo_user)
    assert [e.action for e in reversed(AuditEvent.objects.for_object(contract))] == [
        "agency signature",
        "NGO signature",
        "activated",
    ]


def test_a_resubmitted_report_keeps_its_first_submission(clock, officer, ngo_user, provider):
    contract = factories.ContractFactory(agency=officer.agency, provider=provider)
    report = factories.ReportFactory(period=period(contract, 1), returned=True)
    first = report.first_submitted_at

    report.submit(by=ngo_user, now=timezone.now())

    report.refresh_from_db()
    assert (report.status, report.first_submitted_at, report.submitted_at) == (
        Report.Status.SUBMITTED,
        first,
        timezone.now(),
    )


def test_an_accepted_report_cannot_be_returned(clock, officer, provider):
    contract = factories.ContractFactory(agency=officer.agency, provider=provider)
    report = factories.ReportFactory(period=period(contract, 1), accepted=True)
    with pytest.raises(InvalidTransition):
        report.return_(by=officer, comment="Поздно", now=timezone.now())
    assert Report.objects.get(pk=report.pk).status == Report.Status.ACCEPTED


def test_the_list_and_the_red_flags_agree_on_late_payments(clock, officer):
    """One spelling of "a fixed-part payment is late or missing": a tranche paid late, one short past its planned
    date, one paid on time, one planned after the contract was terminated (owed nothing) and one paid only after
    today (not yet late). The list's flag and the red flags name exactly the same contracts."""
    from evaluation.analytics.flags import FlagKind, red_flags

    def contract(planned: dt.date, **kwargs) -> Contract:
        tranche = factories.TrancheFactory(
            contract__agency=officer.agency, contract__call__start_year=2026, planned_date=planned, **kwargs
        )
        return tranche.contract

    paid_late = contract(dt.date(2026, 3, 1))
    factories.PaymentFactory(tranche=paid_late.tranches.get(), amount=Decimal("1000000"), date=dt.date(2026, 3, 9))
    short = contract(dt.date(2026, 3, 1))
    factories.PaymentFactory(tranche=short.tranches.get(), amount=Decimal("400000"))
    on_time = contract(dt.date(2026, 3, 1))
    factories.PaymentFactory(tranche=on_time.tranches.get(), amount=Decimal("1000000"))
    after_termination = contract(dt.date(2026, 9, 1))
    Contract.objects.filter(pk=after_termination.pk).update(
        status=Contract.Status.TERMINATED, terminated_on=dt.date(2026, 8, 1)
    )
    paid_tomorrow = contract(dt.date(2026, 11, 1))
    factories.PaymentFactory(
        tranche=paid_tomorrow.tranches.get(), amount=Decimal("1000000"), date=TODAY + dt.timedelta(days=1)
    )

    rows = Contract.objects.with_money_and_flags(TODAY)
    listed = {c.pk for c in rows if c.late_payments}
    flagged = {flag.contract_id for flag in red_flags(today=TODAY, kinds=[FlagKind.LATE_PAYMENT])}

    assert listed == {paid_late.pk, short.pk, paid_tomorrow.pk}
    assert flagged == listed

"""The contract pages: preparing, signing, reports and their review, payments and amendments, the list with its
export, and what the public sees."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts import services
from contracts.models import Amendment, Contract, Payment, Report, ReportingPeriod
from core.models import Indicator
from core.templatetags.gsz import money
from tests import factories

D = dt.date
M = Decimal("1000000")


def management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def last_message(response) -> str:
    """Return the message the action added (earlier ones wait in the storage when redirects are not followed)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


# -- preparing and signing ----------------------------------------------------------------------------------------


@pytest.fixture
def awarded(officer, provider, ngo_user, clock):
    """A 2026 call of the officer's agency (10 M budget) awarded to the provider's bid of 9 M; its standstill ended
    on 9 November 2026 (clock: 24 November 2026)."""
    call = factories.AwardedCallFactory(agency=officer.agency, start_year=2026)
    factories.CallTargetFactory(call=call, year=2026, value=Decimal("70"))
    factories.WinningBidFactory(call=call, provider=provider, price=9 * M)
    return call


def prepare_post(response) -> dict:
    """Return what the browser sends back for the pre-filled prepare form, unchanged."""
    form, tranches, targets = response.context["form"], response.context["tranches"], response.context["targets"]
    data = {
        "number": form.initial["number"],
        "start_date": form.initial["start_date"].isoformat(),
        "end_date": form.initial["end_date"].isoformat(),
        "scope": form.initial["scope"],
        **management("tranches", len(tranches.initial)),
        **management("targets", len(targets.initial)),
    }
    for i, row in enumerate(tranches.initial):
        data.update(
            {
                f"tranches-{i}-year": row["year"],
                f"tranches-{i}-amount": str(row["amount"]),
                f"tranches-{i}-planned_date": row["planned_date"].isoformat(),
                f"tranches-{i}-funding_source": row["funding_source"],
            }
        )
    for i, row in enumerate(targets.initial):
        data.update(
            {
                f"targets-{i}-year": row["year"],
                f"targets-{i}-indicator": row["indicator"].pk,
                f"targets-{i}-value": row["value"],
            }
        )
    return data


def test_the_prepare_page_is_prefilled_from_the_call_and_the_winning_bid(client, officer, awarded):
    client.force_login(officer)

    response = client.get(reverse("contracts:prepare", args=[awarded.pk]))

    assert response.status_code == 200
    initial = response.context["form"].initial
    # the standstill ended on 9 November, so the contract starts the day after and runs to the end of the year
    assert (initial["number"], initial["start_date"], initial["end_date"]) == (
        f"Д-{awarded.number}",
        D(2026, 11, 10),
        D(2026, 12, 31),
    )
    [tranche] = response.context["tranches"].initial
    assert (tranche["year"], tranche["amount"], tranche["planned_date"]) == (2026, 9 * M, D(2026, 12, 10))
    [target] = response.context["targets"].initial
    assert (target["indicator"].code, target["value"]) == ("cm-closed-positive", 70)


def test_the_officer_prepares_the_contract_by_posting_the_prefilled_form(client, officer, awarded):
    client.force_login(officer)
    data = prepare_post(client.get(reverse("contracts:prepare", args=[awarded.pk])))

    response = client.post(reverse("contracts:prepare", args=[awarded.pk]), data)

    contract = Contract.objects.get()
    assert response.status_code == 302
    assert response["Location"] == contract.get_absolute_url()
    assert contract.status == Contract.Status.PENDING
    assert contract.total == 9 * M
    assert contract.targets.get().value == 70


def test_preparing_with_tranches_that_do_not_sum_shows_the_error_and_creates_nothing(client, officer, awarded):
    client.force_login(officer)
    data = prepare_post(client.get(reverse("contracts:prepare", args=[awarded.pk])))
    data["tranches-0-amount"] = "8999999"

    response = client.post(reverse("contracts:prepare", args=[awarded.pk]), data)

    assert response.status_code == 400
    assert (
        "The tranches sum to 8,999,999 ₸, not the total of 9,000,000 ₸." in response.context["form"].non_field_errors()
    )
    assert not Contract.objects.exists()


def test_the_prepare_page_is_forbidden_to_an_officer_of_another_agency(client, other_officer, awarded):
    client.force_login(other_officer)

    assert client.get(reverse("contracts:prepare", args=[awarded.pk])).status_code == 403


@pytest.fixture
def pending(client, officer, awarded):
    client.force_login(officer)
    client.post(
        reverse("contracts:prepare", args=[awarded.pk]),
        prepare_post(client.get(reverse("contracts:prepare", args=[awarded.pk]))),
    )
    return Contract.objects.get()


def test_the_officer_signs_and_the_ngo_counter_signs(client, officer, ngo_user, pending):
    client.force_login(officer)
    response = client.post(reverse("contracts:sign", args=[pending.pk]))
    assert last_message(response) == "Signed. Waiting for the other party."

    client.force_login(ngo_user)
    page = client.get(pending.get_absolute_url())
    assert page.context["can_sign"]
    response = client.post(reverse("contracts:sign", args=[pending.pk]))

    pending.refresh_from_db()
    assert last_message(response) == "Signed by both parties: the contract is active."
    assert pending.status == Contract.Status.ACTIVE
    # 10 Nov – 31 Dec 2026: Q4 and the annual report
    assert sorted(pending.periods.values_list("kind", "start", "end")) == [
        ("annual", D(2026, 11, 10), D(2026, 12, 31)),
        ("quarterly", D(2026, 11, 10), D(2026, 12, 31)),
    ]


def test_another_ngo_cannot_sign(client, other_ngo_user, pending):
    client.force_login(other_ngo_user)

    assert client.post(reverse("contracts:sign", args=[pending.pk])).status_code == 403


# -- reports ------------------------------------------------------------------------------------------------------


@pytest.fixture
def active(officer, ngo_user, pending):
    services.sign(contract=pending, acting_user=officer)
    services.sign(contract=pending, acting_user=ngo_user)
    return pending


@pytest.fixture
def annual(active):
    return active.periods.get(kind=ReportingPeriod.Kind.ANNUAL)


def report_post(indicator: Indicator, *, submit: bool, value="75", expense_id=None, spent="450000") -> dict:
    data = {
        "narrative": "Сопровождено 42 ребёнка.",
        "children_served": "42",
        "families_served": "20",
        **management("expenses", 1, initial=1 if expense_id else 0),
        "expenses-0-item": "Оплата труда",
        "expenses-0-amount": spent,
        f"actual_{indicator.pk}": value,
    }
    if expense_id:
        data["expenses-0-id"] = str(expense_id)
    if submit:
        data["submit"] = "1"
    return data


def test_the_ngo_fills_a_report_with_expenses_and_actuals_and_submits_it(client, ngo_user, annual):
    indicator = Indicator.objects.get(code="cm-closed-positive")
    client.force_login(ngo_user)
    form = client.get(reverse("contracts:report-edit", args=[annual.pk])).context["form"]
    assert f"actual_{indicator.pk}" in form.fields

    response = client.post(reverse("contracts:report-edit", args=[annual.pk]), report_post(indicator, submit=True))

    report = Report.objects.get(period=annual)
    assert response["Location"] == report.get_absolute_url()
    assert last_message(response) == "The report is submitted."
    assert report.status == Report.Status.SUBMITTED
    assert report.children_served == 42
    assert list(report.expenses.values_list("item", "amount")) == [("Оплата труда", Decimal("450000"))]
    assert list(report.actuals.values_list("indicator__code", "value")) == [("cm-closed-positive", Decimal("75"))]


def test_the_ngo_saves_a_draft_without_submitting(client, ngo_user, annual):
    client.force_login(ngo_user)

    client.post(
        reverse("contracts:report-edit", args=[annual.pk]),
        report_post(Indicator.objects.get(code="cm-closed-positive"), submit=False),
    )

    assert Report.objects.get(period=annual).status == Report.Status.DRAFT


def test_a_percent_actual_above_100_is_refused(client, ngo_user, annual):
    client.force_login(ngo_user)

    response = client.post(
        reverse("contracts:report-edit", args=[annual.pk]),
        report_post(Indicator.objects.get(code="cm-closed-positive"), submit=True, value="101"),
    )

    assert response.status_code == 400
    assert not Report.objects.exists()


@pytest.fixture
def submitted(client, ngo_user, annual):
    client.force_login(ngo_user)
    client.post(
        reverse("contracts:report-edit", args=[annual.pk]),
        report_post(Indicator.objects.get(code="cm-closed-positive"), submit=True),
    )
    return Report.objects.get(period=annual)


def test_the_officer_returns_a_report_with_a_comment(client, officer, submitted):
    client.force_login(officer)

    client.post(reverse("contracts:report-review", args=[submitted.pk, "return"]), {"comment": "Приложите списки"})

    submitted.refresh_from_db()
    assert submitted.status == Report.Status.RETURNED
    assert submitted.return_comment == "Приложите списки"


def test_returning_without_a_comment_is_refused_with_a_message(client, officer, submitted):
    client.force_login(officer)

    response = client.post(reverse("contracts:report-review", args=[submitted.pk, "return"]), {"comment": ""})

    submitted.refresh_from_db()
    assert last_message(response) == "Say what must be corrected."
    assert submitted.status == Report.Status.SUBMITTED


def test_the_ngo_resubmits_a_returned_report_and_the_officer_accepts_it(client, officer, ngo_user, submitted, annual):
    client.force_login(officer)
    client.post(reverse("contracts:report-review", args=[submitted.pk, "return"]), {"comment": "Исправьте расходы"})
    client.force_login(ngo_user)
    page = client.get(reverse("contracts:report-edit", args=[annual.pk]))
    assert "Исправьте расходы" in page.content.decode()
    expense = submitted.expenses.get()

    client.post(
        reverse("contracts:report-edit", args=[annual.pk]),
        report_post(
            Indicator.objects.get(code="cm-closed-positive"), submit=True, expense_id=expense.pk, spent="460000"
        ),
    )
    submitted.refresh_from_db()
    assert submitted.status == Report.Status.SUBMITTED
    assert list(submitted.expenses.values_list("amount", flat=True)) == [Decimal("460000")]

    client.force_login(officer)
    response = client.post(reverse("contracts:report-review", args=[submitted.pk, "accept"]))

    submitted.refresh_from_db()
    assert last_message(response) == "The report is accepted."
    assert submitted.status == Report.Status.ACCEPTED
    assert submitted.reviewed_by == officer


def test_the_ngo_cannot_review_its_own_report(client, ngo_user, submitted):
    client.force_login(ngo_user)

    assert client.post(reverse("contracts:report-review", args=[submitted.pk, "accept"])).status_code == 403


def test_a_submitted_report_is_not_editable_and_the_edit_page_sends_to_it(client, ngo_user, submitted, annual):
    client.force_login(ngo_user)

    response = client.get(reverse("contracts:report-edit", args=[annual.pk]))

    assert response.status_code == 302
    assert response["Location"] == submitted.get_absolute_url()


# -- payments and amendments --------------------------------------------------------------------------------------


@pytest.fixture
def contract(officer, provider, ngo_user, clock):
    """An active 2025–2026 contract of 18 M: tranches of 9 M each (2025 planned 31 Jan 2025, 2026 on 1 Mar 2026)."""
    return factories.ContractFactory(
        agency=officer.agency, provider=provider, call__start_year=2025, call__duration_years=2
    )


def test_the_officer_records_a_payment_on_the_payment_page(client, officer, contract):
    client.force_login(officer)
    tranche = contract.tranches.get(year=2026)
    assert client.get(reverse("contracts:payment-create", args=[contract.pk])).status_code == 200

    response = client.post(
        reverse("contracts:payment-create", args=[contract.pk]),
        {"tranche": tranche.pk, "kind": "fixed", "date": "2026-03-05", "amount": "4500000.50"},
    )

    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.tranche, payment.amount, payment.is_late) == (tranche, Decimal("4500000.50"), True)
    page = client.get(contract.get_absolute_url()).content.decode()
    assert "paid late" in page


def test_a_payment_over_the_remaining_part_shows_the_error(client, officer, contract):
    client.force_login(officer)

    response = client.post(
        reverse("contracts:payment-create", args=[contract.pk]),
        {
            "tranche": contract.tranches.get(year=2026).pk,
            "kind": "fixed",
            "date": "2026-03-05",
            "amount": "9000000.01",
        },
    )

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "The payment exceeds what remains of this part of the tranche (9,000,000 ₸)."
    ]
    assert not Payment.objects.exists()


def test_a_payment_dated_tomorrow_is_refused_by_the_form(client, officer, contract):
    client.force_login(officer)

    response = client.post(
        reverse("contracts:payment-create", args=[contract.pk]),
        {"tranche": contract.tranches.get(year=2026).pk, "kind": "fixed", "date": "2026-11-25", "amount": "1"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["date"] == ["A payment cannot be dated in the future."]


def test_the_ngo_cannot_open_the_payment_page(client, ngo_user, contract):
    client.force_login(ngo_user)

    assert client.get(reverse("contracts:payment-create", args=[contract.pk])).status_code == 403


def test_the_amount_amendment_page_shows_the_tranches_and_records_a_cut(client, officer, contract):
    client.force_login(officer)
    url = reverse("contracts:amend", args=[contract.pk, "amount"])
    form = client.get(url).context["form"]
    assert (form.fields["amount_2025"].initial, form.fields["amount_2026"].initial) == (9 * M, 9 * M)

    response = client.post(
        url,
        {
            "amount_2025": "9000000",
            "amount_2026": "6000000",
            "effective_date": "2026-11-24",
            "reason_code": "budget-cut",
            "reason_text": "Сокращение бюджета",
        },
    )

    assert response.status_code == 302
    amendment = Amendment.objects.get()
    assert amendment.value_change == -3 * M  # 15 M − 18 M
    assert "value reduced" in client.get(contract.get_absolute_url()).content.decode()


def test_the_end_date_amendment_page_moves_the_end(client, officer, contract):
    client.force_login(officer)

    client.post(
        reverse("contracts:amend", args=[contract.pk, "end-date"]),
        {"end_date": "2026-10-31", "reason_code": "other", "reason_text": "Досрочное завершение программы"},
    )

    contract.refresh_from_db()
    assert contract.end_date == D(2026, 10, 31)


def test_an_end_date_in_a_year_without_a_tranche_shows_the_error(client, officer, contract):
    client.force_login(officer)

    response = client.post(
        reverse("contracts:amend", args=[contract.pk, "end-date"]),
        {"end_date": "2027-03-31", "reason_code": "other", "reason_text": "Продление"},
    )

    assert response.status_code == 400
    [error] = response.context["form"].non_field_errors()
    assert error.startswith("The end date must fall in 2026")


def test_the_termination_page_terminates_the_contract(client, officer, contract):
    client.force_login(officer)

    client.post(
        reverse("contracts:amend", args=[contract.pk, "terminate"]),
        {"on": "2026-06-15", "reason_code": "non-performance", "reason_text": "Услуги не оказываются"},
    )

    contract.refresh_from_db()
    assert (contract.status, contract.terminated_on) == (Contract.Status.TERMINATED, D(2026, 6, 15))


def test_the_scope_amendment_page_changes_the_scope(client, officer, contract):
    client.force_login(officer)

    client.post(
        reverse("contracts:amend", args=[contract.pk, "scope"]),
        {"scope": "Расширенный объём", "reason_code": "scope-change", "reason_text": "Рост потребности"},
    )

    contract.refresh_from_db()
    assert contract.scope == "Расширенный объём"


def test_an_unknown_amendment_kind_is_not_found(client, officer, contract):
    client.force_login(officer)

    assert client.get(reverse("contracts:amend", args=[contract.pk, "price"])).status_code == 404


def test_an_officer_of_another_agency_cannot_amend(client, other_officer, contract):
    client.force_login(other_officer)

    assert client.get(reverse("contracts:amend", args=[contract.pk, "amount"])).status_code == 403


# -- the list and its export ----------------------------------------------------------------------------------------


def make_contracts(n: int, agency) -> list[Contract]:
    contracts = []
    for _ in range(n):
        contract = factories.ContractFactory(agency=agency)
        factories.PaymentFactory(tranche=contract.tranches.get(), date=D(2026, 2, 1))
        contracts.append(contract)
    return contracts


def list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("contracts:contract-list"))
    assert response.status_code == 200
    return len(queries)


def test_the_contract_list_runs_as_many_queries_for_30_contracts_as_for_3(
    client, officer, clock, django_assert_max_num_queries
):
    client.force_login(officer)
    make_contracts(3, officer.agency)
    with_three = list_queries(client)
    make_contracts(27, officer.agency)

    with django_assert_max_num_queries(with_three):
        response = client.get(reverse("contracts:contract-list"))

    assert len(response.context["table"].page.object_list) == 25  # the first page of 30


def test_the_contract_list_export_has_every_filtered_row_not_only_the_first_page(client, officer, clock):
    client.force_login(officer)
    contracts = make_contracts(30, officer.agency)
    Contract.objects.filter(pk__in=[c.pk for c in contracts[:2]]).update(
        status=Contract.Status.TERMINATED, terminated_on=D(2026, 6, 1)
    )

    everything = client.get(reverse("contracts:contract-list"), {"export": "csv"})
    terminated = client.get(reverse("contracts:contract-list"), {"export": "csv", "status": "terminated"})

    rows = csv_rows(everything)
    assert len(rows) == 1 + 30  # the header and every contract, beyond the 25 of a page
    assert {row[0] for row in rows[1:]} == {c.number for c in contracts}
    filtered = csv_rows(terminated)
    assert sorted(row[0] for row in filtered[1:]) == sorted(c.number for c in contracts[:2])


def test_an_ngo_lists_only_its_own_contracts(client, ngo_user, provider, officer, clock):
    own = factories.ContractFactory(agency=officer.agency, provider=provider)
    factories.ContractFactory(agency=officer.agency)
    client.force_login(ngo_user)

    response = client.get(reverse("contracts:contract-list"))

    assert [row.record.pk for row in response.context["table"].page.object_list] == [own.pk]


# -- what the public sees -------------------------------------------------------------------------------------------


def test_the_public_sees_the_contract_summary_without_payments(client, contract, officer):
    factories.PaymentFactory(tranche=contract.tranches.get(year=2025), amount=Decimal("1234567.89"))

    response = client.get(contract.get_absolute_url())

    page = response.content.decode()
    assert response.status_code == 200
    assert contract.number in page
    assert money(contract.total) in page
    assert money(9 * M) in page  # planned amount per year: a public fact
    assert money(Decimal("1234567.89")) not in page
    assert "Fixed part paid" not in page
    assert "Record a payment" not in page
    assert not response.context["details"]
    assert response.context["periods"] == []


def test_the_public_sees_no_outcome_payments_or_report_actuals(client, officer, clock):
    contract = factories.ContractFactory(agency=officer.agency, call__outcome_share=Decimal("20"))
    factories.TargetFactory(contract=contract, year=2026, value=70)
    factories.annual_report(contract, 2026, {"cm-closed-positive": "63.5"})
    factories.PaymentFactory(tranche=contract.tranches.get(), kind="outcome", amount=Decimal("765432.10"))

    page = client.get(contract.get_absolute_url()).content.decode()

    assert 'data-testid="outcome-payments"' not in page
    assert money(Decimal("765432.10")) not in page
    assert "63,5" not in page
    assert "63.5" not in page


def test_the_public_contract_list_has_no_paid_column(client, contract):
    response = client.get(reverse("contracts:contract-list"))

    assert response.status_code == 200
    columns = [column.name for column in response.context["table"].columns]
    assert "paid" not in columns
    assert "flags" not in columns
    assert contract.number in response.content.decode()


def test_the_public_export_has_no_paid_column(client, contract):
    response = client.get(reverse("contracts:contract-list"), {"export": "csv"})

    [header, row] = csv_rows(response)
    assert len(header) == len(row) == 7  # number, status, NGO, region, service, years, total
    assert row[0] == contract.number


def test_the_public_cannot_open_a_report(client, contract):
    report = factories.annual_report(contract, 2025)

    response = client.get(report.get_absolute_url())

    assert response.status_code == 302  # to the login page

"""The property of issue 12: a dataset entered through the system and the same dataset imported give the same
coverage matrix and the same stability table.

Each example enters contracts (and failed calls) with the factories the analytics tests use, reads them back as
import sheets, measures coverage and stability, and rolls back; then imports those sheets into the empty system,
measures again and rolls back. The two measurements must be equal."""

import datetime as dt
from contextlib import contextmanager

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.models import Contract
from core.imports import services
from core.models import Agency
from core.util import local_date
from evaluation.analytics.coverage import coverage_matrix
from evaluation.analytics.stability import stability_table
from providers.models import Provider
from tenders.models import Call
from tests import factories as f
from tests.imports.util import upload, xlsx

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 1)
REGIONS = ("75", "35")
YEARS = range(2018, 2023)


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def measure() -> tuple:
    regions = [f.region(code) for code in REGIONS]
    cells = []
    for year in YEARS:
        for cell in coverage_matrix(year, today=TODAY, regions=regions).cells:
            cells.append(
                (
                    cell.region.code,
                    cell.service_type.code,
                    year,
                    cell.status,
                    cell.since,
                    cell.money_planned,
                    cell.money_paid,
                    len(cell.contract_ids),
                    cell.provider_count,
                    len(cell.calls),
                    len(cell.failed_calls),
                    cell.calls_past_deadline,
                    cell.submitted_bids,
                )
            )
    rows = [
        (
            r.region.code,
            r.service_type.code,
            tuple(sorted(r.money.items())),
            r.cv,
            r.gap_days,
            r.longest_gap,
            tuple(r.gaps),
            r.multi_year_share,
            r.late_start_median,
            r.churn,
            r.calls_ended,
            r.single_bid_calls,
            r.failed_calls,
            r.verdict,
        )
        for r in stability_table(YEARS[0], YEARS[-1], today=TODAY, regions=regions)
    ]
    return cells, rows


def as_sheets(agencies) -> dict:
    """Read the system's records back as import sheets."""
    now = timezone.now()
    sheets = {"providers": [], "calls": [], "contracts": [], "tranches": [], "payments": []}
    for provider in Provider.objects.filter(contracts__isnull=False).distinct():
        sheets["providers"].append(
            {
                "bin": provider.bin,
                "name_ru": provider.name_ru,
                "name_kk": provider.name_kk,
                "legal_form": provider.legal_form,
                "registration_date": provider.registration_date.isoformat(),
                "home_region": provider.home_region.kato,
                "address": provider.address,
                "phone": provider.phone,
                "email": provider.email,
            }
        )
    for call in Call.objects.with_submitted_bids(now).filter(agency__in=agencies).prefetch_related("budget_lines"):
        lines = {line.year: line.amount for line in call.budget_lines.all()}
        decided = call.decided_at or call.cancelled_at
        sheets["calls"].append(
            {
                "number": call.number,
                "agency_bin": call.agency.bin,
                "region": call.region.kato,
                "service_type": call.service_type.code,
                "title_ru": call.title_ru,
                "start_year": str(call.start_year),
                "duration_years": str(call.duration_years),
                **{f"budget_year_{i + 1}": str(lines[year]) for i, year in enumerate(call.years)},
                "opens_on": local_date(call.opens_at).isoformat(),
                "deadline": local_date(call.deadline).isoformat(),
                "decided_on": local_date(decided).isoformat(),
                "status": call.status,
                "submitted_bids": str(call.submitted_bids),
            }
        )
    for contract in Contract.objects.filter(agency__in=agencies).select_related("call", "provider"):
        sheets["contracts"].append(
            {
                "number": contract.number,
                "call_number": contract.call.number,
                "provider_bin": contract.provider.bin,
                "start_date": contract.start_date.strftime("%d.%m.%Y"),
                "end_date": contract.end_date.strftime("%d.%m.%Y"),
                "total": str(contract.total),
                "signed_on": local_date(contract.agency_signed_at).strftime("%d.%m.%Y"),
                "terminated_on": contract.terminated_on.strftime("%d.%m.%Y") if contract.terminated_on else "",
            }
        )
        for tranche in contract.tranches.all():
            sheets["tranches"].append(
                {
                    "contract_number": contract.number,
                    "year": str(tranche.year),
                    "fixed_amount": str(tranche.fixed_amount),
                    "outcome_amount": str(tranche.outcome_amount),
                    "planned_date": tranche.planned_date.isoformat(),
                }
            )
            for payment in tranche.payments.all():
                sheets["payments"].append(
                    {
                        "contract_number": contract.number,
                        "year": str(tranche.year),
                        "kind": payment.kind,
                        "date": payment.date.isoformat(),
                        "amount": str(payment.amount),
                    }
                )
    for name in list(sheets):
        if not sheets[name]:
            del sheets[name]
    return sheets


contract_specs = st.lists(
    st.tuples(
        st.sampled_from(REGIONS),
        st.integers(2018, 2021),  # first year
        st.integers(1, 2),  # years
        st.sampled_from([500_000, 1_000_000, 2_000_000]),
        st.sampled_from([None, 120, 300]),  # terminated this many days after the start
        st.booleans(),  # one payment of the first tranche
    ),
    min_size=1,
    max_size=4,
)
failed_specs = st.lists(st.tuples(st.sampled_from(REGIONS), st.integers(2018, 2022)), max_size=2)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(contracts=contract_specs, failed=failed_specs)
def test_entered_and_imported_give_the_same_coverage_and_stability(admin_user, contracts, failed):
    agencies = {
        code: Agency.objects.get_or_create(
            bin=f.valid_bin(40 + i, year_month="9911"),
            defaults={
                "name_ru": f"Ведомство {code}",
                "name_kk": f"Мекеме {code}",
                "level": "regional",
                "region": f.region(code),
            },
        )[0]
        for i, code in enumerate(REGIONS)
    }
    with rolled_back():
        for region, first, years, amount, terminated, paid in contracts:
            start, end = dt.date(first, 3, 1), dt.date(first + years - 1, 12, 31)
            contract = f.served_contract(
                start=start,
                end=end,
                amounts=[amount] * years,
                region_code=region,
                agency=agencies[region],
                terminated_on=start + dt.timedelta(days=terminated) if terminated else None,
            )
            if paid:
                tranche = contract.tranches.order_by("year").first()
                f.PaymentFactory(tranche=tranche, amount=tranche.fixed_amount, date=tranche.planned_date)
        for region, year in failed:
            opens = f.almaty(dt.date(year - 1, 10, 1))
            f.CallFactory(
                agency=agencies[region],
                region=f.region(region),
                start_year=year,
                status=Call.Status.FAILED,
                opens_at=opens,
                deadline=opens + dt.timedelta(days=30),
                decided_at=opens + dt.timedelta(days=40),
            )
        entered = measure()
        sheets = as_sheets(list(agencies.values()))
    with rolled_back():
        batch = upload(admin_user, xlsx(sheets))
        assert batch.status == "ready", batch.problems[:5]
        services.commit(user=admin_user, batch=batch)
        imported = measure()
    assert imported == entered

"""A competition with one admitted bid is valid and may be awarded: a *risk* flag (single bid), never a failure.
Coverage and stability treat its award like any other; the failed-call share counts only calls that ended
without a contract (failed, or cancelled after publication)."""

import datetime as dt
from decimal import Decimal

import pytest

from evaluation.analytics.coverage import CellStatus, coverage_matrix
from evaluation.analytics.flags import FlagKind, red_flags
from evaluation.analytics.stability import stability_table
from tenders.models import Bid, Call
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 1)
CM = "case-management"


def test_a_single_bid_award_counts_like_any_other_award_and_is_never_a_failure():
    # Two identical services in two regions; the Almaty contract came from a call with one bid (its winner), the
    # Astana one from a call with three submitted bids.
    single = f.served_contract(start=dt.date(2024, 1, 1), end=dt.date(2025, 12, 31), region_code="75")
    several = f.served_contract(start=dt.date(2024, 1, 1), end=dt.date(2025, 12, 31), region_code="71")
    for _ in range(2):
        f.BidFactory(
            call=several.call,
            status=Bid.Status.NOT_SELECTED,
            submitted_at=several.call.deadline - dt.timedelta(days=1),
        )
    f.closed_call(start_year=2025, status=Call.Status.FAILED, region_code="75", bids=0)  # ended without a contract

    for year in (2024, 2025):
        matrix = coverage_matrix(year, today=TODAY)
        a, b = matrix.cell(f.region("75"), f.service(CM)), matrix.cell(f.region("71"), f.service(CM))
        assert (a.status, a.money_planned) == (b.status, b.money_planned)
        assert a.status in (CellStatus.COVERED, CellStatus.ENDING)

    rows = {row.region.code: row for row in stability_table(2021, 2025, today=TODAY) if row.service_type.code == CM}
    almaty, astana = rows["75"], rows["71"]
    assert (almaty.money, almaty.verdict, almaty.gap_days) == (astana.money, astana.verdict, astana.gap_days)
    # Almaty: the single-bid award and the failed call ended; only the failed one counts as failed.
    assert (almaty.calls_ended, almaty.single_bid_calls, almaty.failed_calls) == (2, 1, 1)
    assert almaty.failed_call_share == Decimal("0.5")
    assert (astana.calls_ended, astana.single_bid_calls, astana.failed_calls) == (1, 0, 0)

    # The single bid is a risk flag on the awarded call, which stays awarded.
    flags = red_flags(today=TODAY, kinds=[FlagKind.SINGLE_BID])
    assert [flag.call_id for flag in flags] == [single.call_id]
    single.call.refresh_from_db()
    assert single.call.status == Call.Status.AWARDED

"""The commission's arithmetic on hand-worked cases (DESIGN.md, tenders: scores, quorum, ranking).

Default weights, in the order of the call's criteria: methodology 30, experience 20, staff 20, indicators 15,
budget 15. A member's score = Σ(weight × score) ÷ 10.
"""

import datetime as dt
from decimal import Decimal

import pytest

from tenders.models import Bid
from tenders.scoring import BidResult, bid_results, member_score, rank
from tests import factories

WEIGHTS = {1: 30, 2: 20, 3: 20, 4: 15, 5: 15}

# Sheets used below, with their arithmetic:
S71 = [8, 7, 6, 9, 5]  # 30×8 + 20×7 + 20×6 + 15×9 + 15×5 = 240 + 140 + 120 + 135 + 75 = 710 → 71.0
S71_5 = [8, 8, 6, 9, 4]  # 240 + 160 + 120 + 135 + 60 = 715 → 71.5
S72 = [8, 6, 6, 10, 6]  # 240 + 120 + 120 + 150 + 90 = 720 → 72.0
S45 = [5, 4, 4, 5, 4]  # 150 + 80 + 80 + 75 + 60 = 445 → 44.5
TENS = [10] * 5  # 300 + 200 + 200 + 150 + 150 = 1000 → 100.0


def as_values(sheet):
    return dict(zip(WEIGHTS, sheet, strict=True))


# -- a member's score -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sheet", "expected"),
    [
        (S71, Decimal("71")),
        (S71_5, Decimal("71.5")),
        (S72, Decimal("72")),
        (S45, Decimal("44.5")),
        (TENS, Decimal("100")),
        ([0] * 5, Decimal("0")),
        # only the methodology criterion: 30 × 10 = 300 → 30.0
        ([10, 0, 0, 0, 0], Decimal("30")),
        # 15 × 1 = 15 → 1.5: a single point on a 15 % criterion is worth half a point of the 0–100 score
        ([0, 0, 0, 0, 1], Decimal("1.5")),
    ],
)
def test_member_score_is_the_weighted_sum_divided_by_ten(sheet, expected):
    assert member_score(WEIGHTS, as_values(sheet)) == expected


def test_member_score_of_an_incomplete_set_is_none():
    values = as_values(S71)
    del values[5]

    assert member_score(WEIGHTS, values) is None


def test_member_score_with_a_score_for_an_unknown_criterion_is_none():
    assert member_score(WEIGHTS, {**as_values(S71), 99: 5}) is None


# -- a bid's result from the database ---------------------------------------------------------------------------


@pytest.fixture
def call(officer, clock):
    """A call under evaluation: deadline passed yesterday, bids opened."""
    now = dt.datetime.fromisoformat("2026-11-24 10:00+05:00")
    return factories.CallFactory(
        agency=officer.agency,
        created_by=officer,
        status="evaluation",
        opens_at=now - dt.timedelta(days=20),
        deadline=now - dt.timedelta(days=1),
        opened_at=now - dt.timedelta(hours=20),
    )


@pytest.fixture
def members(call):
    return [factories.CommissionMemberFactory(call=call, is_chair=i == 0) for i in range(5)]


def admitted_bid(call, minutes_before_deadline=60):
    return factories.BidFactory(
        call=call,
        status=Bid.Status.ADMITTED,
        submitted_at=call.deadline - dt.timedelta(minutes=minutes_before_deadline),
    )


def result_of(call, bid) -> BidResult:
    return bid_results(call, [bid])[0]


def test_a_bids_result_is_the_mean_of_its_members_scores(call, members):
    bid = admitted_bid(call)
    for member, sheet in zip(members, (S71, S72, TENS), strict=False):
        factories.score_sheet(member, bid, sheet)

    result = result_of(call, bid)

    # (71 + 72 + 100) ÷ 3 = 243 ÷ 3 = 81
    assert result.result == Decimal("81")
    assert result.complete_sheets == 3
    assert result.member_scores == {
        members[0].pk: Decimal("71"),
        members[1].pk: Decimal("72"),
        members[2].pk: Decimal("100"),
    }


def test_an_incomplete_sheet_is_ignored_even_when_submitted(call, members):
    bid = admitted_bid(call)
    factories.score_sheet(members[0], bid, S71)
    factories.score_sheet(members[1], bid, [10, 10, 10, 10, None])  # the budget criterion is not scored

    result = result_of(call, bid)

    # only the complete sheet counts: 71 ÷ 1 = 71, not (71 + 85) ÷ 2
    assert result.result == Decimal("71")
    assert result.complete_sheets == 1


def test_an_unsubmitted_sheet_is_ignored(call, members):
    bid = admitted_bid(call)
    factories.score_sheet(members[0], bid, S71)
    factories.score_sheet(members[1], bid, TENS, submitted=False)

    result = result_of(call, bid)

    # 71, not (71 + 100) ÷ 2 = 85.5
    assert result.result == Decimal("71")
    assert result.complete_sheets == 1


def test_a_recused_member_is_left_out_of_that_bids_mean_only(call, members):
    first, second = admitted_bid(call, 120), admitted_bid(call, 60)
    factories.ConflictDeclarationFactory(member=members[1], bid=first, has_conflict=True)
    factories.ConflictDeclarationFactory(member=members[1], bid=second, has_conflict=False)
    for bid in (first, second):
        factories.score_sheet(members[0], bid, S71)
        factories.score_sheet(members[1], bid, TENS)  # a sheet written despite the conflict must not count

    results = {r.bid.pk: r for r in bid_results(call, [first, second])}

    # first: member 1 is recused → 71 ÷ 1 = 71; second: (71 + 100) ÷ 2 = 85.5
    assert results[first.pk].result == Decimal("71")
    assert results[first.pk].recused == 1
    assert results[first.pk].complete_sheets == 1
    assert results[second.pk].result == Decimal("85.5")
    assert results[second.pk].recused == 0


def test_a_bid_without_complete_sheets_has_no_result(call, members):
    bid = admitted_bid(call)
    factories.score_sheet(members[0], bid, S71, submitted=False)

    result = result_of(call, bid)

    assert result.result is None
    assert result.complete_sheets == 0
    assert not result.has_quorum


# -- quorum -----------------------------------------------------------------------------------------------------


def test_quorum_is_three_complete_sheets_by_default(call, members):
    bid = admitted_bid(call)
    factories.score_sheet(members[0], bid, S71)
    factories.score_sheet(members[1], bid, S72)
    factories.score_sheet(members[2], bid, TENS, submitted=False)

    assert not result_of(call, bid).has_quorum  # 2 complete of 3

    factories.score_sheet(members[3], bid, TENS)

    assert result_of(call, bid).has_quorum  # 3 complete of 3


def test_recused_members_do_not_count_towards_quorum(call, members):
    bid = admitted_bid(call)
    for member in members[:3]:
        factories.score_sheet(member, bid, S71)
    factories.ConflictDeclarationFactory(member=members[2], bid=bid, has_conflict=True)

    result = result_of(call, bid)

    assert result.complete_sheets == 2
    assert not result.has_quorum


def test_quorum_is_per_bid(call, members):
    scored, short = admitted_bid(call, 120), admitted_bid(call, 60)
    for member in members[:3]:
        factories.score_sheet(member, scored, S71)
    for member in members[:2]:
        factories.score_sheet(member, short, S72)

    results = {r.bid.pk: r for r in bid_results(call, [scored, short])}

    assert results[scored.pk].has_quorum
    assert not results[short.pk].has_quorum


@pytest.mark.parametrize(("quorum", "sheets", "expected"), [(1, 1, True), (2, 1, False), (2, 2, True), (5, 4, False)])
def test_quorum_is_configurable_per_call(call, members, quorum, sheets, expected):
    call.quorum = quorum
    call.save(update_fields=["quorum"])
    bid = admitted_bid(call)
    for member in members[:sheets]:
        factories.score_sheet(member, bid, S71)

    assert result_of(call, bid).has_quorum is expected


# -- ranking ----------------------------------------------------------------------------------------------------


def test_ranking_uses_unrounded_results(call, members):
    # Bid A: three members 71, 71, 72 → 214 ÷ 3 = 71.333…
    # Bid B: five members 71, 71, 71, 71.5, 72 → 356.5 ÷ 5 = 71.3
    # Rounded to one decimal both are 71.3, and B was submitted earlier, so rounding would rank B first.
    bid_b = admitted_bid(call, minutes_before_deadline=600)
    bid_a = admitted_bid(call, minutes_before_deadline=60)
    for member, sheet in zip(members, (S71, S71, S72), strict=False):
        factories.score_sheet(member, bid_a, sheet)
    for member, sheet in zip(members, (S71, S71, S71, S71_5, S72), strict=True):
        factories.score_sheet(member, bid_b, sheet)

    ranked = rank(bid_results(call, [bid_b, bid_a]))

    assert ranked[0].result == Decimal(214) / Decimal(3)
    assert ranked[1].result == Decimal("71.3")
    assert round(ranked[0].result, 1) == round(ranked[1].result, 1) == Decimal("71.3")
    assert [r.bid.pk for r in ranked] == [bid_a.pk, bid_b.pk]


def test_a_tie_goes_to_the_earlier_final_submission(call, members):
    later = admitted_bid(call, minutes_before_deadline=5)
    earlier = admitted_bid(call, minutes_before_deadline=500)
    for member in members[:3]:
        factories.score_sheet(member, later, S72)
        factories.score_sheet(member, earlier, S72)  # both 72.0

    ranked = rank(bid_results(call, [later, earlier]))

    assert [r.bid.pk for r in ranked] == [earlier.pk, later.pk]


def test_a_tie_at_the_same_submission_time_goes_to_the_lower_id():
    at = dt.datetime.fromisoformat("2026-12-08 09:00+05:00")
    results = [
        BidResult(bid=Bid(pk=pk, submitted_at=at), result=Decimal("72"), complete_sheets=3, recused=0, quorum=3)
        for pk in (12, 7, 9)
    ]

    assert [r.bid.pk for r in rank(results)] == [7, 9, 12]


def test_ranking_orders_by_result_then_submission_then_id():
    at = dt.datetime.fromisoformat("2026-12-08 09:00+05:00")

    def result(pk, value, minutes):
        bid = Bid(pk=pk, submitted_at=at + dt.timedelta(minutes=minutes))
        return BidResult(bid=bid, result=value, complete_sheets=3, recused=0, quorum=3)

    results = [
        result(1, Decimal("60"), 0),
        result(2, Decimal("80"), 30),
        result(3, None, 0),  # no complete sheet: last
        result(4, Decimal("80"), 10),  # ties with 2, submitted earlier
        result(5, Decimal("80"), 10),  # ties with 4 on both, higher id
        result(6, Decimal("80.01"), 60),
    ]

    assert [r.bid.pk for r in rank(results)] == [6, 4, 5, 2, 1, 3]

"""Commission arithmetic, exactly as DESIGN.md says, computed in one place.

A member's score for a bid = Σ(weight × score) ÷ 10 (0–100), only from complete sheets (every criterion scored,
sheet submitted). A bid's result = the mean over non-recused members with complete sheets. Quorum is per bid.
Ranking uses unrounded results; ties go to the earlier final submission, then to the lower id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from tenders.models import Bid, Call, ConflictDeclaration, Criterion, Score


def member_score(weights: Mapping[int, int], values: Mapping[int, int]) -> Decimal | None:
    """Return Σ(weight × score) ÷ 10 for a complete set of criterion scores, else None."""
    if not weights or set(values) != set(weights):
        return None
    return Decimal(sum(weights[c] * values[c] for c in weights)) / Decimal(10)


@dataclass
class BidResult:
    bid: Bid
    result: Decimal | None  # unrounded mean of member scores; None without any complete sheet
    complete_sheets: int
    recused: int
    quorum: int
    member_scores: dict[int, Decimal] = field(default_factory=dict)  # commission member id → score

    @property
    def has_quorum(self) -> bool:
        return self.complete_sheets >= self.quorum


def bid_results(call: Call, bids: Iterable[Bid]) -> list[BidResult]:
    """Return the result of each bid in a fixed number of queries."""
    bids = list(bids)
    weights = {c.pk: c.weight for c in Criterion.objects.filter(call=call)}
    recused: dict[int, set[int]] = defaultdict(set)
    for member_id, bid_id in ConflictDeclaration.objects.filter(bid__in=bids, has_conflict=True).values_list(
        "member_id", "bid_id"
    ):
        recused[bid_id].add(member_id)
    values: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    for bid_id, member_id, criterion_id, value in Score.objects.filter(
        sheet__bid__in=bids, sheet__submitted_at__isnull=False
    ).values_list("sheet__bid_id", "sheet__member_id", "criterion_id", "value"):
        values[(bid_id, member_id)][criterion_id] = value
    results = []
    for bid in bids:
        scores = {}
        for (bid_id, member_id), sheet in values.items():
            if bid_id != bid.pk or member_id in recused[bid.pk]:
                continue
            score = member_score(weights, sheet)
            if score is not None:
                scores[member_id] = score
        mean = sum(scores.values(), Decimal(0)) / len(scores) if scores else None
        results.append(
            BidResult(
                bid=bid,
                result=mean,
                complete_sheets=len(scores),
                recused=len(recused[bid.pk]),
                quorum=call.quorum,
                member_scores=scores,
            )
        )
    return results


@dataclass
class QuorumGap:
    """An admitted bid short of its quorum: how many sheets are complete, how many members are recused from it and
    how many seated members have not yet submitted a complete sheet."""

    bid: Bid
    complete: int
    quorum: int
    recused: int
    pending: int


def quorum_gaps(call: Call) -> list[QuorumGap]:
    """Return the admitted bids of the call that lack a quorum of complete sheets, in submission order."""
    bids = list(call.bids.filter(status=Bid.Status.ADMITTED).select_related("provider").order_by("submitted_at", "pk"))
    seats = call.commission.count()
    gaps = []
    for result in bid_results(call, bids):
        if not result.has_quorum:
            pending = max(seats - result.recused - result.complete_sheets, 0)
            gaps.append(QuorumGap(result.bid, result.complete_sheets, result.quorum, result.recused, pending))
    return gaps


def rank(results: Iterable[BidResult]) -> list[BidResult]:
    """Order results best first: higher unrounded result, then earlier final submission, then lower id."""
    scored = [r for r in results if r.result is not None]
    unscored = [r for r in results if r.result is None]
    scored.sort(key=lambda r: (-r.result, r.bid.submitted_at, r.bid.pk))
    unscored.sort(key=lambda r: (r.bid.submitted_at, r.bid.pk))
    return scored + unscored

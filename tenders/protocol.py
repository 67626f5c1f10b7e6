"""The evaluation protocol of a call: the record the commission signs and files — its members, their conflict-of-
interest declarations, each member's scores per criterion for every bid considered, the ranking and the decision.

Read-only, in a fixed number of queries; the arithmetic is `tenders.scoring`'s (only complete sheets of members
who did not recuse count), so the protocol and the call page cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from tenders import scoring
from tenders.models import Bid, Call, CommissionMember, ConflictDeclaration, Criterion, Score


@dataclass
class CriterionRow:
    criterion: Criterion
    values: list[int | None]  # one per commission member, None where the member's score does not count
    mean: Decimal | None


@dataclass
class BidProtocol:
    result: scoring.BidResult
    place: int | None  # 1 for the best scored bid; None for a bid without a result
    rows: list[CriterionRow] = field(default_factory=list)
    totals: list[Decimal | None] = field(default_factory=list)  # each member's score of 100
    declarations: list[ConflictDeclaration | None] = field(default_factory=list)  # one per member

    @property
    def bid(self) -> Bid:
        return self.result.bid


@dataclass
class Protocol:
    call: Call
    members: list[CommissionMember]
    criteria: list[Criterion]
    bids: list[BidProtocol]
    rejected: list[Bid]
    winner: Bid | None


RANKED_STATUSES = (Bid.Status.ADMITTED, Bid.Status.WINNER, Bid.Status.NOT_SELECTED, Bid.Status.DECLINED)


def protocol(call: Call) -> Protocol:
    """Return the evaluation protocol of a call whose bids are open."""
    members = list(call.commission.select_related("user"))
    criteria = list(call.criteria.all())
    bids = list(call.bids.filter(status__in=RANKED_STATUSES).select_related("provider"))
    ranked = scoring.rank(scoring.bid_results(call, bids))
    declared = {
        (d.member_id, d.bid_id): d for d in ConflictDeclaration.objects.filter(bid__in=bids, member__call=call)
    }
    values: dict[tuple[int, int, int], int] = {
        (member_id, bid_id, criterion_id): value
        for member_id, bid_id, criterion_id, value in Score.objects.filter(
            sheet__bid__in=bids, sheet__submitted_at__isnull=False
        ).values_list("sheet__member_id", "sheet__bid_id", "criterion_id", "value")
    }
    rows = []
    place = 0
    for result in ranked:
        place = place + 1 if result.result is not None else place
        counted = result.member_scores  # members whose complete sheet counts for this bid
        entry = BidProtocol(result=result, place=place if result.result is not None else None)
        for criterion in criteria:
            cells = [values.get((m.pk, result.bid.pk, criterion.pk)) if m.pk in counted else None for m in members]
            scored = [v for v in cells if v is not None]
            mean = Decimal(sum(scored)) / len(scored) if scored else None
            entry.rows.append(CriterionRow(criterion=criterion, values=cells, mean=mean))
        entry.totals = [counted.get(m.pk) for m in members]
        entry.declarations = [declared.get((m.pk, result.bid.pk)) for m in members]
        rows.append(entry)
    rejected = list(call.bids.filter(status=Bid.Status.REJECTED).select_related("provider").order_by("pk"))
    winner = next((b.bid for b in rows if b.bid.status == Bid.Status.WINNER), None)
    return Protocol(call=call, members=members, criteria=criteria, bids=rows, rejected=rejected, winner=winner)

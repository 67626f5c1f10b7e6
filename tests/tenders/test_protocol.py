"""The evaluation protocol: members, declarations, scores per criterion, ranking and decision, for whoever may see
the call's bids, with a print button."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tenders import protocol
from tenders.models import Bid, Call
from tests import factories

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


@pytest.fixture
def decided_call(officer):
    """Two criteria of weight 50; members Ахметова (chair), Бекова, Жанова. Bid 1: Ахметова 8/6 (70), Бекова 10/8
    (90), Жанова recused → 80, the winner; bid 2: 5/5 (50), 6/4 (50), 7/7 (70) → 56.67; bid 3 not admitted."""
    now = timezone.now()
    call = factories.CallFactory(
        agency=officer.agency,
        criteria=[50, 50],
        quorum=2,
        opens_at=now - dt.timedelta(days=30),
        deadline=now - dt.timedelta(days=10),
        opened_at=now - dt.timedelta(days=10),
        scoring_closed_at=now - dt.timedelta(days=3),
        status=Call.Status.AWARDED,
        decided_at=now - dt.timedelta(days=2),
    )
    names = ["Ахметова", "Бекова", "Жанова"]
    members = [
        factories.CommissionMemberFactory(call=call, user=factories.ExpertFactory(last_name=name), is_chair=n == 0)
        for n, name in enumerate(names)
    ]
    winner = factories.BidFactory(
        call=call, status=Bid.Status.WINNER, submitted_at=now - dt.timedelta(days=11), provider__name_ru="ОФ Первый"
    )
    second = factories.BidFactory(
        call=call,
        status=Bid.Status.NOT_SELECTED,
        submitted_at=now - dt.timedelta(days=12),
        provider__name_ru="ОФ Второй",
    )
    factories.BidFactory(
        call=call,
        status=Bid.Status.REJECTED,
        submitted_at=now - dt.timedelta(days=12),
        decision_reason="Нет лицензии",
        provider__name_ru="ОФ Третий",
    )
    for member in members[:2]:
        factories.ConflictDeclarationFactory(member=member, bid=winner, has_conflict=False)
    factories.ConflictDeclarationFactory(member=members[2], bid=winner, has_conflict=True)
    factories.score_sheet(members[0], winner, [8, 6])
    factories.score_sheet(members[1], winner, [10, 8])
    for member, values in zip(members, ([5, 5], [6, 4], [7, 7]), strict=True):
        factories.ConflictDeclarationFactory(member=member, bid=second, has_conflict=False)
        factories.score_sheet(member, second, values)
    return call


def test_protocol_holds_scores_per_criterion_ranking_and_decision(decided_call):
    record = protocol.protocol(decided_call)
    assert [m.user.last_name for m in record.members] == ["Ахметова", "Бекова", "Жанова"]
    first, second = record.bids
    assert (first.place, first.bid.provider.name_ru, first.result.result) == (1, "ОФ Первый", 80)
    assert [row.values for row in first.rows] == [[8, 10, None], [6, 8, None]]
    assert [row.mean for row in first.rows] == [9, 7]
    assert first.totals == [70, 90, None]
    assert [d.has_conflict for d in first.declarations] == [False, False, True]
    assert second.place == 2
    assert round(second.result.result, 2) == Decimal("56.67")
    assert [b.provider.name_ru for b in record.rejected] == ["ОФ Третий"]
    assert record.winner.provider.name_ru == "ОФ Первый"


def test_protocol_page_for_the_officer_shows_every_part_and_a_print_button(client, officer, decided_call):
    client.force_login(officer)
    response = client.get(reverse("tenders:call-protocol", args=[decided_call.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("Ахметова", "Бекова", "Жанова", "ОФ Первый", "ОФ Второй", "ОФ Третий", "Нет лицензии"):
        assert text in body
    assert "80,00" in body
    assert "56,67" in body
    assert body.count('data-testid="protocol-bid"') == 2
    assert 'data-testid="protocol-decision"' in body
    assert 'data-testid="print"' in body
    assert "js/print.js" in body
    # The call page links to it.
    assert (
        reverse("tenders:call-protocol", args=[decided_call.pk])
        in client.get(decided_call.get_absolute_url()).content.decode()
    )


def test_protocol_is_refused_to_an_ngo_and_hidden_before_the_deadline(client, ngo_user, officer):
    call = factories.CallFactory(agency=officer.agency)  # accepting bids
    client.force_login(officer)
    assert client.get(reverse("tenders:call-protocol", args=[call.pk])).status_code == 403
    client.force_login(ngo_user)
    assert client.get(reverse("tenders:call-protocol", args=[call.pk])).status_code == 403

"""A recusal, a substitute and an award in a real browser (issue 11: the quorum deadlock). A member recuses
themselves on the only bid; the chair's attempt to close the scoring is refused naming the bid and why; the chair
seats a substitute, who declares and scores; quorum is reached, the scoring closes and the officer awards."""

import pytest
from django.urls import reverse

from tenders import services
from tenders.models import Bid, Call, CommissionMember
from tests import factories
from tests.browser.helpers import click_and_wait, flash, label, switch_user, text_of, translated
from tests.conftest import screenshot
from tests.tenders.util import open_call, score, submitted_bid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def evaluating(clock, officer):
    """A call under evaluation with one admitted bid and a commission of three experts (the first chairs); the
    second has scored, the third has not declared yet."""
    call = factories.CallFactory(agency=officer.agency, created_by=officer, number="ГСЗ-2027-75-077")
    bid = submitted_bid(call)
    open_call(call, clock, officer)
    services.decide_admission(bid=bid, acting_user=officer, admit=True)
    chair, scorer, recusing = (
        factories.ExpertFactory(username=name, first_name=first, last_name="Экспертова")
        for name, first in (("chair", "Алия"), ("scorer", "Бахыт"), ("recusing", "Вера"))
    )
    members = [
        services.appoint_member(call=call, user=user, is_chair=i == 0, acting_user=officer)
        for i, user in enumerate((chair, scorer, recusing))
    ]
    bid = Bid.objects.get(pk=bid.pk)
    for member in members[:2]:
        score(member, bid, [8, 8, 8, 8, 8])
    return call, bid


def bid_row(page):
    return page.get_by_test_id("bid-row").first


def test_a_recusal_a_substitute_quorum_and_an_award(page, evaluating, officer):
    call, bid = evaluating
    substitute = factories.ExpertFactory(username="substitute", first_name="Гаухар", last_name="Запасова")

    # 1. The third member declares a conflict of interest: recused from the only bid.
    switch_user(page, "recusing")
    page.goto(reverse("tenders:call-bids", args=[call.pk]))
    row = bid_row(page)
    row.locator("input[name=has_conflict][value='1']").check()
    click_and_wait(page, row.get_by_role("button", name=translated("ru", "Declare")))
    assert CommissionMember.objects.get(call=call, user__username="recusing").declarations.get().has_conflict
    page.goto(reverse("tenders:bid-score", args=[bid.pk]))
    assert "самоотвод" in text_of(page.locator("main"))  # told why, not "your role does not allow"

    # 2. The chair tries to close the scoring: refused, naming the bid, its recusal and the missing sheet.
    switch_user(page, "chair")
    page.goto(call.get_absolute_url())
    click_and_wait(page, page.get_by_role("button", name=translated("ru", "Close scoring")))
    refused = flash(page)
    assert bid.provider.name_ru in refused
    assert "2 из 3" in refused
    call.refresh_from_db()
    assert call.scoring_closed_at is None
    screenshot(page, "quorum-01-closing-refused")

    # 3. The chair seats a substitute from the commission page.
    click_and_wait(page, page.get_by_role("link", name=translated("ru", "Commission"), exact=True))
    assert bid.provider.name_ru in text_of(page.get_by_test_id("quorum-gaps"))
    form = page.get_by_test_id("substitute-form")
    form.locator("select").select_option(str(substitute.pk))
    click_and_wait(page, form.get_by_role("button"))
    assert substitute.get_full_name() in text_of(page.locator("main table"))
    screenshot(page, "quorum-02-substitute-appointed")

    # 4. The substitute declares no conflict and scores.
    switch_user(page, "substitute")
    page.goto(reverse("tenders:call-bids", args=[call.pk]))
    row = bid_row(page)
    row.locator("input[name=has_conflict][value='0']").check()
    click_and_wait(page, row.get_by_role("button", name=translated("ru", "Declare")))
    click_and_wait(page, bid_row(page).get_by_role("link", name=translated("ru", "Score")), "**/score/")
    fields = page.locator("input[name^=score_]")
    for i in range(fields.count()):
        fields.nth(i).fill("7")
    click_and_wait(page, page.get_by_test_id("submit-scores"), "**/bids/")
    assert translated("ru", "%(n)s of %(q)s sheets") % {"n": 3, "q": 3} in text_of(bid_row(page))

    # 5. Quorum: the chair closes the scoring, the officer awards.
    switch_user(page, "chair")
    page.goto(call.get_absolute_url())
    click_and_wait(page, page.get_by_role("button", name=translated("ru", "Close scoring")))
    call.refresh_from_db()
    assert call.scoring_closed_at is not None
    switch_user(page, officer.username)
    page.goto(call.get_absolute_url())
    click_and_wait(page, page.get_by_test_id("award"))
    assert text_of(page.get_by_test_id("call-status")) == label(Call.Status.AWARDED)
    assert Bid.objects.get(pk=bid.pk).status == Bid.Status.WINNER
    screenshot(page, "quorum-03-awarded")

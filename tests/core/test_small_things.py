"""Small things that add up (issue 11): the answer button, distinct score messages, refusals that say why, the
admin's count of rows and favicon, a 403 logged as one line."""

import datetime as dt
import logging

from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from tenders.models import Bid, Call
from tests import factories


def russian(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    return client


def english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def evaluating(officer, expert, *, conflict: bool | None):
    now = timezone.now()
    call = factories.CallFactory(
        agency=officer.agency,
        status=Call.Status.EVALUATION,
        opens_at=now - dt.timedelta(days=20),
        deadline=now - dt.timedelta(days=1),
    )
    bid = factories.BidFactory(call=call, status=Bid.Status.ADMITTED)
    member = factories.CommissionMemberFactory(call=call, user=expert)
    if conflict is not None:
        member.declarations.create(bid=bid, has_conflict=conflict)
    return call, bid


def test_the_answer_button_says_answer_as_a_verb(client, clock, officer):
    call = factories.CallFactory(agency=officer.agency, created_by=officer)
    factories.QuestionFactory(call=call)

    html = russian(client, officer).get(call.get_absolute_url()).content.decode()

    assert ">Ответить</button>" in html


def test_saving_a_draft_and_submitting_a_score_sheet_say_different_things(client, clock, officer, expert):
    call, bid = evaluating(officer, expert, conflict=False)
    english(client, expert)
    data = {f"score_{c.pk}": "7" for c in call.criteria.all()}

    said = []
    for extra in ({}, {"submit": "1"}):
        response = client.post(reverse("tenders:bid-score", args=[bid.pk]), {**data, **extra})
        said.append([str(m) for m in get_messages(response.wsgi_request)])
        client.get(response["Location"])  # the messages are shown, and gone

    assert said == [
        ["Your draft scores are saved; submit the sheet once every criterion is scored."],
        ["Your score sheet is submitted: it counts towards the bid's quorum."],
    ]


def test_a_recused_member_is_told_so_not_that_the_role_does_not_allow(client, clock, officer, expert):
    _call, bid = evaluating(officer, expert, conflict=True)

    response = english(client, expert).get(reverse("tenders:bid-score", args=[bid.pk]))

    assert response.status_code == 403
    html = response.content.decode()
    assert "You are recused from this bid" in html
    assert "Your role does not allow" not in html


def test_a_locked_bid_says_it_is_locked(client, clock, officer, ngo_user, provider):
    call = factories.CallFactory(agency=officer.agency, created_by=officer)
    bid = factories.BidFactory(
        call=call,
        provider=provider,
        created_by=ngo_user,
        status=Bid.Status.SUBMITTED,
        submitted_at=factories.almaty(dt.date(2026, 11, 20), 15, 30),
    )

    response = english(client, ngo_user).get(reverse("tenders:bid-edit", args=[bid.pk]), follow=True)

    # Sent to the bid's own page with the reason (under the call's lock, the same words as a refused save).
    assert response.redirect_chain == [(bid.get_absolute_url(), 302)]
    assert "Your bid was submitted at 15:30 on 20 November" in response.content.decode()


def test_the_admin_counts_rows_after_the_plural_name_with_the_sites_favicon(client, admin_user):
    russian(client, admin_user)

    html = client.get(reverse("admin:core_region_changelist")).content.decode()

    assert '<span data-testid="result-count">Регионы: 20</span>' in html
    assert "img/favicon.svg" in html


def test_a_refused_request_is_logged_as_one_line(client, clock, officer, expert, caplog):
    _call, bid = evaluating(officer, expert, conflict=True)
    english(client, expert)

    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get(reverse("tenders:bid-score", args=[bid.pk]))

    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.status_code == 403
    assert record.exc_info is None
    assert "\n" not in caplog.text.strip()

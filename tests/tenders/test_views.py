"""The competition cycle through its pages: the officer drafts and publishes a call, an NGO bids, the deadline
passes, the commission declares and scores, the officer awards. Bad input gets a clear message and changes nothing.
List pages run a bounded number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.html import escape

from core.models import AuditEvent
from tenders.forms import local_input
from tenders.models import Bid, Call, CommissionMember, Complaint, Score, ScoreSheet
from tests import factories
from tests.tenders.util import (
    DEADLINE,
    WEIGHTS,
    as_user,
    call_data,
    call_edit_data,
    evaluating_call,
    management,
    score,
    submitted_bid,
)

pytestmark = pytest.mark.django_db


def bid_data(bid: Bid, **overrides) -> dict:
    data = {
        "price": "22500000",
        "proposal": "Мобильная бригада из двух социальных работников и психолога; планы сопровождения.",
        "price_justification": "",
        "staff": [m.pk for m in bid.provider.staff.all()],
        **management("items", 2),
        "items-0-year": "2027",
        "items-0-item": "Оплата труда специалистов",
        "items-0-amount": "9000000",
        "items-1-year": "2028",
        "items-1-item": "Оплата труда специалистов",
        "items-1-amount": "9500000",
    }
    data.update(overrides)
    return data


def saved_items(bid: Bid) -> dict:
    """Return the cost-estimate formset as the edit page sends it back once the items are saved."""
    items = list(bid.cost_items.all())
    data = {**management("items", len(items)), "items-INITIAL_FORMS": str(len(items))}
    for i, item in enumerate(items):
        data.update(
            {
                f"items-{i}-id": item.pk,
                f"items-{i}-bid": bid.pk,
                f"items-{i}-year": item.year,
                f"items-{i}-item": item.item,
                f"items-{i}-amount": str(item.amount),
            }
        )
    return data


def score_data(call, values) -> dict:
    data = {}
    for criterion, value in zip(call.criteria.all(), values, strict=True):
        data[f"score_{criterion.pk}"] = str(value)
        data[f"comment_{criterion.pk}"] = ""
    return data


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# -- the whole path ---------------------------------------------------------------------------------------------


def test_the_officers_path_from_draft_to_award(client, clock, officer, provider, ngo_user, experts, mailoutbox):
    factories.StaffMemberFactory(provider=provider, no_record_certificate_date=dt.date(2026, 9, 1))
    factories.ServiceAreaFactory(provider=provider)

    # The officer drafts the call.
    as_user(client, officer)
    assert client.get(reverse("tenders:call-create")).status_code == 200
    response = client.post(reverse("tenders:call-create"), call_data())
    call = Call.objects.get(number="ГСЗ-2027-75-101")
    assert response.status_code == 302
    assert response["Location"] == call.get_absolute_url()
    assert call.status == Call.Status.DRAFT
    assert call.agency == officer.agency
    assert call.total == Decimal("25000000")
    assert list(call.criteria.values_list("weight", flat=True)) == WEIGHTS
    assert call.targets.count() == 1
    assert AuditEvent.objects.for_object(call).get().action == "created"

    # ... and publishes it.
    response = client.post(reverse("tenders:call-publish", args=[call.pk]))
    assert "The call is published." in flash(response)
    call.refresh_from_db()
    assert call.status == Call.Status.PUBLISHED

    # The NGO finds it, starts a bid, saves and submits it.
    clock.move_to("2026-11-26 12:00+05:00")
    as_user(client, ngo_user)
    assert b'data-testid="start-bid"' in client.get(call.get_absolute_url()).content
    response = client.post(reverse("tenders:bid-start", args=[call.pk]), {"provider": provider.pk})
    bid = Bid.objects.get(call=call, provider=provider)
    assert response["Location"] == reverse("tenders:bid-edit", args=[bid.pk])
    assert bid.status == Bid.Status.DRAFT
    response = client.post(reverse("tenders:bid-edit", args=[bid.pk]), bid_data(bid))
    assert "The draft is saved." in flash(response)
    response = client.post(
        reverse("tenders:bid-edit", args=[bid.pk]), {**bid_data(bid), **saved_items(bid), "submit": ""}
    )
    assert response["Location"] == bid.get_absolute_url()
    bid.refresh_from_db()
    assert bid.status == Bid.Status.SUBMITTED
    assert bid.price == Decimal("22500000")
    assert bid.cost_items.count() == 2
    assert bid.staff.count() == 1
    assert bid.submitted_at == dt.datetime.fromisoformat("2026-11-26 12:00+05:00")

    # The deadline passes; the officer opens the bids, admits the bid and appoints the commission.
    clock.move_to(DEADLINE)
    as_user(client, officer)
    response = client.post(reverse("tenders:call-open", args=[call.pk]))
    assert "The bids are opened. Admit or reject each one." in flash(response)
    bids_page = reverse("tenders:call-bids", args=[call.pk])
    response = client.post(reverse("tenders:bid-action", args=[bid.pk, "admit"]), {"next": bids_page})
    assert response["Location"] == bids_page
    for i, expert in enumerate(experts):
        data = {"user": expert.pk, **({"is_chair": "on"} if i == 0 else {})}
        response = client.post(reverse("tenders:commission", args=[call.pk]), data)
        assert response.status_code == 302
    assert CommissionMember.objects.filter(call=call, is_chair=True).get().user == experts[0]

    # Each member declares no conflict and scores: 8 on every criterion = 80.
    clock.move_to("2026-12-11 10:00+05:00")
    for expert in experts:
        as_user(client, expert)
        assert client.get(bids_page).status_code == 200
        client.post(reverse("tenders:bid-declare", args=[bid.pk]), {"has_conflict": "0"})
        assert client.get(reverse("tenders:bid-score", args=[bid.pk])).status_code == 200
        response = client.post(
            reverse("tenders:bid-score", args=[bid.pk]), {**score_data(call, [8] * 5), "submit": ""}
        )
        assert response["Location"] == bids_page
    assert ScoreSheet.objects.filter(bid=bid, submitted_at__isnull=False).count() == 3

    # The officer awards.
    as_user(client, officer)
    assert client.get(bids_page).context["award_outcome"] == "award"
    response = client.post(reverse("tenders:call-award", args=[call.pk]))
    assert flash(response)[-1] == f"Awarded to {provider.name}. The standstill for complaints has started."
    call.refresh_from_db()
    bid.refresh_from_db()
    assert call.status == Call.Status.AWARDED
    assert bid.status == Bid.Status.WINNER
    # 5 working days from Friday 11.12.2026; 16 December is Independence Day.
    assert call.standstill_until == dt.datetime.fromisoformat("2026-12-21 10:00+05:00")

    # The result is public.
    client.logout()
    page = client.get(call.get_absolute_url())
    assert page.context["results"]["winner"].bid == bid
    assert escape(provider.name) in page.content.decode()


# -- bad input: a clear message, nothing changed ----------------------------------------------------------------


def test_weights_summing_to_90_are_refused_with_a_message(client, clock, officer):
    as_user(client, officer)

    response = client.post(reverse("tenders:call-create"), call_data(weights=[30, 20, 20, 10, 10]))

    assert response.status_code == 400
    assert "The weights sum to 90; they must sum to 100." in response.content.decode()
    assert not Call.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_deadline_in_the_past_is_refused(client, clock, officer):
    as_user(client, officer)

    response = client.post(
        reverse("tenders:call-create"),
        call_data(
            opens_at=local_input(dt.datetime.fromisoformat("2026-11-01 09:00+05:00")),
            deadline=local_input(dt.datetime.fromisoformat("2026-11-20 18:00+05:00")),
        ),
    )

    assert response.status_code == 400
    assert "The deadline cannot be in the past." in response.content.decode()
    assert not Call.objects.exists()


def test_a_negative_budget_line_is_refused(client, clock, officer):
    as_user(client, officer)

    response = client.post(reverse("tenders:call-create"), call_data(**{"budget-1-amount": "-5"}))

    assert response.status_code == 400
    assert not Call.objects.exists()


def test_publishing_an_unready_draft_shows_why_and_changes_nothing(client, clock, officer):
    call = factories.CallFactory(agency=officer.agency, draft=True, criteria=[30, 20, 20, 15, 5])
    as_user(client, officer)

    response = client.post(reverse("tenders:call-publish", args=[call.pk]))

    assert flash(response) == ["The criteria weights sum to 90, not 100."]
    call.refresh_from_db()
    assert call.status == Call.Status.DRAFT
    assert not AuditEvent.objects.for_object(call).exists()
    page = client.get(call.get_absolute_url())
    assert page.context["publication_errors"] == ["The criteria weights sum to 90, not 100."]


def test_an_over_budget_price_is_refused_with_a_message(client, call, provider, ngo_user):
    bid = factories.BidFactory(call=call, provider=provider, created_by=ngo_user)
    before = Bid.objects.filter(pk=bid.pk).values().get()
    as_user(client, ngo_user)

    response = client.post(
        reverse("tenders:bid-edit", args=[bid.pk]), {**bid_data(bid, price="10000001"), "submit": ""}
    )

    assert response.status_code == 400
    assert "The price cannot exceed the budget of 10,000,000 ₸." in response.content.decode()
    assert Bid.objects.filter(pk=bid.pk).values().get() == before
    assert not bid.cost_items.exists()


def test_an_abnormally_low_price_without_justification_is_refused_with_a_message(client, call, provider, ngo_user):
    bid = factories.BidFactory(call=call, provider=provider, created_by=ngo_user)
    as_user(client, ngo_user)

    response = client.post(
        reverse("tenders:bid-edit", args=[bid.pk]), {**bid_data(bid, price="6000000"), "submit": ""}
    )

    assert response.status_code == 400
    assert "The price is below 70% of the budget: explain how you can deliver for it." in response.content.decode()
    assert Bid.objects.get(pk=bid.pk).status == Bid.Status.DRAFT


def test_a_bid_after_the_deadline_is_refused(client, call, clock, provider, ngo_user):
    bid = factories.BidFactory(call=call, provider=provider, created_by=ngo_user)
    clock.move_to(call.deadline)
    as_user(client, ngo_user)

    response = client.post(reverse("tenders:bid-edit", args=[bid.pk]), {**bid_data(bid), "submit": ""})

    assert response.status_code == 302  # back to the bid, saying why (tests/tenders/test_bid_writes.py)
    assert flash(response) == ["The call stopped accepting bids at 10:00 on 8 December."]
    assert Bid.objects.get(pk=bid.pk).status == Bid.Status.DRAFT


def test_a_score_of_11_is_refused_with_a_message(client, officer, clock, experts):
    call, (bid,), (member, *_rest) = evaluating_call(officer, clock, experts, bids=1)
    as_user(client, member.user)
    client.post(reverse("tenders:bid-declare", args=[bid.pk]), {"has_conflict": "0"})

    response = client.post(
        reverse("tenders:bid-score", args=[bid.pk]), {**score_data(call, [11, 5, 5, 5, 5]), "submit": ""}
    )

    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 10." in response.content.decode()
    assert not Score.objects.exists()
    assert not ScoreSheet.objects.exists()


def test_submitting_an_incomplete_sheet_is_refused_with_a_message(client, officer, clock, experts):
    call, (bid,), (member, *_rest) = evaluating_call(officer, clock, experts, bids=1)
    as_user(client, member.user)
    client.post(reverse("tenders:bid-declare", args=[bid.pk]), {"has_conflict": "0"})
    data = score_data(call, [8, 8, 8, 8, 8])
    data[f"score_{call.criteria.last().pk}"] = ""

    response = client.post(reverse("tenders:bid-score", args=[bid.pk]), {**data, "submit": ""})

    assert response.status_code == 400
    assert "Score every criterion before submitting." in response.content.decode()
    assert not ScoreSheet.objects.exists()


def test_a_member_must_declare_before_the_score_page_opens(client, officer, clock, experts):
    _call, (bid,), (member, *_rest) = evaluating_call(officer, clock, experts, bids=1)
    as_user(client, member.user)

    assert client.get(reverse("tenders:bid-score", args=[bid.pk])).status_code == 403
    client.post(reverse("tenders:bid-declare", args=[bid.pk]), {"has_conflict": "1"})
    assert client.get(reverse("tenders:bid-score", args=[bid.pk])).status_code == 403  # recused


def test_awarding_without_quorum_shows_why_and_changes_nothing(client, officer, clock, experts):
    call, (bid,), members = evaluating_call(officer, clock, experts, bids=1)
    score(members[0], bid, [8] * 5)
    as_user(client, officer)

    response = client.post(reverse("tenders:call-award", args=[call.pk]))

    assert flash(response) == ["Every admitted bid needs a quorum of complete score sheets first."]
    assert Call.objects.get(pk=call.pk).status == Call.Status.EVALUATION
    assert Bid.objects.get(pk=bid.pk).status == Bid.Status.ADMITTED


def test_rejecting_a_bid_without_a_reason_shows_why(client, call, officer, clock):
    bid = submitted_bid(call)
    clock.move_to(call.deadline)
    as_user(client, officer)
    client.post(reverse("tenders:call-open", args=[call.pk]))

    response = client.post(reverse("tenders:bid-action", args=[bid.pk, "reject"]), {"reason": ""})

    assert "Give a reason for the rejection." in flash(response)
    assert Bid.objects.get(pk=bid.pk).status == Bid.Status.SUBMITTED


def test_a_complaint_about_the_result_from_a_non_bidder_is_refused(client, officer, clock, experts, ngo_user):
    call, (bid,), members = evaluating_call(officer, clock, experts, bids=1)
    for member in members:
        score(member, bid, [8] * 5)
    as_user(client, officer).post(reverse("tenders:call-award", args=[call.pk]))
    as_user(client, ngo_user)

    response = client.post(
        reverse("tenders:complaint-create", args=[call.pk]),
        {"kind": "result", "text": "Несправедливо", "provider": ngo_user.memberships.get().provider_id},
    )

    assert response.status_code == 400
    assert "Only bidders can complain about the result." in response.content.decode()
    assert not Complaint.objects.exists()


# -- bounded queries --------------------------------------------------------------------------------------------


CALL_LIST_QUERIES = 10  # session, user, count, page, filter choices (measured 6–8)
COMPLAINT_LIST_QUERIES = 7  # measured 5


def make_calls(n: int, officer) -> None:
    """Calls of two agencies in several statuses, each with budget lines, criteria and a few bids."""
    other_agency = factories.AgencyFactory(region=factories.region("35"))
    for i in range(n):
        agency = officer.agency if i % 2 else other_agency
        call = factories.CallFactory(agency=agency, duration_years=1 + i % 3, draft=i % 5 == 0)
        for _ in range(i % 3):
            factories.BidFactory(call=call, status=Bid.Status.SUBMITTED)


@pytest.mark.parametrize("n", [5, 30])
@pytest.mark.parametrize("who", ["anonymous", "officer", "ngo", "committee"])
def test_the_call_list_runs_a_bounded_number_of_queries(
    client, clock, officer, ngo_user, committee, django_assert_max_num_queries, n, who
):
    make_calls(n, officer)
    user = {"anonymous": None, "officer": officer, "ngo": ngo_user, "committee": committee}[who]
    if user:
        as_user(client, user)

    with django_assert_max_num_queries(CALL_LIST_QUERIES):
        response = client.get(reverse("tenders:call-list"))

    assert response.status_code == 200
    visible = Call.objects.visible_to(user or AnonymousUser()).count()
    assert len(response.context["table"].page.object_list) == min(visible, 25)


@pytest.mark.parametrize("n", [5, 30])
def test_the_call_list_export_runs_a_bounded_number_of_queries(
    client, clock, officer, django_assert_max_num_queries, n
):
    make_calls(n, officer)
    as_user(client, officer)

    with django_assert_max_num_queries(CALL_LIST_QUERIES):
        response = client.get(reverse("tenders:call-list"), {"export": "csv"})
        lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()

    assert len(lines) == Call.objects.visible_to(officer).count() + 1  # every visible row, not one page


@pytest.mark.parametrize("n", [5, 30])
@pytest.mark.parametrize("who", ["officer", "ngo", "committee"])
def test_the_complaint_list_runs_a_bounded_number_of_queries(
    client, clock, officer, provider, ngo_user, committee, django_assert_max_num_queries, n, who
):
    for i in range(n):
        call = factories.CallFactory(agency=officer.agency)
        factories.ComplaintFactory(call=call, provider=provider if i % 2 else factories.ProviderFactory())
    as_user(client, {"officer": officer, "ngo": ngo_user, "committee": committee}[who])

    with django_assert_max_num_queries(COMPLAINT_LIST_QUERIES):
        response = client.get(reverse("tenders:complaint-list"))

    assert response.status_code == 200
    expected = n if who != "ngo" else n // 2
    assert len(response.context["table"].page.object_list) == min(expected, 25)


def test_the_call_list_exports_times_in_almaty_time(client, call):
    response = client.get(reverse("tenders:call-list"), {"export": "csv"})

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "2026-12-08 10:00" in text  # the deadline as the call states it, not 05:00 UTC
    assert "+00:00" not in text


def test_the_officer_edits_a_draft(client, clock, officer):
    call = factories.CallFactory(agency=officer.agency, draft=True)
    as_user(client, officer)

    response = client.post(
        reverse("tenders:call-edit", args=[call.pk]), call_edit_data(call, officer, title_ru="Новое")
    )

    assert response.status_code == 302
    call.refresh_from_db()
    assert call.title_ru == "Новое"
    assert call.total == Decimal("10000000")
    assert call.criteria.count() == 5
    event = AuditEvent.objects.for_object(call).get()
    assert (event.action, event.changes["title_ru"][1]) == ("edited", "Новое")


def test_changing_the_terms_with_fewer_than_two_working_days_left_needs_an_extension(client, clock, officer):
    call = factories.CallFactory(agency=officer.agency)
    clock.move_to("2026-12-07 09:00+05:00")  # Monday; the deadline is Tuesday 8 December: 1 working day left
    as_user(client, officer)

    response = client.post(
        reverse("tenders:call-edit", args=[call.pk]), call_edit_data(call, officer, target_group="Подростки")
    )

    assert response.status_code == 400
    assert "Fewer than 2 working days are left: extend the deadline before changing the terms." in (
        response.content.decode()
    )
    assert Call.objects.get(pk=call.pk).target_group == "Дети в трудной жизненной ситуации"
    assert not AuditEvent.objects.for_object(call).exists()


def test_the_officer_amends_a_published_call_and_bidders_are_told(
    client, clock, officer, mailoutbox, django_capture_on_commit_callbacks
):
    call = factories.CallFactory(agency=officer.agency)
    bid = submitted_bid(call)
    as_user(client, officer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("tenders:call-edit", args=[call.pk]), call_edit_data(call, officer, target_group="Подростки")
        )

    assert response.status_code == 302
    assert Call.objects.get(pk=call.pk).target_group == "Подростки"
    assert AuditEvent.objects.for_object(call).get().action == "terms amended"
    assert [m.to for m in mailoutbox] == [[bid.created_by.email]]


def test_the_timeline_shows_changes_with_numbers_and_lists(client, clock, officer, provider, ngo_user):
    factories.StaffMemberFactory(provider=provider)
    as_user(client, officer)
    client.post(reverse("tenders:call-create"), call_data())  # changes: duration_years 2, quorum 3 (numbers)
    call = Call.objects.get()
    services_publish = client.post(reverse("tenders:call-publish", args=[call.pk]))
    assert services_publish.status_code == 302
    clock.move_to(call.opens_at)
    as_user(client, ngo_user)
    client.post(reverse("tenders:bid-start", args=[call.pk]), {"provider": provider.pk})
    bid = Bid.objects.get()
    client.post(reverse("tenders:bid-edit", args=[bid.pk]), bid_data(bid))  # changes: the staffing plan (a list)

    own_bid_page = client.get(bid.get_absolute_url())
    officer_call_page = as_user(client, officer).get(call.get_absolute_url())

    assert own_bid_page.status_code == 200
    assert officer_call_page.status_code == 200


def test_the_audit_log_records_that_the_staffing_plan_changed_not_the_names(client, call, provider, ngo_user):
    member = factories.StaffMemberFactory(provider=provider, full_name="Ахметова Динара Сериковна")
    bid = factories.BidFactory(call=call, provider=provider, created_by=ngo_user)
    as_user(client, ngo_user)

    response = client.post(
        reverse("tenders:bid-edit", args=[bid.pk]), bid_data(bid, price="9500000", staff=[member.pk])
    )
    assert response.status_code == 302

    event = AuditEvent.objects.for_object(bid).get(action="bid edited")
    assert event.changes["staff"] == ["•", "•"]
    assert "Ахметова" not in str(event.changes)
    assert [Decimal(v) for v in event.changes["price"]] == [bid.price, Decimal("9500000")]  # values are kept

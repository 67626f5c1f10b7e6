"""Sealed bids (DESIGN.md, tenders): until the deadline a bid is visible only to its own NGO. Officers of the agency,
commission members, committee staff and the admin learn nothing, not even how many bids there are."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from core.models import AuditEvent
from tenders import services
from tenders.models import Bid
from tests import factories
from tests.tenders.util import as_user, submitted_bid

pytestmark = pytest.mark.django_db

OUTSIDERS = ["officer", "member", "committee", "admin"]


@pytest.fixture
def sealed(call, officer, expert, committee, admin_user, provider, ngo_user, other_provider, other_ngo_user):
    """The officer's open call with a submitted bid of `provider` (ngo) and one of `other_provider` (other-ngo),
    a draft of a third NGO, and the expert already appointed to its commission."""
    services.appoint_member(call=call, user=expert, is_chair=True, acting_user=officer)
    bids = {
        "ngo": submitted_bid(call, provider=provider, created_by=ngo_user),
        "other_ngo": submitted_bid(call, provider=other_provider, created_by=other_ngo_user),
        "draft": factories.BidFactory(call=call),
    }
    users = {"officer": officer, "member": expert, "committee": committee, "admin": admin_user}
    return call, bids, users


def bid_count_text(response) -> str:
    """Return the text of the call page's "Bids" field."""
    match = re.search(r'data-testid="bid-count">(.*?)</dd>', response.content.decode(), re.S)
    assert match, "the call page has no bid count field"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def csv_row(client, call) -> dict:
    """Return the call's row of the call list exported as CSV."""
    response = client.get(reverse("tenders:call-list"), {"export": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {row["number"]: row for row in csv.DictReader(io.StringIO(text))}
    return rows[call.number]


# -- before the deadline: nothing, not even a count -------------------------------------------------------------


@pytest.mark.parametrize("who", OUTSIDERS)
def test_no_bid_is_visible_before_the_deadline(sealed, who):
    call, _bids, users = sealed

    assert not Bid.objects.visible_to(users[who]).exists()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_the_call_page_says_sealed_and_shows_no_number(client, sealed, who):
    call, bids, users = sealed

    response = as_user(client, users[who]).get(call.get_absolute_url())

    assert response.status_code == 200
    assert response.context["submitted_count"] is None
    assert bid_count_text(response) == "sealed until the deadline"
    page = response.content.decode()
    assert bids["ngo"].provider.name not in page
    assert bids["other_ngo"].provider.name not in page


@pytest.mark.parametrize("who", OUTSIDERS)
def test_the_call_list_export_has_an_empty_bids_column(client, sealed, who):
    call, _bids, users = sealed

    row = csv_row(as_user(client, users[who]), call)

    assert row["bids"] == ""
    # The budget is the call's, not multiplied by the bid rows behind it (which would betray their number).
    assert Decimal(row["budget, ₸"]) == Decimal("10000000")


@pytest.mark.parametrize("who", OUTSIDERS)
def test_the_bids_page_is_forbidden_before_the_deadline(client, sealed, who):
    call, _bids, users = sealed

    response = as_user(client, users[who]).get(reverse("tenders:call-bids", args=[call.pk]))

    assert response.status_code == 403


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("bid_key", ["ngo", "other_ngo"])
def test_a_bid_page_is_not_found_before_the_deadline(client, sealed, who, bid_key):
    _call, bids, users = sealed

    response = as_user(client, users[who]).get(reverse("tenders:bid-detail", args=[bids[bid_key].pk]))

    assert response.status_code == 404


def test_the_django_admin_lists_no_bid_before_the_deadline(client, sealed, admin_user):
    client.force_login(admin_user)

    response = client.get("/admin/tenders/bid/")

    assert response.status_code == 200
    assert response.context["cl"].result_count == 0
    assert response.context["cl"].full_result_count == 0


def test_the_django_admin_does_not_open_a_sealed_bid(client, sealed, admin_user):
    _call, bids, _users = sealed
    client.force_login(admin_user)

    response = client.get(f"/admin/tenders/bid/{bids['ngo'].pk}/change/")

    assert response.status_code == 302  # "does not exist": back to the admin index with a message
    assert bids["ngo"].provider.name not in client.get(response["Location"]).content.decode()


# -- after the deadline: the bids appear ------------------------------------------------------------------------


@pytest.mark.parametrize("who", OUTSIDERS)
def test_submitted_bids_appear_at_the_deadline(sealed, clock, who):
    call, bids, users = sealed
    clock.move_to(call.deadline)

    visible = set(Bid.objects.visible_to(users[who]).values_list("pk", flat=True))

    assert visible == {bids["ngo"].pk, bids["other_ngo"].pk}  # never the draft


@pytest.mark.parametrize("who", OUTSIDERS)
def test_after_the_deadline_the_pages_show_the_bids_and_their_number(client, sealed, clock, officer, who):
    call, bids, users = sealed
    clock.move_to(call.deadline)
    as_user(client, users[who])

    detail = client.get(call.get_absolute_url())
    row = csv_row(client, call)
    bid_page = client.get(reverse("tenders:bid-detail", args=[bids["other_ngo"].pk]))
    unopened = client.get(reverse("tenders:call-bids", args=[call.pk]))
    services.open_bids(call=call, acting_user=officer)
    opened = client.get(reverse("tenders:call-bids", args=[call.pk]))

    assert bid_count_text(detail) == "2"
    assert row["bids"] == "2"
    assert Decimal(row["budget, ₸"]) == Decimal("10000000")
    assert bid_page.status_code == 200
    assert unopened.status_code == 403  # the list of bids waits for the opening
    assert opened.status_code == 200
    assert {r["bid"].pk for r in opened.context["rows"]} == {bids["ngo"].pk, bids["other_ngo"].pk}


def test_a_call_cancelled_before_its_deadline_keeps_its_number_of_bids_sealed_for_ever(
    client, sealed, clock, officer, committee
):
    call, _bids, _users = sealed
    services.cancel_call(call=call, acting_user=officer, reason="Budget withdrawn")
    clock.move_to(call.deadline)

    row = csv_row(as_user(client, committee), call)

    assert row["bids"] == ""


@pytest.mark.parametrize("who", ["anonymous", *OUTSIDERS])
def test_the_page_of_a_call_cancelled_before_its_deadline_never_shows_its_number_of_bids(
    client, sealed, clock, officer, who
):
    call, bids, users = sealed
    services.cancel_call(call=call, acting_user=officer, reason="Budget withdrawn")
    clock.move_to(call.deadline + dt.timedelta(days=30))
    if who != "anonymous":
        as_user(client, users[who])
    client.cookies["django_language"] = "en"

    response = client.get(call.get_absolute_url())

    assert response.context["submitted_count"] is None
    assert bid_count_text(response) == "sealed for ever: the call was cancelled before its deadline"
    page = response.content.decode()
    assert "single bid" not in page
    assert bids["ngo"].provider.name not in page
    assert bids["other_ngo"].provider.name not in page


def test_the_django_admin_lists_the_bids_after_the_deadline(client, sealed, clock, admin_user):
    call, _bids, _users = sealed
    clock.move_to(call.deadline)
    client.force_login(admin_user)

    response = client.get("/admin/tenders/bid/")

    assert response.context["cl"].result_count == 2


def test_an_officer_of_another_agency_and_an_expert_off_the_commission_never_see_the_bids(
    client, sealed, clock, other_officer
):
    call, bids, _users = sealed
    outsider = factories.ExpertFactory()
    clock.move_to(call.deadline)

    for user in (other_officer, outsider):
        assert not Bid.objects.visible_to(user).exists()
        response = as_user(client, user).get(reverse("tenders:bid-detail", args=[bids["ngo"].pk]))
        assert response.status_code == 404


# -- the bidding NGO --------------------------------------------------------------------------------------------


def test_the_bidding_ngo_sees_its_own_bid_at_all_times_and_never_the_others(
    client, sealed, clock, officer, ngo_user, other_ngo_user
):
    call, bids, _users = sealed
    moments = [None, call.deadline, "open"]
    for moment in moments:
        if moment == "open":
            services.open_bids(call=call, acting_user=officer)
        elif moment is not None:
            clock.move_to(moment)

        for user, own, other in ((ngo_user, "ngo", "other_ngo"), (other_ngo_user, "other_ngo", "ngo")):
            assert set(Bid.objects.visible_to(user).values_list("pk", flat=True)) == {bids[own].pk}
            as_user(client, user)
            assert client.get(reverse("tenders:bid-detail", args=[bids[own].pk])).status_code == 200
            assert client.get(reverse("tenders:bid-detail", args=[bids[other].pk])).status_code == 404


def test_the_admin_audit_log_hides_events_of_sealed_bids(client, clock, admin_user, provider):
    call = factories.CallFactory()
    submitted_bid(call, provider=provider)
    assert AuditEvent.objects.filter(action="submitted").exists()
    client.force_login(admin_user)
    page = client.get("/admin/core/auditevent/").content.decode()
    assert provider.name_ru not in page
    assert call.number not in page
    clock.move_to(call.deadline)
    client.force_login(admin_user)
    page = client.get("/admin/core/auditevent/").content.decode()
    assert call.number in page

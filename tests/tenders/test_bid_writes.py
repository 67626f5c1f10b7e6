"""Every write to a bid happens under the call's and the bid's row locks, re-reads the bid's status, refuses a bid that
is no longer a draft (saying when it was submitted) and writes only the fields it changes; an NGO refused at the
deadline reads why. The races themselves are proved on PostgreSQL in test_concurrency.py; here the stale reads are
made by hand, one step after the other.

The clock starts at 2026-11-24 10:00 Almaty time; the `call` fixture accepts bids until 2026-12-08 10:00."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from core.exceptions import InvalidTransition
from core.forms import DocumentForm
from core.models import AuditEvent
from tenders import services
from tenders.forms import BidForm, CostItemFormSet
from tenders.models import Bid, BidDocument
from tests import factories
from tests.tenders.util import as_user, management

pytestmark = pytest.mark.django_db

SUBMITTED_AT = dt.datetime.fromisoformat("2026-11-30 15:30+05:00")
SUBMITTED_MESSAGE = (
    "Your bid was submitted at 15:30 on 30 November and cannot be edited; withdraw it first to change it."
)
CLOSED_MESSAGE = "The call stopped accepting bids at 10:00 on 8 December."


def actions(obj) -> list[str]:
    return list(AuditEvent.objects.for_object(obj).order_by("id").values_list("action", flat=True))


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def bid(call, provider, ngo_user):
    return factories.BidFactory(call=call, provider=provider, created_by=ngo_user)


def edit_forms(bid: Bid, **changes) -> tuple[BidForm, CostItemFormSet]:
    """Return the valid forms of the bid's edit page as a tab read it now, with `changes` typed in."""
    data = {
        "price": str(bid.price),
        "proposal": bid.proposal,
        "price_justification": bid.price_justification,
        "staff": [m.pk for m in bid.staff.all()],
        **management("items", 1),
        "items-0-year": "2027",
        "items-0-item": "Оплата труда специалистов",
        "items-0-amount": "9000000",
        **changes,
    }
    stale = Bid.objects.select_related("call", "provider").get(pk=bid.pk)
    form = BidForm(data, instance=stale, call=stale.call, provider=stale.provider)
    items = CostItemFormSet(data, instance=stale, prefix="items")
    assert form.is_valid(), form.errors
    assert items.is_valid(), items.errors
    return form, items


# -- the service ------------------------------------------------------------------------------------------------


def test_a_draft_saved_from_a_tab_read_before_the_submission_is_refused_and_the_bid_stays_submitted(
    bid, ngo_user, clock
):
    form, items = edit_forms(bid, proposal="Черновик из второй вкладки")  # the second tab, read while a draft
    clock.move_to(SUBMITTED_AT)
    services.submit_bid(bid=bid, acting_user=ngo_user)  # the first tab submits

    with pytest.raises(InvalidTransition) as error:
        services.save_bid(form=form, items=items, acting_user=ngo_user)

    assert error.value.messages == [SUBMITTED_MESSAGE]
    bid.refresh_from_db()
    assert (bid.status, bid.submitted_at) == (Bid.Status.SUBMITTED, SUBMITTED_AT)
    assert bid.proposal != "Черновик из второй вкладки"
    assert not bid.cost_items.exists()
    assert actions(bid) == ["submitted"]


def test_an_edit_writes_only_the_fields_it_changed(bid, ngo_user):
    form, items = edit_forms(bid, proposal="Новый текст предложения")
    Bid.objects.filter(pk=bid.pk).update(price=Decimal("8500000"))  # another tab changed the price meanwhile

    services.save_bid(form=form, items=items, acting_user=ngo_user)

    bid.refresh_from_db()
    assert bid.proposal == "Новый текст предложения"
    assert bid.price == Decimal("8500000")  # not written back from the stale read
    assert bid.status == Bid.Status.DRAFT


def test_the_staffing_plan_is_saved_only_when_it_changed(bid, ngo_user, provider):
    member = factories.StaffMemberFactory(provider=provider)
    form, items = edit_forms(bid, staff=[member.pk])

    services.save_bid(form=form, items=items, acting_user=ngo_user)

    assert list(Bid.objects.get(pk=bid.pk).staff.all()) == [member]


def test_an_edit_at_the_deadline_is_refused_saying_when_the_call_closed(bid, ngo_user, clock):
    form, items = edit_forms(bid, proposal="Поздно")
    clock.move_to(bid.call.deadline)

    with pytest.raises(InvalidTransition) as error:
        services.save_bid(form=form, items=items, acting_user=ngo_user)

    assert error.value.messages == [CLOSED_MESSAGE]
    assert Bid.objects.get(pk=bid.pk).proposal != "Поздно"


def test_a_document_cannot_be_added_to_a_bid_submitted_meanwhile(bid, ngo_user, clock, private_media):
    form = DocumentForm({"title": "Устав"}, {"file": SimpleUploadedFile("charter.pdf", b"%PDF-1.4\n%\n")})
    assert form.is_valid(), form.errors
    stale = Bid.objects.get(pk=bid.pk)
    clock.move_to(SUBMITTED_AT)
    services.submit_bid(bid=bid, acting_user=ngo_user)

    with pytest.raises(InvalidTransition) as error:
        services.add_bid_document(bid=stale, form=form, acting_user=ngo_user)

    assert error.value.messages == [SUBMITTED_MESSAGE]
    assert not BidDocument.objects.filter(bid=bid).exists()
    assert actions(bid) == ["submitted"]


def test_a_second_submission_changes_nothing_and_keeps_the_first_time(bid, ngo_user, clock):
    clock.move_to(SUBMITTED_AT)
    services.submit_bid(bid=bid, acting_user=ngo_user)
    clock.move_to(SUBMITTED_AT + dt.timedelta(minutes=5))

    with pytest.raises(InvalidTransition) as error:
        services.submit_bid(bid=bid, acting_user=ngo_user)

    assert error.value.messages == ["Your bid was already submitted at 15:30 on 30 November."]
    bid.refresh_from_db()
    assert bid.submitted_at == SUBMITTED_AT
    assert actions(bid) == ["submitted"]


def test_a_withdrawal_at_the_deadline_says_when_the_call_closed(bid, ngo_user, clock):
    services.submit_bid(bid=bid, acting_user=ngo_user)
    clock.move_to(bid.call.deadline)

    with pytest.raises(InvalidTransition) as error:
        services.withdraw_bid(bid=bid, acting_user=ngo_user)

    assert error.value.messages == [CLOSED_MESSAGE]
    assert Bid.objects.get(pk=bid.pk).status == Bid.Status.SUBMITTED


def test_the_deadline_message_is_localised(bid, clock):
    clock.move_to(bid.call.deadline)
    with translation.override("ru"):
        message = services.bids_closed_message(bid.call)

    assert message == "Конкурс перестал принимать заявки в 10:00 8 декабря."


# -- the pages: an NGO refused reads why, never the bare "not allowed" page ---------------------------------------


def test_the_edit_page_after_the_deadline_sends_the_ngo_to_its_bid_with_the_reason(client, bid, ngo_user, clock):
    clock.move_to(bid.call.deadline + dt.timedelta(minutes=3))
    as_user(client, ngo_user)

    for response in (
        client.get(reverse("tenders:bid-edit", args=[bid.pk]), follow=True),
        client.post(reverse("tenders:bid-edit", args=[bid.pk]), {"price": "9000000", "submit": ""}, follow=True),
    ):
        assert response.redirect_chain == [(bid.get_absolute_url(), 302)]
        assert response.status_code == 200
        assert response.content.decode().count(CLOSED_MESSAGE) == 1
    assert Bid.objects.get(pk=bid.pk).status == Bid.Status.DRAFT


def test_the_reason_is_shown_on_the_bid_page_in_russian(client, bid, ngo_user, clock):
    clock.move_to(bid.call.deadline)
    as_user(client, ngo_user)
    client.cookies["django_language"] = "ru"

    page = client.get(reverse("tenders:bid-edit", args=[bid.pk]), follow=True).content.decode()

    assert "Конкурс перестал принимать заявки в 10:00 8 декабря." in page


def test_an_upload_after_the_deadline_is_refused_with_the_reason(client, bid, ngo_user, clock, private_media):
    clock.move_to(bid.call.deadline)
    as_user(client, ngo_user)

    response = client.post(
        reverse("tenders:bid-edit", args=[bid.pk]),
        {"upload": "", "title": "Устав", "file": SimpleUploadedFile("charter.pdf", b"%PDF-1.4\n%\n")},
    )

    assert response.status_code == 302
    assert flash(response) == [CLOSED_MESSAGE]
    assert not BidDocument.objects.filter(bid=bid).exists()


def test_a_submitted_bid_opened_for_editing_says_when_it_was_submitted(client, bid, ngo_user, clock):
    clock.move_to(SUBMITTED_AT)
    services.submit_bid(bid=bid, acting_user=ngo_user)
    as_user(client, ngo_user)

    response = client.get(reverse("tenders:bid-edit", args=[bid.pk]))

    assert response.status_code == 302
    assert flash(response) == [SUBMITTED_MESSAGE]


def test_a_late_withdrawal_reads_why(client, bid, ngo_user, clock):
    services.submit_bid(bid=bid, acting_user=ngo_user)
    clock.move_to(bid.call.deadline)
    as_user(client, ngo_user)

    response = client.post(reverse("tenders:bid-action", args=[bid.pk, "withdraw"]))

    assert flash(response) == [CLOSED_MESSAGE]
    assert Bid.objects.get(pk=bid.pk).status == Bid.Status.SUBMITTED


def test_an_officer_who_sees_an_opened_bid_still_may_not_edit_it(client, bid, ngo_user, officer, clock):
    services.submit_bid(bid=bid, acting_user=ngo_user)
    clock.move_to(bid.call.deadline)
    as_user(client, officer)

    assert client.get(reverse("tenders:bid-edit", args=[bid.pk])).status_code == 403

"""Sealed means sealed in the Django admin too (DESIGN.md, sealed bids): a bid before its deadline, a draft or a
withdrawn bid, and every bid of a call cancelled before its deadline (sealed for ever) are invisible on every admin
page that could show a bid — changelists, change forms, history, delete pages and confirmations, autocomplete, the
contract form's bid field, the audit log and "view on site" — for a superuser and for a staff account holding every
permission alike. Where a page is asked for a sealed row it answers exactly as for a row that does not exist.

NGO staff are personal data: in the admin only superusers see their names and certificate dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.admin import site
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from core import audit
from core.admin import SealedSafeAdmin
from core.models import AuditEvent, Role, User
from providers.models import StaffMember
from tenders.models import Bid, Call
from tests import factories

pytestmark = pytest.mark.django_db

STAFF_NAME = "Жасырын Айгерім Бекқызы"
SEALED_NAMES = {
    "before the deadline": "ОФ «Запечатанная до срока»",
    "draft": "ОФ «Черновик навсегда»",
    "withdrawn": "ОФ «Отозванная заявка»",
    "cancelled before the deadline": "ОФ «Отменённый конкурс»",
}
OPEN_NAME = "ОФ «Вскрытая заявка»"


@pytest.fixture
def staff_admin(db):
    """A staff account that is not a superuser but holds every permission of every model."""
    user = factories.UserFactory(username="staff-admin", role=Role.ADMIN, is_staff=True, is_superuser=False)
    user.user_permissions.set(Permission.objects.all())
    return user


@pytest.fixture(params=["superuser", "staff with every permission"])
def admin_client(request, client, admin_user, staff_admin):
    user = admin_user if request.param == "superuser" else staff_admin
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.user = user
    return client


def bid_of(call: Call, name: str, **kwargs) -> Bid:
    """Return a bid of a new NGO called `name` with a cost item, a named staff member in its plan and an event."""
    provider = factories.ProviderFactory(name_ru=name, name_kk=name)
    bid = factories.BidFactory(call=call, provider=provider, **kwargs)
    factories.BidCostItemFactory(bid=bid)
    bid.staff.add(factories.StaffMemberFactory(provider=provider, full_name=f"{STAFF_NAME} {bid.pk}"))
    audit.record(actor=bid.created_by, action="bid started", target=bid)
    return bid


@pytest.fixture
def world(clock, officer):
    """Calls of the officer's agency at 24 November 2026 10:00, and their bids:

    - a call accepting bids (deadline in 14 days) with a submitted bid — sealed until its deadline;
    - a call past its deadline with a draft, a withdrawn bid (both sealed for ever) and a submitted one (open);
    - a call cancelled on 19 November, before its deadline of 23 November, with a submitted bid (sealed for ever).
    """
    now = timezone.now()
    accepting = factories.CallFactory(agency=officer.agency, number="ГСЗ-ACCEPTING")
    past = factories.CallFactory(
        agency=officer.agency, number="ГСЗ-PAST", opens_at=now - dt.timedelta(days=20), deadline=now - dt.timedelta(1)
    )
    cancelled = factories.CallFactory(
        agency=officer.agency,
        number="ГСЗ-CANCELLED",
        opens_at=now - dt.timedelta(days=20),
        deadline=now - dt.timedelta(days=1),
        status=Call.Status.CANCELLED,
        cancelled_at=now - dt.timedelta(days=5),
    )
    submitted = {"status": Bid.Status.SUBMITTED, "submitted_at": now - dt.timedelta(days=2)}
    sealed = {
        "before the deadline": bid_of(accepting, SEALED_NAMES["before the deadline"], **submitted),
        "draft": bid_of(past, SEALED_NAMES["draft"]),
        "withdrawn": bid_of(past, SEALED_NAMES["withdrawn"], status=Bid.Status.WITHDRAWN),
        "cancelled before the deadline": bid_of(cancelled, SEALED_NAMES["cancelled before the deadline"], **submitted),
    }
    opened = bid_of(past, OPEN_NAME, **submitted)
    return {"calls": {"accepting": accepting, "past": past, "cancelled": cancelled}, "sealed": sealed, "open": opened}


def missing_pk() -> int:
    return Bid.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000


def answer(client, url_pattern: str, pk: int) -> tuple:
    """Return what a page answers for this pk, with the pk itself taken out: its status, where it redirects, and
    the messages the next page shows."""
    response = client.get(url_pattern.format(pk=pk))
    location = response.get("Location", "")
    messages = []
    if response.status_code == 302 and location.startswith("/admin/"):
        shown = client.get(location)  # shows (and so uses up) the messages
        messages = [str(m) for m in shown.context["messages"]] if shown.context else []
    return (
        response.status_code,
        location.replace(str(pk), "PK"),
        [m.replace(str(pk), "PK") for m in messages],
    )


def page(response) -> str:
    return response.content.decode()


def assert_shows_no_sealed_bid(text: str) -> None:
    for name in SEALED_NAMES.values():
        assert name not in text
        assert name.replace("«", "&laquo;") not in text
    assert STAFF_NAME not in text


BID_PAGES = [
    "/admin/tenders/bid/{pk}/change/",
    "/admin/tenders/bid/{pk}/history/",
    "/admin/tenders/bid/{pk}/delete/",
    "/admin/r/" + "{ct}" + "/{pk}/",
]


# -- a sealed bid's own pages answer as for a bid that does not exist -------------------------------------------


@pytest.mark.parametrize("which", list(SEALED_NAMES))
@pytest.mark.parametrize("url", BID_PAGES)
def test_a_sealed_bids_pages_answer_as_for_a_missing_bid(admin_client, world, which, url):
    url = url.replace("{ct}", str(ContentType.objects.get_for_model(Bid).pk))
    sealed = answer(admin_client, url, world["sealed"][which].pk)
    missing = answer(admin_client, url, missing_pk())

    assert sealed == missing
    assert sealed[0] in (302, 403, 404)


@pytest.mark.parametrize("url", BID_PAGES[:2] + BID_PAGES[3:])
def test_an_open_bids_pages_do_answer(admin_client, world, url):
    """The control: the same pages show a bid whose deadline has passed, so the test above can see a bid."""
    url = url.replace("{ct}", str(ContentType.objects.get_for_model(Bid).pk))
    status, location, _messages = answer(admin_client, url, world["open"].pk)

    assert status in (200, 302)
    if status == 302:  # view on site: to the bid's page in the application
        assert location.endswith(
            reverse("tenders:bid-detail", args=[world["open"].pk]).replace(str(world["open"].pk), "PK")
        )


# -- lists, counts, searches, filters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [{}, {"status": "submitted"}, {"status": "draft"}, {"status": "withdrawn"}, {"q": "ОФ"}, {"q": "ГСЗ-CANCELLED"}],
)
def test_the_bid_list_lists_and_counts_only_the_open_bid(admin_client, world, query):
    response = admin_client.get("/admin/tenders/bid/", query)

    assert response.status_code == 200
    shown = {bid.pk for bid in response.context["cl"].result_list}
    assert shown <= {world["open"].pk}
    assert response.context["cl"].full_result_count == 1
    assert_shows_no_sealed_bid(page(response))


def test_the_bid_search_finds_no_sealed_bid_by_its_ngo(admin_client, world):
    for name in SEALED_NAMES.values():
        response = admin_client.get("/admin/tenders/bid/", {"q": name})
        assert response.context["cl"].result_count == 0


def test_the_autocomplete_of_the_contracts_bid_field_offers_only_the_open_bid(admin_client, world):
    for term in ["", "ОФ", "ГСЗ", *SEALED_NAMES.values()]:
        response = admin_client.get(
            "/admin/autocomplete/",
            {"app_label": "contracts", "model_name": "contract", "field_name": "bid", "term": term},
        )
        assert response.status_code == 200
        ids = {int(row["id"]) for row in response.json()["results"]}
        assert ids <= {world["open"].pk}
        assert_shows_no_sealed_bid(page(response))


def test_the_contract_form_offers_only_the_open_bid(admin_client, world):
    response = admin_client.get("/admin/contracts/contract/add/")

    assert response.status_code == 200
    field = response.context["adminform"].form.fields["bid"]
    assert set(field.queryset.values_list("pk", flat=True)) == {world["open"].pk}
    assert_shows_no_sealed_bid(page(response))


@pytest.mark.parametrize("which", list(SEALED_NAMES))
def test_posting_a_sealed_bid_to_the_contract_form_is_refused_as_a_missing_one(admin_client, world, which):
    def error_for(pk: int) -> list[str]:
        response = admin_client.post("/admin/contracts/contract/add/", {"bid": str(pk), "number": "Д-1"})
        return [e.replace(str(pk), "PK") for e in response.context["adminform"].form.errors["bid"]]

    assert error_for(world["sealed"][which].pk) == error_for(missing_pk())


# -- the audit log --------------------------------------------------------------------------------------------------


def test_the_audit_log_shows_no_event_of_a_sealed_bid(admin_client, world):
    bid_type = ContentType.objects.get_for_model(Bid)
    for query in ({}, {"content_type__id__exact": bid_type.pk}, {"q": "ОФ"}, {"action": "bid started"}):
        response = admin_client.get("/admin/core/auditevent/", query)
        assert response.status_code == 200
        shown = {(e.content_type_id, e.object_id) for e in response.context["cl"].result_list}
        for bid in world["sealed"].values():
            assert (bid_type.pk, str(bid.pk)) not in shown
        assert_shows_no_sealed_bid(page(response))
    assert (bid_type.pk, str(world["open"].pk)) in shown  # the control: the open bid's event is listed


@pytest.mark.parametrize("which", list(SEALED_NAMES))
def test_a_sealed_bids_audit_event_answers_as_a_missing_event(admin_client, world, which):
    event = AuditEvent.objects.for_object(world["sealed"][which]).get()
    missing = AuditEvent.objects.order_by("-pk").first().pk + 1000
    for url in ("/admin/core/auditevent/{pk}/change/", "/admin/core/auditevent/{pk}/history/"):
        assert answer(admin_client, url, event.pk) == answer(admin_client, url, missing)


# -- delete confirmations of a call, an NGO, its account and a staff member --------------------------------------


def bulk_delete(client, changelist: str, pks) -> dict:
    """Ask the changelist's "delete selected" action for its confirmation page; return what it shows."""
    response = client.post(
        changelist, {"action": "delete_selected", "select_across": "0", "index": "0", "_selected_action": list(pks)}
    )
    assert response.status_code == 200
    text = page(response)
    assert_shows_no_sealed_bid(text)
    context = response.context
    return {
        "model_count": dict(context["model_count"]),
        "perms_lacking": set(context["perms_lacking"]),
        "protected": list(context["protected"]),
        "objects": str(context["deletable_objects"]),
        "text": text,
    }


def twin_call(call: Call) -> Call:
    """Return a call of the same agency, status and dates as `call`, with no bid at all."""
    return factories.CallFactory(
        agency=call.agency,
        status=call.status,
        opens_at=call.opens_at,
        deadline=call.deadline,
        cancelled_at=call.cancelled_at,
        published_at=call.published_at,
    )


@pytest.mark.parametrize("which", ["accepting", "past", "cancelled"])
def test_a_calls_delete_pages_answer_as_for_a_call_without_bids(admin_client, world, which):
    call = world["calls"][which]
    twin = twin_call(call)
    if which == "past":  # the past call also holds the open bid, which the admin may name
        bid_of(twin, "ОФ «Другая вскрытая»", status=Bid.Status.SUBMITTED, submitted_at=world["open"].submitted_at)

    with_bids = admin_client.get(f"/admin/tenders/call/{call.pk}/delete/")
    without = admin_client.get(f"/admin/tenders/call/{twin.pk}/delete/")
    assert with_bids.status_code == without.status_code == 403  # a published call is cancelled, not deleted

    shown, twin_shown = (bulk_delete(admin_client, "/admin/tenders/call/", [c.pk]) for c in (call, twin))
    assert shown["model_count"] == twin_shown["model_count"]
    assert shown["perms_lacking"] == twin_shown["perms_lacking"]
    assert "call" in shown["perms_lacking"]
    assert len(shown["protected"]) == len(twin_shown["protected"])
    assert not any("bid" in name for name in shown["model_count"])
    assert "Bid:" not in shown["objects"]


def test_a_draft_call_can_still_be_deleted(admin_client, officer):
    draft = factories.CallFactory(agency=officer.agency, draft=True)
    response = admin_client.post(f"/admin/tenders/call/{draft.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Call.objects.filter(pk=draft.pk).exists()


@pytest.mark.parametrize("which", list(SEALED_NAMES))
def test_an_ngos_delete_pages_answer_as_for_an_ngo_without_bids(admin_client, world, which):
    provider = world["sealed"][which].provider
    twin = factories.ProviderFactory()  # an NGO like it, with a member and a staff member, that never bid
    factories.NgoUserFactory(provider=twin)
    factories.StaffMemberFactory(provider=twin, full_name=f"{STAFF_NAME} twin")

    assert admin_client.get(f"/admin/providers/provider/{provider.pk}/delete/").status_code == 403
    assert admin_client.get(f"/admin/providers/provider/{twin.pk}/delete/").status_code == 403

    shown, twin_shown = (bulk_delete(admin_client, "/admin/providers/provider/", [p.pk]) for p in (provider, twin))
    assert shown["model_count"] == twin_shown["model_count"]
    assert shown["perms_lacking"] == twin_shown["perms_lacking"]
    assert shown["protected"] == twin_shown["protected"] == []


def test_an_unverified_ngo_can_still_be_deleted(admin_client):
    unverified = factories.ProviderFactory(status="unverified")
    response = admin_client.post(f"/admin/providers/provider/{unverified.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302


@pytest.mark.parametrize("which", list(SEALED_NAMES))
def test_an_accounts_delete_page_is_refused_for_every_account(admin_client, world, which):
    author = world["sealed"][which].created_by
    bystander = factories.NgoUserFactory()

    assert admin_client.get(f"/admin/core/user/{author.pk}/delete/").status_code == 403
    assert admin_client.get(f"/admin/core/user/{bystander.pk}/delete/").status_code == 403
    changelist = admin_client.get("/admin/core/user/")
    assert "delete_selected" not in page(changelist)
    assert User.objects.filter(pk=author.pk).exists()


@pytest.mark.parametrize("which", list(SEALED_NAMES))
def test_a_staff_members_delete_pages_do_not_count_their_bids(client, admin_user, world, which):
    client.force_login(admin_user)  # staff members are a superuser's business only
    member = world["sealed"][which].staff.get()
    twin = factories.StaffMemberFactory(provider=member.provider)

    assert client.get(f"/admin/providers/staffmember/{member.pk}/delete/").status_code == 403
    assert client.get(f"/admin/providers/staffmember/{twin.pk}/delete/").status_code == 403
    response = client.post(
        "/admin/providers/staffmember/",
        {"action": "delete_selected", "select_across": "0", "index": "0", "_selected_action": [member.pk]},
    )
    twin_response = client.post(
        "/admin/providers/staffmember/",
        {"action": "delete_selected", "select_across": "0", "index": "0", "_selected_action": [twin.pk]},
    )
    assert dict(response.context["model_count"]).keys() == dict(twin_response.context["model_count"]).keys()
    assert "relationship" not in page(response).lower()


# -- the deadline passes: the submitted bid appears, the others never -------------------------------------------


def test_at_the_deadline_the_submitted_bid_appears_and_the_others_stay_sealed(admin_client, world, clock):
    clock.move_to(world["calls"]["accepting"].deadline)
    now_open = world["sealed"].pop("before the deadline")

    response = admin_client.get("/admin/tenders/bid/")

    assert {b.pk for b in response.context["cl"].result_list} == {world["open"].pk, now_open.pk}
    assert admin_client.get(f"/admin/tenders/bid/{now_open.pk}/change/").status_code == 200
    for bid in world["sealed"].values():
        assert answer(admin_client, "/admin/tenders/bid/{pk}/change/", bid.pk) == answer(
            admin_client, "/admin/tenders/bid/{pk}/change/", missing_pk()
        )


# -- staff personal data: superusers only ---------------------------------------------------------------------------


def test_a_staff_account_that_is_not_a_superuser_sees_no_staff_member(client, staff_admin, world):
    client.force_login(staff_admin)
    member = world["open"].staff.get()

    assert client.get("/admin/providers/staffmember/").status_code == 403
    assert client.get(f"/admin/providers/staffmember/{member.pk}/change/").status_code == 403
    bid_page = client.get(f"/admin/tenders/bid/{world['open'].pk}/change/")
    assert bid_page.status_code == 200
    assert STAFF_NAME not in page(bid_page)
    assert STAFF_NAME not in page(client.get("/admin/"))
    autocomplete = client.get(
        "/admin/autocomplete/", {"app_label": "tenders", "model_name": "bid", "field_name": "staff", "term": ""}
    )
    assert autocomplete.status_code == 403
    confirmation = bulk_delete(client, "/admin/providers/provider/", [world["open"].provider.pk])
    assert STAFF_NAME not in confirmation["text"]


def test_a_superuser_sees_staff_members(client, admin_user, world):
    client.force_login(admin_user)
    assert STAFF_NAME in page(client.get("/admin/providers/staffmember/"))
    assert STAFF_NAME in page(client.get(f"/admin/tenders/bid/{world['open'].pk}/change/"))


# -- every admin of the project builds on the sealed-safe base --------------------------------------------------


def test_every_model_admin_of_the_project_has_sealed_safe_delete_pages():
    ours = {"core", "providers", "tenders", "contracts", "evaluation"}
    for model, model_admin in site._registry.items():
        if model._meta.app_label in ours:
            assert isinstance(model_admin, SealedSafeAdmin), model


def test_staff_of_the_world_are_named_in_plans(world):
    """The fixture is what the tests above assume: every bid names a staff member and has a cost item."""
    for bid in [*world["sealed"].values(), world["open"]]:
        assert bid.staff.count() == 1
        assert bid.cost_items.count() == 1
        assert StaffMember.objects.get(bids=bid).full_name.startswith(STAFF_NAME)
    assert Decimal(world["open"].price) > 0

"""The audit log: one record() function, before/after values, personal data by field name only, the request IP."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from core import audit
from core.middleware import current_ip
from core.models import AuditEvent
from providers.models import Provider
from tests import factories

pytestmark = pytest.mark.django_db

OLD_NAME = "Ахметова Айгерим Болатовна"
NEW_NAME = "Ахметова Айгерим Сериковна"


def test_record_stores_actor_action_and_target(officer, provider):
    event = audit.record(actor=officer, action="verified", target=provider)
    assert event.actor == officer
    assert event.action == "verified"
    assert event.content_type == ContentType.objects.get_for_model(Provider)
    assert event.object_id == str(provider.pk)
    assert event.object_repr == str(provider)


def test_record_stores_before_and_after_values(officer, provider):
    audit.record(actor=officer, action="edited", target=provider, changes={"phone": ("+7 701", "+7 702")})
    event = AuditEvent.objects.for_object(provider).get()
    assert event.changes == {"phone": ["+7 701", "+7 702"]}


def test_record_turns_dates_decimals_and_rows_into_text(officer, provider):
    changes = {
        "registration_date": (dt.date(2015, 5, 12), dt.date(2016, 1, 2)),
        "evaluation_threshold": (Decimal("15.00"), Decimal("12.50")),
        "home_region": (factories.region("75"), factories.region("35")),
    }
    audit.record(actor=officer, action="edited", target=provider, changes=changes)
    stored = AuditEvent.objects.for_object(provider).get().changes
    assert stored["registration_date"] == ["2015-05-12", "2016-01-02"]
    assert stored["evaluation_threshold"] == ["15.00", "12.50"]
    assert stored["home_region"] == [str(factories.region("75")), str(factories.region("35"))]


def test_record_keeps_sensitive_fields_by_name_only(officer, provider):
    audit.record(
        actor=officer,
        action="staff member edited",
        target=provider,
        changes={"full_name": (OLD_NAME, NEW_NAME), "position": ("teacher", "psychologist")},
        sensitive=["full_name"],
    )
    stored = AuditEvent.objects.for_object(provider).get().changes
    assert set(stored) == {"full_name", "position"}
    assert stored["full_name"] == [audit.SENSITIVE, audit.SENSITIVE]
    assert stored["position"] == ["teacher", "psychologist"]
    assert OLD_NAME not in json.dumps(stored, ensure_ascii=False)
    assert NEW_NAME not in json.dumps(stored, ensure_ascii=False)


def test_record_adds_the_note(officer, provider):
    audit.record(actor=officer, action="suspended", target=provider, note="documents expired")
    assert AuditEvent.objects.for_object(provider).get().changes == {"note": "documents expired"}


def test_record_of_an_anonymous_actor_stores_no_actor(provider):
    from django.contrib.auth.models import AnonymousUser

    event = audit.record(actor=AnonymousUser(), action="access requested", target=provider)
    assert event.actor is None


def test_record_outside_a_request_stores_no_ip(officer, provider):
    assert audit.record(actor=officer, action="verified", target=provider).ip is None


def test_record_takes_the_ip_of_the_current_request(officer, provider):
    token = current_ip.set("198.51.100.4")
    try:
        event = audit.record(actor=officer, action="verified", target=provider)
    finally:
        current_ip.reset(token)
    assert event.ip == "198.51.100.4"


def test_for_object_returns_only_that_objects_events_newest_first(officer, provider, other_provider):
    first = audit.record(actor=officer, action=audit.Action.VERIFIED, target=provider)
    audit.record(actor=officer, action=audit.Action.VERIFIED, target=other_provider)
    second = audit.record(actor=officer, action=audit.Action.SUSPENDED, target=provider)
    assert list(AuditEvent.objects.for_object(provider)) == [second, first]


def test_the_middleware_forgets_the_ip_after_the_request(client, ngo_user, provider):
    client.force_login(ngo_user)
    client.get(reverse("providers:provider-detail", args=[provider.pk]), REMOTE_ADDR="203.0.113.7")
    assert current_ip.get() is None


# -- through a view: editing a staff member ---------------------------------------------------------------------


@pytest.fixture
def staff_member(provider):
    return factories.StaffMemberFactory(
        provider=provider,
        full_name=OLD_NAME,
        position="psychologist",
        qualification="Высшее, психология",
        certification_expiry=dt.date(2027, 3, 14),
        no_record_certificate_date=dt.date(2026, 2, 17),
    )


def edit_staff(client, provider, member, **changes):
    data = {
        "full_name": member.full_name,
        "position": member.position,
        "qualification": member.qualification,
        "certification_expiry": member.certification_expiry.isoformat(),
        "no_record_certificate_date": member.no_record_certificate_date.isoformat(),
        "is_active": "on",
        **changes,
    }
    return client.post(reverse("providers:staff-edit", args=[provider.pk, member.pk]), data, REMOTE_ADDR="203.0.113.7")


def test_editing_a_staff_member_records_an_event_on_the_providers_timeline(
    client, clock, ngo_user, provider, staff_member
):
    client.force_login(ngo_user)
    response = edit_staff(client, provider, staff_member, qualification="Магистр психологии")
    assert response.status_code == 302
    event = AuditEvent.objects.for_object(provider).get()
    assert event.action == "staff member edited"
    assert event.actor == ngo_user
    assert event.changes["qualification"] == ["Высшее, психология", "Магистр психологии"]
    assert event.changes["note"].endswith(f"#{staff_member.pk}")


def test_editing_a_staff_member_records_the_request_ip(client, clock, ngo_user, provider, staff_member):
    client.force_login(ngo_user)
    edit_staff(client, provider, staff_member, qualification="Магистр психологии")
    assert AuditEvent.objects.for_object(provider).get().ip == "203.0.113.7"


def test_editing_staff_personal_data_records_which_fields_changed_but_not_their_values(
    client, clock, ngo_user, provider, staff_member
):
    client.force_login(ngo_user)
    edit_staff(
        client,
        provider,
        staff_member,
        full_name=NEW_NAME,
        certification_expiry="2028-04-30",
        no_record_certificate_date="2026-10-05",
    )
    staff_member.refresh_from_db()
    assert staff_member.full_name == NEW_NAME  # the edit itself went through
    changes = AuditEvent.objects.for_object(provider).get().changes
    for field in ("full_name", "certification_expiry", "no_record_certificate_date"):
        assert changes[field] == [audit.SENSITIVE, audit.SENSITIVE]
    stored = json.dumps(changes, ensure_ascii=False)
    for secret in (OLD_NAME, NEW_NAME, "2027-03-14", "2028-04-30", "2026-02-17", "2026-10-05"):
        assert secret not in stored


def test_the_event_repr_names_the_provider_not_the_staff_member(client, clock, ngo_user, provider, staff_member):
    client.force_login(ngo_user)
    edit_staff(client, provider, staff_member, full_name=NEW_NAME)
    event = AuditEvent.objects.for_object(provider).get()
    assert event.object_repr == str(provider)
    assert OLD_NAME not in event.object_repr


def test_an_unchanged_staff_form_records_no_changed_fields(client, clock, ngo_user, provider, staff_member):
    client.force_login(ngo_user)
    edit_staff(client, provider, staff_member)
    changes = AuditEvent.objects.for_object(provider).get().changes
    assert set(changes) == {"note"}


def test_adding_a_staff_member_records_the_name_field_without_the_name(client, clock, ngo_user, provider):
    client.force_login(ngo_user)
    client.post(
        reverse("providers:staff-add", args=[provider.pk]),
        {
            "full_name": NEW_NAME,
            "position": "social-worker",
            "qualification": "Высшее",
            "no_record_certificate_date": "2026-09-01",
            "is_active": "on",
        },
        REMOTE_ADDR="203.0.113.9",
    )
    event = AuditEvent.objects.for_object(provider).get()
    assert event.action == "staff member added"
    assert event.ip == "203.0.113.9"
    assert event.changes["full_name"] == [audit.SENSITIVE, audit.SENSITIVE]
    assert NEW_NAME not in json.dumps(event.changes, ensure_ascii=False)

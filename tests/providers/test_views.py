"""The NGO registry through its pages: registration, access requests, verification, staff privacy, invitations."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from core.models import AuditEvent, Role
from core.validators import bin_error
from providers.models import AccessRequest, Invitation, Membership, Provider
from tests import factories

pytestmark = pytest.mark.django_db

User = get_user_model()

NEW_BIN = factories.valid_bin(7777)
PASSWORD = "Сложный-пароль-2026"


@pytest.fixture
def en_client(client):
    """A client reading the site in English, so assertions do not depend on the Russian catalogue."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def as_user(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def registration_data(**overrides) -> dict:
    data = {
        "name_ru": "ОФ «Бала Қорғау»",
        "name_kk": "«Бала Қорғау» ҚҚ",
        "bin": NEW_BIN,
        "legal_form": Provider.LegalForm.PUBLIC_FUND,
        "registration_date": "2019-04-02",
        "home_region": factories.region("75").pk,
        "address": "Алматы, пр. Абылай хана, 10",
        "phone": "+7 727 000 00 00",
        "email": "info@bala.kz",
        "website": "",
        "ngo_db_listed": "on",
        "ngo_db_last_submission": "2026-02-01",
        "account-username": "director",
        "account-first_name": "Айгуль",
        "account-last_name": "Сериккызы",
        "account-email": "director@bala.kz",
        "account-password1": PASSWORD,
        "account-password2": PASSWORD,
    }
    data.update(overrides)
    return data


def register(client, **overrides):
    return client.post(reverse("providers:register"), registration_data(**overrides))


# -- registration -----------------------------------------------------------------------------------------------


def test_the_registration_page_is_public(en_client):
    assert en_client.get(reverse("providers:register")).status_code == 200


def test_registration_creates_the_user_the_provider_and_the_membership(en_client, clock):
    response = register(en_client)
    provider = Provider.objects.get(bin=NEW_BIN)
    user = User.objects.get(username="director")
    assert response.status_code == 302
    assert response.url == provider.get_absolute_url()
    assert user.role == Role.NGO
    assert user.check_password(PASSWORD)
    assert Membership.objects.filter(user=user, provider=provider).exists()


def test_a_registered_provider_starts_unverified(en_client, clock):
    register(en_client)
    provider = Provider.objects.get(bin=NEW_BIN)
    assert provider.status == Provider.Status.UNVERIFIED
    assert not provider.may_bid


def test_registration_signs_the_new_user_in(en_client, clock):
    register(en_client)
    assert int(en_client.session["_auth_user_id"]) == User.objects.get(username="director").pk


def test_registration_records_a_registered_event(en_client, clock):
    register(en_client)
    provider = Provider.objects.get(bin=NEW_BIN)
    [event] = AuditEvent.objects.for_object(provider)
    assert event.action == "registered"
    assert event.actor == User.objects.get(username="director")
    assert event.changes["bin"] == [None, NEW_BIN]


def test_registration_emails_the_officers_of_the_home_region_after_commit(
    en_client, clock, officer, other_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        register(en_client)
    assert mail.outbox == []  # nothing is sent before the transaction commits
    assert len(callbacks) == 1
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [[officer.email]]
    assert NEW_BIN in mail.outbox[0].body
    assert Provider.objects.get(bin=NEW_BIN).get_absolute_url() in mail.outbox[0].body


def test_registration_does_not_email_officers_of_other_regions(
    en_client, clock, other_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        register(en_client)
    assert mail.outbox == []


def test_registration_does_not_email_inactive_officers(en_client, clock, officer, django_capture_on_commit_callbacks):
    User.objects.filter(pk=officer.pk).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        register(en_client)
    assert mail.outbox == []


def assert_nothing_created(users_before: int, providers_before: int):
    assert User.objects.count() == users_before
    assert Provider.objects.count() == providers_before
    assert not Membership.objects.filter(user__username="director").exists()
    assert not AuditEvent.objects.filter(action="registered").exists()


def test_a_wrong_check_digit_shows_the_specific_message_and_creates_nothing(en_client, clock):
    wrong = NEW_BIN[:11] + str((int(NEW_BIN[11]) + 1) % 10)
    users, providers = User.objects.count(), Provider.objects.count()
    response = register(en_client, bin=wrong)
    assert response.status_code == 200
    with translation.override("en"):
        message = bin_error(wrong)
    assert "check digit" in message
    assert response.context["form"].errors["bin"] == [message]
    assert escape(message) in response.content.decode()
    assert_nothing_created(users, providers)


def test_a_personal_iin_shows_its_own_message_and_creates_nothing(en_client, clock):
    users, providers = User.objects.count(), Provider.objects.count()
    response = register(en_client, bin="900101300017")
    assert response.context["form"].errors["bin"] == [
        "The fifth digit of a legal entity's BIN is 4, 5 or 6; this looks like a personal IIN, not a BIN."
    ]
    assert_nothing_created(users, providers)


def test_spaces_in_the_bin_are_ignored(en_client, clock):
    spaced = f"{NEW_BIN[:4]} {NEW_BIN[4:8]} {NEW_BIN[8:]}"
    register(en_client, bin=spaced)
    assert Provider.objects.filter(bin=NEW_BIN).exists()


def test_an_already_registered_bin_offers_an_access_request_and_creates_nothing(en_client, clock, provider):
    users, providers = User.objects.count(), Provider.objects.count()
    response = register(en_client, bin=provider.bin)
    assert response.status_code == 200
    link = f"{reverse('providers:access-request')}?bin={provider.bin}"
    assert f'href="{link}"' in response.content.decode()
    assert "Ask an administrator to give you access." in response.content.decode()
    assert_nothing_created(users, providers)


def test_an_invalid_account_form_creates_no_provider(en_client, clock):
    users, providers = User.objects.count(), Provider.objects.count()
    response = register(en_client, **{"account-password2": "different-password-1"})
    assert response.status_code == 200
    assert response.context["account_form"].errors["password2"] == ["The two passwords differ."]
    assert_nothing_created(users, providers)


def test_a_future_registration_date_is_refused(en_client, clock):
    users, providers = User.objects.count(), Provider.objects.count()
    response = register(en_client, registration_date="2027-01-01")
    assert response.context["form"].errors["registration_date"] == ["The registration date cannot be in the future."]
    assert_nothing_created(users, providers)


def test_a_signed_in_user_is_sent_away_from_registration(client, ngo_user):
    as_user(client, ngo_user)
    response = client.get(reverse("providers:register"))
    assert response.status_code == 302
    assert response.url == reverse("core:dashboard")


# -- access requests --------------------------------------------------------------------------------------------


def access_request_data(bin_value: str) -> dict:
    return {
        "bin": bin_value,
        "full_name": "Иванова Мария",
        "position": "директор",
        "email": "maria@example.kz",
        "phone": "+7 701 111 22 33",
        "message": "Я директор этой организации; устав приложу.",
    }


def test_the_access_request_form_is_prefilled_with_the_bin(en_client, provider):
    response = en_client.get(reverse("providers:access-request"), {"bin": provider.bin})
    assert response.status_code == 200
    assert response.context["form"].initial["bin"] == provider.bin


def test_an_access_request_is_stored_and_linked_to_the_provider(en_client, provider):
    response = en_client.post(reverse("providers:access-request"), access_request_data(provider.bin))
    assert response.status_code == 302
    row = AccessRequest.objects.get()
    assert (row.bin, row.provider, row.email) == (provider.bin, provider, "maria@example.kz")


def test_an_access_request_emails_the_administrators(
    en_client, provider, admin_user, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        en_client.post(reverse("providers:access-request"), access_request_data(provider.bin))
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([admin_user.email, settings.SUPPORT_EMAIL])
    assert all(provider.bin in message.subject for message in mail.outbox)


def test_an_access_request_with_an_invalid_bin_is_refused(en_client):
    response = en_client.post(reverse("providers:access-request"), access_request_data("150540000018"))
    assert response.status_code == 200
    assert response.context["form"].errors["bin"] == [
        "The check digit (the last digit) is wrong: check the number for a typing error."
    ]
    assert not AccessRequest.objects.exists()


# -- verification -----------------------------------------------------------------------------------------------


@pytest.fixture
def unverified(db):
    return factories.ProviderFactory(home_region=factories.region("75"), status=Provider.Status.UNVERIFIED)


def transition(client, provider, action, **data):
    return client.post(reverse("providers:provider-transition", args=[provider.pk, action]), data)


def test_an_officer_of_the_home_region_verifies_a_provider(client, clock, officer, unverified):
    response = transition(as_user(client, officer), unverified, "verify")
    assert response.status_code == 302
    assert response.url == unverified.get_absolute_url()
    unverified.refresh_from_db()
    assert unverified.status == Provider.Status.ACTIVE
    assert AuditEvent.objects.for_object(unverified).get().actor == officer


def test_an_officer_of_another_region_may_not_verify(client, clock, other_officer, unverified):
    response = transition(as_user(client, other_officer), unverified, "verify")
    assert response.status_code == 403
    unverified.refresh_from_db()
    assert unverified.status == Provider.Status.UNVERIFIED
    assert not AuditEvent.objects.for_object(unverified).exists()


def test_an_admin_verifies_a_provider_of_any_region(client, clock, admin_user):
    provider = factories.ProviderFactory(home_region=factories.region("35"), status=Provider.Status.UNVERIFIED)
    transition(as_user(client, admin_user), provider, "verify")
    provider.refresh_from_db()
    assert provider.status == Provider.Status.ACTIVE


@pytest.mark.parametrize("role", ["expert", "committee"])
def test_other_roles_may_not_verify(client, clock, request, role, unverified):
    response = transition(as_user(client, request.getfixturevalue(role)), unverified, "verify")
    assert response.status_code == 403
    unverified.refresh_from_db()
    assert unverified.status == Provider.Status.UNVERIFIED


@pytest.mark.parametrize(
    ("status", "step"),
    [
        (Provider.Status.UNVERIFIED, "verify"),
        (Provider.Status.ACTIVE, "suspend"),
        (Provider.Status.SUSPENDED, "reactivate"),
    ],
)
def test_the_page_offers_the_verifying_officer_the_next_status_step(client, clock, officer, unverified, status, step):
    Provider.objects.filter(pk=unverified.pk).update(status=status)

    page = as_user(client, officer).get(unverified.get_absolute_url())

    assert [action.name for action in page.context["actions"]] == [step]
    assert reverse("providers:provider-transition", args=[unverified.pk, step]) in page.content.decode()


@pytest.mark.parametrize("role", ["other_officer", "expert", "committee"])
def test_the_page_offers_no_status_step_to_whoever_may_not_verify(client, clock, request, role, unverified):
    page = as_user(client, request.getfixturevalue(role)).get(unverified.get_absolute_url())

    assert page.context["actions"] == []
    assert "/status/" not in page.content.decode()


def test_a_member_may_not_verify_their_own_organisation(client, clock, ngo_user, provider):
    Provider.objects.filter(pk=provider.pk).update(status=Provider.Status.UNVERIFIED)
    response = transition(as_user(client, ngo_user), provider, "verify")
    assert response.status_code == 403
    provider.refresh_from_db()
    assert provider.status == Provider.Status.UNVERIFIED


def test_another_ngo_gets_404_for_a_provider_it_cannot_see(client, clock, other_ngo_user, unverified):
    response = transition(as_user(client, other_ngo_user), unverified, "verify")
    assert response.status_code == 404


def test_verification_is_post_only(client, officer, unverified):
    response = as_user(client, officer).get(reverse("providers:provider-transition", args=[unverified.pk, "verify"]))
    assert response.status_code == 405
    unverified.refresh_from_db()
    assert unverified.status == Provider.Status.UNVERIFIED


def test_an_unknown_action_is_404(client, officer, unverified):
    assert transition(as_user(client, officer), unverified, "delete").status_code == 404


def test_suspension_without_a_reason_shows_an_error_and_changes_nothing(client, clock, officer, provider):
    response = transition(as_user(client, officer), provider, "suspend", reason="")
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.status == Provider.Status.ACTIVE
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Give a reason for the suspension."]


def test_suspension_with_a_reason_suspends(client, clock, officer, provider):
    transition(as_user(client, officer), provider, "suspend", reason="Отозвана регистрация")
    provider.refresh_from_db()
    assert (provider.status, provider.status_reason) == (Provider.Status.SUSPENDED, "Отозвана регистрация")


def test_reactivating_an_unverified_provider_is_refused_with_a_message(client, clock, officer, unverified):
    response = transition(as_user(client, officer), unverified, "reactivate")
    assert response.status_code == 302
    unverified.refresh_from_db()
    assert unverified.status == Provider.Status.UNVERIFIED
    assert not AuditEvent.objects.for_object(unverified).exists()


# -- staff personal data ----------------------------------------------------------------------------------------

STAFF_NAME = "Жумабекова Дана Ерлановна"


@pytest.fixture
def staffed(provider):
    """One staff member who may work with children today (24 Nov 2026) and one whose certificate is too old."""
    factories.StaffMemberFactory(
        provider=provider,
        full_name=STAFF_NAME,
        certification_expiry=dt.date(2027, 9, 30),
        no_record_certificate_date=dt.date(2026, 4, 17),
    )
    factories.StaffMemberFactory(
        provider=provider,
        full_name="Омаров Арман Болатович",
        certification_expiry=None,
        no_record_certificate_date=dt.date(2025, 1, 9),
    )
    return provider


def detail(client, user, provider):
    response = as_user(client, user).get(reverse("providers:provider-detail", args=[provider.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_member_sees_staff_names_and_certificate_dates(client, clock, ngo_user, staffed):
    page = detail(client, ngo_user, staffed)
    assert STAFF_NAME in page
    assert "30.09.2027" in page
    assert "17.04.2026" in page
    assert "09.01.2025" in page


@pytest.mark.parametrize("role", ["officer", "committee", "expert", "admin_user"])
def test_others_see_no_staff_names_or_certificate_dates(client, clock, request, role, staffed):
    page = detail(client, request.getfixturevalue(role), staffed)
    assert STAFF_NAME not in page
    assert "Омаров" not in page
    for date in ("30.09.2027", "17.04.2026", "09.01.2025", "2027-09-30", "2026-04-17"):
        assert date not in page


@pytest.mark.parametrize("role", ["officer", "committee", "expert"])
def test_others_see_staff_counts_and_yes_or_no(client, clock, request, role, staffed):
    page = detail(client, request.getfixturevalue(role), staffed)
    assert "2 employed, of whom 1 may work with children today." in page
    assert re.search(r'class="yes">yes<', page)
    assert re.search(r'class="no">no<', page)


def test_others_do_not_see_staff_names_in_the_timeline_after_an_edit(client, clock, ngo_user, officer, staffed):
    member = staffed.staff.get(full_name=STAFF_NAME)
    as_user(client, ngo_user).post(
        reverse("providers:staff-edit", args=[staffed.pk, member.pk]),
        {
            "full_name": "Жумабекова Дана Ерлановна-Ким",
            "position": member.position,
            "qualification": member.qualification,
            "certification_expiry": "2028-01-31",
            "no_record_certificate_date": "2026-11-01",
            "is_active": "on",
        },
    )
    assert AuditEvent.objects.for_object(staffed).filter(action="staff member edited").exists()
    page = detail(client, officer, staffed)
    assert "Жумабекова" not in page
    for date in ("31.01.2028", "01.11.2026", "2028-01-31", "2026-11-01", "2027-09-30", "2026-04-17"):
        assert date not in page


def test_others_do_not_see_the_members_list(client, clock, officer, ngo_user, staffed):
    page = detail(client, officer, staffed)
    assert ngo_user.email not in page


def test_an_ngo_cannot_open_another_ngos_page(client, other_ngo_user, provider):
    response = as_user(client, other_ngo_user).get(reverse("providers:provider-detail", args=[provider.pk]))
    assert response.status_code == 404


# -- invitations ------------------------------------------------------------------------------------------------


def invitation_link(body: str) -> str:
    match = re.search(r"/providers/invitations/[^/\s]+/", body)
    assert match, body
    return match.group(0)


def test_a_member_invites_a_colleague_by_email(client, clock, ngo_user, provider, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(client, ngo_user).post(
            reverse("providers:invite", args=[provider.pk]), {"email": "Colleague@Example.kz"}
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.provider, invitation.invited_by) == (
        "colleague@example.kz",
        provider,
        ngo_user,
    )
    assert [m.to for m in mail.outbox] == [["colleague@example.kz"]]
    assert invitation_link(mail.outbox[0].body) == reverse("providers:invitation-accept", args=[invitation.token])


def test_a_non_member_may_not_invite(client, clock, officer, provider):
    response = as_user(client, officer).post(reverse("providers:invite", args=[provider.pk]), {"email": "x@y.kz"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_inviting_an_existing_member_is_refused(client, clock, ngo_user, provider):
    response = as_user(client, ngo_user).post(
        reverse("providers:invite", args=[provider.pk]), {"email": ngo_user.email}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["This person is already a member."]
    assert not Invitation.objects.exists()


def account_data(username="newcomer", email="colleague@example.kz") -> dict:
    return {
        "username": username,
        "first_name": "Новый",
        "last_name": "Коллега",
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
    }


def test_a_newcomer_accepts_an_invitation_by_creating_an_account(
    client, clock, ngo_user, provider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        as_user(client, ngo_user).post(reverse("providers:invite", args=[provider.pk]), {"email": "c@example.kz"})
    link = invitation_link(mail.outbox[0].body)
    client.post(reverse("logout"))

    assert client.get(link).status_code == 200
    response = client.post(link, account_data(email="c@example.kz"))

    newcomer = User.objects.get(username="newcomer")
    assert response.status_code == 302
    assert response.url == provider.get_absolute_url()
    assert newcomer.role == Role.NGO
    assert Membership.objects.filter(user=newcomer, provider=provider).exists()
    assert int(client.session["_auth_user_id"]) == newcomer.pk
    invitation = Invitation.objects.get()
    assert (invitation.accepted_by, invitation.accepted_at is not None) == (newcomer, True)
    assert AuditEvent.objects.for_object(provider).filter(action="member joined", actor=newcomer).exists()


def test_a_signed_in_ngo_user_accepts_without_a_new_account(client, clock, provider, other_ngo_user):
    invitation = factories.InvitationFactory(provider=provider, email=other_ngo_user.email)
    users = User.objects.count()
    response = as_user(client, other_ngo_user).post(reverse("providers:invitation-accept", args=[invitation.token]))
    assert response.status_code == 302
    assert Membership.objects.filter(user=other_ngo_user, provider=provider).exists()
    assert User.objects.count() == users


def test_a_signed_in_ngo_user_with_another_email_cannot_use_the_invitation(client, clock, provider, other_ngo_user):
    invitation = factories.InvitationFactory(provider=provider, email="someone-else@example.kz")
    response = as_user(client, other_ngo_user).post(reverse("providers:invitation-accept", args=[invitation.token]))
    assert response.status_code == 403
    assert not Membership.objects.filter(user=other_ngo_user, provider=provider).exists()


def test_a_newcomer_must_use_the_invited_address(en_client, clock, provider):
    invitation = factories.InvitationFactory(provider=provider, email="invited@example.kz")
    response = en_client.post(
        reverse("providers:invitation-accept", args=[invitation.token]), account_data(email="other@example.kz")
    )
    assert response.status_code == 200
    assert "Use the address the invitation was sent to." in response.content.decode()
    assert not User.objects.filter(username="newcomer").exists()


def test_an_officer_cannot_join_an_organisation_by_invitation(client, clock, provider, officer):
    invitation = factories.InvitationFactory(provider=provider)
    as_user(client, officer).post(reverse("providers:invitation-accept", args=[invitation.token]))
    assert not Membership.objects.filter(user=officer).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_an_expired_invitation_is_404(en_client, clock, provider):
    invitation = factories.InvitationFactory(provider=provider)
    clock.shift(dt.timedelta(days=settings.GSZ["INVITATION_DAYS"]))
    assert en_client.get(reverse("providers:invitation-accept", args=[invitation.token])).status_code == 404


def test_an_expired_invitation_cannot_be_accepted(en_client, clock, provider):
    invitation = factories.InvitationFactory(provider=provider)
    clock.shift(dt.timedelta(days=settings.GSZ["INVITATION_DAYS"], seconds=1))
    response = en_client.post(reverse("providers:invitation-accept", args=[invitation.token]), account_data())
    assert response.status_code == 404
    assert not User.objects.filter(username="newcomer").exists()


def test_an_invitation_is_open_until_just_before_it_expires(en_client, clock, provider):
    invitation = factories.InvitationFactory(provider=provider)
    clock.shift(dt.timedelta(days=settings.GSZ["INVITATION_DAYS"]) - dt.timedelta(seconds=1))
    assert en_client.get(reverse("providers:invitation-accept", args=[invitation.token])).status_code == 200


def test_an_accepted_invitation_cannot_be_used_again(en_client, clock, provider):
    invitation = factories.InvitationFactory(provider=provider)
    en_client.post(
        reverse("providers:invitation-accept", args=[invitation.token]), account_data(email=invitation.email)
    )
    en_client.post(reverse("logout"))
    response = en_client.post(
        reverse("providers:invitation-accept", args=[invitation.token]),
        account_data(username="second", email=invitation.email),
    )
    assert response.status_code == 404
    assert not User.objects.filter(username="second").exists()


def test_an_unknown_invitation_token_is_404(en_client):
    assert en_client.get(reverse("providers:invitation-accept", args=["no-such-token"])).status_code == 404


# -- the registry list ------------------------------------------------------------------------------------------


def populate(count: int) -> None:
    for provider in factories.ProviderFactory.create_batch(count):
        factories.ServiceAreaFactory(provider=provider)
        factories.StaffMemberFactory.create_batch(2, provider=provider)


LIST_QUERY_BOUND = 10


@pytest.mark.parametrize("count", [5, 40])
def test_the_registry_list_runs_a_bounded_number_of_queries(
    client, clock, committee, count, django_assert_max_num_queries
):
    populate(count)
    as_user(client, committee)
    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = client.get(reverse("providers:provider-list"))
    assert response.status_code == 200
    assert len(response.context["table"].page.object_list) == min(count, 25)


@pytest.mark.parametrize("count", [5, 40])
def test_the_registry_export_runs_a_bounded_number_of_queries(
    client, clock, committee, count, django_assert_max_num_queries
):
    populate(count)
    as_user(client, committee)
    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = client.get(reverse("providers:provider-list"), {"export": "xlsx"})
    assert response.status_code == 200


def test_the_registry_counts_staff_who_may_work_with_children(client, clock, committee, staffed):
    response = as_user(client, committee).get(reverse("providers:provider-list"))
    row = next(r for r in response.context["table"].page.object_list if r.record.pk == staffed.pk)
    assert (row.record.staff_count, row.record.child_ok_count) == (2, 1)


@pytest.mark.parametrize(
    ("role", "status"), [("officer", 200), ("committee", 200), ("expert", 403), ("ngo_user", 403)]
)
def test_who_may_open_the_registry(client, request, role, status):
    response = as_user(client, request.getfixturevalue(role)).get(reverse("providers:provider-list"))
    assert response.status_code == status


# -- editing the profile ----------------------------------------------------------------------------------------


def profile_data(provider: Provider, **changes) -> dict:
    data = {
        "name_ru": provider.name_ru,
        "name_kk": provider.name_kk,
        "bin": provider.bin,
        "legal_form": provider.legal_form,
        "registration_date": provider.registration_date.isoformat(),
        "home_region": provider.home_region_id,
        "address": provider.address,
        "phone": provider.phone,
        "email": provider.email,
        "website": provider.website,
        "ngo_db_listed": "on" if provider.ngo_db_listed else "",
        "ngo_db_last_submission": provider.ngo_db_last_submission.isoformat(),
    }
    data.update(changes)
    return data


def test_editing_the_profile_saves_and_records_the_changes(client, clock, ngo_user, provider):
    old_phone, old_address = provider.phone, provider.address
    response = as_user(client, ngo_user).post(
        reverse("providers:provider-edit", args=[provider.pk]),
        profile_data(provider, phone="+7 727 999 99 99", address="Алматы, ул. Толе би, 5"),
    )
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.phone == "+7 727 999 99 99"
    event = AuditEvent.objects.for_object(provider).get()
    assert (event.action, event.actor) == ("edited", ngo_user)
    assert event.changes == {
        "phone": [old_phone, "+7 727 999 99 99"],
        "address": [old_address, "Алматы, ул. Толе би, 5"],
    }


def test_editing_the_profile_cannot_change_the_bin(client, clock, ngo_user, provider):
    original = provider.bin
    as_user(client, ngo_user).post(
        reverse("providers:provider-edit", args=[provider.pk]), profile_data(provider, bin=NEW_BIN)
    )
    provider.refresh_from_db()
    assert provider.bin == original


def test_the_profile_changes_show_on_the_timeline(client, clock, ngo_user, provider):
    old_phone = provider.phone
    as_user(client, ngo_user).post(
        reverse("providers:provider-edit", args=[provider.pk]), profile_data(provider, phone="+7 727 999 99 99")
    )
    page = detail(client, ngo_user, provider)
    timeline = page[page.index('id="timeline-heading"') :]
    assert old_phone in timeline  # the old value is shown nowhere else
    assert "+7 727 999 99 99" in timeline


# Officers and committee staff see the organisation but may not edit it (403); to another NGO it is hidden (404).
@pytest.mark.parametrize(("role", "status"), [("officer", 403), ("committee", 403), ("other_ngo_user", 404)])
def test_only_members_may_edit_the_profile(client, clock, request, role, status, provider):
    response = as_user(client, request.getfixturevalue(role)).post(
        reverse("providers:provider-edit", args=[provider.pk]), profile_data(provider, phone="+7 000")
    )
    assert response.status_code == status
    provider.refresh_from_db()
    assert provider.phone != "+7 000"
    assert not AuditEvent.objects.for_object(provider).exists()

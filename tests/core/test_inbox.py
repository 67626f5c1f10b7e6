"""The inbox: every notification mailed to a user also lands in their in-app inbox (a bell with the unread count in
the navigation bar, a list with read and unread, links to the object), only their own; mail and messages write
money and dates in the reader's language and take their links from SITE_URL."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts import services as contract_services
from core.mail import notify, split_link
from core.models import Notification
from tenders import services
from tests import factories

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def notify_results(users, call, capture):
    with capture(execute=True):
        notify(recipients=users, template="tenders/email/results.txt", context={"call": call})


def test_every_mailed_notification_lands_in_the_inbox_in_the_readers_language(
    django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.SITE_URL = "https://gsz.example.kz"
    call = factories.CallFactory()
    reader_ru = factories.NgoUserFactory(preferred_language="ru")
    reader_kk = factories.NgoUserFactory(preferred_language="kk")
    notify_results([reader_ru, reader_kk], call, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 2
    assert f"https://gsz.example.kz{call.get_absolute_url()}" in mailoutbox[0].body
    ru, kk = (Notification.objects.get(recipient=user) for user in (reader_ru, reader_kk))
    assert ru.subject == mailoutbox[0].subject
    assert kk.subject == mailoutbox[1].subject
    assert ru.subject != kk.subject
    assert ru.link == call.get_absolute_url()
    assert "https://" not in ru.body
    assert ru.read_at is None


def test_a_user_without_an_email_address_still_gets_the_message(django_capture_on_commit_callbacks, mailoutbox):
    reader = factories.NgoUserFactory(email="")
    notify_results([reader], factories.CallFactory(), django_capture_on_commit_callbacks)
    assert mailoutbox == []
    assert Notification.objects.filter(recipient=reader).count() == 1


def test_an_address_without_an_account_gets_mail_only(django_capture_on_commit_callbacks, mailoutbox):
    notify_results([("someone@example.kz", "ru")], factories.CallFactory(), django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    assert Notification.objects.count() == 0


def test_a_decided_complaint_reaches_the_filers_inbox_with_a_link_to_it(officer, django_capture_on_commit_callbacks):
    complaint = factories.ComplaintFactory(call=factories.CallFactory(agency=officer.agency))
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_complaint(complaint=complaint, acting_user=officer, upheld=False, decision="Отклонить.")
    message = Notification.objects.get(recipient=complaint.filed_by)
    assert message.link == complaint.get_absolute_url()


def test_split_link_takes_the_first_site_link(settings):
    settings.SITE_URL = "https://gsz.example.kz"
    assert split_link("Текст\nhttps://gsz.example.kz/calls/5/\nhttps://gsz.example.kz/x/") == (
        "Текст\nhttps://gsz.example.kz/x/",
        "/calls/5/",
    )
    assert split_link("https://elsewhere.example/calls/5/") == ("https://elsewhere.example/calls/5/", "")


def test_bell_shows_the_unread_count(client, ngo_user):
    factories_messages(ngo_user, 2, read=1)
    client.force_login(ngo_user)
    body = client.get(reverse("core:dashboard")).content.decode()
    assert 'data-testid="inbox-bell"' in body
    assert 'data-testid="inbox-count">2<' in body


def factories_messages(user, unread: int, read: int = 0) -> list[Notification]:
    made = [Notification.objects.create(recipient=user, subject=f"Новое {n}", link="/calls/") for n in range(unread)]
    made += [
        Notification.objects.create(recipient=user, subject=f"Прочитано {n}", read_at=timezone.now())
        for n in range(read)
    ]
    return made


def test_inbox_lists_own_messages_read_and_unread(client, ngo_user, other_ngo_user):
    factories_messages(ngo_user, 1, read=1)
    factories_messages(other_ngo_user, 1)
    client.force_login(ngo_user)
    response = client.get(reverse("core:inbox"))
    assert [m.recipient_id for m in response.context["notifications"]] == [ngo_user.pk, ngo_user.pk]
    body = response.content.decode()
    assert body.count('data-read="no"') == 1
    assert body.count('data-read="yes"') == 1


def test_opening_a_message_marks_it_read_and_goes_to_its_object(client, ngo_user):
    (message,) = factories_messages(ngo_user, 1)
    client.force_login(ngo_user)
    response = client.post(reverse("core:inbox-open", args=[message.pk]))
    assert response.status_code == 302
    assert response.url == "/calls/"
    message.refresh_from_db()
    assert message.read_at is not None


def test_a_foreign_link_is_never_followed(client, ngo_user):
    message = Notification.objects.create(recipient=ngo_user, subject="x", link="//evil.example/")
    client.force_login(ngo_user)
    assert client.post(reverse("core:inbox-open", args=[message.pk])).url == reverse("core:inbox")


def test_mark_read_and_mark_all_read(client, ngo_user):
    first, second, third = factories_messages(ngo_user, 3)
    client.force_login(ngo_user)
    assert client.post(reverse("core:inbox-read", args=[first.pk])).url == reverse("core:inbox")
    assert Notification.objects.unread().count() == 2
    client.post(reverse("core:inbox-read-all"))
    assert Notification.objects.unread().count() == 0


def test_someone_elses_message_is_a_404_and_stays_unread(client, ngo_user, other_ngo_user, admin_user):
    (message,) = factories_messages(other_ngo_user, 1)
    for user in (ngo_user, admin_user):
        client.force_login(user)
        assert client.post(reverse("core:inbox-open", args=[message.pk])).status_code == 404
        assert client.post(reverse("core:inbox-read", args=[message.pk])).status_code == 404
        client.post(reverse("core:inbox-read-all"))
    message.refresh_from_db()
    assert message.read_at is None


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", f"91{NBSP}600{NBSP}758{NBSP}₸"), ("kk", f"91{NBSP}600{NBSP}758{NBSP}₸"), ("en", f"91,600,758{NBSP}₸")],
)
def test_contract_mail_and_message_write_money_in_the_readers_language(
    language, expected, django_capture_on_commit_callbacks, mailoutbox
):
    contract = factories.ContractFactory(unsigned=True, tranches=[91_600_758])
    reader = factories.NgoUserFactory(provider=contract.provider, preferred_language=language)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[reader], template="contracts/email/to_sign.txt", context={"contract": contract})
    assert expected in mailoutbox[0].body
    assert "91600758" not in mailoutbox[0].body
    assert expected in Notification.objects.get(recipient=reader).body


def test_a_refusal_writes_amounts_with_the_languages_separators():
    errors = contract_services.tranche_errors(
        tranches=[{"year": 2027, "amount": "85045524.72"}],
        total=Decimal(91_600_758),
        start=dt.date(2027, 1, 1),
        end=dt.date(2027, 12, 31),
    )
    assert f"85{NBSP}045{NBSP}524,72 ₸" in " ".join(errors)
    assert f"91{NBSP}600{NBSP}758 ₸" in " ".join(errors)

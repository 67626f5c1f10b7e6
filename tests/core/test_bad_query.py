"""A NUL character in a query string is refused with the "Bad request" page before any view reads it: PostgreSQL
cannot compare it (a Django admin filter passed it to the database and answered 500). The garbage sweep over every
URL is tests/test_garbage_parameters.py."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", [{"action__exact": "a\x00b"}, {"a\x00b": "1"}], ids=["value", "name"])
def test_a_nul_byte_in_an_admin_filter_is_a_bad_request(client, admin_user, query):
    client.force_login(admin_user)
    client.cookies["django_language"] = "en"

    response = client.get(reverse("admin:core_auditevent_changelist"), query)

    assert response.status_code == 400
    assert "The address holds a character that is not allowed." in response.content.decode()


def test_a_nul_byte_in_a_public_page_filter_is_a_bad_request(client):
    assert client.get(reverse("tenders:call-list"), {"q": "x\x00"}).status_code == 400


def test_ordinary_parameters_pass(client, admin_user):
    client.force_login(admin_user)

    assert client.get(reverse("admin:core_auditevent_changelist"), {"action__exact": "created"}).status_code == 200

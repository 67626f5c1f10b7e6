"""Complaints: list rows link to the complaint; decisions on a call's terms and results are public on the call's
page, without the complainant's personal data or text."""

import pytest
from django.urls import reverse

from tenders import services
from tests import factories

pytestmark = pytest.mark.django_db


def test_complaint_list_rows_link_to_the_complaint(client, officer):
    complaint = factories.ComplaintFactory(call=factories.CallFactory(agency=officer.agency))
    client.force_login(officer)
    body = client.get(reverse("tenders:complaint-list")).content.decode()
    assert f'href="{complaint.get_absolute_url()}"' in body


def test_a_decided_complaint_is_public_on_the_call_page_without_the_complainant(client, officer):
    call = factories.CallFactory(agency=officer.agency)
    filer = factories.NgoUserFactory(first_name="Айжан", last_name="Секретова")
    complaint = factories.ComplaintFactory(
        call=call, provider=filer.memberships.first().provider, filed_by=filer, text="Мой телефон +7 701 000 11 22"
    )
    services.decide_complaint(
        complaint=complaint, acting_user=officer, upheld=False, decision="Срок соответствует правилам."
    )
    body = client.get(call.get_absolute_url()).content.decode()  # anonymous: the public page
    assert 'data-testid="complaint-decisions"' in body
    assert "Срок соответствует правилам." in body
    assert "Секретова" not in body
    assert "+7 701 000 11 22" not in body
    assert complaint.provider.name_ru not in body


def test_an_undecided_complaint_is_not_on_the_call_page(client):
    complaint = factories.ComplaintFactory()
    body = client.get(complaint.call.get_absolute_url()).content.decode()
    assert 'data-testid="complaint-decisions"' not in body

"""Personal data of NGO staff (names, certificate dates) reach nobody outside the NGO and, after the deadline, the
call's commission (DESIGN.md) — not through an email and not through the log. (The audit log records that a
staffing plan changed, never who is in it: tests/tenders/test_views.py and tests/core/test_audit.py.)"""

import datetime as dt
import logging
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from tenders import services
from tests import factories

pytestmark = pytest.mark.django_db

STAFF_NAME = "Құпия Динара Маратқызы"
# Fields and relations that hold staff personal data; no email template may reach them.
PERSONAL = ("staff", "no_record_certificate", "certification_expiry", "certificate")


def email_templates() -> list[Path]:
    return sorted(Path(settings.BASE_DIR).glob("*/templates/*/email/*.txt"))


def test_there_are_email_templates_to_audit():
    assert len(email_templates()) >= 20


@pytest.mark.parametrize("template", email_templates(), ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_no_email_template_reaches_staff_personal_data(template):
    source = template.read_text(encoding="utf-8")
    for word in PERSONAL:
        assert word not in source, f"{template} mentions {word}"
    # The one full name in a mail is the person asking an administrator for access: their own, to the admins.
    assert source.count("full_name") == source.count("access_request.full_name")


@pytest.fixture
def staffed_bid(clock, officer, provider, ngo_user):
    """A submitted bid whose staffing plan names a staff member, on a call of the officer's agency."""
    call = factories.CallFactory(agency=officer.agency, created_by=officer)
    bid = factories.BidFactory(call=call, provider=provider, created_by=ngo_user)
    bid.staff.add(
        factories.StaffMemberFactory(
            provider=provider, full_name=STAFF_NAME, no_record_certificate_date=dt.date(2026, 3, 17)
        )
    )
    services.submit_bid(bid=bid, acting_user=ngo_user, now=call.deadline - dt.timedelta(hours=2))
    return bid


def test_the_bidders_mail_names_no_staff_member(staffed_bid, officer, caplog, django_capture_on_commit_callbacks):
    call = staffed_bid.call
    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
        services.extend_deadline(call=call, acting_user=officer, new_deadline=call.deadline + dt.timedelta(days=3))
        services.cancel_call(call=call, acting_user=officer, reason="Изменилась потребность")

    assert len(mail.outbox) >= 2
    for message in mail.outbox:
        text = message.subject + message.body
        assert STAFF_NAME not in text
        assert "17.03.2026" not in text
    assert STAFF_NAME not in caplog.text

"""The NGO workflows as services (the pages only call them): joining by invitation, asking for access, removing a
row of the organisation."""

import pytest
from django.utils import timezone

from core.models import AuditEvent
from providers import services
from providers.forms import AccessRequestForm
from providers.models import Membership, ServiceArea, StaffMember
from tests import factories

pytestmark = pytest.mark.django_db


def test_accepting_an_invitation_makes_one_membership_and_closes_the_invitation(clock, provider, ngo_user):
    invitation = factories.InvitationFactory(provider=provider, email=ngo_user.email)

    services.accept_invitation(invitation=invitation, user=ngo_user)  # already a member: no second membership

    invitation.refresh_from_db()
    assert (invitation.accepted_at, invitation.accepted_by) == (timezone.now(), ngo_user)
    assert Membership.objects.filter(user=ngo_user, provider=provider).count() == 1
    event = AuditEvent.objects.for_object(provider).get()
    assert (event.action, event.actor, event.changes) == ("member joined", ngo_user, {"note": str(ngo_user)})


def test_an_access_request_names_the_registered_organisation(clock, provider):
    form = AccessRequestForm(
        {
            "bin": provider.bin,
            "full_name": "Серикова Алия",
            "position": "директор",
            "email": "aliya@example.kz",
            "phone": "+7 701 000 00 00",
            "message": "Я руководитель организации.",
        }
    )
    assert form.is_valid(), form.errors

    request_row = services.request_access(form=form, acting_user=None)

    assert request_row.provider == provider
    assert AuditEvent.objects.for_object(request_row).get().action == "access requested"


@pytest.mark.parametrize(
    ("make", "action"),
    [
        (lambda p: factories.ServiceAreaFactory(provider=p), "servicearea removed"),
        (lambda p: factories.StaffMemberFactory(provider=p), "staffmember removed"),
    ],
)
def test_removing_a_row_is_noted_on_the_organisations_timeline(clock, provider, ngo_user, make, action):
    row = make(provider)
    note = f"{row._meta.verbose_name} #{row.pk}"

    services.remove_row(provider=provider, row=row, acting_user=ngo_user)

    assert not ServiceArea.objects.filter(pk=row.pk).exists()
    assert not StaffMember.objects.filter(pk=row.pk).exists()
    event = AuditEvent.objects.for_object(provider).get()
    assert (event.action, event.changes["note"]) == (action, note)

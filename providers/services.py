"""Workflows of NGOs: registering an organisation with its first member, inviting colleagues and accepting an
invitation, asking an administrator for access. Each runs in a transaction, writes the audit log and mails after
commit."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import audit
from core.audit import Action
from core.mail import notify
from core.models import Role
from providers.models import AccessRequest, Invitation, Membership, Provider


def verifying_officers(provider: Provider):
    """Return the officers who may verify this provider (agencies of its home region)."""
    return get_user_model().objects.filter(role=Role.OFFICER, agency__region=provider.home_region, is_active=True)


@transaction.atomic
def register_ngo(*, provider_form, account_form, language: str) -> tuple:
    """Create the NGO account and its organisation from a valid AccountForm and ProviderForm, make the person its
    first member, and tell the officers who may verify it. Return (user, provider)."""
    user = account_form.create_user(language=language)
    changes = audit.model_changes(provider_form)
    provider = provider_form.save()
    Membership.objects.create(user=user, provider=provider)
    audit.record(actor=user, action=Action.REGISTERED, target=provider, changes=changes)
    notify(
        recipients=verifying_officers(provider),
        template="providers/email/registered.txt",
        context={"provider": provider},
    )
    return user, provider


@transaction.atomic
def invite_member(*, provider: Provider, form, acting_user, language: str) -> Invitation:
    """Invite a colleague by email (a valid InvitationForm) to join the organisation."""
    invitation = form.save(commit=False)
    invitation.provider = provider
    invitation.invited_by = acting_user
    invitation.save()
    audit.record(actor=acting_user, action=Action.MEMBER_INVITED, target=provider, note="invitation")
    notify(
        recipients=[(invitation.email, language)],
        template="providers/email/invitation.txt",
        context={"invitation": invitation, "provider": provider},
    )
    return invitation


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user) -> Membership:
    """Make the user a member of the inviting organisation (once) and close the invitation."""
    membership, _created = Membership.objects.get_or_create(user=user, provider=invitation.provider)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit.record(actor=user, action=Action.MEMBER_JOINED, target=invitation.provider, note=str(user))
    return membership


@transaction.atomic
def join_with_new_account(*, invitation: Invitation, account_form, language: str):
    """Create the invited person's NGO account from a valid AccountForm and accept the invitation with it."""
    user = account_form.create_user(language=language)
    accept_invitation(invitation=invitation, user=user)
    return user


@transaction.atomic
def request_access(*, form, acting_user) -> AccessRequest:
    """Send an administrator the request (a valid AccessRequestForm) of someone who finds their organisation's BIN
    already registered."""
    request_row = form.save(commit=False)
    request_row.provider = Provider.objects.filter(bin=request_row.bin).first()
    request_row.save()
    audit.record(actor=acting_user, action=Action.ACCESS_REQUESTED, target=request_row)
    admins = get_user_model().objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True)
    notify(
        recipients=[*admins, (settings.SUPPORT_EMAIL, settings.LANGUAGE_CODE)],
        template="providers/email/access_request.txt",
        context={"access_request": request_row},
    )
    return request_row


@transaction.atomic
def remove_row(*, provider: Provider, row, acting_user) -> None:
    """Remove one of the organisation's service areas or staff members (noted on the organisation's timeline)."""
    action = Action.SERVICE_AREA_REMOVED if row._meta.model_name == "servicearea" else Action.STAFF_MEMBER_REMOVED
    audit.record(actor=acting_user, action=action, target=provider, note=f"{row._meta.verbose_name} #{row.pk}")
    row.delete()

"""May this user do this to this provider? Small predicates; rows are scoped by Provider.objects.visible_to and the
role questions are the User's (`member_of`, `is_officer`, `sees_all`)."""

from providers.models import Provider


def is_member(user, provider: Provider) -> bool:
    """Return whether the user is a member of the organisation."""
    return user.is_authenticated and user.member_of(provider)


def can_view_registry(user) -> bool:
    """Return whether the user may list and export the registry of NGOs: officers, committee staff, admins."""
    return user.is_authenticated and (user.is_officer or user.sees_all)


def can_verify(user, provider: Provider) -> bool:
    """Return whether the user may verify, suspend or reactivate: an admin, or an officer of the home region
    (the rows: `Provider.objects.verifiable_by`)."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    return (
        user.is_officer
        and user.agency is not None
        and user.agency.region_id is not None
        and user.agency.region_id == provider.home_region_id
    )


def can_edit(user, provider: Provider) -> bool:
    """Return whether the user may edit the profile, service areas, staff and invite colleagues."""
    return is_member(user, provider)


def can_see_staff_personal_data(user, provider: Provider) -> bool:
    """Return whether the user may see staff names and certificate dates: only the NGO itself."""
    return is_member(user, provider)


def can_accept_invitation(user, invitation) -> bool:
    """Return whether a signed-in user may accept: an NGO account with the invited email address."""
    return (
        user.is_authenticated and user.is_ngo and bool(user.email) and user.email.lower() == invitation.email.lower()
    )

"""How the organisation's timeline names its service areas and staff members (see core.timeline)."""

from core.audit import Action
from core.timeline import register_subject
from providers import permissions
from providers.models import ServiceArea, StaffMember


def staff_name(member: StaffMember, viewer) -> str:
    """Name a staff member: by name to the organisation itself, by position to everyone else (personal data)."""
    if viewer is not None and permissions.can_see_staff_personal_data(viewer, member.provider):
        return member.full_name
    return member.get_position_display()


def register_all() -> None:
    for action in (Action.SERVICE_AREA_ADDED, Action.SERVICE_AREA_EDITED, Action.SERVICE_AREA_REMOVED):
        register_subject(action, ServiceArea)
    for action in (Action.STAFF_MEMBER_ADDED, Action.STAFF_MEMBER_EDITED, Action.STAFF_MEMBER_REMOVED):
        register_subject(action, StaffMember, staff_name)

from django.conf import settings

from core.models import Notification


def site(request):
    """Expose the support address, the production flag and the signed-in user's unread inbox count to every
    template (a callable: the template counts only on a page that shows it)."""
    user = getattr(request, "user", None)

    def inbox_unread() -> int:
        return Notification.objects.visible_to(user).unread().count() if user is not None else 0

    return {"SUPPORT_EMAIL": settings.SUPPORT_EMAIL, "PRODUCTION": settings.PRODUCTION, "INBOX_UNREAD": inbox_unread}

from django.conf import settings


def site(request):
    """Expose the support address and the production flag to every template."""
    return {"SUPPORT_EMAIL": settings.SUPPORT_EMAIL, "PRODUCTION": settings.PRODUCTION}

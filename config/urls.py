from django.contrib import admin
from django.urls import include, path

from core.admin import view_on_site
from core.views import LoginView, PasswordResetView

urlpatterns = [
    path("", include("core.urls")),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("providers/", include("providers.urls")),
    path("calls/", include("tenders.urls")),
    path("contracts/", include("contracts.urls")),
    path("", include("evaluation.urls")),
    # Before the admin's own "view on site" route, which answered differently for a sealed bid and a missing one.
    path("admin/r/<int:content_type_id>/<path:object_id>/", admin.site.admin_view(view_on_site)),
    path("opendata/", include("evaluation.opendata_urls")),
    path("admin/", admin.site.urls),
]

from django.contrib import admin
from django.urls import include, path

from core.views import LoginView

urlpatterns = [
    path("", include("core.urls")),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("providers/", include("providers.urls")),
    path("calls/", include("tenders.urls")),
    path("contracts/", include("contracts.urls")),
    path("", include("evaluation.urls")),
    path("opendata/", include("evaluation.opendata_urls")),
    path("admin/", admin.site.urls),
]

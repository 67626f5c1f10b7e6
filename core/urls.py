from django.urls import path

from core import views
from core.imports import views as import_views

app_name = "core"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("inbox/read-all/", views.inbox_read_all, name="inbox-read-all"),
    path("inbox/<int:pk>/open/", views.NotificationOpenView.as_view(), name="inbox-open"),
    path("inbox/<int:pk>/read/", views.NotificationReadView.as_view(), name="inbox-read"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("i18n/setlang/", views.set_language, name="set-language"),
    path("imports/", import_views.ImportListView.as_view(), name="imports"),
    path("imports/new/", import_views.ImportUploadView.as_view(), name="import-new"),
    path("imports/template.xlsx", import_views.ImportTemplateView.as_view(), name="import-template"),
    path("imports/<int:pk>/", import_views.ImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/report.xlsx", import_views.ImportReportView.as_view(), name="import-report"),
    path("imports/<int:pk>/commit/", import_views.ImportCommitView.as_view(), name="import-commit"),
    path("imports/<int:pk>/data-from/", import_views.ImportDataFromView.as_view(), name="import-data-from"),
]

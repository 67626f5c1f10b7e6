from django.urls import path

from core import views

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
]

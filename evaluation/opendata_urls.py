"""Open data (OCDS 1.1), public: included under /opendata/ by config/urls.py."""

from django.urls import path

from evaluation import opendata_views as views

app_name = "opendata"

urlpatterns = [
    path("", views.OpenDataView.as_view(), name="index"),
    path("releases.json", views.ReleasePackageView.as_view(), name="releases"),
    path("records/<path:ocid>.json", views.RecordPackageView.as_view(), name="record"),
    path("feed.json", views.FeedView.as_view(), name="feed"),
    path("bulk/releases.jsonl.gz", views.BulkFileView.as_view(), name="bulk"),
]

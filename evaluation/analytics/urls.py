"""The analytics pages, included in the evaluation namespace (their names stay `evaluation:coverage`, …)."""

from django.urls import path

from evaluation.analytics import views

urlpatterns = [
    path("committee/", views.CommitteeDashboardView.as_view(), name="committee"),
    path("committee/panels/<str:panel>/", views.CommitteePanelView.as_view(), name="committee-panel"),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
    path("coverage/uncovered/", views.UncoveredView.as_view(), name="uncovered"),
    path("coverage/<int:region>/<int:service>/<int:year>/", views.CellView.as_view(), name="cell"),
    path("coverage/workbook/", views.WorkbookView.as_view(), name="workbook"),
    path("coverage/tables/<str:table>.csv", views.TableCSVView.as_view(), name="table-csv"),
    path("coverage/statuses.css", views.StatusStylesView.as_view(), name="statuses-css"),
    path("stability/", views.StabilityView.as_view(), name="stability"),
    path("stability/providers/", views.ProviderStabilityView.as_view(), name="stability-providers"),
    path("stability/agencies/", views.AgencyStabilityView.as_view(), name="stability-agencies"),
    path("trends/", views.TrendsView.as_view(), name="trends"),
    path("flags/", views.FlagsView.as_view(), name="flags"),
    path("snapshots/", views.SnapshotListView.as_view(), name="snapshots"),
    path("snapshots/<int:pk>/", views.SnapshotDetailView.as_view(), name="snapshot"),
    path("snapshots/compare/", views.SnapshotCompareView.as_view(), name="snapshot-compare"),
    path("snapshots/refresh/", views.SnapshotRefreshView.as_view(), name="snapshot-refresh"),
]

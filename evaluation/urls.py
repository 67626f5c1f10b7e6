from django.urls import path

from evaluation import views, views_committee

app_name = "evaluation"

urlpatterns = [
    path("providers/<int:pk>/profile/", views.ProviderProfileView.as_view(), name="provider-profile"),
    path("ranking/", views.RankingView.as_view(), name="ranking"),
    path("evaluations/", views.EvaluationListView.as_view(), name="evaluation-list"),
    path("evaluations/<int:pk>/", views.EvaluationDetailView.as_view(), name="evaluation-detail"),
    path("evaluations/<int:pk>/<str:action>/", views.evaluation_action_view, name="evaluation-action"),
    path("contracts/<int:pk>/evaluate/<int:year>/", views.OpenEvaluationView.as_view(), name="evaluation-open"),
    path("indicators/", views.IndicatorListView.as_view(), name="indicator-list"),
    path("indicators/new/", views.IndicatorCreateView.as_view(), name="indicator-create"),
    path("indicators/<int:pk>/delete/", views.IndicatorDeleteView.as_view(), name="indicator-delete"),
    path("committee/", views_committee.CommitteeDashboardView.as_view(), name="committee"),
    path("committee/panels/<str:panel>/", views_committee.CommitteePanelView.as_view(), name="committee-panel"),
    path("coverage/", views_committee.CoverageView.as_view(), name="coverage"),
    path("coverage/uncovered/", views_committee.UncoveredView.as_view(), name="uncovered"),
    path("coverage/<int:region>/<int:service>/<int:year>/", views_committee.CellView.as_view(), name="cell"),
    path("coverage/workbook/", views_committee.WorkbookView.as_view(), name="workbook"),
    path("coverage/tables/<str:table>.csv", views_committee.TableCSVView.as_view(), name="table-csv"),
    path("stability/", views_committee.StabilityView.as_view(), name="stability"),
    path("stability/providers/", views_committee.ProviderStabilityView.as_view(), name="stability-providers"),
    path("stability/agencies/", views_committee.AgencyStabilityView.as_view(), name="stability-agencies"),
    path("trends/", views_committee.TrendsView.as_view(), name="trends"),
    path("flags/", views_committee.FlagsView.as_view(), name="flags"),
]

from django.urls import include, path

from evaluation import views

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
    path("", include("evaluation.analytics.urls")),
]

from django.urls import path

from contracts import views

app_name = "contracts"

urlpatterns = [
    path("", views.ContractListView.as_view(), name="contract-list"),
    path("reports/", views.PeriodListView.as_view(), name="period-list"),
    path("prepare/<int:pk>/", views.PrepareContractView.as_view(), name="prepare"),
    path("<int:pk>/", views.ContractDetailView.as_view(), name="contract-detail"),
    path("<int:pk>/sign/", views.SignView.as_view(), name="sign"),
    path("<int:pk>/payments/new/", views.PaymentCreateView.as_view(), name="payment-create"),
    path("<int:pk>/amend/<str:kind>/", views.AmendmentView.as_view(), name="amend"),
    path("<int:pk>/documents/", views.DocumentUploadView.as_view(), name="document-upload"),
    path("<int:pk>/documents/<int:doc>/", views.DocumentView.as_view(), name="document"),
    path("periods/<int:pk>/report/", views.ReportEditView.as_view(), name="report-edit"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report-detail"),
    path("reports/<int:pk>/<str:action>/", views.report_review_view, name="report-review"),
]

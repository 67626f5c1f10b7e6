from django.urls import path

from tenders import views

app_name = "tenders"

urlpatterns = [
    path("", views.CallListView.as_view(), name="call-list"),
    path("new/", views.CallFormView.as_view(), name="call-create"),
    path("<int:pk>/", views.CallDetailView.as_view(), name="call-detail"),
    path("<int:pk>/edit/", views.CallFormView.as_view(), name="call-edit"),
    path("<int:pk>/publish/", views.PublishView.as_view(), name="call-publish"),
    path("<int:pk>/cancel/", views.CancelView.as_view(), name="call-cancel"),
    path("<int:pk>/extend/", views.ExtendView.as_view(), name="call-extend"),
    path("<int:pk>/reannounce/", views.ReannounceView.as_view(), name="call-reannounce"),
    path("<int:pk>/open/", views.OpenBidsView.as_view(), name="call-open"),
    path("<int:pk>/award/", views.AwardView.as_view(), name="call-award"),
    path("<int:pk>/fail/", views.FailView.as_view(), name="call-fail"),
    path("<int:pk>/close-scoring/", views.CloseScoringView.as_view(), name="call-close-scoring"),
    path("<int:pk>/documents/", views.DocumentUploadView.as_view(), name="call-document-upload"),
    path("<int:pk>/documents/<int:doc>/", views.CallDocumentView.as_view(), name="call-document"),
    path("<int:pk>/commission/", views.CommissionView.as_view(), name="commission"),
    path("<int:pk>/bids/", views.CallBidsView.as_view(), name="call-bids"),
    path("<int:pk>/protocol/", views.CallProtocolView.as_view(), name="call-protocol"),
    path("<int:pk>/bid/", views.BidStartView.as_view(), name="bid-start"),
    path("<int:pk>/ask/", views.AskView.as_view(), name="ask"),
    path("<int:pk>/complain/", views.ComplaintCreateView.as_view(), name="complaint-create"),
    path("questions/<int:pk>/answer/", views.AnswerView.as_view(), name="answer"),
    path("bids/<int:pk>/", views.BidDetailView.as_view(), name="bid-detail"),
    path("bids/<int:pk>/edit/", views.BidEditView.as_view(), name="bid-edit"),
    path("bids/<int:pk>/declare/", views.DeclareView.as_view(), name="bid-declare"),
    path("bids/<int:pk>/score/", views.ScoreView.as_view(), name="bid-score"),
    path("bids/<int:pk>/documents/<int:doc>/", views.BidDocumentView.as_view(), name="bid-document"),
    path("bids/<int:pk>/<str:action>/", views.bid_action_view, name="bid-action"),
    path("complaints/", views.ComplaintListView.as_view(), name="complaint-list"),
    path("complaints/<int:pk>/", views.ComplaintDetailView.as_view(), name="complaint-detail"),
    path("complaints/<int:pk>/decide/", views.ComplaintDecideView.as_view(), name="complaint-decide"),
]

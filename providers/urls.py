from django.urls import path

from providers import views

app_name = "providers"

urlpatterns = [
    path("", views.ProviderListView.as_view(), name="provider-list"),
    path("register/", views.RegisterView.as_view(), name="register"),
    path("access-request/", views.AccessRequestView.as_view(), name="access-request"),
    path("mine/", views.MyProviderView.as_view(), name="mine"),
    path("invitations/<str:token>/", views.AcceptInvitationView.as_view(), name="invitation-accept"),
    path("<int:pk>/", views.ProviderDetailView.as_view(), name="provider-detail"),
    path("<int:pk>/edit/", views.ProviderUpdateView.as_view(), name="provider-edit"),
    path("<int:pk>/status/<str:action>/", views.provider_transition_view, name="provider-transition"),
    path("<int:provider_pk>/invite/", views.InviteView.as_view(), name="invite"),
    path("<int:provider_pk>/areas/add/", views.ServiceAreaCreateView.as_view(), name="area-add"),
    path("<int:provider_pk>/areas/<int:pk>/", views.ServiceAreaUpdateView.as_view(), name="area-edit"),
    path("<int:provider_pk>/areas/<int:pk>/delete/", views.ServiceAreaDeleteView.as_view(), name="area-delete"),
    path("<int:provider_pk>/staff/add/", views.StaffCreateView.as_view(), name="staff-add"),
    path("<int:provider_pk>/staff/<int:pk>/", views.StaffUpdateView.as_view(), name="staff-edit"),
    path("<int:provider_pk>/staff/<int:pk>/delete/", views.StaffDeleteView.as_view(), name="staff-delete"),
]

from django.urls import path

from . import views

app_name = "organizing"

urlpatterns = [
    path("team/invitations/", views.invitation_list_view, name="invitation_list"),
    path(
        "team/invitations/<int:pk>/revoke/", views.invitation_revoke_view, name="invitation_revoke"
    ),
    path("invitations/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
]

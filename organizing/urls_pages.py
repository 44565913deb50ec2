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

# The account page (organizing/views_account.py)
from . import views_account  # noqa: E402

urlpatterns += [
    path("account/", views_account.account_view, name="account"),
    path("account/language/", views_account.language_set_view, name="language_set"),
    path(
        "account/devices/<int:pk>/sign-out/",
        views_account.usersession_end_view,
        name="usersession_end",
    ),
    path("account/sign-out-everywhere/", views_account.sessions_end_all_view, name="sign_out_all"),
]

# API keys (organizing/views_api_keys.py)
from . import views_api_keys  # noqa: E402

urlpatterns += [
    path("account/api-keys/", views_api_keys.apikey_list_view, name="apikey_list"),
    path(
        "account/api-keys/<int:pk>/revoke/",
        views_api_keys.apikey_revoke_view,
        name="apikey_revoke",
    ),
]

# Webhooks (organizing/views_webhooks.py)
from . import views_webhooks  # noqa: E402

urlpatterns += [
    path("webhooks/", views_webhooks.webhook_list_view, name="webhook_list"),
    path("webhooks/<int:pk>/", views_webhooks.webhook_detail_view, name="webhook_detail"),
    path("webhooks/<int:pk>/toggle/", views_webhooks.webhook_toggle_view, name="webhook_toggle"),
    path("webhooks/<int:pk>/delete/", views_webhooks.webhook_delete_view, name="webhook_delete"),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_pk>/replay/",
        views_webhooks.webhook_delivery_replay_view,
        name="webhook_delivery_replay",
    ),
]

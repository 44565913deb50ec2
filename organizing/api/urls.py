"""``/api/`` plumbing: each app's ``/api/v1/`` routes (included by dotted path, so the base app
imports none of them), the organization's own, the OpenAPI schema at ``/api/schema/`` and docs
at ``/api/docs/``."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import SimpleRouter

from .views import ApiKeyViewSet, TeamViewSet, UserViewSet
from .webhooks import WebhookViewSet

app_name = "api"

router = SimpleRouter()
router.register("teams", TeamViewSet, basename="team")
router.register("users", UserViewSet, basename="user")
router.register("api-keys", ApiKeyViewSet, basename="apikey")
router.register("webhooks", WebhookViewSet, basename="webhook")

urlpatterns = [
    path("v1/", include("supporters.api.urls")),
    path("v1/", include("conversations.api.urls")),
    path("v1/", include("metrics.api.urls")),
    path("v1/", include("calling.api.urls")),
    path("v1/", include("canvass.api.urls")),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its init script as a file (?script), for the CSP: no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]

"""``/api/v1/`` routes, the OpenAPI schema at ``/api/schema/`` and docs at ``/api/docs/``."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import SimpleRouter

from conversations.api import (
    ConversationViewSet,
    FollowUpViewSet,
    IssueViewSet,
    NoteViewSet,
    SuggestionViewSet,
    SurveyQuestionViewSet,
)
from supporters.api import RelationshipViewSet, SupporterViewSet, TagViewSet
from supporters.api_segments import ExportJobViewSet, SegmentViewSet

from .views import ApiKeyViewSet, TeamViewSet, UserViewSet
from .webhooks import WebhookViewSet

app_name = "api"

# The issue's documented form, /segments/{id}/export without the trailing slash, for curl
# users; the schema lists the slashed one only.
BareSegmentExport = extend_schema_view(export=extend_schema(exclude=True))(
    type("BareSegmentExport", (SegmentViewSet,), {})
)

router = SimpleRouter()
router.register("supporters", SupporterViewSet, basename="supporter")
router.register("conversations", ConversationViewSet, basename="conversation")
router.register("notes", NoteViewSet, basename="note")
router.register("suggestions", SuggestionViewSet, basename="suggestion")
router.register("followups", FollowUpViewSet, basename="followup")
router.register("tags", TagViewSet, basename="tag")
router.register("issues", IssueViewSet, basename="issue")
router.register("survey-questions", SurveyQuestionViewSet, basename="surveyquestion")
router.register("relationships", RelationshipViewSet, basename="relationship")
router.register("segments", SegmentViewSet, basename="segment")
router.register("exports", ExportJobViewSet, basename="export")
router.register("teams", TeamViewSet, basename="team")
router.register("users", UserViewSet, basename="user")
router.register("api-keys", ApiKeyViewSet, basename="apikey")
router.register("webhooks", WebhookViewSet, basename="webhook")

urlpatterns = [
    path(
        "v1/segments/<int:pk>/export",
        BareSegmentExport.as_view(
            {"get": "export"},
            renderer_classes=SegmentViewSet.export.kwargs["renderer_classes"],
            filter_backends=[],
        ),
        name="segment-export-bare",
    ),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its init script as a file (?script), for the CSP: no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]

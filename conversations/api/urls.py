"""``/api/v1/`` routes for listening: conversations, notes, suggestions, follow-ups, issues and
survey questions."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .exports import ConversationExportView, ResultCodeMappingViewSet
from .views import (
    ConversationViewSet,
    FollowUpViewSet,
    IssueViewSet,
    NoteViewSet,
    SuggestionViewSet,
    SurveyQuestionViewSet,
)

router = SimpleRouter()
router.register("conversations", ConversationViewSet, basename="conversation")
router.register("notes", NoteViewSet, basename="note")
router.register("suggestions", SuggestionViewSet, basename="suggestion")
router.register("followups", FollowUpViewSet, basename="followup")
router.register("issues", IssueViewSet, basename="issue")
router.register("survey-questions", SurveyQuestionViewSet, basename="surveyquestion")
router.register("result-code-mappings", ResultCodeMappingViewSet, basename="resultcodemapping")

urlpatterns = [
    path("conversations/export", ConversationExportView.as_view(), name="conversation-export"),
    path("", include(router.urls)),
]

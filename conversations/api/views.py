"""The JSON API for listening: conversations, notes, suggestions, follow-ups, issues, surveys.

Every queryset is limited to supporters the viewer may see (``supporter_list``); writes go
through ``conversations.services``.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from conversations import services
from conversations.models import Conversation, FollowUp, Issue, Note, Suggestion, SurveyQuestion
from organizing.api.base import (
    IDEMPOTENCY_PARAMETER,
    ApiViewSet,
    IdFilter,
    UpdatedSinceFilterSet,
    UtcIsoDateTimeFilter,
    get_or_404,
)
from organizing.api.errors import Conflict
from organizing.api.permissions import HasScope
from organizing.models import User
from supporters.redaction import Redactor
from supporters.selectors import supporter_list

from .serializers import (
    ConversationCreateSerializer,
    ConversationSerializer,
    FollowUpCompleteSerializer,
    FollowUpCreateSerializer,
    FollowUpReassignSerializer,
    FollowUpSerializer,
    IssueCreateSerializer,
    IssueSerializer,
    NoteCreateSerializer,
    NoteSerializer,
    NoteUpdateSerializer,
    SuggestionConfirmSerializer,
    SuggestionSerializer,
    SurveyQuestionSerializer,
)


def _visible_supporter(user, pk: int, field: str = "supporter"):
    supporter = supporter_list(viewer=user).filter(pk=pk).first()
    if supporter is None:
        raise ValidationError({field: [_("No such supporter.")]})
    return supporter


class SupporterScopedViewSet(ApiViewSet):
    """Rows about supporters the viewer may see, redacted for the viewer (``Redactor``)
    before any serializer reads them."""

    model = None
    select_related: tuple[str, ...] = ()
    redact = None  # the Redactor method for this model's rows, by name

    def get_queryset(self):
        return (
            self.model.objects.filter(supporter__in=supporter_list(viewer=self.request.user))
            .annotate(supporter_team_id=F("supporter__team_id"))
            .select_related(*self.select_related)
        )

    def get_object(self):
        return self._redacted([get_or_404(self.get_queryset(), self.kwargs["pk"])])[0]

    def _redacted(self, rows):
        if self.redact is None:
            return list(rows)
        redact = getattr(Redactor(self.request.user), self.redact)
        return [redact(row) for row in rows]

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else self._redacted(page)


# --- conversations ---------------------------------------------------------------------------


class ConversationFilter(UpdatedSinceFilterSet):
    happened_after = UtcIsoDateTimeFilter(field_name="happened_at", lookup_expr="gte")
    happened_before = UtcIsoDateTimeFilter(field_name="happened_at", lookup_expr="lt")
    team = IdFilter(field_name="supporter__team", label=_("Supporter's team"))

    class Meta:
        model = Conversation
        fields = ["supporter", "volunteer", "channel", "outcome"]


CONVERSATION_EXAMPLE = OpenApiExample(
    "A conversation",
    value={
        "id": 77,
        "supporter": 42,
        "volunteer": 7,
        "channel": "door",
        "outcome": "talked",
        "happened_at": "2026-11-02T18:30:00Z",
        "heard": "Rent went up again; her son is an Iraq war veteran.",
        "heard_is_sensitive": False,
        "is_redacted": False,
        "issues": [2],
        "client_uuid": "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
        "created_at": "2026-11-02T18:31:00Z",
        "updated_at": "2026-11-02T18:31:00Z",
    },
    response_only=True,
)


def _survey_answers(raw: list[dict]) -> dict:
    """Map ``[{question, choice|text}]`` onto active questions and their choices, or a 400
    naming each bad answer the way nested fields are named (``{"answers": {"2": {...}}}``)."""
    slugs = {answer["question"] for answer in raw}
    questions = {
        q.slug: q
        for q in SurveyQuestion.objects.filter(slug__in=slugs, is_active=True).prefetch_related(
            "choices"
        )
    }
    answers, errors = {}, {}
    for n, answer in enumerate(raw):
        question = questions.get(answer["question"])
        if question is None:
            errors[str(n)] = {"question": [_("No active survey question with this slug.")]}
            continue
        if question.kind == SurveyQuestion.Kind.CHOICE:
            choice = next(
                (c for c in question.choices.all() if c.value == answer.get("choice")), None
            )
            if choice is None:
                errors[str(n)] = {"choice": [_("Not one of this question's choices.")]}
            else:
                answers[question] = choice
        elif answer.get("text"):
            answers[question] = answer["text"]
        else:
            errors[str(n)] = {"text": [_("This question takes a text answer.")]}
    if errors:
        raise ValidationError({"answers": errors})
    return answers


@extend_schema_view(
    list=extend_schema(
        summary="List conversations",
        description="Conversations with supporters you may see, newest first. What was heard "
        "in a conversation marked `heard_is_sensitive` is empty (`is_redacted`) unless you "
        "organize the person's team or are data staff or an admin.",
        examples=[CONVERSATION_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="Read a conversation",
        description="A conversation with a supporter you may see; otherwise a 404.",
        examples=[CONVERSATION_EXAMPLE],
    ),
    create=extend_schema(
        summary="Log a conversation (idempotent by client_uuid)",
        description="201 when stored; 200 with the stored conversation when the same "
        "client_uuid was sent before (a retry stores nothing new).",
        request=ConversationCreateSerializer,
        responses={201: ConversationSerializer, 200: ConversationSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        examples=[
            OpenApiExample(
                "Door knock",
                value={
                    "client_uuid": "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
                    "supporter": 42,
                    "channel": "door",
                    "outcome": "talked",
                    "heard": "Rent went up again.",
                    "issues": [2],
                },
                request_only=True,
            ),
            CONVERSATION_EXAMPLE,
        ],
    ),
)
class ConversationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    SupporterScopedViewSet,
):
    model = Conversation
    serializer_class = ConversationSerializer
    permission_classes = [HasScope]
    filterset_class = ConversationFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["id", "happened_at", "updated_at"]
    ordering = ["-id"]

    redact = "conversation"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("issues")

    def create(self, request, *args, **kwargs):
        serializer = ConversationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        supporter = _visible_supporter(request.user, data.pop("supporter"))
        issue_ids = data.pop("issues", [])
        issues = list(Issue.objects.filter(pk__in=issue_ids))
        if len(issues) != len(set(issue_ids)):
            raise ValidationError({"issues": [_("Some of these issues do not exist.")]})
        answers = _survey_answers(data.pop("answers", []))
        followup = data.pop("followup", None)
        try:
            conversation, created = services.conversation_log(
                actor=request.user,
                supporter=supporter,
                issues=issues,
                answers=answers,
                remember=[(line["text"], line["sensitive"]) for line in data.pop("remember", [])],
                followup=(followup["due_at"], followup["reason"]) if followup else None,
                stop_channels=data.pop("stop_channels", []),
                **data,
            )
        except DjangoPermissionDenied:
            if Conversation.objects.filter(client_uuid=data["client_uuid"]).exists():
                raise Conflict(_("This client_uuid belongs to another conversation.")) from None
            raise
        conversation = self._redacted([self.get_queryset().get(pk=conversation.pk)])[0]
        return Response(
            ConversationSerializer(conversation).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


# --- notes and things to remember ------------------------------------------------------------


class NoteFilter(UpdatedSinceFilterSet):
    class Meta:
        model = Note
        fields = ["supporter", "kind", "conversation", "is_pinned"]


NOTE_EXAMPLE = OpenApiExample(
    "A thing to remember",
    value={
        "id": 12,
        "supporter": 42,
        "conversation": 77,
        "author": 7,
        "kind": "remember",
        "body": "Son is an Iraq war veteran",
        "is_redacted": False,
        "is_pinned": True,
        "created_at": "2026-11-02T18:31:00Z",
        "updated_at": "2026-11-02T18:31:00Z",
    },
    response_only=True,
)


@extend_schema_view(
    list=extend_schema(
        summary="List notes and things to remember",
        description="Things to remember are notes of kind `remember` (`?kind=remember`). "
        "Sensitive notes are listed for everyone who sees the supporter, but their text "
        "only for the person's team organizers, data staff and admins (`is_redacted` says when it was held back).",
        examples=[NOTE_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="Read a note",
        description="A note about a supporter you may see; sensitive text only for the person's "
        "team organizers, data staff and admins.",
        examples=[NOTE_EXAMPLE],
    ),
    create=extend_schema(
        summary="Write a note or a thing to remember",
        description="About a supporter you may see. Kind `remember` makes a thing to remember; `sensitive` notes are read back only by the person's team organizers, data staff and admins.",
        request=NoteCreateSerializer,
        responses={201: NoteSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        examples=[
            OpenApiExample(
                "Remember",
                value={"supporter": 42, "kind": "remember", "body": "Son is an Iraq war veteran"},
                request_only=True,
            ),
            NOTE_EXAMPLE,
        ],
    ),
    partial_update=extend_schema(
        summary="Correct a note (earlier text is kept as a revision)",
        description="Its author, or the person's team organizers, data staff and admins; "
        "sensitive notes only the latter.",
        request=NoteUpdateSerializer,
        responses={200: NoteSerializer},
        examples=[
            OpenApiExample("Pin", value={"is_pinned": True}, request_only=True),
            NOTE_EXAMPLE,
        ],
    ),
)
class NoteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    SupporterScopedViewSet,
):
    model = Note
    serializer_class = NoteSerializer
    permission_classes = [HasScope]
    filterset_class = NoteFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    redact = "note"

    def create(self, request, *args, **kwargs):
        serializer = NoteCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        supporter = _visible_supporter(request.user, data.pop("supporter"))
        conversation = None
        if "conversation" in data:
            conversation = Conversation.objects.filter(
                pk=data.pop("conversation"), supporter=supporter
            ).first()
            if conversation is None:
                raise ValidationError({"conversation": [_("No such conversation with them.")]})
        note = services.note_create(
            actor=request.user, supporter=supporter, conversation=conversation, **data
        )
        note.supporter_team_id = supporter.team_id
        note = self._redacted([note])[0]
        return Response(self.get_serializer(note).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        # The unredacted row: the service decides whether this viewer may change it.
        note = get_or_404(self.get_queryset(), self.kwargs["pk"])
        serializer = NoteUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        kind = data.get("kind", note.kind)
        body = data.get("body", note.body)
        if not body.strip():
            raise ValidationError({"body": [_("Write something.")]})
        note = services.note_update(
            note=note,
            actor=request.user,
            body=body,
            kind=kind,
            is_pinned=data.get("is_pinned", note.is_pinned),
        )
        note.supporter_team_id = note.supporter.team_id
        return Response(self.get_serializer(self._redacted([note])[0]).data)


# --- suggestions -----------------------------------------------------------------------------


class SuggestionFilter(UpdatedSinceFilterSet):
    updated_since = UtcIsoDateTimeFilter(
        field_name="created_at",
        lookup_expr="gte",
        label=_("Only rows added at or after this time."),
    )

    class Meta:
        model = Suggestion
        fields = ["supporter", "status", "category"]


SUGGESTION_EXAMPLE = OpenApiExample(
    "A suggestion",
    value={
        "id": 5,
        "supporter": 42,
        "conversation": 77,
        "category": "military",
        "text": "Son is an Iraq war veteran",
        "evidence": "my son served in Iraq",
        "is_redacted": False,
        "status": "suggested",
        "enricher": "listening.family",
        "version": 1,
        "created_at": "2026-11-02T18:32:00Z",
        "decided_by": None,
        "decided_at": None,
        "note": None,
    },
    response_only=True,
)


@extend_schema_view(
    list=extend_schema(
        summary="List suggested things to remember",
        description="Drawn by the worker from what we heard; a person confirms or dismisses.",
        examples=[SUGGESTION_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="Read a suggestion",
        description="A suggested thing to remember about a supporter you may see.",
        examples=[SUGGESTION_EXAMPLE],
    ),
)
class SuggestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SupporterScopedViewSet):
    model = Suggestion
    serializer_class = SuggestionSerializer
    permission_classes = [HasScope]
    filterset_class = SuggestionFilter
    redact = "suggestion"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(conversation_heard_is_sensitive=F("conversation__heard_is_sensitive"))
        )

    @extend_schema(
        summary="Confirm a suggestion: it becomes your thing to remember",
        description="Safe to repeat: a decided suggestion is returned unchanged.",
        request=SuggestionConfirmSerializer,
        responses={200: SuggestionSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        filters=False,
        examples=[
            OpenApiExample("Confirm", value={"text": "Son served in Iraq"}, request_only=True),
            SUGGESTION_EXAMPLE,
        ],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def confirm(self, request, pk=None):
        suggestion = self.get_object()
        serializer = SuggestionConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        suggestion = services.suggestion_confirm(
            suggestion=suggestion,
            actor=request.user,
            text=serializer.validated_data.get("text") or None,
            is_sensitive=serializer.validated_data["is_sensitive"],
        )
        return Response(SuggestionSerializer(self.get_object()).data)

    @extend_schema(
        summary="Dismiss a suggestion",
        description="Kept, so the same line is never suggested again. Safe to repeat.",
        request=None,
        responses={200: SuggestionSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        filters=False,
        examples=[SUGGESTION_EXAMPLE],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def dismiss(self, request, pk=None):
        services.suggestion_dismiss(suggestion=self.get_object(), actor=request.user)
        return Response(SuggestionSerializer(self.get_object()).data)


# --- follow-ups ------------------------------------------------------------------------------


class FollowUpFilter(UpdatedSinceFilterSet):
    due_before = UtcIsoDateTimeFilter(field_name="due_at", lookup_expr="lt")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Open and past due"))

    class Meta:
        model = FollowUp
        fields = ["supporter", "assignee", "status"]

    def filter_overdue(self, queryset, name, value):
        overdue = {"status": FollowUp.Status.OPEN, "due_at__lt": timezone.now()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)


FOLLOWUP_EXAMPLE = OpenApiExample(
    "A follow-up",
    value={
        "id": 9,
        "supporter": 42,
        "assignee": 7,
        "due_at": "2026-11-05T18:00:00Z",
        "reason": "Call back after the 15th",
        "status": "open",
        "is_overdue": False,
        "source_conversation": 77,
        "source_rule": "",
        "created_by": 7,
        "created_at": "2026-11-02T18:31:00Z",
        "updated_at": "2026-11-02T18:31:00Z",
        "completed_by": None,
        "completed_at": None,
    },
    response_only=True,
)


@extend_schema_view(
    list=extend_schema(
        summary="List follow-ups",
        description="For supporters you may see; `?assignee=<id>&status=open` for one "
        "person's queue, `?overdue=true` for what is late.",
        examples=[FOLLOWUP_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="Read a follow-up",
        description="A follow-up for a supporter you may see; otherwise a 404.",
        examples=[FOLLOWUP_EXAMPLE],
    ),
    create=extend_schema(
        summary="Ask someone to reach a supporter again",
        description="At most one open follow-up per supporter and reason: asking again "
        "returns the open one (200).",
        request=FollowUpCreateSerializer,
        responses={201: FollowUpSerializer, 200: FollowUpSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        examples=[
            OpenApiExample(
                "Call back",
                value={"supporter": 42, "due_at": "2026-11-05T18:00:00Z", "reason": "Call back"},
                request_only=True,
            ),
            FOLLOWUP_EXAMPLE,
        ],
    ),
)
class FollowUpViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    SupporterScopedViewSet,
):
    model = FollowUp
    serializer_class = FollowUpSerializer
    permission_classes = [HasScope]
    filterset_class = FollowUpFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["id", "due_at", "updated_at"]
    ordering = ["-id"]

    def _assignee(self, user_id: int) -> User:
        # Whether they may have it is the service's rule; here only: does the user exist.
        assignee = User.objects.filter(pk=user_id, is_active=True).first()
        if assignee is None:
            raise ValidationError({"assignee": [_("No such person who can see this supporter.")]})
        return assignee

    def create(self, request, *args, **kwargs):
        serializer = FollowUpCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        supporter = _visible_supporter(request.user, data["supporter"])
        assignee = self._assignee(data["assignee"]) if "assignee" in data else request.user
        if not data["reason"].strip():
            raise ValidationError({"reason": [_("Say why.")]})
        followup, created = services.followup_create(
            actor=request.user,
            supporter=supporter,
            assignee=assignee,
            due_at=data["due_at"],
            reason=data["reason"],
        )
        return Response(
            FollowUpSerializer(followup).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Close a follow-up as done or cancelled",
        description="Its assignee, or organizers of the supporter's team, data staff and "
        "admins. Closing a closed follow-up changes nothing.",
        request=FollowUpCompleteSerializer,
        responses={200: FollowUpSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        filters=False,
        examples=[
            OpenApiExample("Done", value={"status": "done"}, request_only=True),
            FOLLOWUP_EXAMPLE,
        ],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def complete(self, request, pk=None):
        followup = self.get_object()
        serializer = FollowUpCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        followup = services.followup_complete(
            actor=request.user, followup=followup, status=serializer.validated_data["status"]
        )
        return Response(FollowUpSerializer(followup).data)

    @extend_schema(
        summary="Give a follow-up to someone else",
        description="Organizers of the supporter's team, data staff and admins; the new "
        "assignee must be able to see the supporter.",
        request=FollowUpReassignSerializer,
        responses={200: FollowUpSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        filters=False,
        examples=[
            OpenApiExample("To Bob", value={"assignee": 8}, request_only=True),
            FOLLOWUP_EXAMPLE,
        ],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reassign(self, request, pk=None):
        followup = self.get_object()
        serializer = FollowUpReassignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignee = self._assignee(serializer.validated_data["assignee"])
        followup = services.followup_reassign(
            actor=request.user, followup=followup, assignee=assignee
        )
        return Response(FollowUpSerializer(followup).data)


# --- issues and survey questions -------------------------------------------------------------


class IssueFilter(UpdatedSinceFilterSet):
    updated_since = UtcIsoDateTimeFilter(
        field_name="created_at",
        lookup_expr="gte",
        label=_("Only rows added at or after this time."),
    )

    class Meta:
        model = Issue
        fields = ["is_active"]


@extend_schema_view(
    list=extend_schema(
        summary="List issues",
        description="The issue list of the organization; conversations point at these by id.",
        examples=[
            OpenApiExample(
                "Issue",
                value={
                    "id": 2,
                    "name": "Rent",
                    "description": "",
                    "is_active": True,
                    "created_at": "2026-10-01T15:00:00Z",
                },
                response_only=True,
            )
        ],
    ),
    retrieve=extend_schema(summary="Read an issue", description="One issue by id."),
    create=extend_schema(
        summary="Add an issue (organizers and above)",
        description="Names are unique ignoring case; a duplicate is a field error on `name`.",
        request=IssueCreateSerializer,
        responses={201: IssueSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        examples=[OpenApiExample("Issue", value={"name": "Rent"}, request_only=True)],
    ),
)
class IssueViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ApiViewSet
):
    serializer_class = IssueSerializer
    permission_classes = [HasScope]
    filterset_class = IssueFilter
    queryset = Issue.objects.all()

    def get_object(self):
        return get_or_404(Issue.objects.all(), self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = IssueCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        issue = services.issue_create(
            actor=request.user,
            name=serializer.validated_data["name"],
            description=serializer.validated_data.get("description", ""),
        )
        return Response(IssueSerializer(issue).data, status=status.HTTP_201_CREATED)


class SurveyQuestionFilter(UpdatedSinceFilterSet):
    updated_since = UtcIsoDateTimeFilter(
        field_name="created_at",
        lookup_expr="gte",
        label=_("Only rows added at or after this time."),
    )

    class Meta:
        model = SurveyQuestion
        fields = ["is_active", "kind"]


@extend_schema_view(
    list=extend_schema(
        summary="List survey questions with their choices",
        description="Questions asked in conversations, in form order.",
        examples=[
            OpenApiExample(
                "Question",
                value={
                    "id": 1,
                    "prompt": "How do you feel about the rent cap?",
                    "slug": "support",
                    "kind": "choice",
                    "is_active": True,
                    "position": 0,
                    "choices": [{"id": 1, "label": "Strong support", "value": "1", "position": 0}],
                    "created_at": "2026-10-01T15:00:00Z",
                },
                response_only=True,
            )
        ],
    ),
    retrieve=extend_schema(
        summary="Read a survey question", description="One question with its choices."
    ),
)
class SurveyQuestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = SurveyQuestionSerializer
    permission_classes = [HasScope]
    filterset_class = SurveyQuestionFilter
    queryset = SurveyQuestion.objects.prefetch_related("choices")

    def get_object(self):
        return get_or_404(self.get_queryset(), self.kwargs["pk"])

"""The JSON API for call lists: read for any key whose user may see them, write for their
organizers; the queue and progress for organizers; "next call" claim, record and release for
scripts. Lists are read through ``calling.selectors``; writes go through ``calling.services``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from conversations.api.views import _survey_answers
from conversations.models import SurveyQuestion
from organizing.api.base import IDEMPOTENCY_PARAMETER, ApiViewSet, get_or_404
from organizing.api.permissions import HasScope
from organizing.models import Team
from supporters.models import Segment

from .. import services
from ..models import CallTarget
from ..scripts import script_for_language, script_render
from ..selectors import (
    call_list_access,
    call_list_list,
    call_list_progress,
    call_list_queue,
)
from .serializers import (
    CallAttemptSerializer,
    CallListSerializer,
    CallListUpdateSerializer,
    CallListWriteSerializer,
    CallRecordSerializer,
    ClaimSerializer,
)


def _questions(slugs):
    if slugs is None:
        return None
    found = list(SurveyQuestion.objects.filter(slug__in=slugs))
    if len(found) != len(set(slugs)):
        raise ValidationError({"questions": ["Some of these survey questions do not exist."]})
    return found


def _progress_rows(rows):
    return [
        {
            "key": row.key if isinstance(row.key, int) or row.key is None else str(row.key),
            "label": row.label,
            "calls": row.calls,
            "contacts": row.contacts,
            "contact_rate": round(row.contact_rate, 3),
            "remembered": row.remembered,
            "followups": row.followups,
            "calls_seconds_apart": row.seconds_apart,
            "flag_contact_rate": row.contact_rate_flag,
            "flag_seconds_apart": row.seconds_apart_flag,
        }
        for row in rows
    ]


CALL_LIST_EXAMPLE = OpenApiExample(
    "A call list",
    value={
        "id": 3,
        "name": "Eastside rent calls",
        "team": 1,
        "segment": None,
        "filter": {"support_level": {"lte": 3}},
        "status": "open",
        "calling_starts": "09:00:00",
        "calling_ends": "21:00:00",
        "recent_days": 3,
        "lease_minutes": 20,
        "default_language": "en",
        "scripts": [
            {"language": "en", "text": "Hi {first_name}, this is {caller_name}…"},
            {"language": "es", "text": "Hola {first_name}, habla {caller_name}…"},
        ],
        "questions": ["support", "meeting"],
        "time_zones": ["America/Chicago", "America/New_York"],
        "created_by": 2,
        "created_at": "2026-12-01T15:00:00Z",
        "updated_at": "2026-12-01T15:00:00Z",
        "built_at": "2026-12-01T15:00:00Z",
    },
    response_only=True,
)
CALL_LIST_INPUT_EXAMPLE = OpenApiExample(
    "Make a call list",
    value={
        "name": "Eastside rent calls",
        "team": 1,
        "filter": {"support_level": {"lte": 3}},
        "scripts": {"en": "Hi {first_name}, this is {caller_name}…"},
        "questions": ["support"],
        "calling_starts": "09:00",
        "calling_ends": "21:00",
        "recent_days": 3,
    },
    request_only=True,
)
PROGRESS_ROW = {
    "key": 7,
    "label": "Ana Morales",
    "calls": 24,
    "contacts": 9,
    "contact_rate": 0.375,
    "remembered": 5,
    "followups": 4,
    "calls_seconds_apart": 0,
    "flag_contact_rate": False,
    "flag_seconds_apart": False,
}
PROGRESS_EXAMPLE = OpenApiExample(
    "Queue and progress",
    value={
        "queue": {
            "total": 180,
            "by_status": {"queued": 150, "reached": 20, "left_message": 6, "call_back": 4},
            "by_reason": {"ready": 90, "do_not_call": 3, "no_phone": 12, "called_recently": 45},
            "claimed_by": [{"user": 7, "people": 1}],
            "zones_in_calling_hours": ["America/Chicago"],
        },
        "total": {**PROGRESS_ROW, "key": None, "label": "All"},
        "by_volunteer": [PROGRESS_ROW],
        "by_day": [{**PROGRESS_ROW, "key": "2026-12-01", "label": "Tue Dec 1"}],
    },
    response_only=True,
)
CLAIM_EXAMPLE = OpenApiExample(
    "Claimed",
    value={
        "target": 912,
        "supporter": 42,
        "lease_expires_at": "2026-12-01T18:20:00Z",
        "script": "Hi Maria, this is Ana…",
        "why_none": None,
    },
    response_only=True,
)
CALL_EXAMPLE = OpenApiExample(
    "A call",
    value={
        "target": 912,
        "client_uuid": "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
        "result": "talked",
        "heard": "Rent went up again; her son is home from deployment.",
        "answers": [{"question": "support", "choice": "2"}],
        "remember": [{"text": "Son home from deployment", "sensitive": False}],
        "message_to_organizer": "Wants to host a house meeting",
    },
    request_only=True,
)
ATTEMPT_EXAMPLE = OpenApiExample(
    "Recorded",
    value={
        "id": 55,
        "call_list": 3,
        "target": 912,
        "supporter": 42,
        "caller": 7,
        "result": "talked",
        "conversation": 1203,
        "client_uuid": "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
        "remembered": 1,
        "created_at": "2026-12-01T18:05:00Z",
    },
    response_only=True,
)


@extend_schema_view(
    list=extend_schema(
        summary="List call lists",
        description="Your teams' call lists (every list for data staff and admins).",
        examples=[CALL_LIST_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="Read a call list",
        description="A call list of one of your teams; otherwise a 404.",
        examples=[CALL_LIST_EXAMPLE],
    ),
    create=extend_schema(
        summary="Make a call list (organizers)",
        description="Built at once from `segment` (an id) or `filter` (the segment language), "
        "narrowed to `team`'s people you may see. Scripts are text by language with "
        "`{first_name}` and `{caller_name}` blanks.",
        request=CallListWriteSerializer,
        responses={201: CallListSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        examples=[CALL_LIST_INPUT_EXAMPLE, CALL_LIST_EXAMPLE],
    ),
    partial_update=extend_schema(
        summary="Change a call list (organizers)",
        description="Name, status (`open`, `closed`), scripts (the languages sent replace "
        "theirs), questions, calling hours, `recent_days`.",
        request=CallListUpdateSerializer,
        responses={200: CallListSerializer},
        examples=[
            OpenApiExample("Close it", value={"status": "closed"}, request_only=True),
            CALL_LIST_EXAMPLE,
        ],
    ),
)
class CallListViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ApiViewSet,
):
    serializer_class = CallListSerializer
    permission_classes = [HasScope]
    http_method_names = ["get", "post", "patch", "head", "options"]

    @property
    def required_scope(self):
        return {"progress": "read"}.get(self.action)

    def get_queryset(self):
        return call_list_list(viewer=self.request.user).prefetch_related("scripts", "questions")

    def get_object(self):
        return get_or_404(self.get_queryset(), self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = CallListWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        team = Team.objects.filter(pk=data.pop("team")).first()
        if team is None:
            raise ValidationError({"team": ["No such team."]})
        segment = None
        if data.get("segment"):
            segment = Segment.objects.filter(pk=data["segment"]).first()
            if segment is None:
                raise ValidationError({"segment": ["No such segment."]})
        data.pop("segment", None)
        questions = _questions(data.pop("questions", [])) or []
        call_list = services.call_list_create(
            actor=request.user,
            team=team,
            segment=segment,
            filter_json=data.pop("filter", None),
            questions=questions,
            **data,
        )
        return Response(
            CallListSerializer(self.get_queryset().get(pk=call_list.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def partial_update(self, request, *args, **kwargs):
        call_list = self.get_object()
        serializer = CallListUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["questions"] = _questions(data.pop("questions", None))
        services.call_list_update(actor=request.user, call_list=call_list, **data)
        return Response(CallListSerializer(self.get_queryset().get(pk=call_list.pk)).data)

    def _managed(self):
        call_list = self.get_object()
        if not call_list_access(self.request.user, call_list).can_manage:
            raise PermissionDenied("Only this list's organizers read its queue and progress.")
        return call_list

    @extend_schema(
        summary="A call list's queue and progress (organizers)",
        description="People by status; the open ones by why they are or are not offered now "
        "(`ready`, `do_not_call`, `no_phone`, `claimed`, `waiting`, `called_recently`, "
        "`outside_hours`); who holds whom; calls, contacts, contact rate, things remembered "
        "and follow-ups by caller and by day, with flags.",
        responses={200: inline_serializer("CallListProgress", {"queue": serializers.DictField()})},
        examples=[PROGRESS_EXAMPLE],
    )
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        call_list = self._managed()
        queue = call_list_queue(call_list=call_list)
        progress = call_list_progress(call_list=call_list)
        return Response(
            {
                "queue": {
                    "total": queue.total,
                    "by_status": queue.by_status,
                    "by_reason": queue.by_reason,
                    "claimed_by": [
                        {"user": row["claimed_by_id"], "people": row["n"]}
                        for row in queue.claimed_by
                    ],
                    "zones_in_calling_hours": queue.zones_now,
                },
                "total": _progress_rows([progress.total])[0],
                "by_volunteer": _progress_rows(progress.by_volunteer),
                "by_day": _progress_rows(progress.by_day),
            }
        )

    @extend_schema(
        summary="Next call: claim one person",
        description="Holds the next person ready to be called for you until "
        "`lease_expires_at`; the same person again if you already hold one. With nobody "
        "ready, `target` is null and `why_none` counts the reasons.",
        request=None,
        responses={200: ClaimSerializer},
        examples=[CLAIM_EXAMPLE],
    )
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        call_list = self.get_object()
        target = services.call_claim(actor=request.user, call_list=call_list)
        if target is None:
            queue = call_list_queue(call_list=call_list)
            return Response(
                {
                    "target": None,
                    "supporter": None,
                    "lease_expires_at": None,
                    "script": None,
                    "why_none": queue.by_reason,
                }
            )
        supporter = target.supporter
        chosen = script_for_language(
            call_list.scripts.all(), supporter.language, call_list.default_language
        )
        script = None
        if chosen is not None:
            script = script_render(
                chosen.text,
                first_name=supporter.preferred_name or supporter.given_name,
                caller_name=(request.user.full_name or "").split(" ")[0],
            )
        return Response(
            ClaimSerializer(
                {
                    "target": target.pk,
                    "supporter": supporter.pk,
                    "lease_expires_at": target.lease_expires_at,
                    "script": script,
                    "why_none": None,
                }
            ).data
        )

    @extend_schema(
        summary="Record a call (idempotent by client_uuid)",
        description="Logs a phone conversation (follow-up rules, listener and webhooks apply) "
        "for the person you hold, and ends the lease. 201 when stored, 200 for a retry.",
        request=CallRecordSerializer,
        responses={201: CallAttemptSerializer, 200: CallAttemptSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        examples=[CALL_EXAMPLE, ATTEMPT_EXAMPLE],
    )
    @action(detail=True, methods=["post"])
    def calls(self, request, pk=None):
        call_list = self.get_object()
        serializer = CallRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        target = CallTarget.objects.filter(pk=data.pop("target"), call_list=call_list).first()
        if target is None:
            raise NotFound("No such person on this list.")
        answers = _survey_answers(data.pop("answers", []))
        remember = [(line["text"], line["sensitive"]) for line in data.pop("remember", [])]
        try:
            attempt, created = services.call_record(
                actor=request.user, target=target, answers=answers, remember=remember, **data
            )
        except DjangoValidationError as error:
            if hasattr(error, "error_dict"):
                raise
            raise ValidationError({"target": error.messages}) from None
        return Response(
            CallAttemptSerializer(attempt).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Stop calling: give back the person you hold",
        description="The person you hold on this list goes back in the queue at once.",
        examples=[OpenApiExample("Released", value={"released": 1}, response_only=True)],
        request=None,
        responses={200: inline_serializer("CallRelease", {"released": serializers.IntegerField()})},
    )
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        call_list = self.get_object()
        return Response(
            {"released": services.call_release(actor=request.user, call_list=call_list)}
        )

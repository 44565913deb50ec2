"""The JSON API for call lists: read for any key whose user may see them, write for their
organizers; the queue and progress for organizers; "next call" claim, record and release for
scripts. Lists are read through ``calling.selectors``; writes go through ``calling.services``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
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


@extend_schema_view(
    list=extend_schema(summary="List call lists", description="Your teams' call lists."),
    retrieve=extend_schema(summary="Read a call list"),
    create=extend_schema(
        summary="Make a call list (organizers)",
        description="Built at once from `segment` (an id) or `filter` (the segment language), "
        "narrowed to `team`'s people you may see. Scripts are text by language with "
        "`{first_name}` and `{caller_name}` blanks.",
        request=CallListWriteSerializer,
        responses={201: CallListSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    ),
    partial_update=extend_schema(
        summary="Change a call list (organizers)",
        request=CallListUpdateSerializer,
        responses={200: CallListSerializer},
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
        request=None,
        responses={200: inline_serializer("CallRelease", {"released": serializers.IntegerField()})},
    )
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        call_list = self.get_object()
        return Response(
            {"released": services.call_release(actor=request.user, call_list=call_list)}
        )

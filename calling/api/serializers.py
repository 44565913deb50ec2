"""Serializers for the call lists API: output through ModelSerializer, input explicit."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from conversations.api.serializers import AnswerSerializer, RememberLineSerializer
from organizing.api.base import StrictSerializer, UtcDateTimeField

from ..models import CallAttempt, CallList, CallScript


class CallScriptSerializer(serializers.ModelSerializer):
    class Meta:
        model = CallScript
        fields = ["language", "text"]


class CallListSerializer(serializers.ModelSerializer):
    scripts = CallScriptSerializer(many=True, read_only=True)
    questions = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")

    class Meta:
        model = CallList
        fields = [
            "id",
            "name",
            "team",
            "segment",
            "filter",
            "status",
            "calling_starts",
            "calling_ends",
            "recent_days",
            "lease_minutes",
            "default_language",
            "scripts",
            "questions",
            "time_zones",
            "created_by",
            "created_at",
            "updated_at",
            "built_at",
        ]
        read_only_fields = fields


class CallListWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120)
    team = serializers.IntegerField(min_value=1)
    segment = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    filter = serializers.JSONField(required=False)
    scripts = serializers.DictField(
        child=serializers.CharField(max_length=5000, allow_blank=True),
        help_text=_('Script text by language: {"en": "Hi {first_name}…", "es": "Hola…"}.'),
    )
    questions = serializers.ListField(
        child=serializers.SlugField(max_length=60), required=False, max_length=50
    )
    calling_starts = serializers.TimeField(required=False)
    calling_ends = serializers.TimeField(required=False)
    recent_days = serializers.IntegerField(min_value=0, max_value=365, required=False)
    default_language = serializers.CharField(max_length=16, required=False)


class CallListUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120, required=False)
    status = serializers.ChoiceField(choices=CallList.Status.choices, required=False)
    scripts = serializers.DictField(
        child=serializers.CharField(max_length=5000, allow_blank=True), required=False
    )
    questions = serializers.ListField(
        child=serializers.SlugField(max_length=60), required=False, max_length=50
    )
    calling_starts = serializers.TimeField(required=False)
    calling_ends = serializers.TimeField(required=False)
    recent_days = serializers.IntegerField(min_value=0, max_value=365, required=False)


class ClaimSerializer(serializers.Serializer):
    target = serializers.IntegerField(allow_null=True)
    supporter = serializers.IntegerField(allow_null=True)
    lease_expires_at = serializers.DateTimeField(allow_null=True)
    script = serializers.CharField(allow_null=True)
    why_none = serializers.DictField(child=serializers.IntegerField(), allow_null=True)


class CallRecordSerializer(StrictSerializer):
    target = serializers.IntegerField(min_value=1)
    client_uuid = serializers.UUIDField()
    result = serializers.ChoiceField(
        choices=[c for c in CallAttempt.Result.choices if c[0] != CallAttempt.Result.SKIPPED]
    )
    heard = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    heard_is_sensitive = serializers.BooleanField(default=False)
    answers = AnswerSerializer(many=True, required=False)
    remember = RememberLineSerializer(many=True, required=False, max_length=3)
    call_back_after = UtcDateTimeField(required=False, allow_null=True)
    message_to_organizer = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )


class CallAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = CallAttempt
        fields = [
            "id",
            "call_list",
            "target",
            "supporter",
            "caller",
            "result",
            "conversation",
            "client_uuid",
            "remembered",
            "created_at",
        ]
        read_only_fields = fields

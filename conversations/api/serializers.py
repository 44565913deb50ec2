"""API shapes for listening. Output: ModelSerializers; input: explicit, strict serializers."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from conversations.models import (
    Conversation,
    FollowUp,
    Issue,
    Note,
    Suggestion,
    SurveyChoice,
    SurveyQuestion,
)
from organizing.api.base import StrictSerializer, UtcDateTimeField
from supporters.models import Channel


class ConversationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Conversation
        fields = [
            "id",
            "supporter",
            "volunteer",
            "channel",
            "outcome",
            "happened_at",
            "heard",
            "issues",
            "client_uuid",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AnswerSerializer(StrictSerializer):
    question = serializers.SlugField(max_length=60, help_text="The survey question's slug.")
    choice = serializers.CharField(
        required=False, max_length=60, help_text="Multiple-choice: the answer's value."
    )
    text = serializers.CharField(required=False, max_length=500, help_text="Free-text answers.")

    def validate(self, data):
        if bool(data.get("choice")) == bool(data.get("text")):
            raise serializers.ValidationError("Give either a choice or a text answer.")
        return data


class RememberLineSerializer(StrictSerializer):
    text = serializers.CharField(max_length=200)
    sensitive = serializers.BooleanField(
        default=False, help_text="Sensitive lines are read by organizers and above only."
    )


class FollowUpAskedSerializer(StrictSerializer):
    due_at = UtcDateTimeField()
    reason = serializers.CharField(max_length=200, default="Call back as asked")


class ConversationCreateSerializer(StrictSerializer):
    client_uuid = serializers.UUIDField(
        help_text="Made by the client. Sending the same UUID again stores nothing new."
    )
    supporter = serializers.IntegerField(min_value=1)
    channel = serializers.ChoiceField(Conversation.Channel.choices)
    outcome = serializers.ChoiceField(Conversation.Outcome.choices)
    heard = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    happened_at = UtcDateTimeField(required=False)
    issues = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=50
    )
    answers = serializers.ListField(
        child=AnswerSerializer(),
        required=False,
        max_length=50,
        help_text="Survey answers, by question slug: a choice's value, or text.",
    )
    remember = serializers.ListField(
        child=RememberLineSerializer(),
        required=False,
        max_length=10,
        help_text="Things to remember heard in this conversation.",
    )
    followup = FollowUpAskedSerializer(
        required=False, help_text="A follow-up the person asked for, given to you."
    )
    stop_channels = serializers.ListField(
        child=serializers.ChoiceField(Channel.choices),
        required=False,
        max_length=5,
        help_text="Channels the person asked us to stop using (sets do-not-contact).",
    )


class NoteSerializer(serializers.ModelSerializer):
    body = serializers.SerializerMethodField(
        help_text="Empty for sensitive notes unless you are an organizer or above."
    )
    is_redacted = serializers.SerializerMethodField()

    class Meta:
        model = Note
        fields = [
            "id",
            "supporter",
            "conversation",
            "author",
            "kind",
            "body",
            "is_redacted",
            "is_pinned",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _hidden(self, note) -> bool:
        return note.kind == Note.Kind.SENSITIVE and not self.context.get("sees_sensitive", False)

    @extend_schema_field(serializers.CharField())
    def get_body(self, note):
        return "" if self._hidden(note) else note.body

    @extend_schema_field(serializers.BooleanField())
    def get_is_redacted(self, note):
        return self._hidden(note)


class NoteCreateSerializer(StrictSerializer):
    supporter = serializers.IntegerField(min_value=1)
    body = serializers.CharField(max_length=10000)
    kind = serializers.ChoiceField(Note.Kind.choices, default=Note.Kind.GENERAL)
    conversation = serializers.IntegerField(min_value=1, required=False)
    is_pinned = serializers.BooleanField(default=False)


class NoteUpdateSerializer(StrictSerializer):
    body = serializers.CharField(max_length=10000, required=False)
    kind = serializers.ChoiceField(Note.Kind.choices, required=False)
    is_pinned = serializers.BooleanField(required=False)


class SuggestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Suggestion
        fields = [
            "id",
            "supporter",
            "conversation",
            "category",
            "text",
            "evidence",
            "status",
            "enricher",
            "version",
            "created_at",
            "decided_by",
            "decided_at",
            "note",
        ]
        read_only_fields = fields


class SuggestionConfirmSerializer(StrictSerializer):
    text = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Corrected wording."
    )
    is_sensitive = serializers.BooleanField(default=False)


class FollowUpSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUp
        fields = [
            "id",
            "supporter",
            "assignee",
            "due_at",
            "reason",
            "status",
            "is_overdue",
            "source_conversation",
            "source_rule",
            "created_by",
            "created_at",
            "updated_at",
            "completed_by",
            "completed_at",
        ]
        read_only_fields = fields


class FollowUpCreateSerializer(StrictSerializer):
    supporter = serializers.IntegerField(min_value=1)
    due_at = UtcDateTimeField()
    reason = serializers.CharField(max_length=200)
    assignee = serializers.IntegerField(
        min_value=1, required=False, help_text="A user id; yourself when left out."
    )


class FollowUpCompleteSerializer(StrictSerializer):
    status = serializers.ChoiceField(
        [FollowUp.Status.DONE, FollowUp.Status.CANCELLED], default=FollowUp.Status.DONE
    )


class FollowUpReassignSerializer(StrictSerializer):
    assignee = serializers.IntegerField(min_value=1)


class IssueSerializer(serializers.ModelSerializer):
    class Meta:
        model = Issue
        fields = ["id", "name", "description", "is_active", "created_at"]
        read_only_fields = fields


class IssueCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=80)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


class SurveyChoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = SurveyChoice
        fields = ["id", "label", "value", "position"]
        read_only_fields = fields


class SurveyQuestionSerializer(serializers.ModelSerializer):
    choices = SurveyChoiceSerializer(many=True, read_only=True)

    class Meta:
        model = SurveyQuestion
        fields = ["id", "prompt", "slug", "kind", "is_active", "position", "choices", "created_at"]
        read_only_fields = fields

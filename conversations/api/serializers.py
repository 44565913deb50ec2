"""API shapes for listening. Output: ModelSerializers; input: explicit, strict serializers."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from conversations.followups import PAST_FOLLOWUP, followup_is_past
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


class RedactedField(serializers.BooleanField):
    """``is_redacted``: the row's sensitive text was held back from you (``supporters.redaction``
    sets it; rows that never passed through it are not redacted)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault(
            "help_text",
            "True when sensitive text was held back (only the person's "
            "team organizers, data staff and admins read it).",
        )
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return bool(getattr(instance, "is_redacted", False))


class ConversationSerializer(serializers.ModelSerializer):
    heard = serializers.CharField(
        read_only=True, help_text=_("Empty when marked sensitive and you may not read it.")
    )
    is_redacted = RedactedField()

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
            "heard_is_sensitive",
            "is_redacted",
            "issues",
            "client_uuid",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AnswerSerializer(StrictSerializer):
    question = serializers.SlugField(max_length=60, help_text=_("The survey question's slug."))
    choice = serializers.CharField(
        required=False, max_length=60, help_text=_("Multiple-choice: the answer's value.")
    )
    text = serializers.CharField(required=False, max_length=500, help_text=_("Free-text answers."))

    def validate(self, data):
        if bool(data.get("choice")) == bool(data.get("text")):
            raise serializers.ValidationError(_("Give either a choice or a text answer."))
        return data


class RememberLineSerializer(StrictSerializer):
    text = serializers.CharField(max_length=200)
    sensitive = serializers.BooleanField(
        default=False, help_text=_("Sensitive lines are read by organizers and above only.")
    )


class FollowUpAskedSerializer(StrictSerializer):
    due_at = UtcDateTimeField()
    reason = serializers.CharField(max_length=200, default="Call back as asked")


class ConversationCreateSerializer(StrictSerializer):
    client_uuid = serializers.UUIDField(
        help_text=_("Made by the client. Sending the same UUID again stores nothing new.")
    )
    supporter = serializers.IntegerField(min_value=1)
    channel = serializers.ChoiceField(Conversation.Channel.choices)
    outcome = serializers.ChoiceField(Conversation.Outcome.choices)
    heard = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    heard_is_sensitive = serializers.BooleanField(
        default=False,
        help_text=_("What was heard is for the person's team organizers, data staff and admins."),
    )
    happened_at = UtcDateTimeField(required=False)
    issues = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=50
    )
    answers = serializers.ListField(
        child=AnswerSerializer(),
        required=False,
        max_length=50,
        help_text=_("Survey answers, by question slug: a choice's value, or text."),
    )
    remember = serializers.ListField(
        child=RememberLineSerializer(),
        required=False,
        max_length=10,
        help_text=_("Things to remember heard in this conversation."),
    )
    followup = FollowUpAskedSerializer(
        required=False, help_text=_("A follow-up the person asked for, given to you.")
    )
    stop_channels = serializers.ListField(
        child=serializers.ChoiceField(Channel.choices),
        required=False,
        max_length=5,
        help_text=_("Channels the person asked us to stop using (sets do-not-contact)."),
    )


class NoteSerializer(serializers.ModelSerializer):
    body = serializers.CharField(
        read_only=True,
        help_text=_(
            "Empty for sensitive notes unless you organize the person's team (or are "
            "data staff or an admin)."
        ),
    )
    is_redacted = RedactedField()

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
    is_redacted = RedactedField()

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "supporter",
            "conversation",
            "category",
            "text",
            "evidence",
            "is_redacted",
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
        max_length=200, required=False, allow_blank=True, help_text=_("Corrected wording.")
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
    due_at = UtcDateTimeField(help_text=_("When it falls due; not in the past."))
    reason = serializers.CharField(max_length=200)
    assignee = serializers.IntegerField(
        min_value=1, required=False, help_text=_("A user id; yourself when left out.")
    )

    def validate_due_at(self, value):
        if followup_is_past(value):
            raise serializers.ValidationError(PAST_FOLLOWUP)
        return value


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

"""How conversations and follow-ups read in a webhook payload: registered with
``organizing.webhooks`` in ``ConversationsConfig.ready()``."""

from __future__ import annotations

from typing import Any

from organizing.webhooks import iso_or_none, register_payload

from .models import Conversation, FollowUp


def conversation_payload(conversation: Conversation) -> dict[str, Any]:
    """Who, how, the outcome and when; never what was said."""
    return {
        "id": conversation.pk,
        "supporter_id": conversation.supporter_id,
        "volunteer_id": conversation.volunteer_id,
        "channel": conversation.channel,
        "outcome": conversation.outcome,
        "happened_at": iso_or_none(conversation.happened_at),
    }


def followup_payload(followup: FollowUp) -> dict[str, Any]:
    return {
        "id": followup.pk,
        "supporter_id": followup.supporter_id,
        "assignee_id": followup.assignee_id,
        "reason": followup.reason,
        "status": followup.status,
        "due_at": iso_or_none(followup.due_at),
        "completed_at": iso_or_none(followup.completed_at),
    }


def register() -> None:
    register_payload(Conversation, conversation_payload)
    register_payload(FollowUp, followup_payload)

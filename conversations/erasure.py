"""Listening's step of an erasure (``supporters.erasure``), registered in
``conversations.hooks``: what was heard, said and planned about the person goes; the
conversation rows stay, without their words, so the dashboard's counts still add up."""

from __future__ import annotations

from django.db.models import Q

from organizing.erasure import ERASED
from supporters.erasure import ErasureContext

from .models import Conversation, FollowUp, Note, NoteRevision, Suggestion, SurveyResponse


def supporter_erase_conversations(*, context: ErasureContext) -> dict[str, int]:
    """Conversations lose what we heard (and the free-text survey answers); notes with their
    revisions and suggestions are deleted; follow-ups keep their dates and status for the
    counts (an open one is cancelled) but lose their reason."""
    supporter, audit = context.supporter, context.audit_objects
    # Their free text, which mail, webhook payloads and audit entries may have quoted.
    context.tokens.add(
        FollowUp.objects.filter(supporter=supporter).values_list("reason", flat=True)
    )
    context.tokens.add(
        Suggestion.objects.filter(supporter=supporter).values_list("text", flat=True)
    )
    conversations = Conversation.objects.filter(supporter=supporter)
    audit.extend(conversations)
    counts = {
        "conversations": conversations.update(heard="", heard_is_sensitive=False),
    }
    responses = SurveyResponse.objects.filter(conversation__supporter=supporter)
    counts["survey_answers"] = responses.filter(choice__isnull=True).delete()[0]
    responses.exclude(text="").update(text="")
    notes = Note.objects.filter(supporter=supporter)
    audit.extend(notes)
    audit.extend(NoteRevision.objects.filter(note__supporter=supporter))
    suggestions = Suggestion.objects.filter(supporter=supporter)
    audit.extend(suggestions)
    counts["suggestions"] = suggestions.delete()[0]
    deleted = notes.delete()[1]
    counts["notes"] = deleted.get("conversations.Note", 0)
    counts["note_revisions"] = deleted.get("conversations.NoteRevision", 0)
    followups = FollowUp.objects.filter(supporter=supporter)
    audit.extend(followups)
    followups.filter(status=FollowUp.Status.OPEN).update(
        status=FollowUp.Status.CANCELLED, completed_at=context.now
    )
    counts["followups"] = followups.filter(~Q(reason=ERASED)).update(reason=ERASED)
    return counts

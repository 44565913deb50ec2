"""Writes for listening: conversations, notes and suggestions. Each writes its history line."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from organizing.models import User
from supporters.models import HistoryEvent, Supporter
from supporters.services import history_record

from .models import Conversation, Note, NoteRevision, Suggestion


def conversation_create(
    *,
    actor: User,
    supporter: Supporter,
    client_uuid: uuid.UUID,
    channel: str,
    outcome: str,
    heard: str = "",
    happened_at: datetime | None = None,
) -> tuple[Conversation, bool]:
    """Store a conversation once per ``client_uuid``.

    Returns ``(conversation, created)``. Sending the same UUID again (a retry, a double tap)
    returns the conversation already stored, unchanged, with ``created`` False. The caller
    must already have checked that ``actor`` may see ``supporter``.
    """
    existing = Conversation.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                supporter=supporter,
                volunteer=actor,
                client_uuid=client_uuid,
                channel=channel,
                outcome=outcome,
                heard=heard,
                happened_at=happened_at or timezone.now(),
            )
            history_record(
                supporter=supporter,
                kind=HistoryEvent.Kind.CONVERSATION,
                actor=actor,
                subject=conversation,
                at=conversation.happened_at,
                summary=f"{conversation.get_channel_display()}: {conversation.get_outcome_display()}",
            )
    except IntegrityError:
        # A concurrent request with the same UUID won the race; theirs is the one stored.
        return Conversation.objects.get(client_uuid=client_uuid), False
    return conversation, True


def note_update(*, note: Note, actor: User, body: str, kind: str, is_pinned: bool) -> Note:
    """Change a note, keeping its earlier text and kind (and who changed it) as a revision."""
    with transaction.atomic():
        current = Note.objects.select_for_update().get(pk=note.pk)
        if current.body != body or current.kind != kind:
            NoteRevision.objects.create(
                note=current, body=current.body, kind=current.kind, edited_by=actor
            )
            history_record(
                supporter=current.supporter_id,
                kind=HistoryEvent.Kind.NOTE_EDITED,
                actor=actor,
                subject=current,
                summary="Note corrected",
            )
        current.body, current.kind, current.is_pinned = body, kind, is_pinned
        current.save(update_fields=["body", "kind", "is_pinned", "updated_at"])
    return current


def suggestion_confirm(
    *, suggestion: Suggestion, actor: User, text: str | None = None, is_sensitive: bool = False
) -> Suggestion:
    """A person confirms a suggested thing to remember; it becomes their note.

    ``text`` lets them correct the wording first. Safe to call twice: a suggestion already
    confirmed or dismissed is returned unchanged. The caller checks that ``actor`` may see
    the supporter.
    """
    with transaction.atomic():
        current = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        if current.status != Suggestion.Status.SUGGESTED:
            return current
        body = (text or current.text).strip() or current.text
        note = Note.objects.create(
            supporter_id=current.supporter_id,
            conversation_id=current.conversation_id,
            author=actor,
            kind=Note.Kind.SENSITIVE if is_sensitive else Note.Kind.REMEMBER,
            body=body,
        )
        current.status = Suggestion.Status.CONFIRMED
        current.decided_by, current.decided_at, current.note = actor, timezone.now(), note
        current.save(update_fields=["status", "decided_by", "decided_at", "note"])
        history_record(
            supporter=current.supporter_id,
            kind=HistoryEvent.Kind.REMEMBER,
            actor=actor,
            subject=note,
            summary="Sensitive note confirmed" if is_sensitive else body,
            suggestion_id=current.pk,
            enricher=current.enricher,
        )
    return current


def suggestion_dismiss(*, suggestion: Suggestion, actor: User) -> Suggestion:
    """A person dismisses a suggestion; it is kept so it is never suggested again."""
    with transaction.atomic():
        current = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        if current.status != Suggestion.Status.SUGGESTED:
            return current
        current.status = Suggestion.Status.DISMISSED
        current.decided_by, current.decided_at = actor, timezone.now()
        current.save(update_fields=["status", "decided_by", "decided_at"])
    return current

"""Writes for listening: conversations and notes."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from organizing.models import User
from supporters.models import Supporter

from .models import Conversation, Note, NoteRevision


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
        current.body, current.kind, current.is_pinned = body, kind, is_pinned
        current.save(update_fields=["body", "kind", "is_pinned", "updated_at"])
    return current

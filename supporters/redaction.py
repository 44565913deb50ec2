"""Redaction, once: sensitive text is removed here before it leaves the domain for any layer.

Sensitive text is: notes of kind ``sensitive``, the earlier text of any note while it was
sensitive (its revisions), history lines marked ``is_sensitive``, what was heard in a
conversation marked ``heard_is_sensitive`` at logging time, and what the listener quoted or drew
from such a conversation (a suggestion's ``evidence`` and ``text``). Only the person's team
organizers, data staff and admins read it (``SupporterAccess.can_see_sensitive``; for lists over
many people, ``sensitive_team_ids``). The brief, the history page and API, the notes,
conversations and suggestions APIs all pass their rows through a ``Redactor``; exports and
webhook payloads carry none of these texts at all (tests hold both).

A redacted row keeps its place (everyone learns that something exists, and whom to ask) with
its text emptied and ``is_redacted`` True. Rows are changed in memory only, and services
re-read what they write (``select_for_update``), so a redacted instance is never saved.

The conversations app's rows are read by attribute (``kind``, ``heard_is_sensitive``…) so this
module, below conversations in the layers, imports nothing of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from organizing.models import User

from .selectors import sensitive_team_ids

SENSITIVE = "sensitive"


class Redactor:
    """Redacts rows for one viewer. ``team_id`` is the person's team; when it is not given it
    is read from ``supporter_team_id`` (annotate it) or ``supporter.team_id`` (select it)."""

    def __init__(self, viewer: User, *, can_see_sensitive: bool | None = None, team_id=None):
        self._teams = sensitive_team_ids(viewer) if can_see_sensitive is None else None
        self._fixed = can_see_sensitive
        self._team_id = team_id

    def allows(self, row: Any = None, team_id: int | None = None) -> bool:
        if self._fixed is not None:
            return self._fixed
        if self._teams is None:
            return True
        if team_id is None:
            team_id = self._team_id
        if team_id is None and row is not None:
            team_id = getattr(row, "supporter_team_id", None)
            if team_id is None:
                team_id = row.supporter.team_id
        return team_id in self._teams

    def note(self, note: Any) -> Any:
        allowed = self.allows(note)
        note.is_redacted = note.kind == SENSITIVE and not allowed
        if note.is_redacted:
            note.body = ""
        revisions = getattr(note, "_prefetched_objects_cache", {}).get("revisions")
        for revision in revisions or ():
            revision.is_redacted = not allowed and (note.is_redacted or revision.kind == SENSITIVE)
            if revision.is_redacted:
                revision.body = ""
        return note

    def conversation(self, conversation: Any) -> Any:
        conversation.is_redacted = bool(
            conversation.heard_is_sensitive and not self.allows(conversation)
        )
        if conversation.is_redacted:
            conversation.heard = ""
        return conversation

    def suggestion(self, suggestion: Any) -> Any:
        from_sensitive = getattr(suggestion, "conversation_heard_is_sensitive", None)
        if from_sensitive is None:
            conversation = suggestion.conversation
            from_sensitive = bool(conversation is not None and conversation.heard_is_sensitive)
        suggestion.is_redacted = bool(from_sensitive and not self.allows(suggestion))
        if suggestion.is_redacted:
            suggestion.evidence = ""
            suggestion.text = ""
        return suggestion

    def history_event(self, event: Any) -> Any:
        event.is_redacted = bool(event.is_sensitive and not self.allows(event))
        if event.is_redacted:
            event.summary = "Sensitive — ask an organizer"
        return event

    def notes(self, rows: Iterable[Any]) -> list[Any]:
        return [self.note(row) for row in rows]

    def conversations(self, rows: Iterable[Any]) -> list[Any]:
        return [self.conversation(row) for row in rows]

    def suggestions(self, rows: Iterable[Any]) -> list[Any]:
        return [self.suggestion(row) for row in rows]

    def history_events(self, rows: Iterable[Any]) -> list[Any]:
        return [self.history_event(row) for row in rows]

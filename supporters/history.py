"""A supporter's timeline: one line per thing that happened to them, by whom, when.

Every app's services write it (``history_record``) inside their own transaction; it imports
no service, so enrichment and listening can record what they found without importing the
services that enqueue them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from organizing.roles import Actor, as_user

from .models import HistoryEvent, Supporter


def history_record(
    *,
    supporter: Supporter | int,
    kind: str,
    summary: str,
    actor: Actor | None = None,
    subject: models.Model | None = None,
    at: datetime | None = None,
    is_sensitive: bool = False,
    **details: Any,
) -> HistoryEvent:
    """Add one line to a supporter's timeline. Call it inside the writing service's transaction.

    ``actor`` None or ``SYSTEM`` means a machine did it (say which in ``details``, e.g.
    ``enricher``, ``version``). ``details`` must be JSON-serialisable. ``is_sensitive`` lines
    are shown only to those who may read the person's sensitive text (``supporters.redaction``).
    """
    event = _history_event(
        supporter=supporter,
        kind=kind,
        summary=summary,
        actor=actor,
        subject=subject,
        at=at,
        is_sensitive=is_sensitive,
        details=details,
    )
    event.save(force_insert=True)
    return event


def history_record_many(lines: list[dict[str, Any]]) -> list[HistoryEvent]:
    """``history_record`` for many lines in one INSERT (a batch job's one line per person).

    Each item holds ``history_record``'s keyword arguments, ``details`` as a dict of its own.
    """
    return HistoryEvent.objects.bulk_create([_history_event(**line) for line in lines])


def _history_event(
    *,
    supporter: Supporter | int,
    kind: str,
    summary: str,
    actor: Actor | None = None,
    subject: models.Model | None = None,
    at: datetime | None = None,
    is_sensitive: bool = False,
    details: dict[str, Any] | None = None,
) -> HistoryEvent:
    supporter_id = supporter if isinstance(supporter, int) else supporter.pk
    return HistoryEvent(
        supporter_id=supporter_id,
        kind=kind,
        summary=summary[:300],
        actor=as_user(actor),
        is_sensitive=is_sensitive,
        subject_type=subject._meta.model_name if subject is not None else "",
        subject_id=subject.pk if subject is not None else None,
        at=at or timezone.now(),
        details=details or {},
    )

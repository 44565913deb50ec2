"""Background work for listening and follow-ups: thin shims that take ids, call one service
function, and return.

- ``conversation_listen_task``: what we heard → sentiment, issues, suggestions, the asked
  follow-up time, then the scheduling rules (``conversations.listening.services``); enqueued
  after a conversation is saved.
- beat: due follow-ups every minute, the daily digest, overdue ones raised to organizers
  (``conversations.notifications``), and sweeps that re-enqueue conversations a Redis outage
  (or a new version) left unheard.

Every task is safe twice: the services re-read state and return early when the work is done.
"""

from __future__ import annotations

from celery import shared_task

from organizing.dispatch import send_now

from . import notifications
from .listening.services import SWEEP_BATCH_SIZE, conversation_listen, conversations_unheard

# --- Listening -------------------------------------------------------------------------------


@shared_task
def conversation_listen_task(conversation_id: int) -> bool:
    """Enqueued after a conversation is saved. Safe twice: a listened one is left alone."""
    return conversation_listen(conversation_id)


@shared_task
def conversation_listen_batch_task(conversation_ids: list[int]) -> int:
    """Listen to a batch (from the sweep); each conversation in its own transaction."""
    return sum(conversation_listen(pk) for pk in conversation_ids)


@shared_task
def conversation_listen_sweep_task(recent_only: bool = False) -> int:
    """Beat: enqueue conversations not yet heard by this listening version, in batches.

    ``recent_only`` (every few minutes) catches saves whose task a Redis outage dropped; the
    nightly run also redoes older conversations after a new listening version.
    """
    ids = conversations_unheard(recent_only=recent_only)
    for start in range(0, len(ids), SWEEP_BATCH_SIZE):
        send_now(conversation_listen_batch_task, ids[start : start + SWEEP_BATCH_SIZE])
    return len(ids)


# --- Follow-ups ------------------------------------------------------------------------------


@shared_task
def followup_notify_due_task() -> int:
    """Beat, every minute: follow-ups that just fell due, to their assignees."""
    return notifications.followup_notify_due()


@shared_task
def followup_digest_task() -> int:
    """Beat, from ``DIGEST_HOUR``: each assignee's digest, once a day."""
    return notifications.followup_digest()


@shared_task
def followup_escalate_overdue_task() -> int:
    """Beat, hourly: follow-ups overdue by more than three days, to the team's organizers."""
    return notifications.followup_escalate_overdue()

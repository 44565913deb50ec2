"""Background work for listening and follow-ups.

- ``conversation_listen_task``: what we heard → sentiment, issues, suggestions, the asked
  follow-up time, then the scheduling rules; enqueued after a conversation is saved.
- beat: due follow-ups every minute, the daily digest, overdue ones raised to organizers
  (the emails are built and sent in ``notifications.py``), and sweeps that re-enqueue conversations a Redis outage (or a new version) left unheard.

Every task takes ids, re-reads state, returns early when the work is done, and is safe twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from celery import shared_task
from django.db import IntegrityError, transaction
from django.utils import timezone

from organizing.dispatch import advisory_lock, send_now
from organizing.roles import SYSTEM
from supporters.enrichment.pipeline import engagement_recompute
from supporters.models import HistoryEvent
from supporters.services import history_record

from . import listening, notifications
from .followups import plan_for, supporter_time_zone
from .models import Conversation, Issue, IssueMention, Note, Suggestion
from .services import followup_create

BATCH_SIZE = 200
SWEEP_BATCHES = 25
RECENT = timedelta(days=2)
GRACE = timedelta(minutes=1)  # the sweep leaves the last minute to the task a save enqueued


# --- Listening -------------------------------------------------------------------------------


def _issue_phrases() -> dict[int, list[str]]:
    phrases: dict[int, list[str]] = defaultdict(list)
    for issue in Issue.objects.filter(is_active=True).prefetch_related("phrases"):
        phrases[issue.pk] = [issue.name, *(p.phrase for p in issue.phrases.all())]
    return phrases


def conversation_listen(conversation_id: int, *, force: bool = False) -> bool:
    """Listen to one conversation and apply the scheduling rules; False if nothing to do.

    Holds the conversation's row lock, so two deliveries of the same task run one after the
    other and the second finds the work done. Suggestions are unique per supporter and text,
    issue mentions per conversation and issue, rule follow-ups per source conversation.
    """
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("supporter")
            .filter(pk=conversation_id)
            .first()
        )
        if conversation is None:
            return False
        if conversation.listening_version >= listening.VERSION and not force:
            return False
        heard = conversation.heard or ""
        time_zone = supporter_time_zone(conversation.supporter)
        conversation.sentiment = listening.sentiment(heard)
        conversation.asked_followup_at = listening.followup_time(
            heard, heard_at=conversation.happened_at, time_zone=time_zone
        )
        conversation.listened_at = timezone.now()
        conversation.listening_version = listening.VERSION
        conversation.save(
            update_fields=["sentiment", "asked_followup_at", "listened_at", "listening_version"]
        )

        issues = listening.issues_heard(heard, _issue_phrases())
        IssueMention.objects.bulk_create(
            [
                IssueMention(
                    conversation=conversation,
                    issue_id=issue_id,
                    phrase=phrase[:80],
                    enricher=listening.ENRICHER,
                    version=listening.VERSION,
                )
                for issue_id, phrase in issues.items()
            ],
            ignore_conflicts=True,
        )
        _suggest(conversation, listening.things_to_remember(heard))

        plan = plan_for(conversation)
        if plan is not None:
            followup_create(
                actor=SYSTEM,
                supporter=conversation.supporter,
                assignee=plan.assignee,
                due_at=plan.due_at,
                reason=plan.rule.reason,
                source_conversation=conversation,
                source_rule=plan.rule.source_rule,
                channel=plan.channel,
            )
    engagement_recompute(conversation.supporter_id)
    return True


def _suggest(conversation: Conversation, found: list[listening.Suggested]) -> int:
    """Store new suggestions (never one the person already has, waiting, confirmed or not)."""
    if not found:
        return 0
    # Never suggest what they already have: a suggestion (waiting, confirmed or dismissed)
    # or a note a person wrote with the same words.
    known = {
        text.lower()
        for text in Suggestion.objects.filter(supporter_id=conversation.supporter_id).values_list(
            "text", flat=True
        )
    } | {
        body.strip().lower()
        for body in Note.objects.filter(supporter_id=conversation.supporter_id).values_list(
            "body", flat=True
        )
    }
    made = 0
    for suggested in found:
        if suggested.text.lower() in known:
            continue
        try:
            with transaction.atomic():
                suggestion = Suggestion.objects.create(
                    supporter_id=conversation.supporter_id,
                    conversation=conversation,
                    category=suggested.category,
                    text=suggested.text[:200],
                    evidence=suggested.evidence[:500],
                    enricher=listening.ENRICHER,
                    version=listening.VERSION,
                )
                history_record(
                    supporter=conversation.supporter_id,
                    kind=HistoryEvent.Kind.SUGGESTION,
                    subject=suggestion,
                    summary=f"Suggested to remember: {suggestion.text}",
                    enricher=listening.ENRICHER,
                    version=listening.VERSION,
                    category=suggestion.category,
                )
        except IntegrityError:
            continue  # another conversation of theirs suggested the same line meanwhile
        known.add(suggested.text.lower())
        made += 1
    return made


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
    with advisory_lock("conversation_listen_sweep") as locked:
        if not locked:
            return 0
        now = timezone.now()
        pending = Conversation.objects.filter(
            listening_version__lt=listening.VERSION, created_at__lt=now - GRACE
        )
        if recent_only:
            pending = pending.filter(created_at__gte=now - RECENT)
        ids = list(
            pending.order_by("pk").values_list("pk", flat=True)[: BATCH_SIZE * SWEEP_BATCHES]
        )
    for start in range(0, len(ids), BATCH_SIZE):
        send_now(conversation_listen_batch_task, ids[start : start + BATCH_SIZE])
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

"""Background work for listening and follow-ups.

- ``conversation_listen_task``: what we heard → sentiment, issues, suggestions, the asked
  follow-up time, then the scheduling rules; enqueued after a conversation is saved.
- beat: due follow-ups every minute, the daily digest, overdue ones raised to organizers,
  and sweeps that re-enqueue conversations a Redis outage (or a new version) left unheard.

Every task takes ids, re-reads state, returns early when the work is done, and is safe twice.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from organizing.dispatch import advisory_lock, send_now
from organizing.models import Membership, User
from supporters.enrichment.pipeline import engagement_recompute
from supporters.history import history_record
from supporters.models import DoNotContact, HistoryEvent

from .followups import plan_for, supporter_time_zone
from .listening import rules as listening
from .models import Conversation, DigestSent, FollowUp, Issue, IssueMention, Note, Suggestion
from .services import followup_create

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
SWEEP_BATCHES = 25
RECENT = timedelta(days=2)
GRACE = timedelta(minutes=1)  # the sweep leaves the last minute to the task a save enqueued
OVERDUE_AFTER = timedelta(days=3)


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
                actor=None,
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


def _reachable(followups):
    """Leave out follow-ups on a channel the person has since said no to."""
    refused = DoNotContact.objects.filter(
        supporter_id=OuterRef("supporter_id"), channel=OuterRef("channel")
    )
    return followups.exclude(~Q(channel="") & Exists(refused))


@shared_task
def followup_notify_due_task() -> int:
    """Beat, every minute: tell each assignee about follow-ups that just fell due (once each).

    Rows are claimed with ``SKIP LOCKED`` in bounded batches; ``notified_at`` makes a second
    run (or an overlapping one) send nothing more.
    """
    now = timezone.now()
    sent = 0
    with transaction.atomic():
        due = list(
            _reachable(
                FollowUp.objects.filter(
                    status=FollowUp.Status.OPEN,
                    due_at__lte=now,
                    notified_at__isnull=True,
                    assignee__isnull=False,
                )
            )
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("assignee", "supporter")
            .order_by("due_at", "id")[:BATCH_SIZE]
        )
        by_assignee: dict[User, list[FollowUp]] = defaultdict(list)
        for followup in due:
            by_assignee[followup.assignee].append(followup)
        for assignee, followups in by_assignee.items():
            lines = [f"- {f.supporter}: {f.reason}" for f in followups]
            send_mail(
                subject=f"[Earshot] {len(followups)} follow-up(s) due now",
                message="These are due:\n\n" + "\n".join(lines) + f"\n\n{settings.SITE_URL}/\n",
                from_email=None,
                recipient_list=[assignee.email],
            )
            sent += len(followups)
        FollowUp.objects.filter(pk__in=[f.pk for f in due]).update(notified_at=now)
    return sent


def _organization_today() -> tuple[datetime, datetime]:
    zone = ZoneInfo(settings.ORGANIZATION_TIME_ZONE)
    today = timezone.now().astimezone(zone).date()
    start = datetime.combine(today, time.min, tzinfo=zone)
    return start, start + timedelta(days=1)


@shared_task
def followup_digest_task() -> int:
    """Beat, from ``DIGEST_HOUR`` in the organization's time zone: each assignee's follow-ups
    due today and overdue, one email per person per day (``DigestSent`` makes it once; a
    digest whose sending failed is rolled back and goes out on the next run)."""
    start, end = _organization_today()
    today = start.date()
    sent = 0
    with advisory_lock("followup_digest") as locked:
        if not locked:
            return 0
        assignee_ids = list(
            _reachable(FollowUp.objects.filter(status=FollowUp.Status.OPEN, due_at__lt=end))
            .exclude(assignee__isnull=True)
            .exclude(Exists(DigestSent.objects.filter(user_id=OuterRef("assignee_id"), date=today)))
            .values_list("assignee_id", flat=True)
            .distinct()
        )
    for assignee_id in assignee_ids:
        try:
            sent += _send_digest(assignee_id, today, start, end)
        except Exception:  # one bad address or a mail outage must not stop the others
            logger.exception("Digest for user %s not sent; the next run retries.", assignee_id)
    return sent


def _send_digest(user_id: int, today, start: datetime, end: datetime) -> int:
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = DigestSent.objects.create(user_id=user_id, date=today)
        except IntegrityError:
            return 0  # already sent today
        user = User.objects.get(pk=user_id)
        followups = list(
            _reachable(
                FollowUp.objects.filter(
                    status=FollowUp.Status.OPEN, assignee_id=user_id, due_at__lt=end
                )
            )
            .select_related("supporter")
            .order_by("due_at")
        )
        overdue = [f for f in followups if f.due_at < start]
        due_today = [f for f in followups if f.due_at >= start]
        zone = ZoneInfo(settings.ORGANIZATION_TIME_ZONE)

        def line(f: FollowUp) -> str:
            return f"- {f.supporter}: {f.reason} (due {f.due_at.astimezone(zone):%a %b %-d, %-I:%M %p})"

        parts = [f"Good morning, {user.get_short_name()}."]
        if due_today:
            parts += ["", "Due today:", *map(line, due_today)]
        if overdue:
            parts += ["", "Overdue:", *map(line, overdue)]
        parts += ["", f"{settings.SITE_URL}/"]
        send_mail(
            subject=f"[Earshot] Your follow-ups for {today:%A %b %-d}: {len(followups)}",
            message="\n".join(parts) + "\n",
            from_email=None,
            recipient_list=[user.email],
        )
        record.followup_count = len(followups)
        record.save(update_fields=["followup_count"])
    return 1


@shared_task
def followup_escalate_overdue_task() -> int:
    """Beat, hourly: follow-ups overdue by more than three days are raised to the organizers of
    the supporter's team, once each (``escalated_at``), in bounded batches."""
    now = timezone.now()
    with transaction.atomic():
        overdue = list(
            _reachable(
                FollowUp.objects.filter(
                    status=FollowUp.Status.OPEN,
                    due_at__lt=now - OVERDUE_AFTER,
                    escalated_at__isnull=True,
                )
            )
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("supporter", "assignee")
            .order_by("due_at", "id")[:BATCH_SIZE]
        )
        if not overdue:
            return 0
        team_ids = {f.supporter.team_id for f in overdue}
        organizers: dict[int, list[User]] = defaultdict(list)
        for membership in Membership.objects.filter(
            team_id__in=team_ids, role=Membership.Role.ORGANIZER, user__is_active=True
        ).select_related("user"):
            organizers[membership.team_id].append(membership.user)
        per_organizer: dict[User, list[FollowUp]] = defaultdict(list)
        for followup in overdue:
            for organizer in organizers.get(followup.supporter.team_id, []):
                per_organizer[organizer].append(followup)
        for organizer, followups in per_organizer.items():
            lines = [
                f"- {f.supporter}: {f.reason}, due {f.due_at:%b %-d}, "
                f"{'for ' + str(f.assignee) if f.assignee else 'unassigned'}"
                for f in followups
            ]
            send_mail(
                subject=f"[Earshot] {len(followups)} follow-up(s) overdue by more than 3 days",
                message="\n".join(lines) + f"\n\n{settings.SITE_URL}/\n",
                from_email=None,
                recipient_list=[organizer.email],
            )
        FollowUp.objects.filter(pk__in=[f.pk for f in overdue]).update(escalated_at=now)
    return len(overdue)

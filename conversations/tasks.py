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
from supporters.models import DoNotContact

from .listening.services import SWEEP_BATCH_SIZE, conversation_listen, conversations_unheard
from .models import DigestSent, FollowUp

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
OVERDUE_AFTER = timedelta(days=3)


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

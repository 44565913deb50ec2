"""Background work for the organization: invitation emails."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .dispatch import send_now
from .models import Invitation
from .retention import retention_sweep
from .services import invitation_send
from .webhooks import webhook_deliver, webhook_deliveries_due

SWEEP_BATCH = 200


@shared_task
def invitation_send_task(invitation_id: int) -> bool:
    return invitation_send(invitation_id=invitation_id)


@shared_task
def invitation_send_pending_task() -> int:
    """Beat, every minute: enqueue invitations whose email never went out (e.g. Redis was
    down when they were made). Bounded batches; sending is idempotent, so overlap is harmless."""
    # Leave the last minute's invitations to the task their creation enqueued.
    cutoff = timezone.now() - timedelta(minutes=1)
    pending = Invitation.objects.filter(
        sent_at__isnull=True,
        created_at__lt=cutoff,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).values_list("id", flat=True)[:SWEEP_BATCH]
    count = 0
    for invitation_id in pending:
        send_now(invitation_send_task, invitation_id)
        count += 1
    return count


@shared_task
def retention_sweep_task() -> dict[str, int] | None:
    """Beat, hourly: delete what is past its RETENTION_DAYS_* (organizing.retention)."""
    return retention_sweep()


@shared_task(acks_late=True)
def webhook_deliver_task(delivery_id: int) -> bool:
    """One attempt at one webhook delivery; retries are scheduled in the database."""
    return webhook_deliver(delivery_id=delivery_id)


@shared_task
def webhook_deliveries_sweep_task() -> int:
    """Beat, every minute: enqueue deliveries whose (next) attempt is due."""
    due = webhook_deliveries_due(grace=timedelta(minutes=1))
    for delivery_id in due:
        send_now(webhook_deliver_task, delivery_id)
    return len(due)


@shared_task
def sealed_text_reseal_task(label: str, after_id: int = 0) -> int:
    """One batch of the encryption backfill (``organizing.sealed.sealed_text_reseal``), then
    the next batch as a new task (bounded work per task; safe to run twice)."""
    from .sealed import sealed_text_reseal

    changed, last_id = sealed_text_reseal(label=label, after_id=after_id)
    if last_id is not None:
        send_now(sealed_text_reseal_task, label, last_id)
    return changed

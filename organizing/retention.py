"""Retention: personal data Earshot keeps only as long as it must, then deletes.

``RETENTION_DAYS_*`` settings say how long each kind is kept:

- webhook deliveries (their payloads name people): ``RETENTION_DAYS_WEBHOOK_DELIVERIES``;
- Idempotency-Key records (they hold response bodies): ``RETENTION_DAYS_IDEMPOTENCY_RECORDS``,
  never less than the replay window ``IDEMPOTENCY_KEY_TTL_HOURS``;
- export files in ``EXPORT_DIR`` (``RETENTION_DAYS_EXPORT_FILES``): a finished job's file
  goes when its link expires (``supporters.exporting.export_jobs_expire``); this also removes
  what that misses (a failed job's partial file, a file whose job was deleted);
- import files in ``IMPORT_DIR`` (``RETENTION_DAYS_IMPORT_FILES``).

One beat task (``organizing.tasks.retention_sweep_task``) calls ``retention_sweep``, which
works under an advisory lock (an overlapping run returns at once) and in bounded batches
(at most ``batches`` times ``batch`` of each kind per run; the next run carries on).
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import Model
from django.utils import timezone

from .dispatch import advisory_lock
from .models import IdempotencyRecord, WebhookDelivery

LOCK_NAME = "organizing.retention_sweep"


def _delete_older(model: type[Model], cutoff: datetime, *, batch: int, batches: int) -> int:
    """Delete rows created before ``cutoff``, oldest ids first, ``batch`` at a time."""
    deleted = 0
    for _ in range(batches):
        ids = list(
            model.objects.filter(created_at__lt=cutoff)
            .order_by("id")
            .values_list("id", flat=True)[:batch]
        )
        if not ids:
            break
        _, per_model = model.objects.filter(id__in=ids).delete()
        deleted += per_model.get(model._meta.label, 0)
        if len(ids) < batch:
            break
    return deleted


def _delete_old_files(folder: Path, cutoff: datetime, *, limit: int) -> int:
    """Delete regular files in ``folder`` last written before ``cutoff`` (at most ``limit``)."""
    if not folder.is_dir():
        return 0
    deleted = 0
    threshold = cutoff.timestamp()
    with os.scandir(folder) as entries:
        for entry in entries:
            if deleted >= limit:
                break
            if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < threshold:
                Path(entry.path).unlink(missing_ok=True)
                deleted += 1
    return deleted


def retention_sweep(
    *, now: datetime | None = None, batch: int = 1000, batches: int = 20
) -> dict[str, int] | None:
    """Delete what is past its retention; returns counts per kind, or None when another
    sweep holds the lock. Safe to run twice: a second run finds nothing older to delete."""
    now = now or timezone.now()
    idempotency_cutoff = now - max(
        timedelta(days=settings.RETENTION_DAYS_IDEMPOTENCY_RECORDS),
        timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS),
    )
    with advisory_lock(LOCK_NAME) as locked:
        if not locked:
            return None
        return {
            "webhook_deliveries": _delete_older(
                WebhookDelivery,
                now - timedelta(days=settings.RETENTION_DAYS_WEBHOOK_DELIVERIES),
                batch=batch,
                batches=batches,
            ),
            "idempotency_records": _delete_older(
                IdempotencyRecord, idempotency_cutoff, batch=batch, batches=batches
            ),
            "export_files": _delete_old_files(
                Path(settings.EXPORT_DIR),
                now - timedelta(days=settings.RETENTION_DAYS_EXPORT_FILES),
                limit=batch * batches,
            ),
            "import_files": _delete_old_files(
                Path(settings.IMPORT_DIR),
                now - timedelta(days=settings.RETENTION_DAYS_IMPORT_FILES),
                limit=batch * batches,
            ),
        }

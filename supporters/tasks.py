"""Background work for people: enrichment (and the sweep that catches up on what was missed),
export jobs, and bulk actions over the Supporters list."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import requests
from celery import shared_task
from django.utils import timezone

from organizing.dispatch import advisory_lock, send_now

from .bulk import bulk_action_run_chunk, bulk_actions_stale
from .enrichment import geocoder
from .enrichment.geocoder import households_needing_geocode
from .enrichment.pipeline import enrich_supporters, supporters_needing_enrichment
from .exporting import export_job_run, export_jobs_expire, export_jobs_requeue_stale
from .households import household_backfill

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
SWEEP_BATCHES = 25  # at most 5,000 supporters enqueued per sweep run
RECENT = timedelta(days=2)
GRACE = timedelta(minutes=1)  # the sweep leaves the last minute to the task a save enqueued


@shared_task
def supporter_enrich_task(supporter_id: int) -> int:
    """Enrich one supporter (enqueued when they are added). Safe twice: current ones are skipped."""
    return enrich_supporters([supporter_id]).enriched


@shared_task
def supporter_enrich_batch_task(supporter_ids: list[int], force: bool = False) -> int:
    """Enrich a batch of supporters in one transaction; returns how many were (re)enriched."""
    return enrich_supporters(supporter_ids, force=force).enriched


@shared_task
def supporter_enrich_sweep_task(recent_only: bool = False) -> int:
    """Beat: enqueue supporters never enriched, or enriched by an older version, in batches.

    ``recent_only`` (every few minutes) looks at supporters added in the last two days, which
    catches those whose task a Redis outage dropped; the nightly run looks at everyone.
    Takes a lock so that overlapping runs enqueue once; leaves the last minute's supporters
    to the task their creation enqueued.
    """
    with advisory_lock("supporter_enrich_sweep") as locked:
        if not locked:
            return 0
        now = timezone.now()
        pending = supporters_needing_enrichment().filter(created_at__lt=now - GRACE)
        if recent_only:
            pending = pending.filter(created_at__gte=now - RECENT)
        ids = list(
            pending.order_by("pk").values_list("pk", flat=True)[: BATCH_SIZE * SWEEP_BATCHES]
        )
    for start in range(0, len(ids), BATCH_SIZE):
        send_now(supporter_enrich_batch_task, ids[start : start + BATCH_SIZE])
    return len(ids)


@shared_task
def household_backfill_task(batches: int = 20) -> int:
    """Beat (and after a migration): place people in households and turn the old "same
    household" relationships into households, a bounded batch at a time, re-enqueueing itself
    while work is left. Returns what this run did; 0 once everyone is placed."""
    done = 0
    with advisory_lock("household_backfill") as locked:
        if not locked:
            return 0
        for _ in range(batches):
            did = household_backfill()
            done += did
            if not did:
                return done
    send_now(household_backfill_task, batches)
    return done


@shared_task
def household_geocode_task() -> int:
    """Beat: geocode one batch (at most 10,000) of doors placed only by their ZIP's centre;
    re-enqueues itself while a full batch was placed. A service that cannot be reached is
    logged and tried on the next run; the doors keep their ZIP centre, flagged as such."""
    with advisory_lock("household_geocode") as locked:
        if not locked:
            return 0
        ids = list(
            households_needing_geocode()
            .order_by("id")
            .values_list("id", flat=True)[: geocoder.MAX_BATCH]
        )
        if not ids:
            return 0
        try:
            placed, tried = geocoder.geocode_households(ids)
        except (requests.RequestException, ValueError) as error:
            logger.warning("Geocoding %d households failed: %s", len(ids), error)
            return 0
    if tried == geocoder.MAX_BATCH:
        send_now(household_geocode_task)
    return placed


# --- Export jobs ---------------------------------------------------------------------------


@shared_task(acks_late=True)
def export_job_run_task(job_id: int) -> bool:
    """Write an export job's file; does nothing for a job already taken or done."""
    return export_job_run(job_id=job_id)


@shared_task
def export_jobs_sweep_task() -> int:
    """Beat: delete export files past their expiry, and re-enqueue jobs whose task was lost."""
    expired = export_jobs_expire()
    for job_id in export_jobs_requeue_stale():
        send_now(export_job_run_task, job_id)
    return expired


# --- Bulk actions over the Supporters list -------------------------------------------------

BULK_SECONDS_PER_TASK = 60  # then the next chunk is a new task, so no task nears its limit


@shared_task(name="supporters.bulk_action_chunk", acks_late=True)
def bulk_action_chunk_task(bulk_id: int, after_id: int = 0) -> int:
    """Handle a bulk action from ``after_id`` on, chunk after chunk, for up to a minute; then
    enqueue the rest. A redelivered chunk finds the cursor moved and does nothing."""
    started = time.monotonic()
    cursor: int | None = after_id
    while cursor is not None:
        cursor = bulk_action_run_chunk(bulk_id=bulk_id, after_id=cursor)
        if cursor is not None and time.monotonic() - started > BULK_SECONDS_PER_TASK:
            send_now(bulk_action_chunk_task, bulk_id, cursor)
            break
    return bulk_id


@shared_task(name="supporters.bulk_action_sweep")
def bulk_action_sweep_task() -> int:
    """Beat: enqueue again the bulk actions whose chunk was lost (no progress for minutes)."""
    stale = bulk_actions_stale()
    for bulk_id, cursor in stale:
        send_now(bulk_action_chunk_task, bulk_id, cursor)
    return len(stale)


# --- Imports (task names carry "import", so the router sends them to the bulk queue) ------


@shared_task(name="supporters.import_commit_chunk", acks_late=True)
def import_commit_chunk_task(import_id: int) -> bool:
    """Commit the next chunk of an import (the chunk enqueues its successor)."""
    from .importing.commit import import_commit_chunk

    return import_commit_chunk(import_id=import_id)


@shared_task(name="supporters.import_sweep")
def import_sweep_task() -> int:
    """Beat: re-enqueue imports whose heartbeat stopped; forget old imports' raw cells."""
    from .importing.services import import_forget_old_rows, import_requeue_stale

    with advisory_lock("supporters.import_sweep") as locked:
        if not locked:
            return 0
        ids = import_requeue_stale()
    for import_id in ids:
        send_now(import_commit_chunk_task, import_id)
    import_forget_old_rows()
    return len(ids)

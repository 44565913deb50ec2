"""Enqueue background work after commit without ever failing the write that asked for it.

If Redis is unreachable the message is dropped and logged; the record still says its work is
not done (``enriched_at``/``listened_at`` empty), so beat's sweep re-enqueues it later.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Any
from zlib import crc32

from django.db import connection, transaction

logger = logging.getLogger(__name__)


def send_now(task: Any, *args: Any) -> bool:
    """Publish ``task(*args)`` once, without the client's retry loop; False if Redis refused."""
    try:
        with task.app.producer_or_acquire() as producer:
            # One quick connection attempt, not the client's retry loop: a save must not
            # wait on a broker that is down.
            producer.connection.ensure_connection(max_retries=1, interval_start=0, timeout=2)
            task.apply_async(args=args, retry=False, producer=producer)
    except Exception:  # any broker error: the sweep catches up
        logger.warning("Could not enqueue %s%r; the sweep will redo it.", task.name, args)
        return False
    return True


def enqueue_on_commit(task: Any, *args: Any) -> None:
    """After the current transaction commits, publish ``task(*args)``; never raise."""
    transaction.on_commit(lambda: send_now(task, *args), robust=True)


@contextmanager
def advisory_lock(name: str):
    """Yield True if this process holds the named PostgreSQL lock for this transaction.

    Periodic tasks use it so that overlapping runs (a slow sweep, two beats by mistake) do
    the work once: the second one sees False and returns.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [crc32(name.encode())])
        yield bool(cursor.fetchone()[0])

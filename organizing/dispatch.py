"""The one way to enqueue background work: never failing the write that asked for it.

Services call ``enqueue_on_commit`` (after their transaction commits); sweeps, which run
outside any write, call ``send_now``. Both make one quick attempt: if Redis is unreachable the
message is dropped and logged, and the record still says its work is not done
(``enriched_at``/``listened_at``/``sent_at`` empty, a delivery still pending, a job still
queued), so beat's sweep enqueues it again later. Not Celery's ``delay_on_commit`` (it raises
after the commit) nor ``.delay`` (it retries for a long while, then raises).
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from functools import partial
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
    # A partial, not a lambda, so that its repr names the task (tests look at it).
    transaction.on_commit(partial(send_now, task, *args), robust=True)


def advisory_xact_lock(name: str) -> None:
    """Wait for the PostgreSQL advisory lock called ``name``, held until the transaction ends.

    Blocking, unlike ``advisory_lock``: for writes that must happen one after the other (two
    requests creating the same person). Must be called inside ``transaction.atomic``; the lock
    lasts until the outermost transaction commits or rolls back, never just a savepoint.
    The name is hashed in PostgreSQL to a 64-bit key (``hashtextextended``).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("advisory_xact_lock needs a transaction (transaction.atomic).")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [name])


@contextmanager
def advisory_lock(name: str):
    """Yield True if this process holds the named PostgreSQL lock for this transaction.

    Periodic tasks use it so that overlapping runs (a slow sweep, two beats by mistake) do
    the work once: the second one sees False and returns.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [crc32(name.encode())])
        yield bool(cursor.fetchone()[0])

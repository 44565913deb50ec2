"""Which Celery queue a task goes to: ``interactive`` or ``bulk``, decided by its name.

Field work must never wait behind bulk work. The listener that turns a just-logged
conversation into suggestions and follow-ups, notifications, follow-up scheduling, webhooks
and one person's enrichment go to ``interactive``; imports, bulk actions, enrichment sweeps
and backfills, the listener's catch-up sweeps, retention and exports go to ``bulk``. Each queue
has its own worker pool (``organizing.launcher`` for `make run`, ``docker-compose.yml``), so a
million-row import keeps the bulk pool busy while the interactive pool stays free.

Settings wire it in: ``CELERY_TASK_ROUTES = ("organizing.queues.route_task",)`` and
``CELERY_TASK_DEFAULT_QUEUE = INTERACTIVE``. An explicit ``queue=`` in ``apply_async`` wins.
"""

from __future__ import annotations

from django.conf import settings

INTERACTIVE = "interactive"
BULK = "bulk"
QUEUES = (INTERACTIVE, BULK)

# A task whose name contains one of these goes to the bulk queue. Whole words of the names
# in supporters/tasks.py, conversations/tasks.py and organizing/tasks.py, plus any future
# import or bulk-action task (issue 12 names them so).
BULK_NAME_PARTS = (
    "import",
    "bulk",
    "export",
    "retention",
    "backfill",
    "enrich_batch",
    "enrich_sweep",
    "listen_batch",
    "listen_sweep",
    "reseal",
    "rederive",
    "geocode",  # households geocoded in batches of up to 10,000 (issue 13)  # the nightly re-derivation of the dashboard's rollups (issue 15)  # re-encrypting sensitive text after a key rotation (issue 17)
)


def queue_for(name: str) -> str:
    """``bulk`` or ``interactive`` for the task called ``name`` (its dotted Celery name)."""
    task = name.rsplit(".", 1)[-1].lower()
    if any(part in task for part in BULK_NAME_PARTS):
        return BULK
    return INTERACTIVE


def route_task(name, args, kwargs, options, task=None, **kw):
    """Celery's router: bulk tasks to ``CELERY_BULK_QUEUE``; the rest to the default queue.

    Interactive tasks return no route so they follow ``task_default_queue`` (``interactive``).
    """
    if queue_for(name) == BULK:
        return {"queue": settings.CELERY_BULK_QUEUE}
    return None

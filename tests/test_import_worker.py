"""An import with a real worker against the real Redis: killed mid-chunk, it resumes where it
stopped, and no row is done twice."""

from __future__ import annotations

import signal
import uuid
from datetime import timedelta

import psycopg
import pytest
from django.utils import timezone

from organizing.celery import app
from supporters.importing.models import Import
from supporters.importing.services import import_commit, import_dry_run, import_upload
from supporters.models import HistoryEvent, Supporter, SupporterEmail
from supporters.tasks import import_sweep_task
from tests.workers import database_url, start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROWS = 30
CHUNK = 5
HELD = 13  # the 14th person, in the third chunk


@pytest.fixture
def queue(settings):
    """A queue of this test's own: imports are bulk work (organizing/queues.py), so the bulk
    queue is this one too."""
    name = f"test-{uuid.uuid4().hex[:8]}"
    original = app.conf.task_default_queue
    app.conf.task_default_queue = name
    settings.CELERY_BULK_QUEUE = name
    yield name
    app.conf.task_default_queue = original


def _waiting_on_a_lock() -> bool:
    with psycopg.connect(database_url(), autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        ).fetchone()
    return row[0] > 0


def test_worker_killed_mid_import_resumes_with_no_row_done_twice(
    queue, tmp_path, organizer, eastside, settings
):
    settings.IMPORT_DIR = tmp_path / "imports"
    text = "First Name,Email\n" + "".join(f"Person{i},p{i}@example.org\n" for i in range(ROWS))
    job = import_upload(actor=organizer, team=eastside, file_name="big.csv", data=text.encode())
    import_dry_run(actor=organizer, job=job)
    # Another session holds the identity lock of one person's email, so the worker is
    # certainly inside the third chunk (two committed, one row of the third written but not
    # committed) when it is killed.
    blocker = psycopg.connect(database_url())
    blocker.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
        [f"supporter-identity:email:p{HELD}@example.org"],
    )
    env = {
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_BULK_QUEUE": queue,
        "IMPORT_CHUNK_ROWS": str(CHUNK),
        "IMPORT_DIR": str(settings.IMPORT_DIR),
    }
    first = start_worker(queue, tmp_path, **env)
    second = None
    try:
        import_commit(actor=organizer, job=job)
        assert wait_for(lambda: Import.objects.get(pk=job.pk).cursor == 2 * CHUNK + 1), (
            "the worker never got through two chunks"
        )
        assert wait_for(_waiting_on_a_lock), "the worker never reached the held row"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=20)
        blocker.rollback()
        killed = Import.objects.get(pk=job.pk)
        assert (killed.cursor, killed.rows_done) == (2 * CHUNK + 1, 2 * CHUNK)
        assert Supporter.objects.count() == 2 * CHUNK  # the third chunk's row rolled back

        # The sweep finds the import's heartbeat stopped and enqueues it again (Redis's own
        # redelivery of the unacknowledged task may come too; either way, once per row).
        Import.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=3))
        assert import_sweep_task() == 1
        second = start_worker(queue, tmp_path, **env)
        assert wait_for(lambda: Import.objects.get(pk=job.pk).status == Import.Status.DONE), (
            "the import never finished"
        )
    finally:
        blocker.close()
        stop_worker(first)
        if second is not None:
            stop_worker(second)

    done = Import.objects.get(pk=job.pk)
    assert done.rows_done == ROWS
    assert done.counts == {"created": ROWS}
    assert Supporter.objects.count() == ROWS
    assert SupporterEmail.objects.count() == ROWS
    assert HistoryEvent.objects.filter(kind=HistoryEvent.Kind.IMPORTED).count() == ROWS
    assert HistoryEvent.objects.filter(kind=HistoryEvent.Kind.CREATED).count() == ROWS
    assert not done.rows.filter(outcome="").exists()

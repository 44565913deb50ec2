"""A real worker process and the real Redis keep the rollups: a conversation logged through
the service reaches the dashboard's figures without anyone re-deriving them, and a task
delivered twice (published again by hand) counts once."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from django.utils import timezone

from conversations.services import conversation_create
from metrics.figures import Scope, figures_from_raw, summary
from metrics.models import RollupEvent
from metrics.tasks import rollup_event_apply_task
from organizing.celery import app
from supporters.services import supporter_create
from tests.workers import database_url, start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queue():
    name = f"test-{uuid.uuid4().hex[:8]}"
    original = app.conf.task_default_queue
    app.conf.task_default_queue = name
    yield name
    app.conf.task_default_queue = original


def _talked_in_db() -> int:
    # Read through a connection of its own: the worker's commits, not this test's view.
    with psycopg.connect(database_url()) as db:
        row = db.execute(
            "SELECT coalesce(sum(value), 0) FROM metrics_dayfigure WHERE figure = 'talked'"
        ).fetchone()
    return int(row[0])


def test_the_worker_keeps_the_rollups_after_each_conversation(queue, tmp_path, eastside, organizer):
    worker = start_worker(queue, tmp_path)
    try:
        person = supporter_create(actor=organizer, team=eastside, given_name="Rosa")
        for _ in range(2):
            conversation_create(
                actor=organizer,
                supporter=person,
                client_uuid=uuid.uuid4(),
                channel="door",
                outcome="talked",
            )
        conversation_events = RollupEvent.objects.filter(key__startswith="conversation.created")
        assert wait_for(lambda: conversation_events.count() == 2, timeout=90)
        assert _talked_in_db() == 2
        key = conversation_events.first().key
        rollup_event_apply_task.apply_async(args=[person.pk, key], queue=queue)
        rollup_event_apply_task.apply_async(args=[person.pk, "again"], queue=queue)
        assert wait_for(lambda: RollupEvent.objects.filter(key="again").exists(), timeout=90)
    finally:
        stop_worker(worker)
    today = timezone.localdate()
    scope = Scope((eastside.pk,), today, today)
    figures = summary(scope)
    assert figures["activity"]["talked"] == 2
    assert figures["repeat"]["people_repeat"] == 1
    assert figures == figures_from_raw(scope)

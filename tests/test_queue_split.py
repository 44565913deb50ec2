"""Bulk work never delays field work: two real worker pools, one per queue, against the real
Redis (organizing/queues.py routes tasks by name).

While the bulk pool is held in the middle of a backfill (the listener's catch-up batch, a
bulk task, stuck on a row another session has locked), a conversation is logged: its
listener task goes to the interactive pool, which turns it into a suggestion while the
backfill is still running.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest

from conversations.models import Conversation, Suggestion
from conversations.services import conversation_create
from conversations.tasks import conversation_listen_batch_task
from organizing.celery import app
from organizing.dispatch import send_now
from tests.factories import AssignmentFactory, ConversationFactory, SupporterFactory
from tests.workers import database_url, start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

VETERAN = "Her son is an Iraq war veteran and she's worried about wait times at the VA."


@pytest.fixture
def queues(settings):
    """An interactive and a bulk queue of this test's own, routed to as in production."""
    suffix = uuid.uuid4().hex[:8]
    interactive, bulk = f"test-interactive-{suffix}", f"test-bulk-{suffix}"
    original = app.conf.task_default_queue
    app.conf.task_default_queue = interactive
    settings.CELERY_BULK_QUEUE = bulk
    yield interactive, bulk
    app.conf.task_default_queue = original


def _listened(ids) -> int:
    return Conversation.objects.filter(pk__in=ids, listened_at__isnull=False).count()


def test_a_new_conversation_is_heard_by_the_interactive_pool_while_the_bulk_pool_is_busy(
    queues, tmp_path, eastside, volunteer
):
    interactive, bulk = queues
    neighbour = SupporterFactory(team=eastside, given_name="Rosa", family_name="Quintero")
    AssignmentFactory(supporter=neighbour, volunteer=volunteer)
    backlog = [
        ConversationFactory(
            supporter=SupporterFactory(team=eastside),
            volunteer=volunteer,
            outcome="not_home",
            heard=VETERAN,
        )
        for _ in range(10)
    ]
    ids = [talk.pk for talk in backlog]
    # Another session holds one row of the backfill, so the bulk pool is certainly busy with
    # it (four done, stuck on the fifth) for as long as this test says.
    blocker = psycopg.connect(database_url())
    blocker.execute("SELECT 1 FROM conversations_conversation WHERE id = %s FOR UPDATE", [ids[4]])
    bulk_worker = start_worker(bulk, tmp_path)
    interactive_worker = start_worker(interactive, tmp_path)
    try:
        # Published as the sweep publishes it, without a queue: the route sends it to bulk.
        assert send_now(conversation_listen_batch_task, ids)
        assert wait_for(lambda: _listened(ids) == 4), "the bulk pool never started the backfill"

        talk, created = conversation_create(
            actor=volunteer,
            supporter=neighbour,
            client_uuid=uuid.uuid4(),
            channel="door",
            outcome="talked",
            heard=VETERAN,
        )
        assert created
        assert wait_for(
            lambda: Suggestion.objects.filter(conversation=talk).exists(), timeout=60
        ), "the interactive pool never heard the new conversation"
        talk.refresh_from_db()
        assert talk.listened_at is not None
        # The backfill is still held: the new conversation did not wait behind it.
        assert _listened(ids) == 4

        blocker.rollback()
        assert wait_for(lambda: _listened(ids) == len(ids)), "the backfill never finished"
    finally:
        blocker.close()
        stop_worker(bulk_worker)
        stop_worker(interactive_worker)

    logs = {path.read_text() for path in tmp_path.glob("worker-*.log")}
    ran = "Task conversations.tasks.conversation_listen_task["
    heard_by = [log for log in logs if ran in log]
    assert len(heard_by) == 1 and f"{interactive}-" in heard_by[0]
    assert "Task conversations.tasks.conversation_listen_batch_task[" not in heard_by[0]

"""Reliability with a real worker process and the real Redis.

- a worker SIGKILLed in the middle of a batch: after a restart the work completes, with no
  duplicate suggestions or follow-ups;
- Redis unreachable when a conversation (or a supporter) is saved: the save succeeds, and the
  sweep enriches it once Redis is back.
"""

from __future__ import annotations

import signal
import uuid
from datetime import timedelta

import psycopg
import pytest
from django.utils import timezone

from conversations.models import Conversation, FollowUp, Suggestion
from conversations.services import conversation_create
from conversations.tasks import conversation_listen_batch_task, conversation_listen_sweep_task
from organizing.celery import app
from supporters.models import HistoryEvent, SupporterEnrichment, SupporterPhone
from supporters.services import supporter_create
from supporters.tasks import supporter_enrich_sweep_task
from tests.factories import ConversationFactory, SupporterFactory
from tests.workers import database_url, start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

VETERAN = "Her son is an Iraq war veteran and she's worried about wait times at the VA."


@pytest.fixture
def queue(settings):
    """A queue of this test's own; tasks published without one (sweeps) go there too, bulk
    and interactive alike (organizing/queues.py)."""
    name = f"test-{uuid.uuid4().hex[:8]}"
    original = app.conf.task_default_queue
    app.conf.task_default_queue = name
    settings.CELERY_BULK_QUEUE = name
    yield name
    app.conf.task_default_queue = original


def _listened(ids) -> int:
    return Conversation.objects.filter(pk__in=ids, listened_at__isnull=False).count()


def test_worker_killed_mid_batch_finishes_after_restart_without_duplicates(
    queue, tmp_path, eastside, volunteer
):
    talks = [
        ConversationFactory(
            supporter=SupporterFactory(team=eastside),
            volunteer=volunteer,
            outcome="not_home",
            heard=VETERAN,
        )
        for _ in range(20)
    ]
    ids = [talk.pk for talk in talks]
    held = ids[8]
    # Another session holds one conversation's row lock, so the worker is certainly in the
    # middle of the batch (eight done, stuck on the ninth) when it is killed.
    blocker = psycopg.connect(database_url())
    blocker.execute("SELECT 1 FROM conversations_conversation WHERE id = %s FOR UPDATE", [held])

    first = start_worker(queue, tmp_path, CELERY_VISIBILITY_TIMEOUT="3")
    second = None
    try:
        conversation_listen_batch_task.apply_async(args=[ids], queue=queue)
        assert wait_for(lambda: _listened(ids) == 8), "the worker never got into the batch"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=20)
        blocker.rollback()
        assert _listened(ids) == 8

        second = start_worker(queue, tmp_path, CELERY_VISIBILITY_TIMEOUT="3")
        # The killed worker never acknowledged the batch: Redis hands it out again.
        assert wait_for(lambda: _listened(ids) == len(ids)), "the batch was never redelivered"
        # And the catch-up sweep finds nothing left to do.
        assert conversation_listen_sweep_task() == 0
    finally:
        blocker.close()
        stop_worker(first)
        if second is not None:
            stop_worker(second)

    assert Suggestion.objects.count() == len(ids)
    assert Suggestion.objects.filter(text="Son is an Iraq war veteran").count() == len(ids)
    assert FollowUp.objects.count() == len(ids)
    assert HistoryEvent.objects.filter(kind=HistoryEvent.Kind.SUGGESTION).count() == len(ids)


def test_save_succeeds_while_redis_is_down_and_the_sweep_catches_up(
    queue, tmp_path, eastside, volunteer, redis_down, monkeypatch
):
    down, up = redis_down
    down()
    supporter = supporter_create(
        actor=volunteer,
        team=eastside,
        given_name="Maria",
        family_name="Delgado",
        phone="(773) 555-0142",
        address={"line1": "1432 N Ashland Ave", "postal_code": "60622"},
        known_by_kind="friend",
    )
    talk, created = conversation_create(
        actor=volunteer,
        supporter=supporter,
        client_uuid=uuid.uuid4(),
        channel="door",
        outcome="talked",
        heard=VETERAN,
    )
    assert created
    talk.refresh_from_db()
    assert talk.heard == VETERAN
    assert talk.listened_at is None
    assert not SupporterEnrichment.objects.filter(supporter=supporter).exists()

    up()
    # The sweeps run as beat would run them (their queue is this test's, see ``queue``),
    # without waiting out the minute they leave to the save's own task.
    monkeypatch.setattr("conversations.listening.services.GRACE", timedelta(0))
    monkeypatch.setattr("supporters.tasks.GRACE", timedelta(0))
    worker = start_worker(queue, tmp_path)
    try:
        assert supporter_enrich_sweep_task(recent_only=True) == 1
        assert conversation_listen_sweep_task(recent_only=True) == 1
        assert wait_for(
            lambda: (
                Conversation.objects.filter(pk=talk.pk, listened_at__isnull=False).exists()
                and SupporterEnrichment.objects.filter(supporter=supporter).exists()
            )
        ), "the sweep's work never ran"
        # A second sweep finds nothing left.
        assert supporter_enrich_sweep_task(recent_only=True) == 0
        assert conversation_listen_sweep_task(recent_only=True) == 0
    finally:
        stop_worker(worker)

    suggestion = Suggestion.objects.get(supporter=supporter)
    assert suggestion.text == "Son is an Iraq war veteran"
    assert SupporterPhone.objects.get(supporter=supporter).e164 == "+17735550142"


def test_webhooks_invitations_and_exports_asked_while_redis_is_down_are_done_by_the_sweeps(
    queue, tmp_path, eastside, organizer, data_staff, redis_down, settings
):
    from organizing.models import Invitation, WebhookDelivery
    from organizing.services import invitation_create
    from organizing.tasks import invitation_send_pending_task, webhook_deliveries_sweep_task
    from organizing.webhooks import webhook_create
    from supporters.models import ExportJob, Segment
    from supporters.services import export_job_create
    from supporters.tasks import export_jobs_sweep_task
    from tests.organizing.webhook_receiver import Receiver

    settings.EXPORT_DIR = tmp_path / "exports"
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True  # the receiver listens on loopback
    receiver = Receiver().start()
    webhook_create(actor=organizer, url=receiver.url, events=["supporter.created"])
    segment = Segment.objects.create(name="Everyone", filter={}, created_by=data_staff)
    down, up = redis_down
    down()
    try:
        # Each commits for real; none raises though its after-commit publish fails.
        supporter = supporter_create(actor=organizer, team=eastside, given_name="Maria")
        invitation = invitation_create(
            actor=organizer, team=eastside, email="new@example.org", role="volunteer"
        )
        job = export_job_create(actor=data_staff, segment=segment, format="csv")
    finally:
        up()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert Invitation.objects.get(pk=invitation.pk).sent_at is None
    assert ExportJob.objects.get(pk=job.pk).status == ExportJob.Status.QUEUED

    # Past the minute (two, for exports) the sweeps leave to the saves' own tasks.
    long_ago = timezone.now() - timedelta(minutes=3)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=long_ago)
    Invitation.objects.filter(pk=invitation.pk).update(created_at=long_ago)
    ExportJob.objects.filter(pk=job.pk).update(updated_at=long_ago)
    worker = start_worker(
        queue, tmp_path, WEBHOOK_ALLOW_PRIVATE_HOSTS="true", EXPORT_DIR=str(settings.EXPORT_DIR)
    )
    try:
        assert webhook_deliveries_sweep_task() == 1
        assert invitation_send_pending_task() == 1
        export_jobs_sweep_task()
        assert wait_for(
            lambda: (
                WebhookDelivery.objects.filter(status=WebhookDelivery.Status.DELIVERED).exists()
                and Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=False).exists()
                and ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE).exists()
            )
        ), "the sweeps' work never ran"
    finally:
        stop_worker(worker)
        receiver.stop()
    [request] = receiver.received
    assert request.headers["Earshot-Event"] == "supporter.created"
    assert f'"id":{supporter.pk}' in request.body.decode()

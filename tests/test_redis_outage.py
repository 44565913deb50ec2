"""Redis unreachable while a service writes: the write stands, and the sweep does the work later.

One test per service that emits background work (webhook deliveries included). Each saves with
the Celery producer pointed at a closed port, runs the after-commit callbacks for real (they try
to publish, and must not raise), then brings Redis back and runs beat's sweep with its publish
replaced by running the task here, so the test sees the sweep find the work and the task do it.
tests/test_worker_reliability.py does the same end to end with a real worker.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from conversations import tasks as conversation_tasks
from conversations.models import Conversation, FollowUp
from conversations.services import conversation_create, followup_complete, followup_create
from organizing import tasks as organizing_tasks
from organizing.models import Invitation, WebhookDelivery
from organizing.services import invitation_create
from organizing.webhooks import webhook_create, webhook_deliver, webhook_delivery_replay
from supporters import tasks as supporter_tasks
from supporters.enrichment.pipeline import supporters_needing_enrichment
from supporters.exporting import export_job_run
from supporters.models import ExportJob, Segment, Supporter, SupporterEmail
from supporters.services import (
    contact_points_add,
    export_job_create,
    supporter_create,
    supporter_merge,
    supporter_update,
)
from tests.factories import AssignmentFactory, FollowUpFactory, SupporterFactory
from tests.organizing.webhook_receiver import Receiver


@pytest.fixture(autouse=True)
def _loopback_receivers_allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True


@pytest.fixture
def receiver():
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def sweeps_run_here(monkeypatch):
    """Beat's sweeps publish through ``dispatch.send_now``; run each task here instead."""
    ran = []

    def run(task, *args):
        ran.append(task.name)
        task.apply(args=args).get()
        return True

    for module in (organizing_tasks, supporter_tasks, conversation_tasks):
        monkeypatch.setattr(module, "send_now", run)
    return ran


def _saved_while_redis_is_down(redis_down, capture, write):
    """Run ``write`` with Redis unreachable, then its after-commit callbacks; return its result."""
    down, up = redis_down
    down()
    try:
        with capture(execute=True) as callbacks:
            result = write()
    finally:
        up()
    assert callbacks, "the write enqueued nothing: this test would prove nothing"
    return result


def _past_the_grace_minute(model, field: str, **filters) -> None:
    """Pretend the minute the sweep leaves to a save's own task has passed."""
    model.objects.filter(**filters).update(**{field: timezone.now() - timedelta(minutes=3)})


# --- webhooks: every service that emits an event ----------------------------------------------


def _conversation(organizer, supporter):
    talk, created = conversation_create(
        actor=organizer,
        supporter=supporter,
        client_uuid=uuid.uuid4(),
        channel="door",
        outcome="talked",
        heard="She wants the bus back on Ashland.",
    )
    assert created
    return talk


WEBHOOK_WRITES = {
    "supporter_create": (
        "supporter.created",
        lambda organizer, supporter: supporter_create(
            actor=organizer, team=supporter.team, given_name="Ana", email="ana@example.org"
        ),
        lambda result: Supporter.objects.filter(pk=result.pk, given_name="Ana").exists(),
    ),
    "supporter_update": (
        "supporter.updated",
        lambda organizer, supporter: supporter_update(
            actor=organizer, supporter=supporter, preferred_name="Mari"
        ),
        lambda result: Supporter.objects.filter(pk=result.pk, preferred_name="Mari").exists(),
    ),
    "contact_points_add": (
        "supporter.updated",
        lambda organizer, supporter: (
            contact_points_add(actor=organizer, supporter=supporter, emails=["m@example.org"])
            and supporter
        ),
        lambda result: SupporterEmail.objects.filter(
            supporter=result, address="m@example.org"
        ).exists(),
    ),
    "conversation_create": (
        "conversation.created",
        _conversation,
        lambda result: Conversation.objects.filter(pk=result.pk).exists(),
    ),
    "followup_create": (
        "followup.created",
        lambda organizer, supporter: followup_create(
            actor=organizer,
            supporter=supporter,
            assignee=organizer,
            due_at=timezone.now() + timedelta(days=2),
            reason="Bring the bus petition",
        )[0],
        lambda result: FollowUp.objects.filter(pk=result.pk).exists(),
    ),
    "followup_complete": (
        "followup.completed",
        lambda organizer, supporter: followup_complete(
            actor=organizer,
            followup=FollowUpFactory(supporter=supporter, assignee=organizer),
        ),
        lambda result: FollowUp.objects.filter(pk=result.pk, status=FollowUp.Status.DONE).exists(),
    ),
}


@pytest.mark.parametrize("service", list(WEBHOOK_WRITES))
def test_a_write_that_emits_a_webhook_stands_while_redis_is_down_and_the_sweep_delivers_it(
    service,
    organizer,
    eastside,
    receiver,
    redis_down,
    django_capture_on_commit_callbacks,
    sweeps_run_here,
):
    event, write, stored = WEBHOOK_WRITES[service]
    supporter = SupporterFactory(team=eastside, given_name="Maria")
    webhook_create(actor=organizer, url=receiver.url, events=[event])

    result = _saved_while_redis_is_down(
        redis_down, django_capture_on_commit_callbacks, lambda: write(organizer, supporter)
    )

    assert stored(result)
    delivery = WebhookDelivery.objects.get(event=event)
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.PENDING, 0)
    assert receiver.received == []

    _past_the_grace_minute(WebhookDelivery, "next_attempt_at", pk=delivery.pk)
    assert organizing_tasks.webhook_deliveries_sweep_task() == 1
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert [r.headers["Earshot-Event"] for r in receiver.received] == [event]
    assert organizing_tasks.webhook_deliveries_sweep_task() == 0


def test_a_replay_asked_while_redis_is_down_is_kept_and_the_sweep_sends_it(
    organizer, eastside, receiver, redis_down, django_capture_on_commit_callbacks, sweeps_run_here
):
    webhook_create(actor=organizer, url=receiver.url, events=["supporter.created"])
    supporter_create(actor=organizer, team=eastside, given_name="Maria")
    first = WebhookDelivery.objects.get()
    assert webhook_deliver(delivery_id=first.pk)

    again = _saved_while_redis_is_down(
        redis_down,
        django_capture_on_commit_callbacks,
        lambda: webhook_delivery_replay(actor=organizer, delivery=first),
    )

    again.refresh_from_db()
    assert (again.status, again.event_id) == (WebhookDelivery.Status.PENDING, first.event_id)
    _past_the_grace_minute(WebhookDelivery, "next_attempt_at", pk=again.pk)
    assert organizing_tasks.webhook_deliveries_sweep_task() == 1
    again.refresh_from_db()
    assert again.status == WebhookDelivery.Status.DELIVERED
    assert len(receiver.received) == 2


def test_a_finished_export_tells_its_webhooks_though_redis_is_down(
    data_staff,
    eastside,
    receiver,
    redis_down,
    django_capture_on_commit_callbacks,
    sweeps_run_here,
    settings,
    tmp_path,
):
    settings.EXPORT_DIR = tmp_path
    segment = Segment.objects.create(name="Everyone", filter={}, created_by=data_staff)
    job = ExportJob.objects.create(segment=segment, requested_by=data_staff, format="csv")
    webhook_create(actor=data_staff, url=receiver.url, events=["export.finished"])

    assert _saved_while_redis_is_down(
        redis_down, django_capture_on_commit_callbacks, lambda: export_job_run(job_id=job.pk)
    )

    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    delivery = WebhookDelivery.objects.get(event="export.finished")
    _past_the_grace_minute(WebhookDelivery, "next_attempt_at", pk=delivery.pk)
    assert organizing_tasks.webhook_deliveries_sweep_task() == 1
    assert [r.headers["Earshot-Event"] for r in receiver.received] == ["export.finished"]


def test_supporter_create_with_a_webhook_does_not_raise_after_commit_when_redis_is_down(
    organizer, eastside, receiver, redis_down, django_capture_on_commit_callbacks
):
    # The reported defect: the row was committed, then the webhook's delay_on_commit raised.
    webhook_create(actor=organizer, url=receiver.url, events=["supporter.created"])
    supporter = _saved_while_redis_is_down(
        redis_down,
        django_capture_on_commit_callbacks,
        lambda: supporter_create(actor=organizer, team=eastside, given_name="Maria"),
    )
    assert Supporter.objects.filter(pk=supporter.pk).exists()
    assert WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING).count() == 1


# --- the other work services emit ------------------------------------------------------------


def test_an_invitation_made_while_redis_is_down_stands_and_the_sweep_sends_it(
    organizer, eastside, redis_down, django_capture_on_commit_callbacks, sweeps_run_here
):
    invitation = _saved_while_redis_is_down(
        redis_down,
        django_capture_on_commit_callbacks,
        lambda: invitation_create(
            actor=organizer, team=eastside, email="new@example.org", role="volunteer"
        ),
    )

    invitation.refresh_from_db()
    assert invitation.sent_at is None
    assert mail.outbox == []
    _past_the_grace_minute(Invitation, "created_at", pk=invitation.pk)
    assert organizing_tasks.invitation_send_pending_task() == 1
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    assert [m.to for m in mail.outbox] == [["new@example.org"]]
    assert organizing_tasks.invitation_send_pending_task() == 0


def test_an_export_job_asked_while_redis_is_down_stands_and_the_sweep_runs_it(
    data_staff,
    eastside,
    redis_down,
    django_capture_on_commit_callbacks,
    sweeps_run_here,
    settings,
    tmp_path,
):
    settings.EXPORT_DIR = tmp_path
    SupporterFactory(team=eastside, given_name="Maria")
    segment = Segment.objects.create(name="Everyone", filter={}, created_by=data_staff)

    job = _saved_while_redis_is_down(
        redis_down,
        django_capture_on_commit_callbacks,
        lambda: export_job_create(actor=data_staff, segment=segment, format="csv"),
    )

    job.refresh_from_db()
    assert job.status == ExportJob.Status.QUEUED
    _past_the_grace_minute(ExportJob, "updated_at", pk=job.pk)
    supporter_tasks.export_jobs_sweep_task()
    job.refresh_from_db()
    assert (job.status, job.total_rows) == (ExportJob.Status.DONE, 1)
    assert sweeps_run_here == ["supporters.tasks.export_job_run_task"]


def test_a_merge_while_redis_is_down_stands_and_the_sweep_enriches_the_kept_record(
    admin, eastside, redis_down, django_capture_on_commit_callbacks, sweeps_run_here, monkeypatch
):
    kept = SupporterFactory(team=eastside, given_name="Maria")
    merged = SupporterFactory(team=eastside, given_name="Maria", family_name="Delgado")

    _saved_while_redis_is_down(
        redis_down,
        django_capture_on_commit_callbacks,
        lambda: supporter_merge(actor=admin, kept=kept, merged=merged),
    )

    assert not Supporter.objects.filter(pk=merged.pk).exists()
    assert supporters_needing_enrichment().filter(pk=kept.pk).exists()
    monkeypatch.setattr(supporter_tasks, "GRACE", timedelta(0))
    assert supporter_tasks.supporter_enrich_sweep_task(recent_only=True) == 1
    assert not supporters_needing_enrichment().filter(pk=kept.pk).exists()


def test_a_conversation_saved_while_redis_is_down_stands_and_the_sweep_listens_to_it(
    volunteer,
    eastside,
    redis_down,
    django_capture_on_commit_callbacks,
    sweeps_run_here,
    monkeypatch,
):
    supporter = SupporterFactory(team=eastside, given_name="Maria")
    AssignmentFactory(supporter=supporter, volunteer=volunteer)

    talk = _saved_while_redis_is_down(
        redis_down, django_capture_on_commit_callbacks, lambda: _conversation(volunteer, supporter)
    )

    talk.refresh_from_db()
    assert talk.listened_at is None
    monkeypatch.setattr("conversations.listening.services.GRACE", timedelta(0))
    assert conversation_tasks.conversation_listen_sweep_task(recent_only=True) == 1
    talk.refresh_from_db()
    assert talk.listened_at is not None

"""Tasks go to the interactive or the bulk queue by name (organizing/queues.py)."""

from __future__ import annotations

import pytest

from organizing.celery import app
from organizing.queues import BULK, INTERACTIVE, queue_for

PROJECT_APPS = {"organizing", "supporters", "conversations", "metrics", "canvass", "calling"}

INTERACTIVE_TASKS = [
    "conversations.tasks.conversation_listen_task",
    "conversations.tasks.followup_notify_due_task",
    "conversations.tasks.followup_digest_task",
    "conversations.tasks.followup_escalate_overdue_task",
    "organizing.tasks.invitation_send_task",
    "organizing.tasks.invitation_send_pending_task",
    "organizing.tasks.webhook_deliver_task",
    "organizing.tasks.webhook_deliveries_sweep_task",
    "supporters.tasks.supporter_enrich_task",
    "metrics.tasks.rollup_event_apply_task",
]
BULK_TASKS = [
    "supporters.tasks.supporter_enrich_batch_task",
    "supporters.tasks.supporter_enrich_sweep_task",
    "supporters.tasks.export_job_run_task",
    "supporters.tasks.export_jobs_sweep_task",
    "conversations.tasks.conversation_listen_batch_task",
    "conversations.tasks.conversation_listen_sweep_task",
    "organizing.tasks.retention_sweep_task",
    "supporters.bulk_action_chunk",
    "supporters.bulk_action_sweep",
    "supporters.import_commit_chunk",
    "supporters.import_sweep",
    "organizing.tasks.sealed_text_reseal_task",
    "metrics.tasks.rollup_rederive_task",
    "supporters.tasks.household_backfill_task",
    "supporters.tasks.household_geocode_task",
    # Tasks other issues add: any name with "import" or "bulk" in it.
    "supporters.tasks.import_run_task",
    "supporters.tasks.supporter_bulk_tag_task",
]


@pytest.mark.parametrize("name", INTERACTIVE_TASKS)
def test_field_work_goes_to_the_interactive_queue(name):
    assert queue_for(name) == INTERACTIVE
    assert app.amqp.router.route({}, name)["queue"].name == INTERACTIVE


@pytest.mark.parametrize("name", BULK_TASKS)
def test_bulk_work_goes_to_the_bulk_queue(name):
    assert queue_for(name) == BULK
    assert app.amqp.router.route({}, name)["queue"].name == BULK


def test_the_registered_tasks_are_the_ones_named_here():
    """A new task is routed on purpose: add it to one of the lists above."""
    app.loader.import_default_modules()
    ours = {n for n in app.tasks if n.split(".")[0] in PROJECT_APPS}
    named = set(INTERACTIVE_TASKS) | set(BULK_TASKS)
    assert ours <= named, sorted(ours - named)


def test_an_explicit_queue_wins_over_the_route():
    route = app.amqp.router.route({"queue": "elsewhere"}, "supporters.tasks.export_job_run_task")
    assert route["queue"].name == "elsewhere"

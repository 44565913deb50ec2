"""Bulk work beside field work: seconds from saving a conversation to its suggestions.

Two real worker processes, as `make run` runs them: one for the interactive queue, one for
the bulk queue (organizing/queues.py routes tasks by name). A volunteer logs a conversation
whose words make a suggestion; the time is from ``conversation_create`` returning to the
suggestion being in the database. Measured idle, then while the bulk pool works through a
re-enrichment of every generated supporter (SCALE supporters in batches of 200, published as
the sweep publishes them), in the same run; the ratio is idle / busy (1.00: no delay at all).
"""

from __future__ import annotations

import statistics
import time
import uuid

VETERAN = "Her son is an Iraq war veteran and she's worried about wait times at the VA."
SAMPLES = 7


def _save_to_suggestion(volunteer, supporter) -> float:
    from conversations.models import Suggestion
    from conversations.services import conversation_create

    talk, _ = conversation_create(
        actor=volunteer,
        supporter=supporter,
        client_uuid=uuid.uuid4(),
        channel="door",
        outcome="talked",
        heard=VETERAN,
    )
    saved = time.perf_counter()
    deadline = saved + 120
    while not Suggestion.objects.filter(conversation=talk).exists():
        if time.perf_counter() > deadline:
            raise RuntimeError("the listener never made the suggestion")
        time.sleep(0.005)
    return time.perf_counter() - saved


def _queue_length(name: str) -> int:
    from organizing.celery import app

    with app.connection_for_write() as connection:
        return connection.default_channel.client.llen(name)


def _purge(name: str) -> None:
    from organizing.celery import app

    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(name)


def run(manifest: dict, line) -> None:
    from django.conf import settings

    from bench.enrichment import _worker
    from organizing.celery import app
    from organizing.dispatch import send_now
    from organizing.models import User
    from supporters.models import Assignment, Supporter
    from supporters.tasks import supporter_enrich_batch_task

    suffix = uuid.uuid4().hex[:8]
    interactive, bulk = f"bench-interactive-{suffix}", f"bench-bulk-{suffix}"
    app.conf.task_default_queue = interactive
    settings.CELERY_BULK_QUEUE = bulk
    volunteer = User.objects.get(pk=manifest["volunteer_ids"][0])
    people = list(
        Supporter.objects.filter(
            pk__in=Assignment.objects.filter(volunteer=volunteer).values("supporter_id")
        )[: SAMPLES * 2 + 1]
    )
    workers = [_worker(interactive), _worker(bulk)]
    try:
        _save_to_suggestion(volunteer, people[0])  # warm both up: imports, connections
        idle = statistics.median(
            _save_to_suggestion(volunteer, person) for person in people[1 : SAMPLES + 1]
        )
        ids = list(
            Supporter.objects.filter(team_id__in=manifest["team_ids"])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for start in range(0, len(ids), 200):
            send_now(supporter_enrich_batch_task, ids[start : start + 200], True)
        time.sleep(1.0)  # the bulk pool is into it
        busy = statistics.median(
            _save_to_suggestion(volunteer, person) for person in people[SAMPLES + 1 :]
        )
        left = _queue_length(bulk)
    finally:
        _purge(bulk)
        _purge(interactive)
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=60)
    print(
        f"# bulk job: re-enrich {len(ids):,} supporters in {len(ids) // 200 + 1:,} batches; "
        f"{left:,} batches still queued on the bulk pool when the last sample was taken"
    )
    line(
        "save to suggestions while the bulk pool works (interactive pool, lower is better)",
        busy * 1000,
        "ms",
        idle * 1000,
        "the same with no bulk job",
        idle / busy,
    )

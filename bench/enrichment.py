"""Supporter enrichment throughput, per worker process, beside a no-op task's rate.

Called from ``bench/run.py`` once the bench database is migrated. Makes ``min(SCALE, 20000)``
supporters with phones, emails and addresses typed the ways people type them, then measures:

1. the contact-point enrichers (phones, emails, names, addresses, engagement) in this one
   process, in batches of 200, in supporters/s;
2. all enrichers including duplicate detection, run by a real Celery worker process (solo
   pool) through Redis, in batches of 200, in supporters/s;

each printed beside the rate of a no-op task through the same kind of worker in the same run.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BATCH = 200


def _make_people(count: int, team_id: int) -> list[int]:
    from supporters.models import Supporter, SupporterAddress, SupporterEmail, SupporterPhone

    rng = random.Random(11)
    zips = ["60608", "60609", "60614", "60622", "60623", "60625", "60640", "60647"]
    streets = ["N Ashland Ave", "W 18th St", "S Pulaski Rd", "W Division St", "N Kedzie Ave"]
    people = Supporter.objects.bulk_create(
        [
            Supporter(
                given_name=f"Given{n % 900}",
                family_name=f"Family{rng.randrange(count // 2 + 1)}",
                team_id=team_id,
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    phones, emails, addresses = [], [], []
    for n, person in enumerate(people):
        area, line = rng.choice(["312", "773", "872"]), f"{n % 10000:04d}"
        number = rng.choice(
            [
                f"({area}) 555-{line}",
                f"{area}-555-{line}",
                f"{area}555{line}",
                f"+1 {area} 555 {line}",
            ]
        )
        phones.append(SupporterPhone(supporter=person, number=number, is_primary=True))
        if rng.random() < 0.8:
            emails.append(
                SupporterEmail(
                    supporter=person,
                    address=f"{person.given_name}.{person.family_name}{n}@Example.org",
                    is_primary=True,
                )
            )
        addresses.append(
            SupporterAddress(
                supporter=person,
                line1=f"{rng.randint(100, 4999)} {rng.choice(streets)}",
                line2=rng.choice(["", "Apt 2", "#3R"]),
                postal_code=rng.choice(zips),
                is_primary=True,
            )
        )
    SupporterPhone.objects.bulk_create(phones, batch_size=2000)
    SupporterEmail.objects.bulk_create(emails, batch_size=2000)
    SupporterAddress.objects.bulk_create(addresses, batch_size=2000)
    return [p.pk for p in people]


def _forget_enrichment() -> None:
    from supporters.models import (
        DuplicateCandidate,
        HistoryEvent,
        SupporterAddress,
        SupporterEmail,
        SupporterEnrichment,
        SupporterPhone,
    )

    SupporterEnrichment.objects.all().delete()
    DuplicateCandidate.objects.all().delete()
    HistoryEvent.objects.filter(kind=HistoryEvent.Kind.ENRICHED).delete()
    for model in (SupporterPhone, SupporterEmail, SupporterAddress):
        model.objects.update(enricher_version=0)


def _worker(queue: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "organizing",
            "worker",
            "--pool",
            "solo",
            "--include",
            "bench.tasks",
            "--queues",
            queue,
            "--hostname",
            f"{queue}@%h",
            "--loglevel",
            "WARNING",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        cwd=BASE_DIR,
        env={**os.environ, "PYTHONPATH": str(BASE_DIR)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _through_worker(queue: str, publish, timeout: float = 900.0) -> float:
    """Seconds from the first message published until the worker ran the last one."""
    from django.core.cache import cache

    from bench.tasks import noop_task

    mark = f"bench-done-{uuid.uuid4().hex}"
    started = time.perf_counter()
    publish()
    noop_task.apply_async(args=[mark], queue=queue)
    deadline = time.monotonic() + timeout
    while cache.get(mark) is None:
        if time.monotonic() > deadline:
            raise RuntimeError("the bench worker did not finish in time")
        time.sleep(0.01)
    return time.perf_counter() - started


def run(scale: int, line) -> None:
    from bench.tasks import noop_task
    from organizing.models import Team
    from supporters.enrichment.pipeline import enrich_supporters
    from supporters.tasks import supporter_enrich_batch_task

    count = max(BATCH, min(scale, 20_000))
    team = Team.objects.create(name="Enrichment bench", slug="enrichment-bench")
    ids = _make_people(count, team.pk)
    batches = [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]

    queue = f"bench-{uuid.uuid4().hex[:8]}"
    worker = _worker(queue)
    try:
        # Warm the worker up (imports, connections) before timing anything.
        _through_worker(queue, lambda: None, timeout=120)
        noops = min(5_000, count)
        noop_seconds = _through_worker(
            queue, lambda: [noop_task.apply_async(queue=queue) for _ in range(noops)]
        )
        noop_rate = (noops + 1) / noop_seconds

        started = time.perf_counter()
        for batch in batches:
            enrich_supporters(batch, find_duplicates=False)
        in_process = count / (time.perf_counter() - started)
        line(
            f"supporter enrichment, contact-point enrichers, 1 process, batches of {BATCH}",
            in_process,
            "records/s",
            noop_rate,
            "no-op tasks through the worker (tasks/s)",
            in_process / noop_rate,
        )

        _forget_enrichment()
        seconds = _through_worker(
            queue,
            lambda: [
                supporter_enrich_batch_task.apply_async(args=[b], queue=queue) for b in batches
            ],
        )
        via_worker = count / seconds
        line(
            f"supporter enrichment, all enrichers + duplicates, 1 worker process, batches of {BATCH}",
            via_worker,
            "records/s",
            noop_rate,
            "no-op tasks through the worker (tasks/s)",
            via_worker / noop_rate,
        )
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()

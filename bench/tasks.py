"""A no-op task for the benchmarks' reference rate (a worker loads it with ``--include``)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="bench.noop")
def noop_task(mark: str = "") -> None:
    """Do nothing; the last one of a run sets ``mark`` in Redis so the bench knows it is done."""
    if mark:
        from django.core.cache import cache

        cache.set(mark, "done", timeout=600)

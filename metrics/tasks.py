"""Shims: the worker keeps the rollups (``metrics.rollups``)."""

from __future__ import annotations

from celery import shared_task

from .rollups import rollup_event_apply, rollup_rederive


@shared_task
def rollup_event_apply_task(supporter_id: int, event_key: str = "") -> bool:
    """After a conversation, follow-up, note, suggestion or ladder change: safe twice."""
    return rollup_event_apply(supporter_id=supporter_id, event_key=event_key)


@shared_task
def rollup_rederive_task() -> int | None:
    """Nightly: every rollup re-derived from the raw tables, under a lock."""
    return rollup_rederive()

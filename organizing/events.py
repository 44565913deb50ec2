"""Domain events inside the process: what happened, for the apps above that keep derived
figures (``metrics``) without the writing apps importing them.

A service publishes inside its own transaction (``event_publish``); a subscriber registered
at app-ready time (``event_subscribe``) is called there and typically enqueues its work
through ``organizing.dispatch.enqueue_on_commit``, so a rolled-back write publishes nothing
that lasts. Every webhook event (``organizing.webhooks.webhook_emit``) is published too.
A subscriber must not raise: one that does is logged and the write goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

Subscriber = Callable[..., None]
_subscribers: list[tuple[str, Subscriber]] = []


def event_subscribe(prefix: str, subscriber: Subscriber) -> None:
    """Call ``subscriber(event, supporter_id=…, subject=…, **data)`` for every event whose
    name starts with ``prefix`` (``"conversation."``, or ``""`` for all)."""
    if (prefix, subscriber) not in _subscribers:
        _subscribers.append((prefix, subscriber))


def event_publish(
    event: str, *, supporter_id: int | None = None, subject=None, **data: Any
) -> None:
    """Tell the subscribers that ``event`` happened (about ``supporter_id``, ``subject``)."""
    for prefix, subscriber in list(_subscribers):
        if event.startswith(prefix):
            try:
                subscriber(event, supporter_id=supporter_id, subject=subject, **data)
            except Exception:  # a derived figure never fails the write; the nightly run repairs it
                logger.exception("Event subscriber %r failed on %s", subscriber, event)

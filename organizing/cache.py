"""The default cache: Redis, and PostgreSQL while Redis is unreachable.

API throttles (DRF) and allauth's login limits count in the default cache. With Redis alone,
a Redis outage made every API request and every login answer 500, though PostgreSQL (which
holds the data) was up. ``FailoverCache`` sends each call to the Redis cache and, when Redis
cannot be reached, to Django's database cache instead, so the same limits keep counting, in
PostgreSQL, at the same rates. After a failure it stays on PostgreSQL for ``RETRY_SECONDS``
(per process) before trying Redis again, so a request never waits on a dead Redis twice.

Counts made during an outage stay in PostgreSQL; when Redis returns, counting starts again
from what Redis holds (a limit window is a minute or five, so at worst a client gets one
window's worth of requests twice). The database cache's table is created by migration
``organizing.0004_cache_table``.

Settings::

    CACHES = {
        "default": {"BACKEND": "organizing.cache.FailoverCache",
                    "OPTIONS": {"PRIMARY": "redis", "FALLBACK": "database"}},
        "redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache", ...},
        "database": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", ...},
    }
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Monotonic time until which each primary alias is known to be down, for this process (cache
# objects are per thread; the outage is not).
_down_until: dict[str, float] = {}


class FailoverCache(BaseCache):
    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        options = params.get("OPTIONS", {})
        self.primary_alias: str = options["PRIMARY"]
        self.fallback_alias: str = options["FALLBACK"]
        self.retry_seconds: float = float(options.get("RETRY_SECONDS", 10))

    @property
    def primary(self) -> BaseCache:
        return caches[self.primary_alias]

    @property
    def fallback(self) -> BaseCache:
        return caches[self.fallback_alias]

    def is_primary_up(self) -> bool:
        return time.monotonic() >= _down_until.get(self.primary_alias, 0.0)

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if self.is_primary_up():
            try:
                return getattr(self.primary, method)(*args, **kwargs)
            except RedisError as exc:
                logger.warning(
                    "Cache %r unreachable (%s); counting in %r for %ss.",
                    self.primary_alias,
                    exc,
                    self.fallback_alias,
                    self.retry_seconds,
                )
                _down_until[self.primary_alias] = time.monotonic() + self.retry_seconds
        return getattr(self.fallback, method)(*args, **kwargs)

    # The inner caches make their own keys (prefix, version) and apply their own default
    # timeout (DEFAULT_TIMEOUT passes through); these only route the call.
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", key, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version=version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version=version)

    def decr(self, key, delta=1, version=None):
        return self._call("decr", key, delta, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version=version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version=version)

    def clear(self):
        return self._call("clear")

    def close(self, **kwargs):
        self.primary.close(**kwargs)
        self.fallback.close(**kwargs)

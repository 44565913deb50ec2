"""Requests per minute, counted per API key (per user for the web app's session calls).

A throttled request gets 429 with ``Retry-After`` (seconds), set by DRF from ``wait()``.
"""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from organizing.models import ApiKey


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiKey):
            # The prefix is random per key, so counters never carry over to another key.
            return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}
        return None


class SessionUserRateThrottle(SimpleRateThrottle):
    scope = "user"

    def get_cache_key(self, request, view):
        if request.user.is_authenticated and not isinstance(request.auth, ApiKey):
            return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
        return None

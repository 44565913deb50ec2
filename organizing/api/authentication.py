"""API keys for scripts. Session authentication stays on for the web app's own calls.

A key travels as ``Authorization: Bearer es_…`` (or ``Authorization: Api-Key es_…``).
``header_name`` lets an adapter read it from elsewhere, e.g. OSDI's ``OSDI-API-Token``:

    class OsdiApiKeyAuthentication(ApiKeyAuthentication):
        header_name = "OSDI-API-Token"
"""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from organizing.models import ApiKey
from organizing.services import API_KEY_PREFIX, api_key_hash

# Writing last_used_at on every request would turn reads into writes; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def api_key_lookup(raw_key: str) -> ApiKey:
    """The usable key for ``raw_key``, or AuthenticationFailed saying why not."""
    parts = raw_key.removeprefix(API_KEY_PREFIX).split("_", 1)
    if not raw_key.startswith(API_KEY_PREFIX) or len(parts) != 2:
        raise exceptions.AuthenticationFailed(_("That is not an Earshot API key."))
    api_key = ApiKey.objects.select_related("user").filter(prefix=parts[0]).first()
    if api_key is None or not hmac.compare_digest(api_key.hashed_key, api_key_hash(raw_key)):
        raise exceptions.AuthenticationFailed(_("Unknown API key."))
    if api_key.revoked_at is not None:
        raise exceptions.AuthenticationFailed(_("This API key has been revoked."))
    if not api_key.is_usable:
        raise exceptions.AuthenticationFailed(_("This API key has expired."))
    if not api_key.user.is_active:
        raise exceptions.AuthenticationFailed(_("This API key's user is no longer active."))
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """``request.user`` is the key's user and ``request.auth`` the ApiKey (for scopes)."""

    header_name = "Authorization"
    keywords = ("Bearer", "Api-Key")

    def read_key(self, request) -> str | None:
        value = request.headers.get(self.header_name, "").strip()
        if not value:
            return None
        if self.header_name != "Authorization":
            return value
        keyword, _space, key = value.partition(" ")
        if keyword not in self.keywords:
            return None  # another scheme (e.g. Basic) is not ours to judge
        key = key.strip()
        if not key:
            raise exceptions.AuthenticationFailed(_("The Authorization header has no key."))
        return key

    def authenticate(self, request):
        raw_key = self.read_key(request)
        if raw_key is None:
            return None
        api_key = api_key_lookup(raw_key)
        return api_key.user, api_key

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to a request with no credentials at all.
        return 'Bearer realm="api"'


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "organizing.api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key made on the API keys page or with "
            "`manage.py create_api_key`, sent as `Authorization: Bearer es_…`.",
        }

"""Scopes and roles.

A session (the web app) acts with its user's full rights. An API key adds a ceiling:
reads need ``read``, writes ``write``, and exports ``export``. Exports also need the
data staff or admin role, however the request is authenticated.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from organizing.models import ApiKey
from organizing.roles import user_is_organization_wide


def request_scopes_allow(request, scope: str) -> bool:
    api_key = request.auth if isinstance(request.auth, ApiKey) else None
    return api_key is None or api_key.has_scope(scope)


class HasScope(permissions.BasePermission):
    """Signed in, and for API keys: safe methods need ``read``, the rest ``write``.

    A view's ``required_scope`` overrides the scope.
    """

    message = _("This API key does not have the scope this request needs.")

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False  # DRF answers 401 to a request without credentials
        scope = getattr(view, "required_scope", None)
        if callable(scope):
            scope = scope(request)
        if scope is None:
            scope = "read" if request.method in permissions.SAFE_METHODS else "write"
        if not request_scopes_allow(request, scope):
            self.message = _("This API key needs the %(scope)s scope for this request.") % {
                "scope": scope
            }
            return False
        return True


class MayExport(permissions.BasePermission):
    """Data staff and admins, with an API key that has the export scope."""

    message = _("Only data staff and admins may export, with a key that has the export scope.")

    def has_permission(self, request, view) -> bool:
        return user_is_organization_wide(request.user) and request_scopes_allow(request, "export")

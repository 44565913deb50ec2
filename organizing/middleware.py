"""Two rules for every request made with a session (pages, the API, OSDI, the Django admin).

Requests that carry an API key are the key's business (``organizing.api.authentication``):
neither rule applies to them, since the view authenticates them with the key, not the session.
"""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .mfa import user_has_mfa
from .roles import user_must_have_mfa, user_session_idle_minutes

LAST_ACTIVITY_SESSION_KEY = "earshot_last_activity"
# The stamp is rewritten at most once a minute, so a busy page does not save its session on
# every request; a session may therefore end up to a minute before its idle limit.
ACTIVITY_RESOLUTION_SECONDS = 60

# Signing in and out, setting up a second factor, and the health check: reachable by anyone.
OPEN_PREFIXES = ("/accounts/", "/static/", "/healthz")


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _carries_api_key(request: HttpRequest) -> bool:
    """Will the view authenticate this request by its key, never by its session? Only the API
    reads keys (a bad one is a 401 there, with no fallback to the session); a page ignores the
    header, so there it changes nothing."""
    if not _is_api(request):
        return False
    scheme = request.headers.get("Authorization", "").strip().partition(" ")[0]
    if scheme in {"Bearer", "Api-Key"}:
        return True
    # OSDI reads its own header too, and takes no sessions (organizing/api/osdi/base.py).
    return request.path.startswith("/api/osdi/") and bool(request.headers.get("OSDI-API-Token"))


def _session_user(request: HttpRequest):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or _carries_api_key(request):
        return None
    return user


def api_error(status: int, code: str, message: str) -> JsonResponse:
    """The API's error envelope (organizing/api/errors.py), for answers made before DRF runs."""
    return JsonResponse(
        {"error": {"status": status, "code": code, "message": message}}, status=status
    )


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if request.headers.get("HX-Request") == "true":
        # htmx would swap the target page into a fragment; ask it to load the page instead.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


class SessionIdleTimeoutMiddleware:
    """Sign out a session unused for longer than its user's limit
    (``organizing.roles.user_session_idle_minutes``), and send a page request to the login page
    with a message; an API request goes on unauthenticated (and gets the API's 401)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = _session_user(request)
        if user is not None:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_SESSION_KEY)
            limit = user_session_idle_minutes(user)
            if isinstance(last, int) and now - last > limit * 60:
                logout(request)
                if not _is_api(request):
                    messages.info(
                        request,
                        _(
                            "You were signed out after %(duration)s without activity. "
                            "Sign in again to go on."
                        )
                        % {"duration": _duration(limit)},
                    )
                    query = urlencode({"next": request.get_full_path()})
                    return _redirect(request, f"{reverse('account_login')}?{query}")
            elif not isinstance(last, int) or now - last >= ACTIVITY_RESOLUTION_SECONDS:
                request.session[LAST_ACTIVITY_SESSION_KEY] = now
        return self.get_response(request)


def _duration(minutes: int) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


class MfaRequiredMiddleware:
    """A signed-in user whose role needs a second factor (``user_must_have_mfa``) and has none
    is sent to set one up before anything else: pages and the Django admin redirect to
    allauth's two-factor page, the API and OSDI answer 403 ``mfa_required``."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = _session_user(request)
        if (
            user is not None
            and not request.path.startswith(OPEN_PREFIXES)
            and user_must_have_mfa(user)
            and not user_has_mfa(user)
        ):
            if _is_api(request):
                return api_error(
                    403,
                    "mfa_required",
                    _(
                        "Your role needs a second factor: set one up at %(url)s before using "
                        "the API with this session."
                    )
                    % {"url": reverse("mfa_index")},
                )
            messages.info(
                request,
                _(
                    "Your role needs a second factor. Set up an authenticator app or a passkey "
                    "to go on."
                ),
            )
            return _redirect(request, reverse("mfa_index"))
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in user who chose a language on Your account (``User.language``) gets it on
    every page, whatever the browser asks for; with none chosen, ``LocaleMiddleware`` has
    already picked the browser's (cookie, then ``Accept-Language``). A request that carries an
    API key keeps the ``Accept-Language`` it sent: the key's user is known only to the view."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = _session_user(request)
        language = getattr(user, "language", "") if user is not None else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)

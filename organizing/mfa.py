"""The second factor, as Earshot reads it from allauth.mfa.

allauth keeps the authenticators (TOTP, passkeys and security keys, recovery codes) and asks for
one at sign-in; this module answers the two questions the rest of Earshot asks of it: does this
user have a second factor, and did they give it recently in this session. Who *must* have one
is a role predicate (``organizing.roles.user_must_have_mfa``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

# Recovery codes back up a second factor; on their own they are not one.
SECOND_FACTOR_TYPES = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def user_has_mfa(user) -> bool:
    """Has ``user`` an authenticator app or a passkey/security key?"""
    return bool(getattr(user, "pk", None)) and is_mfa_enabled(user, types=SECOND_FACTOR_TYPES)


def mfa_used_recently(request: HttpRequest) -> bool:
    """Did this session's user give a second factor (at sign-in or to reauthenticate) within
    ``MFA_RECENT_MINUTES``? allauth records each step of authentication in the session."""
    cutoff = time.time() - settings.MFA_RECENT_MINUTES * 60
    return any(
        record.get("method") == "mfa" and record.get("at", 0) >= cutoff
        for record in get_authentication_records(request, request.user)
    )


def recent_second_factor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For a view whose POST makes a credential (an API key): without a second factor the user
    is sent to set one up; without one given lately, to give it again, then back to the page.
    GETs pass, so the page itself still shows."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST" and request.user.is_authenticated:
            back = urlencode({"next": request.get_full_path()})
            if not user_has_mfa(request.user):
                messages.info(request, _("Set up a second factor first: API keys need one."))
                return HttpResponseRedirect(reverse("mfa_index"))
            if not mfa_used_recently(request):
                messages.info(
                    request, _("Confirm it's you with your second factor, then try again.")
                )
                return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{back}")
        return view(request, *args, **kwargs)

    return wrapper

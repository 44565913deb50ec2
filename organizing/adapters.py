"""django-allauth adapters: sign-up only through an invitation; failed sign-ins limited per
account and address, answered with 429; a required second factor cannot be removed."""

from __future__ import annotations

import math
import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal import ratelimit
from allauth.mfa.adapter import DefaultMFAAdapter
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .mfa import SECOND_FACTOR_TYPES
from .roles import user_must_have_mfa
from .selectors import invitation_get_open
from .services import invitation_accept

INVITATION_SESSION_KEY = "earshot_invitation_token"


def invitation_from_session(request: HttpRequest | None):
    if request is None or not hasattr(request, "session"):
        return None
    token = request.session.get(INVITATION_SESSION_KEY)
    return invitation_get_open(token=token) if token else None


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Closed to the public; open to whoever holds an open invitation."""
        return invitation_from_session(request) is not None

    def clean_email(self, email: str) -> str:
        invitation = invitation_from_session(self.request)
        if invitation is not None and email.strip().lower() != invitation.email.lower():
            raise ValidationError(
                _("This invitation is for %(email)s; sign up with that address.")
                % {"email": invitation.email}
            )
        return super().clean_email(email)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        user.full_name = form.cleaned_data.get("full_name", "")
        if commit:
            user.save(update_fields=["full_name"])
            invitation = invitation_from_session(request)
            if invitation is not None:
                invitation_accept(invitation=invitation, user=user)
                request.session.pop(INVITATION_SESSION_KEY, None)
        return user

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Setting up a second factor asks for the password again, unless the user signed in
        within ``ACCOUNT_REAUTHENTICATION_TIMEOUT``: whoever is sent to set one up straight
        after signing in is not asked twice."""
        required = super().is_reauthentication_required(app=app, **kwargs)
        request = context.request
        if not required or app != "allauth.mfa" or request is None:
            return required
        cutoff = time.time() - account_settings.REAUTHENTICATION_TIMEOUT
        records = get_authentication_records(request, request.user)
        return not any(record.get("at", 0) >= cutoff for record in records)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials) -> str:
        """Failed sign-ins count per account *and* client address: a guesser elsewhere never
        locks the real user out, and one person's typos never block their whole office."""
        account_key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account_key}:{ratelimit.get_ip(request)}"

    def pre_authenticate(self, request: HttpRequest, **credentials) -> None:
        """Over the limit (``ACCOUNT_RATE_LIMITS["login_failed"]``), answer 429 with
        ``Retry-After`` at once: nothing waits in a worker, and the form is not even read."""
        key = self._get_login_attempts_cache_key(request, **credentials)
        usage = ratelimit.consume(request, app="allauth.account", action="login_failed", key=key)
        if not usage:
            raise ImmediateHttpResponse(login_refused_response(request, key=key))
        self._login_failed_rl_usage = usage


def login_retry_after_seconds(request: HttpRequest, *, key: str) -> int:
    """Seconds until the oldest failure counted against ``key`` leaves its window."""
    now = time.time()
    wait = 1.0
    for rate in ratelimit.get_rates(app="allauth.account", action="login_failed"):
        cache_key = ratelimit.get_cache_key(
            request, app="allauth.account", action="login_failed", rate=rate, key=key
        )
        history = cache.get(cache_key, [])
        if len(history) >= rate.amount:
            wait = max(wait, history[-1] + rate.duration - now)
    return max(1, math.ceil(wait))


def login_refused_response(request: HttpRequest, *, key: str) -> HttpResponse:
    retry_after = login_retry_after_seconds(request, key=key)
    response = render(
        request,
        "429.html",
        {"retry_after_minutes": max(1, math.ceil(retry_after / 60))},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator) -> bool:
        """Someone whose role needs a second factor keeps at least one (an app or a key)."""
        if authenticator.type not in SECOND_FACTOR_TYPES:
            return True
        if not user_must_have_mfa(authenticator.user):
            return True
        others = authenticator.user.authenticator_set.filter(type__in=SECOND_FACTOR_TYPES)
        return others.exclude(pk=authenticator.pk).exists()

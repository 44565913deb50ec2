"""Signing in with a second factor, without typing one in each test."""

from __future__ import annotations

import time

from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from allauth.account.internal.userkit import user_id_to_str
from allauth.mfa.models import Authenticator

from tests.factories import mfa_add


def force_login_with_password(client, user) -> None:
    """Sign ``user`` in as if they had just typed their password (no second factor)."""
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "email": user.email}
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()


def force_login_with_mfa(client, user, *, seconds_ago: float = 0) -> None:
    """Sign ``user`` in as if they had just given their authenticator code (``seconds_ago``),
    adding an authenticator app if they have none."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        mfa_add(user)
    client.force_login(user)
    authenticator = Authenticator.objects.filter(user=user, type="totp").first()
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time() - seconds_ago - 1, "email": user.email},
        {"method": "mfa", "at": time.time() - seconds_ago, "id": authenticator.pk, "type": "totp"},
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()


def give_totp_code(client, secret: str | None = None):
    """Answer the sign-in's second step with the authenticator app's current code."""
    from django.urls import reverse

    from tests.factories import TOTP_SECRET, totp_code

    return client.post(reverse("mfa_authenticate"), {"code": totp_code(secret or TOTP_SECRET)})

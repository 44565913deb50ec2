"""The demo's second factor: ``make run``'s staff logins share one published TOTP secret.

Organizers, data staff and admins must sign in with a second factor (``MFA_REQUIRED_ROLES``).
So that a newcomer trying the demo is not stopped at "set up an authenticator app", the demo
loader calls ``demo_mfa_setup`` for its users: each one whose role needs a second factor gets
an authenticator app with ``DEMO_TOTP_SECRET``. The code it shows comes from any authenticator
app given that secret, or from ``make manage ARGS="demo_totp_code"``. Demo data only: a real
deployment's people set up their own.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

from .roles import user_must_have_mfa

# Published in the README next to the demo password; never use it outside the demo.
DEMO_TOTP_SECRET = "EARSHOTDEMOEARSHOTDEMOEARSHOTDEM"  # noqa: S105


def demo_mfa_setup(*, users: Iterable) -> list:
    """Give each of ``users`` whose role needs a second factor, and who has none, an
    authenticator app with ``DEMO_TOTP_SECRET``. Safe twice; returns the users given one."""
    given = []
    for user in users:
        if not user_must_have_mfa(user):
            continue
        if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            continue
        TOTP.activate(user, DEMO_TOTP_SECRET)
        given.append(user)
    return given


def demo_totp_code(*, at: float | None = None) -> str:
    """The code an authenticator app with ``DEMO_TOTP_SECRET`` shows at ``at`` (now)."""
    counter = int(time.time() if at is None else at) // 30
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter))

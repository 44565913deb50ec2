"""The sign-in's second step, limited per account *and* client address (allauth's own limit
counts per account only, so someone who has a stolen password and guesses codes from
elsewhere would lock the real user out of their second step too). Over the limit: 429 with
``Retry-After`` at once, as for passwords (``organizing.adapters``). Set as
``MFA_FORMS["authenticate"]``."""

from __future__ import annotations

from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal import ratelimit
from allauth.mfa.adapter import get_adapter
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.models import Authenticator

from .adapters import login_refused_response


def mfa_attempts_key(request, user) -> str:
    return f"mfa:{user.pk}:{ratelimit.get_ip(request)}"


class AccountAndAddressLimitedAuthenticateForm(AuthenticateForm):
    def clean_code(self) -> str:
        request = context.request
        key = mfa_attempts_key(request, self.user)
        if not ratelimit.consume(request, app="allauth.account", action="login_failed", key=key):
            raise ImmediateHttpResponse(login_refused_response(request, key=key))
        code = self.cleaned_data["code"]
        main: Authenticator | None = None
        # As allauth's own form: every authenticator that takes typed codes (not passkeys).
        for authenticator in Authenticator.objects.filter(user=self.user).exclude(
            type=Authenticator.Type.WEBAUTHN
        ):
            if main is None or authenticator.type == Authenticator.Type.TOTP:
                main = authenticator
            if authenticator.wrap().validate_code(code):
                authenticator.user = self.user
                self.authenticator = authenticator
                ratelimit.clear(request, app="allauth.account", action="login_failed", key=key)
                return code
        if main is not None:
            self._emit_authentication_failed(main)
        raise get_adapter().validation_error("incorrect_code")

"""django-allauth adapter: sign-up only through an invitation."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest

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
                f"This invitation is for {invitation.email}; sign up with that address."
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

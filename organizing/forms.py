from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import Membership, Team, User
from .services import roles_grantable_by


class SignupDetailsForm(forms.Form):
    """Extra fields on allauth's sign-up form (reached only through an invitation)."""

    full_name = forms.CharField(max_length=150, label=_("Your name"))

    def signup(self, request, user) -> None:
        # The adapter's save_user stores full_name; allauth requires this hook to exist.
        return None


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"inputmode": "email"})
    )
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label=_("Team"))
    role = forms.ChoiceField(choices=Membership.Role.choices, label=_("Role"))
    language = forms.ChoiceField(
        choices=settings.LANGUAGES,
        label=_("Language of the invitation"),
        required=False,
        help_text=_("The email is written in it; they can change it once they join."),
    )

    def __init__(self, *args, inviter: User, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = (get_language() or "en").split("-")[0]
        self.inviter = inviter
        self.fields["team"].queryset = teams
        if len(teams) == 1:
            self.fields["team"].initial = teams[0]
        # Offer only the roles this person may hand out in at least one of their teams.
        grantable = {role for team in teams for role in roles_grantable_by(inviter, team)}
        self.fields["role"].choices = [c for c in Membership.Role.choices if c[0] in grantable]

    def clean(self):
        cleaned = super().clean()
        team, role = cleaned.get("team"), cleaned.get("role")
        if team and role and role not in roles_grantable_by(self.inviter, team):
            raise ValidationError(
                {"role": _("You can't invite people into this team with that role.")}
            )
        return cleaned


class LanguageForm(forms.Form):
    """Your account: the language Earshot speaks to you in, on every page and in emails."""

    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        help_text=_("Blank follows your browser's language."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Same as my browser")), *settings.LANGUAGES]

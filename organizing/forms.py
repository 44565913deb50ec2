from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .models import Membership, Team, User
from .services import roles_grantable_by


class SignupDetailsForm(forms.Form):
    """Extra fields on allauth's sign-up form (reached only through an invitation)."""

    full_name = forms.CharField(max_length=150, label="Your name")

    def signup(self, request, user) -> None:
        # The adapter's save_user stores full_name; allauth requires this hook to exist.
        return None


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"inputmode": "email"})
    )
    team = forms.ModelChoiceField(queryset=Team.objects.none())
    role = forms.ChoiceField(choices=Membership.Role.choices)

    def __init__(self, *args, inviter: User, teams, **kwargs):
        super().__init__(*args, **kwargs)
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
                {"role": "You can't invite people into this team with that role."}
            )
        return cleaned

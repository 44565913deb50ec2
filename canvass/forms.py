"""Forms for the organizer's walk-list pages and the canvass mode."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizing.models import User


class WalkListCutForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    team = forms.ModelChoiceField(label=_("Team"), queryset=None)
    segment = forms.ModelChoiceField(
        label=_("Saved segment"),
        queryset=None,
        required=False,
        help_text=_("Leave empty to use the Supporters filters this page was opened with."),
    )
    doors_per_packet = forms.IntegerField(
        label=_("Doors a packet"), min_value=1, max_value=1000, required=False, initial=40
    )

    def __init__(self, *args, teams, segments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["segment"].queryset = segments


class SplitForm(forms.Form):
    doors_per_packet = forms.IntegerField(
        label=_("Doors a packet"), min_value=1, max_value=1000, initial=40
    )
    name = forms.CharField(
        label=_("Their names begin"),
        max_length=100,
        required=False,
        initial="",
        help_text=_("“Packet” when empty: Packet 1, Packet 2…"),
    )


class DrawForm(forms.Form):
    name = forms.CharField(label=_("Packet name"), max_length=120, required=False)
    outline = forms.JSONField(
        label=_("Shape"),
        widget=forms.HiddenInput,
        error_messages={"required": _("Draw a shape on the map first.")},
    )


def _default_until():
    return timezone.localtime(timezone.now() + timedelta(hours=6)).replace(second=0, microsecond=0)


class CheckoutForm(forms.Form):
    volunteer = forms.ModelChoiceField(label=_("Volunteer"), queryset=None)
    partner = forms.ModelChoiceField(label=_("Partner (optional)"), queryset=None, required=False)
    until = forms.DateTimeField(
        label=_("Until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        initial=_default_until,
    )

    def __init__(self, *args, team_id, **kwargs):
        super().__init__(*args, **kwargs)
        members = (
            User.objects.filter(memberships__team_id=team_id, is_active=True)
            .distinct()
            .order_by("full_name", "email")
        )
        self.fields["volunteer"].queryset = members
        self.fields["partner"].queryset = members


class GuestLinkForm(forms.Form):
    guest_name = forms.CharField(label=_("Day volunteer's name"), max_length=120)
    until = forms.DateTimeField(
        label=_("Until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        initial=_default_until,
    )


class PinForm(forms.Form):
    pin = forms.CharField(
        label=_("PIN"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class NewPersonForm(forms.Form):
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    given_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    family_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    email = forms.EmailField(label=_("Email"), required=False)

    def clean(self):
        data = super().clean()
        if (
            not (data.get("given_name") or "").strip()
            and not (data.get("family_name") or "").strip()
        ):
            self.add_error("given_name", _("Give at least a first or a last name."))
        return data

"""Forms about people: adding someone, filtering the organizer's list, bulk assignment, tags."""

from __future__ import annotations

import re
from collections.abc import Callable

from django import forms
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from organizing.models import Team, User

from .models import Channel, Relationship, Supporter, Tag
from .services import tag_name_taken

HOW_WE_MET = [
    ("door", "Met at the door"),
    ("relational", "Someone I know"),
]


class SupporterCreateForm(forms.Form):
    """Few fields, at the door or from a volunteer's own circle. ``client_uuid`` is made when
    the form is shown, so a double tap or a retry adds one person."""

    client_uuid = forms.UUIDField(widget=forms.HiddenInput)

    given_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    family_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    # The keyboards a phone shows: digits for a phone number and a ZIP, an @ for an email.
    # No autofill: these are the details of the person at the door, not of the volunteer.
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"inputmode": "email", "autocomplete": "off"}),
    )
    line1 = forms.CharField(label=_("Street address"), max_length=200, required=False)
    postal_code = forms.CharField(
        label=_("ZIP code"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[
            ("en", _("English")),
            ("es", _("Spanish")),
            ("vi", _("Vietnamese")),
            ("zh", _("Chinese")),
            ("ar", _("Arabic")),
            ("pl", _("Polish")),
            ("other", _("Other")),
        ],
        initial="en",
    )
    how = forms.ChoiceField(
        label=_("How you know them"), choices=HOW_WE_MET, initial="door", widget=forms.RadioSelect
    )
    relationship_kind = forms.ChoiceField(
        label=_("They are my…"),
        choices=[("", "—"), *list(Relationship.Kind.choices)],
        required=False,
    )
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label=_("Team"), empty_label=None)
    confirm_new = forms.BooleanField(
        label=_("This is someone new — add them anyway"), required=False
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        only = list(teams[:2])
        if len(only) == 1:
            self.fields["team"].initial = only[0].pk
            self.fields["team"].widget = forms.HiddenInput()

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and len(re.sub(r"\D", "", phone)) < 7:
            raise forms.ValidationError(_("A phone number needs at least 7 digits."))
        return phone

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if email:
            try:
                validate_email(email)
            except forms.ValidationError:
                raise forms.ValidationError(_("That doesn't look like an email address.")) from None
        return email

    def clean_postal_code(self):
        postal_code = self.cleaned_data["postal_code"].strip()
        if postal_code and not re.fullmatch(r"\d{5}(-\d{4})?", postal_code):
            raise forms.ValidationError(_("A ZIP code is five digits (or ZIP+4)."))
        return postal_code

    def clean(self):
        data = super().clean()
        if not (data.get("given_name", "").strip() or data.get("family_name", "").strip()):
            self.add_error("given_name", "A first or last name, please.")
        if data.get("how") == "relational" and not data.get("relationship_kind"):
            self.add_error("relationship_kind", "Say how you know them.")
        return data


LAST_CONTACT_CHOICES = [
    ("", "Any time"),
    ("7", "In the last 7 days"),
    ("30", "In the last 30 days"),
    ("not30", "Not in the last 30 days"),
    ("never", "Never contacted"),
]


# Issues live in the conversations app (above us): it registers, at app-ready time, the
# queryset of issues an organizer may filter by.
_issue_choices: list[Callable[[], QuerySet]] = []


def issue_choices_register(choices: Callable[[], QuerySet]) -> None:
    """``choices()``: the issues the organizer's list offers as a filter."""
    _issue_choices[:] = [choices]


class SupporterFilterForm(forms.Form):
    """The organizer's filters. Every field is optional; bad values are errors, not crashes."""

    q = forms.CharField(label=_("Name, phone or email"), required=False, max_length=100)
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, label=_("Team"), empty_label=_("Any team")
    )
    tag = forms.ModelChoiceField(
        queryset=Tag.objects.none(), required=False, label=_("Tag"), empty_label=_("Any tag")
    )
    support_level = forms.TypedChoiceField(
        label=_("Support level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", _("Any")),
            (1, _("1 Strong support")),
            (2, _("2 Lean support")),
            (3, _("3 Undecided")),
            (4, _("4 Lean against")),
            (5, _("5 Strong opposition")),
        ],
    )
    issue = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Issue raised"), empty_label=_("Any issue")
    )
    last_contact = forms.ChoiceField(
        label=_("Last contacted"), choices=LAST_CONTACT_CHOICES, required=False
    )
    followup = forms.ChoiceField(
        label=_("Open follow-up"),
        required=False,
        choices=[("", _("Either")), ("yes", _("Has one")), ("no", _("Has none"))],
    )
    contactable = forms.ChoiceField(
        label=_("Contactable by"),
        required=False,
        choices=[("", _("Any channel")), *list(Channel.choices)],
    )
    assigned = forms.ChoiceField(
        label=_("Assigned"),
        required=False,
        choices=[("", _("Either")), ("yes", _("Assigned")), ("no", _("Not assigned"))],
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["tag"].queryset = Tag.objects.order_by("name")
        if _issue_choices:
            self.fields["issue"].queryset = _issue_choices[0]()
        else:
            del self.fields["issue"]


class BulkAssignForm(forms.Form):
    volunteer = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Assign to"))
    supporters = forms.ModelMultipleChoiceField(
        queryset=Supporter.objects.none(),
        error_messages={"required": _("Tick the people to assign first.")},
    )

    def __init__(self, *args, volunteers, supporters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers
        self.fields["supporters"].queryset = supporters


class TagForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name", "description"]

    def clean_name(self):
        # The service's rule and words, so the page, the API and OSDI say it alike.
        name = self.cleaned_data["name"].strip()
        if taken := tag_name_taken(name, tag=self.instance if self.instance.pk else None):
            raise forms.ValidationError(taken)
        return name

"""Forms for phone banking: making a call list, and the one form a caller fills in per call."""

from __future__ import annotations

import json
from datetime import time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conversations.forms import ConversationLogForm
from conversations.models import SurveyQuestion
from organizing.models import Team
from supporters.models import Segment

from .models import CallAttempt

SCRIPT_HELP = _("Write {first_name} and {caller_name} where their names go.")


class CallListForm(forms.Form):
    """An organizer's new call list: whom (a segment, or a filter), what to say, when."""

    name = forms.CharField(label=_("Name"), max_length=120)
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label=_("Team"))
    segment = forms.ModelChoiceField(
        queryset=Segment.objects.none(),
        required=False,
        label=_("Saved segment"),
        empty_label=_("None: use the filter below"),
    )
    filter = forms.CharField(
        label=_("Or a filter (the segment language)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "class": "code"}),
        help_text=_('For example {"support_level": {"lte": 3}}. Empty: everyone on the team.'),
    )
    script_language = forms.CharField(label=_("Script language"), max_length=16, initial="en")
    script = forms.CharField(
        label=_("Script"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=SCRIPT_HELP,
    )
    second_language = forms.CharField(
        label=_("Second language"), max_length=16, initial="es", required=False
    )
    second_script = forms.CharField(
        label=_("Script in the second language"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Offered to people whose language it is. Leave empty for none."),
    )
    questions = forms.ModelMultipleChoiceField(
        queryset=SurveyQuestion.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Survey questions to ask"),
    )
    calling_starts = forms.TimeField(
        label=_("Call from"), initial=time(9, 0), widget=forms.TimeInput(attrs={"type": "time"})
    )
    calling_ends = forms.TimeField(
        label=_("Until"),
        initial=time(21, 0),
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("In each person's own time zone."),
    )
    recent_days = forms.IntegerField(
        label=_("Don't call anyone called in the last … days"),
        min_value=0,
        max_value=365,
        initial=7,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["segment"].queryset = Segment.objects.order_by("name")
        self.fields["questions"].queryset = SurveyQuestion.objects.filter(is_active=True)

    def clean_filter(self):
        text = self.cleaned_data["filter"].strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise forms.ValidationError(
                _("This is not JSON: check the brackets and quotes.")
            ) from None

    def scripts(self) -> dict[str, str]:
        data = self.cleaned_data
        scripts = {data["script_language"]: data["script"]}
        if data.get("second_script", "").strip():
            scripts[data.get("second_language") or ""] = data["second_script"]
        return scripts


RESULT_CHOICES = [
    (value, label)
    for value, label in CallAttempt.Result.choices
    if value not in (CallAttempt.Result.SKIPPED, CallAttempt.Result.WRONG_NUMBER)
]


class CallResultForm(ConversationLogForm):
    """The log form, made for a call: what happened, the list's questions, what we heard,
    things to remember, when to call back, a word to the organizer, and stop requests. The
    channel is the phone; follow-ups come from the rules (and the call-back time)."""

    result = forms.ChoiceField(
        choices=RESULT_CHOICES, widget=forms.RadioSelect, label=_("What happened")
    )
    call_back_after = forms.DateTimeField(
        label=_("Call back after"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("They go back in this list's queue from then."),
    )
    message_to_organizer = forms.CharField(
        label=_("Message to the organizer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    field_order = ["result"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("channel", "outcome", "followup", "followup_date", "callback_at"):
            del self.fields[name]
        self.order_fields(["client_uuid", "result"])

    def clean(self):
        data = super().clean()
        when = data.get("call_back_after")
        if when is not None and when <= timezone.now():
            self.add_error("call_back_after", _("Pick a time in the future."))
        return data


def filter_from_supporter_filters(data) -> tuple[dict | None, list[str]]:
    """The Supporters page's filters (its query string) in the segment language, and the
    names of those the segment language cannot say (search, assignment), which a call list
    leaves out. None when no filter was given."""
    from supporters.forms import SupporterFilterForm

    form = SupporterFilterForm(data, teams=Team.objects.all())
    if not form.is_valid():
        return None, []
    values = form.cleaned_data
    conditions: list[dict] = []
    if values.get("team"):
        conditions.append({"team": values["team"].pk})
    if values.get("tag"):
        conditions.append({"tags": {"any": [values["tag"].pk]}})
    if values.get("support_level"):
        conditions.append({"support_level": values["support_level"]})
    if values.get("issue"):
        conditions.append({"issues": {"any": [values["issue"].pk]}})
    last_contact = values.get("last_contact")
    if last_contact == "never":
        conditions.append({"never_contacted": True})
    elif last_contact == "not30":
        conditions.append({"not": {"conversations": {"within_days": 30}}})
    elif last_contact:
        conditions.append({"conversations": {"within_days": int(last_contact)}})
    if values.get("followup") == "yes":
        conditions.append({"followups": {"status": "open"}})
    elif values.get("followup") == "no":
        conditions.append({"followups": {"status": "none_open"}})
    if values.get("contactable"):
        conditions.append({"contactable_by": values["contactable"]})
    left_out = [str(form.fields[name].label) for name in ("q", "assigned") if values.get(name)]
    if not conditions:
        return None, left_out
    return ({"and": conditions} if len(conditions) > 1 else conditions[0]), left_out

"""Forms for listening: logging a conversation, correcting a note, follow-ups, lists."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizing.models import User
from supporters.models import Channel

from .followups import PAST_FOLLOWUP, followup_is_past
from .models import Conversation, Issue, Note, SurveyQuestion

REMEMBER_LINES = 3

CONSENT_CHOICES = [
    (Channel.CALL, "Don't call me again"),
    (Channel.TEXT, "Don't text me"),
    (Channel.VISIT, "Don't come to my door"),
    (Channel.EMAIL, "Don't email me"),
    (Channel.MAIL, "Don't send me mail"),
]


class SuggestionConfirmForm(forms.Form):
    """A suggested thing to remember, confirmed, maybe reworded: as long as any other (200)."""

    text = forms.CharField(max_length=200, required=False)
    sensitive = forms.BooleanField(required=False)


class ConversationLogForm(forms.Form):
    """One form for the door: under 30 seconds with one thumb.

    Survey questions are added as ``q_<slug>`` fields from the active questions; things to
    remember are ``remember_<n>`` lines with a ``remember_<n>_sensitive`` box each.
    """

    FOLLOW_UP_NONE = "none"
    FOLLOW_UP_DATE = "date"
    FOLLOW_UP_CALLBACK = "callback"

    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    channel = forms.ChoiceField(
        choices=Conversation.Channel.choices, widget=forms.RadioSelect, label=_("How")
    )
    outcome = forms.ChoiceField(
        choices=Conversation.Outcome.choices, widget=forms.RadioSelect, label=_("What happened")
    )
    issues = forms.ModelMultipleChoiceField(
        queryset=Issue.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Issues they raised"),
    )
    heard = forms.CharField(
        label=_("What we heard"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In their words, as near as you can."),
    )
    heard_is_sensitive = forms.BooleanField(
        label=_("This is sensitive (only the team's organizers may read it)"),
        required=False,
        help_text=_("Health, immigration, money or family troubles: tick it when in doubt."),
    )
    followup = forms.ChoiceField(
        label=_("Follow up"),
        choices=[
            (FOLLOW_UP_NONE, _("No follow-up")),
            (FOLLOW_UP_DATE, _("On a date")),
            (FOLLOW_UP_CALLBACK, _("They asked: call me back at…")),
        ],
        initial=FOLLOW_UP_NONE,
        widget=forms.RadioSelect,
    )
    followup_date = forms.DateField(
        label=_("Follow-up date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    callback_at = forms.DateTimeField(
        label=_("Call back at"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    consent = forms.MultipleChoiceField(
        label=_("They asked us to stop"),
        choices=CONSENT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, questions: list[SurveyQuestion], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issues"].queryset = Issue.objects.filter(is_active=True).order_by("name")
        self.questions = questions
        for question in questions:
            name = f"q_{question.slug}"
            if question.kind == SurveyQuestion.Kind.CHOICE:
                options = list(question.choices.all())  # prefetched by the view
                self.fields[name] = forms.ChoiceField(
                    choices=[(c.value, c.label) for c in options],
                    required=False,
                    label=question.prompt,
                    widget=forms.RadioSelect,
                )
                self.fields[name].question_choices = {c.value: c for c in options}
            else:
                self.fields[name] = forms.CharField(
                    label=question.prompt, required=False, max_length=500
                )
            self.fields[name].question = question
        for n in range(REMEMBER_LINES):
            self.fields[f"remember_{n}"] = forms.CharField(
                label=_("Thing to remember %(number)d") % {"number": n + 1},
                required=False,
                max_length=200,
                widget=forms.TextInput(
                    attrs={"placeholder": _("e.g. Son is an Iraq war veteran")} if n == 0 else {}
                ),
            )
            self.fields[f"remember_{n}_sensitive"] = forms.BooleanField(
                label=_("Sensitive (organizers only)"), required=False
            )

    def question_fields(self):
        return [self[f"q_{question.slug}"] for question in self.questions]

    def remember_rows(self):
        return [
            (self[f"remember_{n}"], self[f"remember_{n}_sensitive"]) for n in range(REMEMBER_LINES)
        ]

    def clean(self):
        data = super().clean()
        # Choice answers: validate the value against the question's own choices.
        answers = {}
        for question in self.questions:
            name = f"q_{question.slug}"
            value = data.get(name)
            if question.kind == SurveyQuestion.Kind.CHOICE:
                if value:
                    answers[question] = self.fields[name].question_choices[value]
            elif value:
                answers[question] = value.strip()
        data["answers"] = answers
        choice = data.get("followup")
        if choice == self.FOLLOW_UP_DATE and not data.get("followup_date"):
            self.add_error("followup_date", "Pick the date to follow up.")
        if choice == self.FOLLOW_UP_CALLBACK and not data.get("callback_at"):
            self.add_error("callback_at", "When did they ask us to call back?")
        # A follow-up asked for now is in the future (see followups.PAST_FOLLOWUP).
        day = data.get("followup_date")
        if choice == self.FOLLOW_UP_DATE and day and day < timezone.localdate():
            self.add_error("followup_date", PAST_FOLLOWUP)
        callback_at = data.get("callback_at")
        if choice == self.FOLLOW_UP_CALLBACK and callback_at and followup_is_past(callback_at):
            self.add_error("callback_at", PAST_FOLLOWUP)
        data["remember"] = [
            (data[f"remember_{n}"].strip(), bool(data.get(f"remember_{n}_sensitive")))
            for n in range(REMEMBER_LINES)
            if (data.get(f"remember_{n}") or "").strip()
        ]
        return data

    def followup_due_at(self) -> tuple[datetime, str] | None:
        """When to follow up and why, from the cleaned form, in the current time zone."""
        choice = self.cleaned_data.get("followup")
        if choice == self.FOLLOW_UP_DATE and self.cleaned_data.get("followup_date"):
            day = self.cleaned_data["followup_date"]
            due = timezone.make_aware(datetime.combine(day, time(10, 0)))
            return due, "Follow up"
        if choice == self.FOLLOW_UP_CALLBACK and self.cleaned_data.get("callback_at"):
            return self.cleaned_data["callback_at"], "Call back as asked"
        return None


class NoteForm(forms.ModelForm):
    class Meta:
        model = Note
        fields = ["body", "kind", "is_pinned"]
        labels = {"body": _("Note"), "is_pinned": _("Pin to the top of the brief")}
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, can_see_sensitive: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_see_sensitive:
            self.fields["kind"].choices = [
                c for c in self.fields["kind"].choices if c[0] != Note.Kind.SENSITIVE
            ]
        self.fields["body"].max_length = 5000


class FollowUpReassignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Give to"))

    def __init__(self, *args, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees

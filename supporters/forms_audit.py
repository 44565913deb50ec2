"""The audit trail's filters, one form for the page, its CSV and ``/api/v1/audit/``."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizing.models import User


class AuditFilterForm(forms.Form):
    actor = forms.TypedChoiceField(
        label=_("Who"), required=False, coerce=int, empty_value=None, choices=()
    )
    supporter = forms.IntegerField(
        label=_("About supporter (id)"), required=False, min_value=1, max_value=2**63 - 1
    )
    action = forms.CharField(
        label=_("What"),
        required=False,
        max_length=64,
        help_text=_("An action such as supporter.view, or all of a kind: supporter."),
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = [("", _("Anyone"))] + [
            (user.pk, user.full_name or user.email)
            # Everyone, those switched off too: their entries stay.
            for user in User.objects.order_by("full_name", "email")
        ]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end comes before the start."))
        return data

    def selection(self) -> dict:
        """Keyword arguments for ``supporters.audit.audit_list`` (dates as whole local days)."""
        data = self.cleaned_data
        zone = timezone.get_current_timezone()

        def start_of(day):
            return datetime.combine(day, time.min, tzinfo=zone) if day else None

        until = data.get("until")
        return {
            "actor_id": data.get("actor"),
            "supporter_id": data.get("supporter"),
            "action": data.get("action") or "",
            "since": start_of(data.get("since")),
            "until": start_of(until + timedelta(days=1)) if until else None,
        }


class ApiAuditFilterForm(AuditFilterForm):
    """The API's: ``actor`` is any user id (no list of choices)."""

    actor = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    def __init__(self, *args, **kwargs) -> None:
        forms.Form.__init__(self, *args, **kwargs)

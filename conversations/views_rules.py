"""Organizer pages for the listener's and scheduler's data: follow-up rules and issue phrases.

These are organization-wide settings: organizers (of any team), data staff and admins may
edit them; volunteers get a 403.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from organizing.roles import team_ids_organized_by, user_is_organization_wide

from .models import FollowUpRule, Issue
from .services import followup_rule_update, issue_phrases_set

MAX_DELAY_HOURS = 24 * 365


def _require_organizer(user) -> None:
    if not (user_is_organization_wide(user) or team_ids_organized_by(user)):
        raise PermissionDenied(_("Only organizers, data staff and admins change these."))


class FollowUpRuleForm(forms.Form):
    action = forms.ChoiceField(choices=FollowUpRule.Action.choices)
    delay_hours = forms.IntegerField(
        label=_("Delay (hours)"),
        min_value=0,
        max_value=MAX_DELAY_HOURS,
        help_text=_(
            "After the conversation; for “at the time they asked”, used when they named no time."
        ),
    )
    reason = forms.CharField(max_length=200, required=False, help_text=_("The follow-up's reason."))
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def clean(self):
        cleaned = super().clean()
        needs_reason = cleaned.get("action") not in (None, FollowUpRule.Action.NONE)
        if needs_reason and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Give the follow-up a reason people will read.")
        return cleaned


class IssuePhrasesForm(forms.Form):
    phrases = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        help_text=_("One phrase a line. Whole words, any case; the issue's name always counts."),
    )

    def clean_phrases(self) -> list[str]:
        lines = [" ".join(line.split()) for line in self.cleaned_data["phrases"].splitlines()]
        lines = [line for line in lines if line]
        too_long = [line for line in lines if len(line) > 80]
        if too_long:
            raise forms.ValidationError(
                _("Keep each phrase under 80 characters: %(phrase)s…")
                % {"phrase": too_long[0][:40]}
            )
        if len(lines) > 200:
            raise forms.ValidationError(_("At most 200 phrases per issue."))
        return lines


@login_required
def followup_rule_list_view(request: HttpRequest) -> HttpResponse:
    _require_organizer(request.user)
    return render(
        request, "conversations/followup_rule_list.html", {"rules": FollowUpRule.objects.all()}
    )


@login_required
def followup_rule_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_organizer(request.user)
    rule = get_object_or_404(FollowUpRule, pk=pk)
    initial = {
        "action": rule.action,
        "delay_hours": rule.delay_hours,
        "reason": rule.reason,
        "is_active": rule.is_active,
    }
    form = FollowUpRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        followup_rule_update(actor=request.user, rule=rule, **form.cleaned_data)
        messages.success(
            request, _("Rule for “%(trigger)s” saved.") % {"trigger": rule.get_trigger_display()}
        )
        return redirect("rules:followup_rule_list")
    return render(
        request,
        "conversations/followup_rule_edit.html",
        {"rule": rule, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def issue_phrase_list_view(request: HttpRequest) -> HttpResponse:
    _require_organizer(request.user)
    issues = Issue.objects.prefetch_related("phrases")
    return render(request, "conversations/issue_phrase_list.html", {"issues": issues})


@login_required
def issue_phrase_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_organizer(request.user)
    issue = get_object_or_404(Issue, pk=pk)
    current = "\n".join(issue.phrases.values_list("phrase", flat=True))
    form = IssuePhrasesForm(request.POST or None, initial={"phrases": current})
    if request.method == "POST" and form.is_valid():
        kept = issue_phrases_set(
            actor=request.user, issue=issue, phrases=form.cleaned_data["phrases"]
        )
        messages.success(
            request,
            ngettext(
                "%(issue)s: %(count)d phrase saved.",
                "%(issue)s: %(count)d phrases saved.",
                len(kept),
            )
            % {"issue": issue, "count": len(kept)},
        )
        return redirect("rules:issue_phrase_list")
    return render(
        request,
        "conversations/issue_phrase_edit.html",
        {"issue": issue, "form": form},
        status=400 if form.errors else 200,
    )

"""The bulk action the conversations app adds to the Supporters list: give everyone chosen a
follow-up (registered with ``supporters.bulk`` at app-ready time)."""

from __future__ import annotations

from datetime import date, datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizing.models import User
from organizing.roles import Actor
from supporters.bulk import BulkActionKind, bulk_action_register
from supporters.selectors import SupporterAccess

from .services import followup_create


def _fields(volunteers: QuerySet[User]) -> dict[str, forms.Field]:
    return {
        "followup_assignee": forms.ModelChoiceField(
            queryset=volunteers,
            required=False,
            label=gettext_lazy("Follow-up for"),
            empty_label=gettext_lazy("Me"),
        ),
        "followup_date": forms.DateField(
            required=False,
            label=gettext_lazy("Follow up by"),
            widget=forms.DateInput(attrs={"type": "date"}),
        ),
        "followup_reason": forms.CharField(
            required=False, max_length=200, label=gettext_lazy("Why (what to follow up on)")
        ),
    }


def _params(data: dict) -> dict:
    errors = {}
    day = data.get("followup_date")
    if not day:
        errors["followup_date"] = _("Say by when.")
    elif day < timezone.localdate():
        errors["followup_date"] = _("That's in the past: choose today or later.")
    if not (data.get("followup_reason") or "").strip():
        errors["followup_reason"] = _("Say what to follow up on.")
    if errors:
        raise ValidationError(errors)
    assignee = data.get("followup_assignee")
    return {
        "assignee": assignee.pk if assignee else None,
        "due": day.isoformat(),
        "reason": data["followup_reason"].strip(),
    }


def _prepare(params: dict) -> dict:
    assignee = None
    if params.get("assignee") is not None:
        assignee = User.objects.filter(pk=params["assignee"], is_active=True).first()
        if assignee is None:
            raise ValidationError(_("That volunteer is no longer active."))
    due_at = timezone.make_aware(datetime.combine(date.fromisoformat(params["due"]), time(10, 0)))
    return {"assignee": assignee, "due_at": due_at, "reason": params["reason"]}


def _run(*, actor: Actor, access: SupporterAccess, assignee, due_at, reason) -> None:
    # followup_create asks the access model: for oneself anyone who sees them, for someone
    # else their organizers, and the assignee must see the person.
    followup_create(
        actor=actor,
        supporter=access.supporter,
        assignee=assignee or actor,
        due_at=due_at,
        reason=reason,
    )


def register() -> None:
    bulk_action_register(
        BulkActionKind(
            name="followup",
            label=gettext_lazy("Give a follow-up"),
            fields=_fields,
            params=_params,
            prepare=_prepare,
            run=_run,
        )
    )

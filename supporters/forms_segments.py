"""The segment builder: the segment language (``supporters.segments``) by pointing.

``SegmentBuilderForm`` is a form of plain choices whose ``to_filter()`` is the same JSON the
API accepts, an ``and`` of one condition per choice made; nothing here filters anyone
(``segment_supporters`` compiles what it builds, through the visibility rule). The reverse,
``builder_initial``, reads a filter back into the form when it has the builder's shape, so a
segment saved by pointing is edited by pointing, and one written as JSON (``or``, ``not``…)
says so and stays JSON.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .forms import _issue_choices
from .models import Channel, ExternalId, Tag

# The conversations app (above us) hands over its outcomes at app-ready time.
_outcome_choices: list[Callable[[], list[tuple[str, str]]]] = []


def segment_outcome_choices_register(choices: Callable[[], list[tuple[str, str]]]) -> None:
    """``choices()``: the conversation outcomes the builder offers."""
    _outcome_choices[:] = [choices]


SUPPORT_CHOICES = [
    (1, _("1 Strong support")),
    (2, _("2 Lean support")),
    (3, _("3 Undecided")),
    (4, _("4 Lean against")),
    (5, _("5 Strong opposition")),
]
ENGAGEMENT_CHOICES = [("", _("Any"))] + [
    (n, _("%(level)s or more") % {"level": n}) for n in range(1, 6)
]
CONTACTED_CHOICES = [
    ("", _("Either")),
    ("yes", _("Had such a conversation")),
    ("no", _("Had no such conversation")),
]
FOLLOWUP_CHOICES = [
    ("", _("Any")),
    ("open", _("Has an open follow-up")),
    ("overdue", _("Has an overdue follow-up")),
    ("none_open", _("Has no open follow-up")),
    ("done", _("Has a follow-up done")),
]
YES_NO = [("", _("Either")), ("yes", _("Yes")), ("no", _("No"))]


def _ids(rows) -> list[int]:
    return sorted(row.pk for row in rows)


class SegmentBuilderForm(forms.Form):
    """Every field optional; a field left empty adds no condition. Bad values are field
    errors ("A ZIP code or its start: digits only"), never a crash."""

    q = forms.CharField(label=_("Name, phone or email"), required=False, max_length=100)
    team = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Team"), empty_label=_("Any team")
    )
    support_level = forms.TypedMultipleChoiceField(
        label=_("Support level"),
        choices=SUPPORT_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    engagement_min = forms.TypedChoiceField(
        label=_("Engagement"),
        choices=ENGAGEMENT_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    language = forms.CharField(label=_("Language (code, e.g. es)"), required=False, max_length=20)
    tags_any = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Tagged with any of"),
        widget=forms.CheckboxSelectMultiple,
    )
    tags_all = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Tagged with all of"),
        widget=forms.CheckboxSelectMultiple,
    )
    tags_none = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Tagged with none of"),
        widget=forms.CheckboxSelectMultiple,
    )
    issues_any = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Raised any of these issues"),
        widget=forms.CheckboxSelectMultiple,
    )
    issues_none = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Raised none of these issues"),
        widget=forms.CheckboxSelectMultiple,
    )
    contacted = forms.ChoiceField(
        label=_("Conversations"), choices=CONTACTED_CHOICES, required=False
    )
    within_days = forms.IntegerField(
        label=_("…in the last N days"),
        required=False,
        min_value=0,
        max_value=36500,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    outcome = forms.MultipleChoiceField(
        label=_("…with the outcome"), required=False, widget=forms.CheckboxSelectMultiple
    )
    never_contacted = forms.BooleanField(label=_("Never contacted"), required=False)
    followups = forms.ChoiceField(label=_("Follow-ups"), choices=FOLLOWUP_CHOICES, required=False)
    assigned = forms.ChoiceField(label=_("Assigned to a volunteer"), choices=YES_NO, required=False)
    contactable_by = forms.MultipleChoiceField(
        label=_("Contactable by"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    zip = forms.CharField(
        label=_("ZIP code, or its start"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    custom_field_name = forms.CharField(label=_("Custom field"), required=False, max_length=100)
    custom_field_value = forms.CharField(
        label=_("…equals (empty: has the field)"), required=False, max_length=200
    )
    external_system = forms.ChoiceField(
        label=_("Has an id in"),
        choices=[("", _("Any system or none")), *ExternalId.System.choices],
        required=False,
    )
    external_value = forms.CharField(label=_("…and that id is"), required=False, max_length=100)

    def __init__(self, *args, teams: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        tags = Tag.objects.order_by("name")
        for name in ("tags_any", "tags_all", "tags_none"):
            self.fields[name].queryset = tags
        if _issue_choices:
            for name in ("issues_any", "issues_none"):
                self.fields[name].queryset = _issue_choices[0]()
        else:
            del self.fields["issues_any"], self.fields["issues_none"]
        if _outcome_choices:
            self.fields["outcome"].choices = _outcome_choices[0]()
        else:
            del self.fields["outcome"]

    def clean_language(self):
        language = self.cleaned_data["language"].strip()
        if language and not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", language):
            raise forms.ValidationError(_("A language code such as es or pt-BR."))
        return language

    def clean_zip(self):
        zip_code = self.cleaned_data["zip"].strip()
        if zip_code and not re.fullmatch(r"\d{1,5}(-\d{4})?", zip_code):
            raise forms.ValidationError(_("A ZIP code or its start: digits only, up to five."))
        return zip_code

    def clean(self):
        data = super().clean()
        if (
            data.get("custom_field_value", "").strip()
            and not data.get("custom_field_name", "").strip()
        ):
            self.add_error("custom_field_name", _("Name the custom field to compare."))
        if data.get("external_value", "").strip() and not data.get("external_system"):
            self.add_error("external_system", _("Say which system the id is in."))
        conversation_detail = data.get("within_days") is not None or data.get("outcome")
        if data.get("never_contacted") and (conversation_detail or data.get("contacted") == "yes"):
            self.add_error(
                "never_contacted",
                _("Someone never contacted has had no conversations: untick one of the two."),
            )
        if conversation_detail and not data.get("contacted"):
            data["contacted"] = "yes"
        return data

    def to_filter(self) -> dict:
        """The segment language for the choices made (call after ``is_valid()``)."""
        data = self.cleaned_data
        parts: list[dict[str, Any]] = []
        if data.get("q", "").strip():
            parts.append({"search": data["q"].strip()})
        if data.get("team"):
            parts.append({"team": data["team"].pk})
        if data.get("support_level"):
            parts.append({"support_level": {"in": sorted(data["support_level"])}})
        if data.get("engagement_min") is not None:
            parts.append({"engagement_level": {"gte": data["engagement_min"]}})
        if data.get("language"):
            parts.append({"language": data["language"]})
        for mode in ("any", "all", "none"):
            if data.get(f"tags_{mode}"):
                parts.append({"tags": {mode: _ids(data[f"tags_{mode}"])}})
        for mode in ("any", "none"):
            if data.get(f"issues_{mode}"):
                parts.append({"issues": {mode: _ids(data[f"issues_{mode}"])}})
        if data.get("contacted"):
            conversations: dict[str, Any] = {}
            if data.get("within_days") is not None:
                conversations["within_days"] = data["within_days"]
            if data.get("outcome"):
                conversations["outcome"] = sorted(data["outcome"])
            if data["contacted"] == "no":
                conversations["exists"] = False
            parts.append({"conversations": conversations})
        if data.get("never_contacted"):
            parts.append({"never_contacted": True})
        if data.get("followups"):
            parts.append({"followups": {"status": data["followups"]}})
        if data.get("assigned"):
            parts.append({"assigned": data["assigned"] == "yes"})
        for channel in sorted(data.get("contactable_by") or []):
            parts.append({"contactable_by": channel})
        if data.get("zip"):
            zip_code = data["zip"]
            parts.append({"zip": zip_code if len(zip_code) >= 5 else {"prefix": zip_code}})
        if data.get("city", "").strip():
            parts.append({"city": data["city"].strip()})
        if data.get("custom_field_name", "").strip():
            name, value = data["custom_field_name"].strip(), data["custom_field_value"].strip()
            parts.append(
                {
                    "custom_field": {
                        "name": name,
                        **({"equals": value} if value else {"exists": True}),
                    }
                }
            )
        if data.get("external_system"):
            external: dict[str, Any] = {"system": data["external_system"]}
            if data.get("external_value", "").strip():
                external["value"] = data["external_value"].strip()
            parts.append({"external_id": external})
        if not parts:
            return {}
        return parts[0] if len(parts) == 1 else {"and": parts}


def _set_ids(value: Any) -> list[int] | None:
    if (
        isinstance(value, list)
        and value
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return value
    return None


def builder_initial(filter_json: Any) -> dict[str, Any] | None:
    """The builder's fields for a filter it could have built; None when it could not (an
    ``or``, a ``not``, a tag by name, two conditions of one kind the builder makes once…),
    in which case the filter stays JSON."""
    if filter_json == {}:
        return {}
    if not isinstance(filter_json, dict):
        return None
    parts = filter_json["and"] if set(filter_json) == {"and"} else [filter_json]
    if not isinstance(parts, list):
        return None
    initial: dict[str, Any] = {}

    def put(field: str, value: Any) -> bool:
        if field in initial:
            return False
        initial[field] = value
        return True

    for part in parts:
        if not isinstance(part, dict) or len(part) != 1:
            return None
        ((key, value),) = part.items()
        ok = False
        if key == "search" and isinstance(value, str):
            ok = put("q", value)
        elif key == "team" and isinstance(value, int) and not isinstance(value, bool):
            ok = put("team", value)
        elif key == "support_level":
            if isinstance(value, int) and not isinstance(value, bool):
                ok = put("support_level", [value])
            elif isinstance(value, dict) and set(value) == {"in"} and _set_ids(value["in"]):
                ok = put("support_level", value["in"])
        elif key == "engagement_level" and isinstance(value, dict) and set(value) == {"gte"}:
            ok = isinstance(value["gte"], int) and put("engagement_min", value["gte"])
        elif key == "language" and isinstance(value, str):
            ok = put("language", value)
        elif key in ("tags", "issues") and isinstance(value, dict) and len(value) == 1:
            ((mode, ids),) = value.items()
            modes = ("any", "all", "none") if key == "tags" else ("any", "none")
            ok = mode in modes and _set_ids(ids) is not None and put(f"{key}_{mode}", ids)
        elif key == "conversations" and isinstance(value, dict):
            if set(value) <= {"within_days", "outcome", "exists"}:
                exists = value.get("exists", True)
                ok = isinstance(exists, bool) and put("contacted", "yes" if exists else "no")
                if ok and "within_days" in value:
                    ok = put("within_days", value["within_days"])
                if ok and "outcome" in value:
                    outcome = value["outcome"]
                    ok = put("outcome", outcome if isinstance(outcome, list) else [outcome])
        elif key == "never_contacted" and value is True:
            ok = put("never_contacted", True)
        elif key == "followups" and isinstance(value, dict) and set(value) == {"status"}:
            ok = put("followups", value["status"])
        elif key == "assigned" and isinstance(value, bool):
            ok = put("assigned", "yes" if value else "no")
        elif key == "contactable_by" and isinstance(value, str):
            initial.setdefault("contactable_by", []).append(value)
            ok = True
        elif key == "zip":
            if isinstance(value, str):
                ok = put("zip", value)
            elif isinstance(value, dict) and set(value) == {"prefix"}:
                ok = put("zip", value["prefix"])
        elif key == "city" and isinstance(value, str):
            ok = put("city", value)
        elif key == "custom_field" and isinstance(value, dict):
            name, equals = value.get("name"), value.get("equals")
            if set(value) == {"name", "exists"} and value["exists"] is True:
                ok = isinstance(name, str) and put("custom_field_name", name)
            elif set(value) == {"name", "equals"} and isinstance(equals, str) and equals.strip():
                ok = (
                    isinstance(name, str)
                    and put("custom_field_name", name)
                    and put("custom_field_value", equals)
                )
        elif (
            key == "external_id"
            and isinstance(value, dict)
            and set(value) <= {"system", "value"}
            and "system" in value
        ):
            ok = put("external_system", value["system"]) and put(
                "external_value", value.get("value", "")
            )
        if not ok:
            return None
    return initial

"""The form that edits a person: their own fields, contact points, tags, custom fields,
external IDs and relationships with other supporters, as one page.

Fields are built from the person's rows when the form is made. Two habits keep a save from
undoing what it did not mean to touch:

- a field the request leaves out keeps the person's current value (a volunteer's page has no
  name inputs; a row someone else added meanwhile is not in the posted form);
- ``opened`` carries what the form showed, so a save over someone else's newer change
  (``updated_at`` moved) can tell their change from what was typed
  (``SupporterEditForm.merge_theirs``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    ExternalId,
    Relationship,
    Supporter,
    SupporterAddress,
    SupporterEmail,
    SupporterPhone,
    Tag,
)
from .selectors import SupporterAccess

SUPPORT_CHOICES = [
    ("", "Unknown"),
    (1, "1 Strong support"),
    (2, "2 Lean support"),
    (3, "3 Undecided"),
    (4, "4 Lean against"),
    (5, "5 Strong opposition"),
]
ADDRESS_PARTS = ("line1", "line2", "city", "state", "postal_code")
ADDRESS_LABELS = {
    "line1": "Street address",
    "line2": "Apartment, suite…",
    "city": "City",
    "state": "State",
    "postal_code": "ZIP code",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def custom_key_name(key: str) -> str:
    """A form field name for a custom field's key (any characters), stable across saves."""
    return f"custom-{key.encode().hex()}"


def custom_value_text(value: Any) -> str:
    """How a custom field's value is shown for editing: text as text, the rest as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


class SupporterEditForm(forms.Form):
    updated_at = forms.CharField(widget=forms.HiddenInput)
    opened = forms.CharField(widget=forms.HiddenInput, required=False)
    shown_at = forms.CharField(widget=forms.HiddenInput, required=False)
    tags_shown = forms.CharField(widget=forms.HiddenInput, required=False)

    given_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    family_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    preferred_name = forms.CharField(
        label=_("Goes by"),
        max_length=100,
        required=False,
        help_text=_("What they like to be called."),
    )
    pronouns = forms.CharField(label=_("Pronouns"), max_length=40, required=False)
    language = forms.CharField(
        label=_("Language"),
        max_length=16,
        help_text=_("An IETF tag such as en, es or vi."),
        error_messages={"required": _("Their language, please (en when unsure).")},
    )
    support_level = forms.TypedChoiceField(
        label=_("Support level"),
        choices=SUPPORT_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=Tag.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    # The person's own fields, in SUPPORTER_EDITABLE_FIELDS' names.
    SCALARS = (
        "given_name",
        "family_name",
        "preferred_name",
        "pronouns",
        "language",
        "support_level",
    )

    def __init__(
        self,
        data=None,
        *,
        access: SupporterAccess,
        phones: list[SupporterPhone],
        emails: list[SupporterEmail],
        addresses: list[SupporterAddress],
        external_ids: list[ExternalId],
        relationships: list[Relationship],
    ):
        self.access = access
        supporter: Supporter = access.supporter
        self.supporter = supporter
        self.phones, self.emails, self.addresses = phones, emails, addresses
        self.external_ids, self.relationships = external_ids, relationships
        super().__init__(data)
        self.fields["tags"].queryset = Tag.objects.order_by("name")
        self.fields["language"].widget.attrs["list"] = "languages"
        self.current: dict[str, str] = {}  # field name → the person's value now, as text

        for name in self.SCALARS:
            self.current[name] = _text(getattr(supporter, name))
        for phone in phones:
            self._add(f"phone-{phone.pk}-number", forms.CharField(label=_("Phone"), max_length=40))
            self._add(
                f"phone-{phone.pk}-kind",
                forms.ChoiceField(label=_("Kind"), choices=SupporterPhone.Kind.choices),
            )
            self._add(
                f"phone-{phone.pk}-remove", forms.BooleanField(label=_("Remove"), required=False)
            )
            self.current[f"phone-{phone.pk}-number"] = phone.number
            self.current[f"phone-{phone.pk}-kind"] = phone.kind
        self._add(
            "phone-new-number",
            forms.CharField(label=_("Add a phone"), max_length=40, required=False),
        )
        self._add(
            "phone-new-kind",
            forms.ChoiceField(label=_("Kind"), choices=SupporterPhone.Kind.choices, required=False),
        )
        for email in emails:
            self._add(
                f"email-{email.pk}-address", forms.CharField(label=_("Email"), max_length=254)
            )
            self._add(
                f"email-{email.pk}-remove", forms.BooleanField(label=_("Remove"), required=False)
            )
            self.current[f"email-{email.pk}-address"] = email.address
        self._add(
            "email-new-address",
            forms.CharField(label=_("Add an email"), max_length=254, required=False),
        )
        for address in [*addresses, None]:
            key = address.pk if address is not None else "new"
            for part in ADDRESS_PARTS:
                limit = SupporterAddress._meta.get_field(part).max_length
                label = ADDRESS_LABELS[part]
                if address is None and part == "line1":
                    label = _("Add an address: street")
                self._add(
                    f"address-{key}-{part}",
                    forms.CharField(
                        label=label,
                        max_length=limit,
                        required=address is not None and part == "line1",
                    ),
                )
                if address is not None:
                    self.current[f"address-{key}-{part}"] = getattr(address, part)
            if address is not None:
                self._add(
                    f"address-{key}-remove", forms.BooleanField(label=_("Remove"), required=False)
                )

        for key, value in (supporter.custom_fields or {}).items():
            name = custom_key_name(key)
            self._add(name, forms.CharField(label=key, required=False, max_length=1000))
            self.current[name] = custom_value_text(value)
        self._add(
            "custom-new-key", forms.CharField(label=_("New field"), max_length=60, required=False)
        )
        self._add(
            "custom-new-value",
            forms.CharField(label=_("Its value"), max_length=1000, required=False),
        )

        for external in external_ids:
            self._add(
                f"external-{external.pk}-value",
                forms.CharField(label=external.get_system_display(), max_length=100),
            )
            self._add(
                f"external-{external.pk}-remove",
                forms.BooleanField(label=_("Remove"), required=False),
            )
            self.current[f"external-{external.pk}-value"] = external.value
        taken = {external.system for external in external_ids}
        self._add(
            "external-new-system",
            forms.ChoiceField(
                label=_("Add an id in"),
                required=False,
                choices=[("", "—")]
                + [
                    (value, label)
                    for value, label in ExternalId.System.choices
                    if value not in taken
                ],
            ),
        )
        self._add(
            "external-new-value", forms.CharField(label=_("Id"), max_length=100, required=False)
        )

        for relationship in relationships:
            self._add(
                f"relationship-{relationship.pk}-end",
                forms.BooleanField(label=_("End"), required=False),
            )
        self._add(
            "relationship-new-person",
            forms.CharField(
                label=_("Relate to"),
                max_length=100,
                required=False,
                help_text=_("Their number (#123) or their full name."),
            ),
        )
        self._add(
            "relationship-new-kind",
            forms.ChoiceField(
                label=_("As"), required=False, choices=[("", "—"), *Relationship.Kind.choices]
            ),
        )
        self._add(
            "relationship-new-note",
            forms.CharField(label=_("Note"), max_length=200, required=False),
        )

        tag_ids = sorted(tagging.tag_id for tagging in supporter.taggings.all())
        self.initial = {
            **self.current,
            "updated_at": supporter.updated_at.isoformat(),
            "opened": json.dumps(self.current, sort_keys=True),
            "shown_at": timezone.now().isoformat(),
            "tags_shown": ",".join(str(pk) for pk in tag_ids),
            "tags": tag_ids,
            **{f"phone-{phone.pk}-kind": phone.kind for phone in phones},
            "phone-new-kind": SupporterPhone.Kind.UNKNOWN,
        }
        if self.is_bound:
            # A field the request leaves out keeps its value now: the fields a viewer may
            # not edit are not inputs on their page, and rows added by someone else since
            # the form was shown are not in it.
            self.data = self.data.copy()
            for name, value in self.current.items():
                if name not in self.data:
                    self.data[name] = value
                # The conflict page's choice: "theirs" puts their value back.
                if self.data.get(f"keep-{name}") == "theirs":
                    self.data[name] = value
        self.theirs: dict[str, str] = {}  # conflicting fields → their value (merge_theirs)
        self.lost: list[str] = []  # typed values for rows someone else removed meanwhile

    def _add(self, name: str, field: forms.Field) -> None:
        # The right keyboard on a phone for numbers, emails and ZIP codes.
        if name.endswith("-number"):
            field.widget.attrs.update(type="tel", inputmode="tel", autocomplete="off")
        elif name.endswith("-address"):
            field.widget.attrs.update(type="email", inputmode="email", autocomplete="off")
        elif name.endswith("-postal_code"):
            field.widget.attrs.update(inputmode="numeric")
        self.fields[name] = field

    # --- what the viewer may change ------------------------------------------------------

    def may(self, name: str) -> bool:
        """Whether the viewer may change the field ``name`` (``may_edit_field``)."""
        kind = name.split("-", 1)[0]
        group = {
            "phone": "phones",
            "email": "emails",
            "address": "addresses",
            "external": "external_ids",
            "custom": "custom_fields",
        }.get(kind, name)
        return self.access.may_edit_field(group)

    # --- validation ----------------------------------------------------------------------

    def clean(self):
        data = super().clean()
        names = {
            name: (data.get(name) or "").strip()
            for name in ("given_name", "family_name", "preferred_name")
        }
        if not any(names.values()) and not self.has_error("given_name"):
            self.add_error("given_name", "A person keeps at least one name.")
        for name, value in list(data.items()):
            if name.endswith("-number") and value:
                if len(re.sub(r"\D", "", value)) < 7:
                    self.add_error(name, "A phone number needs at least 7 digits.")
            elif name.endswith("-address") and value:
                try:
                    validate_email(value.strip())
                except forms.ValidationError:
                    self.add_error(name, "That doesn't look like an email address.")
            elif name.endswith("-postal_code") and value:
                if not re.fullmatch(r"\d{5}(-\d{4})?", value.strip()):
                    self.add_error(name, "A ZIP code is five digits (or ZIP+4).")
            elif (
                name.endswith("-state")
                and value
                and not re.fullmatch(r"[A-Za-z]{2}", value.strip())
            ):
                self.add_error(name, "A state is its two-letter code, such as IL.")
        new_address = [data.get(f"address-new-{part}", "") for part in ADDRESS_PARTS]
        if any(new_address) and not data.get("address-new-line1"):
            self.add_error("address-new-line1", "The street, please.")
        if data.get("custom-new-value") and not data.get("custom-new-key", "").strip():
            self.add_error("custom-new-key", "Name the field.")
        if data.get("custom-new-key", "").strip() in (self.supporter.custom_fields or {}):
            self.add_error("custom-new-key", "They already have this field; change it above.")
        if bool(data.get("external-new-system")) != bool(
            data.get("external-new-value", "").strip()
        ):
            self.add_error(
                "external-new-value" if data.get("external-new-system") else "external-new-system",
                "Choose the system and type the id.",
            )
        if data.get("relationship-new-person", "").strip() and not data.get(
            "relationship-new-kind"
        ):
            self.add_error("relationship-new-kind", "Say how they are related.")
        data["custom_fields"] = self._custom_fields(data)
        return data

    def _custom_fields(self, data: dict) -> dict[str, Any] | None:
        result: dict[str, Any] = {}
        for key, value in (self.supporter.custom_fields or {}).items():
            name = custom_key_name(key)
            text = data.get(name, "")
            if text is None or text == "":
                continue  # emptied: the field goes
            if text == custom_value_text(value):
                result[key] = value
            elif isinstance(value, str):
                result[key] = text
            else:
                try:
                    result[key] = json.loads(text)
                except ValueError:
                    self.add_error(name, "This field held a number, list or yes/no; type one.")
        new_key = (data.get("custom-new-key") or "").strip()
        if new_key and data.get("custom-new-value"):
            result[new_key] = data["custom-new-value"]
        return result

    # --- a save over someone else's newer change -----------------------------------------

    def merge_theirs(self) -> None:
        """Called when the person changed after the form was shown: take their change where
        only they changed a field, keep what was typed where only the viewer did, and where
        both did, keep what was typed and show theirs beside it (``theirs``), for the viewer
        to choose (a ``keep-<field>`` choice). The form then carries the new ``updated_at``,
        so saving it again saves."""
        try:
            opened = json.loads(self.data.get("opened") or "{}")
        except ValueError:
            opened = {}
        data = self.data
        for name, now in self.current.items():
            typed = data.get(name, "")
            was = opened.get(name, now)
            if now == was:
                continue
            if typed == was:
                data[name] = now
            elif typed != now:
                self.theirs[name] = now
                self.data.setdefault(f"keep-{name}", "mine")
                self.fields[f"keep-{name}"] = forms.ChoiceField(
                    label=_("Keep which %(field)s?")
                    % {"field": str(self.fields[name].label).lower()},
                    choices=[("mine", _("What I typed")), ("theirs", _("Theirs"))],
                    initial="mine",
                    widget=forms.RadioSelect,
                    required=False,
                )
        for name, was in opened.items():
            if name not in self.current and data.get(name) and data.get(name) != was:
                self.lost.append(data[name])
        # Tags: what the viewer ticked and unticked, applied to the person's tags now.
        shown = {pk for pk in (data.get("tags_shown") or "").split(",") if pk}
        ticked = set(data.getlist("tags"))
        now_tags = {str(pk) for pk in self.initial["tags"]}
        data.setlist("tags", sorted((now_tags | (ticked - shown)) - (shown - ticked)))
        data["tags_shown"] = self.initial["tags_shown"]
        data["updated_at"] = self.supporter.updated_at.isoformat()
        data["opened"] = json.dumps(self.current, sort_keys=True)
        data["shown_at"] = self.initial["shown_at"]

    # --- what the page shows -------------------------------------------------------------

    def entry(self, name: str) -> dict[str, Any]:
        """One input for the template: the bound field, whether the viewer may change it
        (else the page shows the value as text), and on a conflict page their value and the
        choice between theirs and what was typed."""
        keep = f"keep-{name}"
        current = self.current.get(name, "")
        if name == "support_level" and current:
            current = dict(SUPPORT_CHOICES).get(int(current), current)
        return {
            "field": self[name],
            "may": self.may(name),
            "current": current,
            "theirs": self.theirs.get(name),
            "keep": self[keep] if keep in self.fields else None,
        }

    def details(self) -> list[dict[str, Any]]:
        return [self.entry(name) for name in self.SCALARS]

    def phone_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "row": phone,
                "entries": [self.entry(f"phone-{phone.pk}-{part}") for part in ("number", "kind")],
                "remove": self[f"phone-{phone.pk}-remove"],
            }
            for phone in self.phones
        ]

    def email_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "row": email,
                "entries": [self.entry(f"email-{email.pk}-address")],
                "remove": self[f"email-{email.pk}-remove"],
            }
            for email in self.emails
        ]

    def address_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "row": address,
                "entries": [self.entry(f"address-{address.pk}-{part}") for part in ADDRESS_PARTS],
                "remove": self[f"address-{address.pk}-remove"],
            }
            for address in self.addresses
        ]

    def new_address(self) -> list[Any]:
        return [self[f"address-new-{part}"] for part in ADDRESS_PARTS]

    def custom_rows(self) -> list[dict[str, Any]]:
        return [self.entry(custom_key_name(key)) for key in (self.supporter.custom_fields or {})]

    def external_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "row": external,
                "entries": [self.entry(f"external-{external.pk}-value")],
                "remove": self[f"external-{external.pk}-remove"],
            }
            for external in self.external_ids
        ]

    def relationship_rows(self) -> list[dict[str, Any]]:
        return [
            {"row": relationship, "end": self[f"relationship-{relationship.pk}-end"]}
            for relationship in self.relationships
        ]

    def may_edit_details(self) -> bool:
        return self.access.can_organize

    def new_fields(self) -> dict[str, Any]:
        """The inputs that add a row, by names a template can spell (``phone_number``…)."""
        return {
            name.replace("-new-", "_").replace("-", "_"): self[name]
            for name in self.fields
            if "-new-" in name and not name.startswith("address-")
        }

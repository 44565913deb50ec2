"""One row's cells, under a mapping → what it says about a person, or its errors.

Every problem is an error with the column's header and a reason the person can act on
("“a@” is not an email address"); a row with an error is not imported, the others are.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from nameparser import HumanName

from ..enrichment.phones import enrich_phone
from ..models import Channel, SupporterPhone

TRUE_WORDS = {
    "1", "y", "yes", "true", "x", "t", "si", "sí", "unsubscribed", "opted out", "optout",
    "do not contact", "dnc", "bouncing",
}  # fmt: skip
FALSE_WORDS = {"", "0", "n", "no", "false", "f", "subscribed", "opted in"}
NAME_LIMIT = 100


@dataclass
class PersonRow:
    number: int
    given_name: str = ""
    family_name: str = ""
    preferred_name: str = ""
    pronouns: str = ""
    language: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[tuple[str, str, str]] = field(default_factory=list)  # (as typed, kind, E.164)
    address: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    support_level: int | None = None
    do_not_contact: set[str] = field(default_factory=set)
    custom_fields: dict[str, str] = field(default_factory=dict)
    external_ids: dict[str, str] = field(default_factory=dict)
    known_by: str = ""
    notes: str = ""
    last_contacted: str = ""
    overwrite: set[str] = field(default_factory=set)
    errors: list[dict[str, str]] = field(default_factory=list)

    def error(self, column: str, reason: str) -> None:
        self.errors.append({"column": column, "reason": reason})

    @property
    def has_name(self) -> bool:
        return bool(self.given_name or self.family_name or self.preferred_name)

    @property
    def zip5(self) -> str:
        return re.sub(r"\D", "", self.address.get("postal_code", ""))[:5]


def _truthy(value: str) -> bool | None:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def person_row(number: int, values: list[str], headers: list[str], mapping: dict) -> PersonRow:
    """Read one row. Cells past the last header must be empty (a row of 500 cells is an
    error on that row, not a new column)."""
    row = PersonRow(number=number)
    if values == ["\x00unreadable"]:
        row.error("", _("This row cannot be read (a quote is not closed)."))
        return row
    if len(values) > len(headers) and any(v.strip() for v in values[len(headers) :]):
        row.error(
            "",
            _("This row has %(cells)s cells but the header names %(columns)s columns.")
            % {"cells": len(values), "columns": len(headers)},
        )
        return row
    for position, header in enumerate(headers):
        choice = mapping.get(header) or {}
        target = choice.get("target", "")
        value = values[position].strip() if position < len(values) else ""
        if not target or not value:
            continue
        if choice.get("overwrite"):
            row.overwrite.add("given_name" if target == "full_name" else target)
            if target == "full_name":
                row.overwrite.add("family_name")
        _apply(row, header, target, value)
    return row


def _apply(row: PersonRow, header: str, target: str, value: str) -> None:
    if target in ("given_name", "family_name", "preferred_name", "pronouns"):
        limit = 40 if target == "pronouns" else NAME_LIMIT
        if len(value) > limit:
            row.error(header, _("Longer than %(limit)s characters.") % {"limit": limit})
        else:
            setattr(row, target, value)
    elif target == "full_name":
        name = HumanName(value)
        row.given_name = row.given_name or name.first
        row.family_name = row.family_name or " ".join(p for p in (name.last, name.suffix) if p)
    elif target == "email":
        try:
            validate_email(value)
        except ValidationError:
            row.error(header, _("“%(value)s” is not an email address.") % {"value": value[:80]})
        else:
            if value.lower() not in (e.lower() for e in row.emails):
                row.emails.append(value)
    elif target in ("phone", "phone_mobile", "phone_landline"):
        result = enrich_phone(value)
        if not result.is_valid:
            row.error(header, _("“%(value)s” is not a phone number.") % {"value": value[:40]})
        else:
            kind = {
                "phone_mobile": SupporterPhone.Kind.MOBILE,
                "phone_landline": SupporterPhone.Kind.LANDLINE,
            }.get(target, SupporterPhone.Kind.UNKNOWN)
            if result.e164 not in (p[2] for p in row.phones):
                row.phones.append((value[:40], kind, result.e164))
    elif target == "address_line1":
        row.address["line1"] = value[:200]
    elif target == "address_line2":
        row.address["line2"] = value[:200]
    elif target == "city":
        row.address["city"] = value[:100]
    elif target == "state":
        if len(value) != 2 or not value.isalpha():
            row.error(header, _("Use the two-letter state code (“%(value)s”).") % {"value": value})
        else:
            row.address["state"] = value.upper()
    elif target == "postal_code":
        digits = re.sub(r"[^0-9-]", "", value)
        if len(value) == 4 and value.isdigit():
            digits = "0" + value  # Excel drops the leading zero of 02134
        if len(digits.replace("-", "")) not in (5, 9):
            row.error(header, _("“%(value)s” is not a ZIP code.") % {"value": value[:20]})
        else:
            row.address["postal_code"] = digits[:10]
    elif target == "language":
        row.language = value.lower()[:16]
    elif target == "tags":
        for name in re.split(r"[,;|]", value):
            if name.strip() and name.strip()[:80] not in row.tags:
                row.tags.append(name.strip()[:80])
    elif target == "support_level":
        try:
            level = int(float(value))
        except ValueError:
            level = 0
        if not 1 <= level <= 5:
            row.error(header, _("Support level is 1 (strong support) to 5; not “%(value)s”.")
                      % {"value": value[:20]})  # fmt: skip
        else:
            row.support_level = level
    elif target.startswith("dnc_"):
        flag = _truthy(value)
        if flag is None:
            row.error(header, _("Say yes or no (“%(value)s”).") % {"value": value[:20]})
        elif flag:
            channel = target[4:]
            row.do_not_contact |= {c.value for c in Channel} if channel == "all" else {channel}
    elif target.startswith("custom:"):
        row.custom_fields[target[7:]] = value[:500]
    elif target.startswith("external_id:"):
        if len(value) > 100:
            row.error(header, _("An id is at most 100 characters."))
        else:
            row.external_ids[target[12:]] = value
    elif target == "known_by":
        row.known_by = value.lower()
    elif target == "notes":
        row.notes = value[:5000]
    elif target == "last_contacted":
        for form in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%d.%m.%Y"):
            try:
                row.last_contacted = datetime.datetime.strptime(value[:10], form).date().isoformat()
                break
            except ValueError:
                continue
        else:
            row.error(header, _("“%(value)s” is not a date (use 2026-11-30).") % {"value": value})

"""Column mapping: what each header becomes, guessed from the exports people bring.

A mapping is ``{header: {"target": TARGET, "overwrite": bool}}``. Targets are the names in
``TARGETS``, plus ``custom:<field>`` (a custom field) and ``external_id:<system>`` (an id in
another system, one of ``ExternalId.System``). ``overwrite`` lets a typed field of a matched
person be replaced; without it an import only fills what is empty.

The guesses come from the header rows of the tools' documented exports: VAN ("VANID",
"Voter File VANID", "Cell Phone", "Zip5"…), Action Network ("uuid", "can2_phone",
"can2_user_address"…), NationBuilder ("nationbuilder_id", "primary_zip", "tag_list"…) and
Mobilize ("First name", "Zip"…).
"""

from __future__ import annotations

import hashlib
import json
import re

from django.utils.translation import gettext_lazy as _

from ..models import Channel, ExternalId

TARGETS: dict[str, object] = {
    "": _("Leave out"),
    "given_name": _("First name"),
    "family_name": _("Last name"),
    "full_name": _("Full name (split into first and last)"),
    "preferred_name": _("Preferred name"),
    "pronouns": _("Pronouns"),
    "email": _("Email"),
    "phone": _("Phone"),
    "phone_mobile": _("Mobile phone"),
    "phone_landline": _("Landline phone"),
    "address_line1": _("Street address"),
    "address_line2": _("Apartment, suite"),
    "city": _("City"),
    "state": _("State"),
    "postal_code": _("ZIP code"),
    "language": _("Language"),
    "tags": _("Tags (separated by commas)"),
    "support_level": _("Support level (1 to 5)"),
    "dnc_all": _("Do not contact (any channel)"),
    **{
        f"dnc_{channel.value}": _("Do not contact: %(channel)s") % {"channel": channel.label}
        for channel in Channel
    },
    "known_by": _("Known by (a volunteer's email)"),
    "notes": _("Notes"),
    "last_contacted": _("Date of last contact"),
}
for _system in ExternalId.System:
    TARGETS[f"external_id:{_system.value}"] = _("ID in %(system)s") % {"system": _system.label}

# Typed fields of the person that a matched person keeps unless the mapping says overwrite.
OVERWRITABLE = {
    "given_name",
    "family_name",
    "full_name",
    "preferred_name",
    "pronouns",
    "language",
    "support_level",
}


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


# Normalised header → target. Written from the tools' public export documentation.
GUESSES: dict[str, str] = {
    # VAN (and EveryAction) exports
    "vanid": "external_id:van",
    "voterfilevanid": "external_id:voter_file",
    "myvvanid": "external_id:van",
    "mycampaignid": "external_id:van",
    "statefileid": "external_id:voter_file",
    "firstname": "given_name",
    "lastname": "family_name",
    "nickname": "preferred_name",
    "address": "address_line1",
    "streetaddress": "address_line1",
    "addressline1": "address_line1",
    "addressline2": "address_line2",
    "apt": "address_line2",
    "city": "city",
    "state": "state",
    "stateorprovince": "state",
    "zip5": "postal_code",
    "zip": "postal_code",
    "zipcode": "postal_code",
    "zippostal": "postal_code",
    "postalcode": "postal_code",
    "cellphone": "phone_mobile",
    "mobilephone": "phone_mobile",
    "homephone": "phone_landline",
    "phone": "phone",
    "phonenumber": "phone",
    "preferredphone": "phone",
    "email": "email",
    "emailaddress": "email",
    "preferredemail": "email",
    "personalemail": "email",
    "language": "language",
    "preferredlanguage": "language",
    "pronouns": "pronouns",
    "notes": "notes",
    "note": "notes",
    "datecanvassed": "last_contacted",
    "lastcontacted": "last_contacted",
    "lastcontactdate": "last_contacted",
    # Action Network
    "uuid": "external_id:action_network",
    "actionnetworkid": "external_id:action_network",
    "can2phone": "phone",
    "can2useraddress": "address_line1",
    "can2usercity": "city",
    "can2stateabbreviated": "state",
    "can2smsstatus": "dnc_text",
    "can2subscriptionstatus": "dnc_email",
    "can2usertags": "tags",
    # NationBuilder
    "nationbuilderid": "external_id:nationbuilder",
    "nbid": "external_id:nationbuilder",
    "email1": "email",
    "mobilenumber": "phone_mobile",
    "primaryaddress1": "address_line1",
    "primaryaddress2": "address_line2",
    "primarycity": "city",
    "primarystate": "state",
    "primaryzip": "postal_code",
    "taglist": "tags",
    "tags": "tags",
    "supportlevel": "support_level",
    "donotcall": "dnc_call",
    "donotcontact": "dnc_all",
    "vanid1": "external_id:van",
    "civicrmid": "external_id:civicrm",
    # Mobilize exports use the plain names above ("First name", "Zip", "Phone", "Email").
}


def guess_target(header: str) -> str:
    """The target a header most likely means; "" (leave out) when unknown."""
    key = _key(header)
    if key in GUESSES:
        return GUESSES[key]
    if key.startswith(("do not", "donot")) and any(c.value in key for c in Channel):
        channel = next(c.value for c in Channel if c.value in key)
        return f"dnc_{channel}"
    return ""


def guess_mapping(headers: list[str], saved: dict | None = None) -> dict[str, dict]:
    """A mapping for these headers: a saved one's choice where it names the header, else
    the guess. Every header appears, so the page shows each with its choice."""
    saved = saved or {}
    mapping = {}
    for header in headers:
        if header in saved and saved[header].get("target", "") in TARGETS:
            mapping[header] = {
                "target": saved[header]["target"],
                "overwrite": bool(saved[header].get("overwrite")),
            }
        else:
            mapping[header] = {"target": guess_target(header), "overwrite": False}
    return mapping


def mapping_clean(headers: list[str], columns: dict) -> dict[str, dict]:
    """A mapping as sent (``{header: target}`` or ``{header: {target, overwrite}}``), checked.

    Raises ValueError with a message per header that names an unknown target; headers the
    file does not have are refused too, so a saved mapping for another file is not silently
    half-applied."""
    problems = {}
    clean = {}
    for header, choice in (columns or {}).items():
        if isinstance(choice, str):
            choice = {"target": choice}
        if not isinstance(choice, dict):
            problems[header] = str(_("Give a target name."))
            continue
        target = str(choice.get("target") or "")
        if header not in headers:
            problems[header] = str(_("The file has no column with this name."))
        elif target.startswith("custom:") and len(target) > 7:
            clean[header] = {"target": target[:87], "overwrite": bool(choice.get("overwrite"))}
        elif target not in TARGETS:
            problems[header] = str(_("Unknown target %(target)s.") % {"target": target})
        else:
            clean[header] = {"target": target, "overwrite": bool(choice.get("overwrite"))}
    if problems:
        raise ValueError(problems)
    for header in headers:
        clean.setdefault(header, {"target": "", "overwrite": False})
    return clean


def mapping_hash(mapping: dict) -> str:
    used = {h: c for h, c in mapping.items() if c.get("target")}
    return hashlib.sha256(json.dumps(used, sort_keys=True).encode()).hexdigest()

"""People both ways: a Supporter as an OSDI person, and an OSDI person (or signup) as writes.

Mapping (OSDI → Earshot):

- ``given_name``, ``family_name`` → the supporter's names (a person needs one of them);
- ``languages_spoken[0]`` → ``language``;
- ``email_addresses[]`` (``address``, ``primary``, ``status``) → emails, added when new;
  ``status: unsubscribed`` → do not contact by email;
- ``phone_numbers[]`` (``number``, ``number_type``, ``status``) → phones (Mobile → mobile,
  Home/Work/Landline → landline); ``status: unsubscribed`` → do not contact by text;
- ``postal_addresses[]`` (``address_lines``, ``locality``, ``region``, ``postal_code``,
  ``country``) → addresses;
- ``custom_fields`` → ``custom_fields``, merged key by key.

Contact points are only ever added, never replaced (what people typed stays), and OSDI
never lifts a do-not-contact flag: only a person in Earshot does that.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from organizing.api.osdi.base import identifiers, osdi_date
from organizing.models import Team, User
from supporters import services
from supporters.models import Channel, Supporter, SupporterPhone, Tag
from supporters.selectors import supporter_list, team_for_new_person

READ_ONLY_FIELDS = {"identifiers", "created_date", "modified_date", "_links", "_embedded"}
PERSON_FIELDS = {
    "given_name",
    "family_name",
    "languages_spoken",
    "email_addresses",
    "phone_numbers",
    "postal_addresses",
    "custom_fields",
}
PHONE_KINDS = {
    "mobile": SupporterPhone.Kind.MOBILE,
    "cell": SupporterPhone.Kind.MOBILE,
    "home": SupporterPhone.Kind.LANDLINE,
    "work": SupporterPhone.Kind.LANDLINE,
    "landline": SupporterPhone.Kind.LANDLINE,
}


def person_queryset(viewer: User):
    return supporter_list(viewer=viewer).prefetch_related(
        "emails", "phones", "addresses", "do_not_contact"
    )


def person_represent(view, supporter: Supporter) -> dict:
    """A supporter as an OSDI person (emails, phones, addresses and consent prefetched)."""
    blocked = {flag.channel for flag in supporter.do_not_contact.all()}
    return {
        "identifiers": identifiers(supporter.pk),
        "created_date": osdi_date(supporter.created_at),
        "modified_date": osdi_date(supporter.updated_at),
        "given_name": supporter.given_name,
        "family_name": supporter.family_name,
        "languages_spoken": [supporter.language] if supporter.language else [],
        "email_addresses": [
            {
                "primary": email.is_primary,
                "address": email.address,
                "status": "unsubscribed" if Channel.EMAIL in blocked else "subscribed",
            }
            for email in supporter.emails.all()
        ],
        "phone_numbers": [
            {
                "primary": phone.is_primary,
                "number": phone.number,
                "number_type": {"mobile": "Mobile", "landline": "Home"}.get(phone.kind, "Other"),
                "status": "unsubscribed" if Channel.TEXT in blocked else "subscribed",
            }
            for phone in supporter.phones.all()
        ],
        "postal_addresses": [
            {
                "primary": address.is_primary,
                "address_lines": [line for line in (address.line1, address.line2) if line],
                "locality": address.city,
                "region": address.state,
                "postal_code": address.postal_code,
                "country": address.country,
            }
            for address in supporter.addresses.all()
        ],
        "custom_fields": supporter.custom_fields or {},
        "_links": {
            "self": {"href": view.url("person", supporter.pk)},
            "osdi:taggings": {"href": view.url("person_taggings", supporter.pk)},
        },
    }


# --- reading a person from a request -----------------------------------------------------------


def _text(value: Any, path: str, max_length: int, errors: dict) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[path] = [_("Must be a string.")]
        return ""
    if "\x00" in value:
        errors[path] = [_("Null characters are not allowed.")]
        return ""
    if len(value.strip()) > max_length:
        errors[path] = [_("At most %(max)d characters.") % {"max": max_length}]
        return ""
    return value.strip()


def _objects(value: Any, path: str, errors: dict) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        errors[path] = [_("Must be a list of objects.")]
        return []
    if len(value) > 20:
        errors[path] = [_("At most 20.")]
        return []
    return value


def person_parse(person: Any, *, path: str = "") -> dict:
    """Validate an OSDI person; returns what to write. Raises ValidationError by field."""
    if not isinstance(person, dict):
        raise ValidationError(
            {path.rstrip(".") or "non_field_errors": [_("Must be a JSON object (a person).")]}
        )
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(person) - PERSON_FIELDS - READ_ONLY_FIELDS)
    for name in unknown:
        errors[f"{path}{name}"] = [_("Unknown field.")]
    parsed: dict[str, Any] = {"emails": [], "phones": [], "addresses": [], "block": set()}
    for name in ("given_name", "family_name"):
        if name in person:
            parsed[name] = _text(person[name], f"{path}{name}", 100, errors)
    if "languages_spoken" in person:
        languages = person["languages_spoken"]
        if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
            errors[f"{path}languages_spoken"] = [_("Must be a list of language tags.")]
        elif languages:
            parsed["language"] = _text(languages[0], f"{path}languages_spoken", 16, errors)
    for index, email in enumerate(_objects(person.get("email_addresses"), "email", errors)):
        where = f"{path}email_addresses[{index}]"
        address = _text(email.get("address"), f"{where}.address", 254, errors)
        try:
            validate_email(address)
        except DjangoValidationError:
            errors.setdefault(f"{where}.address", [_("Not an email address.")])
            continue
        parsed["emails"].append(address)
        if email.get("status") == "unsubscribed":
            parsed["block"].add(Channel.EMAIL)
    for index, phone in enumerate(_objects(person.get("phone_numbers"), "phone", errors)):
        where = f"{path}phone_numbers[{index}]"
        number = phone.get("number")
        number = str(number) if isinstance(number, int) else number
        number = _text(number, f"{where}.number", 40, errors)
        if not number:
            errors.setdefault(f"{where}.number", [_("Required.")])
            continue
        kind_name = phone.get("number_type")
        kind = (
            PHONE_KINDS.get(kind_name.lower(), SupporterPhone.Kind.UNKNOWN)
            if isinstance(kind_name, str)
            else SupporterPhone.Kind.UNKNOWN
        )
        parsed["phones"].append((number, kind))
        if phone.get("status") == "unsubscribed":
            parsed["block"].add(Channel.TEXT)
    for index, address in enumerate(_objects(person.get("postal_addresses"), "postal", errors)):
        where = f"{path}postal_addresses[{index}]"
        lines = address.get("address_lines") or []
        if not isinstance(lines, list) or len(lines) > 2:
            errors[f"{where}.address_lines"] = [_("A list of at most two lines.")]
            continue
        fields = {
            "line1": _text(lines[0] if lines else "", f"{where}.address_lines", 200, errors),
            "line2": _text(
                lines[1] if len(lines) > 1 else "", f"{where}.address_lines", 200, errors
            ),
            "city": _text(address.get("locality"), f"{where}.locality", 100, errors),
            "state": _text(address.get("region"), f"{where}.region", 2, errors).upper(),
            "postal_code": _text(address.get("postal_code"), f"{where}.postal_code", 10, errors),
            "country": _text(address.get("country"), f"{where}.country", 2, errors).upper() or "US",
        }
        parsed["addresses"].append(fields)
    for name, where in (
        ("email", "email_addresses"),
        ("phone", "phone_numbers"),
        ("postal", "postal_addresses"),
    ):
        if name in errors:
            errors[f"{path}{where}"] = errors.pop(name)
    if "custom_fields" in person:
        custom = person["custom_fields"]
        if not isinstance(custom, dict):
            errors[f"{path}custom_fields"] = [_("Must be an object of names to values.")]
        else:
            for key, value in custom.items():
                if "\x00" in key or (isinstance(value, str) and "\x00" in value):
                    errors[f"{path}custom_fields"] = [_("Null characters are not allowed.")]
                elif len(key) > 100:
                    errors[f"{path}custom_fields"] = [_("Names are at most 100 characters.")]
                elif not (value is None or isinstance(value, str | int | float | bool)):
                    errors[f"{path}custom_fields.{key}"] = [_("Must be a plain value.")]
                elif isinstance(value, str) and len(value) > 1000:
                    errors[f"{path}custom_fields.{key}"] = [_("At most 1000 characters.")]
            parsed["custom_fields"] = custom
    if errors:
        raise ValidationError(errors)
    return parsed


def tags_named(names: Any, field: str) -> list[Tag]:
    if names is None:
        return []
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ValidationError({field: [_("Must be a list of tag names.")]})
    if any("\x00" in name or len(name) > 80 for name in names):
        raise ValidationError({field: [_("Tag names are at most 80 characters, without nulls.")]})
    names = [name.strip() for name in names if name.strip()]
    if not names:
        return []
    query = Q()
    for name in names:
        query |= Q(name__iexact=name)
    tags = list(Tag.objects.filter(query))
    known = {tag.name.lower() for tag in tags}
    missing = sorted({name for name in names if name.lower() not in known})
    if missing:
        raise ValidationError(
            {field: [_("No such tags: %(tags)s. Add them first.") % {"tags": ", ".join(missing)}]}
        )
    return tags


# --- writing -----------------------------------------------------------------------------------


def osdi_team_for(user: User) -> Team:
    """The team new people join: the one rule of ``supporters.selectors.team_for_new_person``
    (OSDI_DEFAULT_TEAM, else the key owner's first team; an error that names the fix)."""
    return team_for_new_person(viewer=user)


def person_apply(
    *,
    actor: User,
    supporter: Supporter | None,
    parsed: dict,
    add_tags: list[Tag] = (),
    remove_tags: list[Tag] = (),
) -> tuple[Supporter, bool]:
    """Create (``supporter`` None) or update a person through the supporter services."""
    with transaction.atomic():
        created = supporter is None
        if created:
            if not (parsed.get("given_name") or parsed.get("family_name")):
                raise ValidationError(
                    {"given_name": [_("A new person needs a given_name or a family_name.")]}
                )
            team = osdi_team_for(actor)
            supporter = services.supporter_create(
                actor=actor,
                team=team,
                given_name=parsed.get("given_name", ""),
                family_name=parsed.get("family_name", ""),
                language=parsed.get("language") or "en",
                source=Supporter.Source.API,
                custom_fields={
                    k: v for k, v in parsed.get("custom_fields", {}).items() if v is not None
                },
            )
        else:
            changes = {
                name: parsed[name] for name in ("given_name", "family_name") if name in parsed
            }
            if parsed.get("language"):
                changes["language"] = parsed["language"]
            if "custom_fields" in parsed:
                merged = {**(supporter.custom_fields or {}), **parsed["custom_fields"]}
                changes["custom_fields"] = {k: v for k, v in merged.items() if v is not None}
            names = {
                name: changes.get(name, getattr(supporter, name))
                for name in ("given_name", "family_name", "preferred_name")
            }
            if not any(names.values()):
                raise ValidationError({"given_name": [_("A person keeps at least one name.")]})
            if changes:
                supporter = services.supporter_update(actor=actor, supporter=supporter, **changes)
        services.contact_points_add(
            actor=actor,
            supporter=supporter,
            emails=parsed["emails"],
            phones=parsed["phones"],
            addresses=parsed["addresses"],
        )
        for channel in sorted(parsed["block"]):
            services.consent_set(
                actor=actor, supporter=supporter, channel=channel, reason="Unsubscribed (OSDI)"
            )
        for tag in add_tags:
            services.tag_add(actor=actor, supporter=supporter, tag=tag)
        for tag in remove_tags:
            services.tag_remove(actor=actor, supporter=supporter, tag=tag)
    return supporter, created

"""Names parsed into parts (title, first, middle, last, suffix, nickname) with nameparser."""

from __future__ import annotations

import re

from nameparser import HumanName

NAME = "names"
VERSION = 1

_COUPLE = re.compile(r"\s(?:&|and|y)\s", re.IGNORECASE)


def parse_name(full_name: str) -> dict[str, object]:
    """The parts of ``full_name``. "Bob & Mary Smith" is a couple: two first names, one last."""
    full_name = " ".join(full_name.split())
    if not full_name:
        return {}
    parsed = HumanName(full_name)
    parts: dict[str, object] = {
        key: value for key, value in parsed.as_dict().items() if value and key != "maiden"
    }
    first = str(parts.get("first", ""))
    if _COUPLE.search(first):
        parts["first_names"] = [name.strip() for name in _COUPLE.split(first) if name.strip()]
        parts["is_couple"] = True
    return parts


def supporter_full_name(given_name: str, family_name: str) -> str:
    return " ".join(part for part in (given_name.strip(), family_name.strip()) if part)

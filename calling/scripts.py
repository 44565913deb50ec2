"""Call scripts: plain text with two blanks filled in, never a template language.

An organizer's text is data, not code: ``{first_name}`` becomes the person's first name (what
they like to be called, else their given name) and ``{caller_name}`` the caller's; any other
braces stay as typed. Django's template engine never sees the text, so nothing in it can
reach a variable, a tag or a filter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext as _

PLACEHOLDER = re.compile(r"\{\s*([a-z_]+)\s*\}")
PLACEHOLDERS = ("first_name", "caller_name")


def script_placeholders_unknown(text: str) -> list[str]:
    """Blanks in ``text`` that are not ``{first_name}`` or ``{caller_name}`` (a typo)."""
    return sorted({name for name in PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})


def script_check(text: str) -> str:
    """What is wrong with a script's text, for a form or the API; "" when it is fine."""
    unknown = script_placeholders_unknown(text)
    if unknown:
        return _("Unknown blank %(blanks)s: use {first_name} or {caller_name}.") % {
            "blanks": ", ".join("{" + name + "}" for name in unknown)
        }
    return ""


def script_render(text: str, *, first_name: str, caller_name: str) -> str:
    """The script as the caller reads it (plain text; the page escapes it)."""
    values = {
        "first_name": first_name or _("there"),
        "caller_name": caller_name or _("a volunteer"),
    }

    def fill(match: re.Match) -> str:
        return values.get(match.group(1), match.group(0))

    return PLACEHOLDER.sub(fill, text)


def script_for_language(scripts: Iterable, language: str, default_language: str):
    """The script in the person's language (``es`` also for ``es-MX``), else the list's
    default language, else any; None when the list has none."""
    scripts = list(scripts)
    wanted = (language or "").lower()
    for candidate in (wanted, wanted.split("-")[0], default_language):
        for script in scripts:
            if script.language.lower() == candidate:
                return script
    return scripts[0] if scripts else None

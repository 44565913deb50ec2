"""Small display helpers for Earshot's templates."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language_info

from supporters.models import Supporter

register = template.Library()

_EXTRA_LANGUAGES = {
    "und": "Other language",
    "tl": "Tagalog",
    "so": "Somali",
    "ht": "Haitian Creole",
}


@register.filter
def language_name(code: str) -> str:
    """``es`` → ``Spanish``; unknown codes are shown as typed."""
    if not code:
        return ""
    if code in _EXTRA_LANGUAGES:
        return _EXTRA_LANGUAGES[code]
    try:
        return get_language_info(code)["name"]
    except KeyError:
        return code


@register.filter
def is_past(value) -> bool:
    return bool(value) and value < timezone.now()


@register.filter
def due_when(value) -> str:
    """A follow-up's date and time as pages show it ("Thu Nov 5, 6:00 PM"), with the year
    when it is not this year ("Tue Jan 5 2027, 6:00 PM"), in the current time zone."""
    if not value:
        return ""
    local = timezone.localtime(value)
    if local.year == timezone.localtime().year:
        return date_format(local, "D M j, g:i A")
    return date_format(local, "D M j Y, g:i A")


@register.filter
def engagement_name(level) -> str:
    """The engagement ladder's name for a level computed by the worker."""
    try:
        return Supporter.EngagementLevel(int(level)).label
    except (TypeError, ValueError):
        return ""

"""Small display helpers for Earshot's templates."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language_info, gettext_lazy, pgettext
from django.utils.translation import gettext as _

from supporters.models import Supporter

register = template.Library()

_EXTRA_LANGUAGES = {
    "und": gettext_lazy("Other language"),
    "tl": gettext_lazy("Tagalog"),
    "so": gettext_lazy("Somali"),
    "ht": gettext_lazy("Haitian Creole"),
}


@register.filter
def language_name(code: str) -> str:
    """``es`` → ``Spanish`` (``español`` on a Spanish page); unknown codes are shown as typed."""
    if not code:
        return ""
    if code in _EXTRA_LANGUAGES:
        return str(_EXTRA_LANGUAGES[code])
    try:
        return get_language_info(code)["name_translated"]
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
        # Translators: a date format (https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#date)
        return date_format(local, pgettext("date format", "D M j, g:i A"))
    return date_format(local, pgettext("date format", "D M j Y, g:i A"))


@register.filter
def engagement_name(level) -> str:
    """The engagement ladder's name for a level computed by the worker."""
    try:
        return Supporter.EngagementLevel(int(level)).label
    except (TypeError, ValueError):
        return ""


@register.filter
def names_or(people) -> str:
    """ "Dana", "Dana or Luis", "Dana, Luis or Ana": whom to ask, in the page's language.
    Each item is a name, or a dict with ``name`` (and ``email``, used when the name is blank)."""
    names = [
        str(person.get("name") or person.get("email") or "")
        if isinstance(person, dict)
        else str(person)
        for person in people
    ]
    if len(names) <= 1:
        return "".join(names)
    return _("%(first)s or %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}

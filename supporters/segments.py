"""The segment language: a JSON filter over supporters, compiled to ORM ``Q`` objects.

A filter is a node. A node is a combination or a condition::

    {"and": [node, …]}   {"or": [node, …]}   {"not": node}   {}  (everyone)

A condition is an object with exactly one of these keys:

===================== =====================================================================
``support_level``      1 to 5: a number, ``{"in": [1, 2]}``, ``{"gte": 1, "lte": 2}`` (also
                       ``gt``/``lt``), or ``{"is_null": true}`` for unknown
``engagement_level``   0 to 5, the same forms
``language``           ``"es"`` or ``{"in": ["en", "es"]}``
``team``               a team id or ``{"in": [ids]}``
``zip``                ``"78701"``, ``{"in": [...]}`` or ``{"prefix": "787"}`` (primary address)
``city``, ``state``    a string or ``{"in": [...]}``, ignoring case (primary address)
``custom_field``       ``{"name": "shift", "equals": "night"}`` or ``{"name": …, "exists": true}``
``tags``               ``{"any": [...]}``, ``{"all": [...]}`` or ``{"none": [...]}``: tag names
                       (ignoring case) or ids
``issues``             the same forms, over issues raised in their conversations
``contactable_by``     a channel (call, text, email, visit, mail): no do-not-contact flag on it
``conversations``      ``{"within_days": 30, "outcome": ["talked"], "channel": "door",
                       "team": 3, "volunteer": 12, "exists": true}``: every key optional;
                       ``exists: false`` means none such (``team`` is the volunteer's team)
``talked_within_days`` N: shorthand for a ``talked`` conversation in the last N days
``never_contacted``    ``true``: no conversation at all (``false``: at least one)
``followups``          ``{"status": "open" | "overdue" | "none_open" | "done"}``
===================== =====================================================================

``issues``, ``conversations``, ``talked_within_days``, ``never_contacted`` and ``followups``
read conversations: the conversations app registers them (``conversations/segments.py``).

Conditions compile to ``Exists`` subqueries and plain lookups, so combinations never
duplicate rows and PostgreSQL plans them as semi-joins. A bad filter raises
``SegmentError`` whose ``path`` points at the wrong part (``and[1].tags.any``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from organizing.models import User
from organizing.text_safety import UnsafeJSON, json_check

from .models import Channel, DoNotContact, Supporter, SupporterAddress, SupporterTag
from .selectors import supporter_list

MAX_NODES = 200
MAX_DEPTH = 12
MAX_LIST = 1000


class SegmentError(ValueError):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path or 'filter'}: {message}")
        self.path = path or "filter"
        self.message = message


def path_join(path: str, part: str) -> str:
    if part.startswith("["):
        return f"{path}{part}"
    return f"{path}.{part}" if path else part


class _Compiler:
    def __init__(self) -> None:
        self.nodes = 0

    def node(self, value: Any, path: str, depth: int) -> Q:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise SegmentError(
                path, _("A filter may have at most %(count)d parts.") % {"count": MAX_NODES}
            )
        if depth > MAX_DEPTH:
            raise SegmentError(
                path, _("A filter may nest at most %(count)d deep.") % {"count": MAX_DEPTH}
            )
        if not isinstance(value, dict):
            raise SegmentError(path, _('Expected an object such as {"and": [...]}.'))
        if not value:
            return Q()
        if len(value) != 1:
            raise SegmentError(
                path,
                _("Expected exactly one key, got %(keys)s.")
                % {"keys": ", ".join(sorted(map(str, value)))},
            )
        ((key, argument),) = value.items()
        here = path_join(path, key)
        if key in ("and", "or"):
            if not isinstance(argument, list) or not argument:
                raise SegmentError(here, _("Expected a non-empty list of filters."))
            combined = Q()
            for index, child in enumerate(argument):
                compiled = self.node(child, f"{here}[{index}]", depth + 1)
                combined = (combined & compiled) if key == "and" else (combined | compiled)
            return combined
        if key == "not":
            return ~self.node(argument, here, depth + 1)
        handler = CONDITIONS.get(key)
        if handler is None:
            known = ", ".join(["and", "or", "not", *sorted(CONDITIONS)])
            raise SegmentError(
                here,
                _("Unknown condition %(key)r; use one of %(known)s.")
                % {"key": key, "known": known},
            )
        return handler(argument, here)


# --- argument readers ------------------------------------------------------------------------


def read_int(value: Any, path: str, low: int | None = None, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SegmentError(path, _("Expected a whole number."))
    if (low is not None and value < low) or (high is not None and value > high):
        raise SegmentError(
            path, _("Expected a number from %(low)s to %(high)s.") % {"low": low, "high": high}
        )
    return value


def read_str(value: Any, path: str, max_length: int = 200) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SegmentError(path, _("Expected a non-empty string."))
    if len(value) > max_length:
        raise SegmentError(
            path, _("Expected at most %(count)d characters.") % {"count": max_length}
        )
    return value.strip()


def read_list(value: Any, path: str, item, **kwargs) -> list:
    if not isinstance(value, list) or not value:
        raise SegmentError(path, _("Expected a non-empty list."))
    if len(value) > MAX_LIST:
        raise SegmentError(path, _("Expected at most %(count)d items.") % {"count": MAX_LIST})
    return [item(entry, f"{path}[{index}]", **kwargs) for index, entry in enumerate(value)]


def read_options(value: Any, path: str, allowed: set[str]) -> dict:
    if not isinstance(value, dict) or not value:
        raise SegmentError(
            path,
            _("Expected an object with some of %(keys)s.") % {"keys": ", ".join(sorted(allowed))},
        )
    unknown = sorted(set(map(str, value)) - allowed)
    if unknown:
        raise SegmentError(
            path_join(path, unknown[0]),
            _("Unknown key; use %(keys)s.") % {"keys": ", ".join(sorted(allowed))},
        )
    return value


def read_choice(value: Any, path: str, choices) -> str:
    if value not in choices:
        raise SegmentError(
            path, _("Expected one of %(choices)s.") % {"choices": ", ".join(choices)}
        )
    return value


# --- conditions ------------------------------------------------------------------------------


def _level(field: str, low: int, high: int):
    def compile_level(argument: Any, path: str) -> Q:
        if not isinstance(argument, dict):
            return Q(**{field: read_int(argument, path, low, high)})
        options = read_options(argument, path, {"in", "gte", "lte", "gt", "lt", "is_null"})
        q = Q()
        for op, operand in options.items():
            where = path_join(path, op)
            if op == "in":
                q &= Q(**{f"{field}__in": read_list(operand, where, read_int, low=low, high=high)})
            elif op == "is_null":
                if not isinstance(operand, bool):
                    raise SegmentError(where, _("Expected true or false."))
                q &= Q(**{f"{field}__isnull": operand})
            else:
                q &= Q(**{f"{field}__{op}": read_int(operand, where, low, high)})
        return q

    return compile_level


def _string_field(lookup: str, *, through_address: bool = False, exact: bool = False):
    suffix = "" if exact else "__iexact"

    def compile_string(argument: Any, path: str) -> Q:
        if isinstance(argument, dict):
            allowed = {"in", "prefix"} if lookup == "postal_code" else {"in"}
            options = read_options(argument, path, allowed)
            q = Q()
            if "in" in options:
                values = read_list(options["in"], path_join(path, "in"), read_str)
                any_of = Q()
                for value in values:
                    any_of |= Q(**{f"{lookup}{suffix}": value})
                q &= any_of
            if "prefix" in options:
                q &= Q(
                    **{
                        f"{lookup}__startswith": read_str(
                            options["prefix"], path_join(path, "prefix")
                        )
                    }
                )
        else:
            q = Q(**{f"{lookup}{suffix}": read_str(argument, path)})
        if through_address:
            return Q(
                Exists(
                    SupporterAddress.objects.filter(q, supporter=OuterRef("pk"), is_primary=True)
                )
            )
        return q

    return compile_string


def _team(argument: Any, path: str) -> Q:
    if isinstance(argument, dict):
        options = read_options(argument, path, {"in"})
        return Q(team_id__in=read_list(options["in"], path_join(path, "in"), read_int, low=1))
    return Q(team_id=read_int(argument, path, low=1))


def _custom_field(argument: Any, path: str) -> Q:
    options = read_options(argument, path, {"name", "equals", "exists"})
    name = read_str(options.get("name"), path_join(path, "name"), max_length=100)
    if ("equals" in options) == ("exists" in options):
        raise SegmentError(path, _("Give exactly one of equals and exists."))
    if "exists" in options:
        if not isinstance(options["exists"], bool):
            raise SegmentError(path_join(path, "exists"), "Expected true or false.")
        q = Q(custom_fields__has_key=name)
        return q if options["exists"] else ~q
    value = options["equals"]
    if not isinstance(value, str | int | float | bool) or value is None:
        raise SegmentError(path_join(path, "equals"), "Expected a string, number or boolean.")
    return Q(custom_fields__contains={name: value})


def _name_or_id(value: Any, path: str) -> int | str:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return read_str(value, path, max_length=80)


def named_rows(values: list, prefix: str) -> Q:
    q = Q()
    for value in values:
        if isinstance(value, int):
            q |= Q(**{f"{prefix}_id": value})
        else:
            q |= Q(**{f"{prefix}__name__iexact": value})
    return q


def set_condition(exists_for):
    def compile_set(argument: Any, path: str) -> Q:
        options = read_options(argument, path, {"any", "all", "none"})
        q = Q()
        for mode, operand in options.items():
            values = read_list(operand, path_join(path, mode), _name_or_id)
            if mode == "any":
                q &= Q(exists_for(values))
            elif mode == "none":
                q &= ~Q(exists_for(values))
            else:
                for value in values:
                    q &= Q(exists_for([value]))
        return q

    return compile_set


def _tags_exist(values: list) -> Exists:
    return Exists(SupporterTag.objects.filter(named_rows(values, "tag"), supporter=OuterRef("pk")))


def _contactable_by(argument: Any, path: str) -> Q:
    channel = read_choice(argument, path, Channel.values)
    return ~Q(Exists(DoNotContact.objects.filter(supporter=OuterRef("pk"), channel=channel)))


# Conditions on what the apps above know (conversations: issues, conversations, follow-ups)
# are registered by them at app-ready time with ``segment_condition_register``.
CONDITIONS: dict[str, Callable[[Any, str], Q]] = {
    "support_level": _level("support_level", 1, 5),
    "engagement_level": _level("engagement_level", 0, 5),
    "language": _string_field("language"),
    "team": _team,
    "zip": _string_field("postal_code", through_address=True, exact=True),
    "city": _string_field("city", through_address=True),
    "state": _string_field("state", through_address=True),
    "custom_field": _custom_field,
    "tags": set_condition(_tags_exist),
    "contactable_by": _contactable_by,
}


def segment_condition_register(name: str, compile_condition: Callable[[Any, str], Q]) -> None:
    """``{name: argument}`` compiles to ``compile_condition(argument, path)``: a ``Q`` over
    Supporter that raises SegmentError (at ``path``) for a bad argument."""
    CONDITIONS[name] = compile_condition


def segment_compile(filter_json: Any) -> Q:
    """The filter as a ``Q`` over Supporter; raises SegmentError pointing at a bad part
    (including text PostgreSQL cannot store: a NUL character, a lone surrogate)."""
    try:
        json_check(filter_json)
    except UnsafeJSON as error:
        raise SegmentError(error.path, error.message) from None
    return _Compiler().node(filter_json, "", 0)


def segment_supporters(*, viewer: User, filter_json: Any) -> QuerySet[Supporter]:
    """The supporters ``viewer`` may see that match the filter (the visibility rule first)."""
    return supporter_list(viewer=viewer).filter(segment_compile(filter_json))

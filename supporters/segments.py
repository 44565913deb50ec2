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

Conditions compile to ``Exists`` subqueries and plain lookups, so combinations never
duplicate rows and PostgreSQL plans them as semi-joins. A bad filter raises
``SegmentError`` whose ``path`` points at the wrong part (``and[1].tags.any``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from conversations.models import Conversation, FollowUp
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


def _join(path: str, part: str) -> str:
    if part.startswith("["):
        return f"{path}{part}"
    return f"{path}.{part}" if path else part


class _Compiler:
    def __init__(self) -> None:
        self.nodes = 0

    def node(self, value: Any, path: str, depth: int) -> Q:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise SegmentError(path, f"A filter may have at most {MAX_NODES} parts.")
        if depth > MAX_DEPTH:
            raise SegmentError(path, f"A filter may nest at most {MAX_DEPTH} deep.")
        if not isinstance(value, dict):
            raise SegmentError(path, 'Expected an object such as {"and": [...]}.')
        if not value:
            return Q()
        if len(value) != 1:
            raise SegmentError(
                path, f"Expected exactly one key, got {', '.join(sorted(map(str, value)))}."
            )
        ((key, argument),) = value.items()
        here = _join(path, key)
        if key in ("and", "or"):
            if not isinstance(argument, list) or not argument:
                raise SegmentError(here, "Expected a non-empty list of filters.")
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
            raise SegmentError(here, f"Unknown condition {key!r}; use one of {known}.")
        return handler(argument, here)


# --- argument readers ------------------------------------------------------------------------


def _int(value: Any, path: str, low: int | None = None, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SegmentError(path, "Expected a whole number.")
    if (low is not None and value < low) or (high is not None and value > high):
        raise SegmentError(path, f"Expected a number from {low} to {high}.")
    return value


def _str(value: Any, path: str, max_length: int = 200) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SegmentError(path, "Expected a non-empty string.")
    if len(value) > max_length:
        raise SegmentError(path, f"Expected at most {max_length} characters.")
    return value.strip()


def _list(value: Any, path: str, item, **kwargs) -> list:
    if not isinstance(value, list) or not value:
        raise SegmentError(path, "Expected a non-empty list.")
    if len(value) > MAX_LIST:
        raise SegmentError(path, f"Expected at most {MAX_LIST} items.")
    return [item(entry, f"{path}[{index}]", **kwargs) for index, entry in enumerate(value)]


def _options(value: Any, path: str, allowed: set[str]) -> dict:
    if not isinstance(value, dict) or not value:
        raise SegmentError(path, f"Expected an object with some of {', '.join(sorted(allowed))}.")
    unknown = sorted(set(map(str, value)) - allowed)
    if unknown:
        raise SegmentError(
            _join(path, unknown[0]), f"Unknown key; use {', '.join(sorted(allowed))}."
        )
    return value


def _choice(value: Any, path: str, choices) -> str:
    if value not in choices:
        raise SegmentError(path, f"Expected one of {', '.join(choices)}.")
    return value


# --- conditions ------------------------------------------------------------------------------


def _level(field: str, low: int, high: int):
    def compile_level(argument: Any, path: str) -> Q:
        if not isinstance(argument, dict):
            return Q(**{field: _int(argument, path, low, high)})
        options = _options(argument, path, {"in", "gte", "lte", "gt", "lt", "is_null"})
        q = Q()
        for op, operand in options.items():
            where = _join(path, op)
            if op == "in":
                q &= Q(**{f"{field}__in": _list(operand, where, _int, low=low, high=high)})
            elif op == "is_null":
                if not isinstance(operand, bool):
                    raise SegmentError(where, "Expected true or false.")
                q &= Q(**{f"{field}__isnull": operand})
            else:
                q &= Q(**{f"{field}__{op}": _int(operand, where, low, high)})
        return q

    return compile_level


def _string_field(lookup: str, *, through_address: bool = False, exact: bool = False):
    suffix = "" if exact else "__iexact"

    def compile_string(argument: Any, path: str) -> Q:
        if isinstance(argument, dict):
            allowed = {"in", "prefix"} if lookup == "postal_code" else {"in"}
            options = _options(argument, path, allowed)
            q = Q()
            if "in" in options:
                values = _list(options["in"], _join(path, "in"), _str)
                any_of = Q()
                for value in values:
                    any_of |= Q(**{f"{lookup}{suffix}": value})
                q &= any_of
            if "prefix" in options:
                q &= Q(**{f"{lookup}__startswith": _str(options["prefix"], _join(path, "prefix"))})
        else:
            q = Q(**{f"{lookup}{suffix}": _str(argument, path)})
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
        options = _options(argument, path, {"in"})
        return Q(team_id__in=_list(options["in"], _join(path, "in"), _int, low=1))
    return Q(team_id=_int(argument, path, low=1))


def _custom_field(argument: Any, path: str) -> Q:
    options = _options(argument, path, {"name", "equals", "exists"})
    name = _str(options.get("name"), _join(path, "name"), max_length=100)
    if ("equals" in options) == ("exists" in options):
        raise SegmentError(path, "Give exactly one of equals and exists.")
    if "exists" in options:
        if not isinstance(options["exists"], bool):
            raise SegmentError(_join(path, "exists"), "Expected true or false.")
        q = Q(custom_fields__has_key=name)
        return q if options["exists"] else ~q
    value = options["equals"]
    if not isinstance(value, str | int | float | bool) or value is None:
        raise SegmentError(_join(path, "equals"), "Expected a string, number or boolean.")
    return Q(custom_fields__contains={name: value})


def _name_or_id(value: Any, path: str) -> int | str:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return _str(value, path, max_length=80)


def _named_rows(values: list, prefix: str) -> Q:
    q = Q()
    for value in values:
        if isinstance(value, int):
            q |= Q(**{f"{prefix}_id": value})
        else:
            q |= Q(**{f"{prefix}__name__iexact": value})
    return q


def _set_condition(exists_for):
    def compile_set(argument: Any, path: str) -> Q:
        options = _options(argument, path, {"any", "all", "none"})
        q = Q()
        for mode, operand in options.items():
            values = _list(operand, _join(path, mode), _name_or_id)
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
    return Exists(SupporterTag.objects.filter(_named_rows(values, "tag"), supporter=OuterRef("pk")))


def _issues_exist(values: list) -> Exists:
    through = Conversation.issues.through
    return Exists(
        through.objects.filter(_named_rows(values, "issue"), conversation__supporter=OuterRef("pk"))
    )


def _contactable_by(argument: Any, path: str) -> Q:
    channel = _choice(argument, path, Channel.values)
    return ~Q(Exists(DoNotContact.objects.filter(supporter=OuterRef("pk"), channel=channel)))


def _conversations(argument: Any, path: str) -> Q:
    if argument == {}:
        argument = {"exists": True}
    options = _options(
        argument, path, {"within_days", "outcome", "channel", "team", "volunteer", "exists"}
    )
    q = Q(supporter=OuterRef("pk"))
    if "within_days" in options:
        days = _int(options["within_days"], _join(path, "within_days"), 0, 36500)
        q &= Q(happened_at__gte=timezone.now() - timedelta(days=days))
    for key, choices in (
        ("outcome", Conversation.Outcome.values),
        ("channel", Conversation.Channel.values),
    ):
        if key in options:
            value = options[key]
            where = _join(path, key)
            values = (
                _list(value, where, _choice, choices=choices)
                if isinstance(value, list)
                else [_choice(value, where, choices)]
            )
            q &= Q(**{f"{key}__in": values})
    if "volunteer" in options:
        q &= Q(volunteer_id=_int(options["volunteer"], _join(path, "volunteer"), low=1))
    if "team" in options:
        team_id = _int(options["team"], _join(path, "team"), low=1)
        q &= Q(volunteer__in=User.objects.filter(memberships__team_id=team_id))
    exists = options.get("exists", True)
    if not isinstance(exists, bool):
        raise SegmentError(_join(path, "exists"), "Expected true or false.")
    found = Q(Exists(Conversation.objects.filter(q)))
    return found if exists else ~found


def _talked_within_days(argument: Any, path: str) -> Q:
    days = _int(argument, path, 0, 36500)
    return _conversations({"within_days": days, "outcome": "talked"}, path)


def _never_contacted(argument: Any, path: str) -> Q:
    if not isinstance(argument, bool):
        raise SegmentError(path, "Expected true or false.")
    return _conversations({"exists": not argument}, path)


def _followups(argument: Any, path: str) -> Q:
    options = _options(argument, path, {"status"})
    status = _choice(
        options["status"], _join(path, "status"), ["open", "overdue", "none_open", "done"]
    )
    open_ones = FollowUp.objects.filter(supporter=OuterRef("pk"), status=FollowUp.Status.OPEN)
    if status == "open":
        return Q(Exists(open_ones))
    if status == "overdue":
        return Q(Exists(open_ones.filter(due_at__lt=timezone.now())))
    if status == "none_open":
        return ~Q(Exists(open_ones))
    return Q(Exists(FollowUp.objects.filter(supporter=OuterRef("pk"), status=FollowUp.Status.DONE)))


CONDITIONS = {
    "support_level": _level("support_level", 1, 5),
    "engagement_level": _level("engagement_level", 0, 5),
    "language": _string_field("language"),
    "team": _team,
    "zip": _string_field("postal_code", through_address=True, exact=True),
    "city": _string_field("city", through_address=True),
    "state": _string_field("state", through_address=True),
    "custom_field": _custom_field,
    "tags": _set_condition(_tags_exist),
    "issues": _set_condition(_issues_exist),
    "contactable_by": _contactable_by,
    "conversations": _conversations,
    "talked_within_days": _talked_within_days,
    "never_contacted": _never_contacted,
    "followups": _followups,
}


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

"""The segment conditions that read conversations: issues raised, conversations had,
follow-ups. Registered with ``supporters.segments`` in ``ConversationsConfig.ready()``; the
language itself is documented there."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from organizing.models import User
from supporters.segments import (
    SegmentError,
    named_rows,
    path_join,
    read_choice,
    read_int,
    read_list,
    read_options,
    segment_condition_register,
    set_condition,
)

from .models import Conversation, FollowUp


def _issues_exist(values: list) -> Exists:
    through = Conversation.issues.through
    return Exists(
        through.objects.filter(named_rows(values, "issue"), conversation__supporter=OuterRef("pk"))
    )


def _conversations(argument: Any, path: str) -> Q:
    if argument == {}:
        argument = {"exists": True}
    options = read_options(
        argument, path, {"within_days", "outcome", "channel", "team", "volunteer", "exists"}
    )
    q = Q(supporter=OuterRef("pk"))
    if "within_days" in options:
        days = read_int(options["within_days"], path_join(path, "within_days"), 0, 36500)
        q &= Q(happened_at__gte=timezone.now() - timedelta(days=days))
    for key, choices in (
        ("outcome", Conversation.Outcome.values),
        ("channel", Conversation.Channel.values),
    ):
        if key in options:
            value = options[key]
            where = path_join(path, key)
            values = (
                read_list(value, where, read_choice, choices=choices)
                if isinstance(value, list)
                else [read_choice(value, where, choices)]
            )
            q &= Q(**{f"{key}__in": values})
    if "volunteer" in options:
        q &= Q(volunteer_id=read_int(options["volunteer"], path_join(path, "volunteer"), low=1))
    if "team" in options:
        team_id = read_int(options["team"], path_join(path, "team"), low=1)
        q &= Q(volunteer__in=User.objects.filter(memberships__team_id=team_id))
    exists = options.get("exists", True)
    if not isinstance(exists, bool):
        raise SegmentError(path_join(path, "exists"), _("Expected true or false."))
    found = Q(Exists(Conversation.objects.filter(q)))
    return found if exists else ~found


def _talked_within_days(argument: Any, path: str) -> Q:
    days = read_int(argument, path, 0, 36500)
    return _conversations({"within_days": days, "outcome": "talked"}, path)


def _never_contacted(argument: Any, path: str) -> Q:
    if not isinstance(argument, bool):
        raise SegmentError(path, _("Expected true or false."))
    return _conversations({"exists": not argument}, path)


def _followups(argument: Any, path: str) -> Q:
    options = read_options(argument, path, {"status"})
    status = read_choice(
        options["status"], path_join(path, "status"), ["open", "overdue", "none_open", "done"]
    )
    open_ones = FollowUp.objects.filter(supporter=OuterRef("pk"), status=FollowUp.Status.OPEN)
    if status == "open":
        return Q(Exists(open_ones))
    if status == "overdue":
        return Q(Exists(open_ones.filter(due_at__lt=timezone.now())))
    if status == "none_open":
        return ~Q(Exists(open_ones))
    return Q(Exists(FollowUp.objects.filter(supporter=OuterRef("pk"), status=FollowUp.Status.DONE)))


def register() -> None:
    segment_condition_register("issues", set_condition(_issues_exist))
    segment_condition_register("conversations", _conversations)
    segment_condition_register("talked_within_days", _talked_within_days)
    segment_condition_register("never_contacted", _never_contacted)
    segment_condition_register("followups", _followups)

"""Engagement level recomputed from history: conversations, follow-ups kept, events, asks."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q

NAME = "engagement"
# 2: the computed level is also THE level on the supporter (unless overridden).
VERSION = 2


def level_for(facts: dict[str, int], support_level: int | None) -> tuple[int, int]:
    """``(level, score)`` on the ladder 0 unknown … 5 leader, from counted facts."""
    talked = facts.get("talked", 0)
    events = facts.get("events", 0)
    relational = facts.get("relational", 0)
    kept = facts.get("followups_kept", 0)
    score = talked * 2 + events * 5 + relational * 3 + kept
    supportive = support_level is not None and support_level <= 2
    if events >= 4 and relational >= 3 and supportive:
        level = 5
    elif events >= 2 and supportive:
        level = 4
    elif events >= 1 and supportive:
        level = 3
    elif talked >= 1 and supportive:
        level = 2
    elif talked >= 1 or kept >= 1:
        level = 1
    else:
        level = 0
    return level, score


def facts_for(supporter_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Counted facts per supporter, in two queries for the whole batch."""
    from conversations.models import Conversation, FollowUp

    ids = list(supporter_ids)
    facts: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    talked = Q(outcome=Conversation.Outcome.TALKED)
    for row in (
        Conversation.objects.filter(supporter_id__in=ids)
        .values("supporter_id")
        .annotate(
            conversations=Count("id"),
            talked=Count("id", filter=talked),
            events=Count("id", filter=talked & Q(channel=Conversation.Channel.EVENT)),
            relational=Count("id", filter=talked & Q(channel=Conversation.Channel.RELATIONAL)),
        )
    ):
        supporter_id = row.pop("supporter_id")
        facts[supporter_id].update(row)
    for row in (
        FollowUp.objects.filter(supporter_id__in=ids, status=FollowUp.Status.DONE)
        .values("supporter_id")
        .annotate(followups_kept=Count("id"))
    ):
        facts[row["supporter_id"]]["followups_kept"] = row["followups_kept"]
    return facts

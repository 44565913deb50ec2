"""Engagement level recomputed from history: conversations, follow-ups kept, events, asks."""

from __future__ import annotations

from collections.abc import Callable, Iterable

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


def rule_for(facts: dict[str, int], support_level: int | None) -> str:
    """Which ladder rule of ``level_for`` holds for these facts (an ``EngagementChange.Rule``
    value): what the brief names as why a person stands where they do."""
    level, _ = level_for(facts, support_level)
    if level == 5:
        return "leader"
    if level == 4:
        return "events"
    if level == 3:
        return "event"
    if level == 2:
        return "talked_supportive"
    if level == 1:
        return "talked" if facts.get("talked", 0) else "followup_kept"
    return "nothing"


# The facts are counted by the apps that hold them (conversations: talked, events,
# relational, follow-ups kept), each registering a counter at app-ready time.
FactsCounter = Callable[[list[int]], dict[int, dict[str, int]]]
_counters: list[FactsCounter] = []


def facts_counter_register(counter: FactsCounter) -> None:
    """``counter(ids)``: ``{supporter_id: {fact: count}}`` for every id, in a few queries."""
    if counter not in _counters:
        _counters.append(counter)


def facts_for(supporter_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Counted facts per supporter, a few queries for the whole batch."""
    ids = list(supporter_ids)
    facts: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    for counter in _counters:
        for supporter_id, counted in counter(ids).items():
            facts[supporter_id].update(counted)
    return facts

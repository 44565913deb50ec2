"""Every figure of a known history, asserted exactly, from the rollups and from the raw
tables; ranges inside a week and crossing weeks."""

from __future__ import annotations

from metrics.figures import Scope, breakdown, figures_from_raw, ladder_weeks, summary
from metrics.rollups import rollup_event_apply, rollup_rederive, rollup_refresh
from supporters.models import Supporter

from .conftest import WEEK_A, WEEK_B


def _refresh_all():
    rollup_refresh(Supporter.objects.values_list("pk", flat=True))


def test_week_a_figures_exactly(history):
    _refresh_all()
    east = history.cast["eastside"].pk
    figures = summary(Scope((east,), *WEEK_A))
    assert figures["activity"] == {
        "attempts": 4,
        "talked": 3,
        "contact_rate": 0.75,
        "by_channel": [{"channel": "door", "attempts": 4, "talked": 3, "contact_rate": 0.75}],
    }
    assert figures["repeat"] == {
        "people_talked": 2,
        "people_repeat": 1,
        "repeat_conversations": 1,
        "median_days_between": 3.0,
    }
    assert figures["remembered"] == {
        "talked": 3,
        "remembered": 2,
        "per_talked": 0.6667,
        "suggestions_confirmed": 0,
        "suggestions_dismissed": 0,
    }
    assert figures["prepared"] == {"conversations": 4, "prepared": 1, "rate": 0.25}
    assert figures["followups"] == {
        "due": 2,
        "kept": 1,
        "late": 1,
        "overdue": 0,
        "pending": 0,
        "median_delay_days": 2.0,
    }
    assert figures["reach"] == {"relational": 1, "talked": 3, "new_known": 1}
    assert figures["ladder"]["up"] == 1 and figures["ladder"]["down"] == 0
    assert [(s["from"], s["to"], s["count"]) for s in figures["ladder"]["steps"]] == [(1, 2, 1)]
    assert [r["count"] for r in figures["ladder"]["rungs"]] == [1, 1, 0, 1, 0, 0]
    assert figures_from_raw(Scope((east,), *WEEK_A)) == figures


def test_range_crossing_weeks_counts_each_person_once(history):
    _refresh_all()
    east = history.cast["eastside"].pk
    scope = Scope((east,), WEEK_A[0], WEEK_B[1])
    figures = summary(scope)
    assert figures["activity"]["attempts"] == 6
    assert figures["activity"]["talked"] == 5
    assert [c["channel"] for c in figures["activity"]["by_channel"]] == ["door", "phone"]
    # Maria talked in both weeks: one person, and a repeat one (her second conversation).
    assert figures["repeat"] == {
        "people_talked": 3,
        "people_repeat": 2,
        "repeat_conversations": 2,
        "median_days_between": 5.0,
    }
    assert figures["remembered"]["suggestions_confirmed"] == 1
    assert figures["remembered"]["suggestions_dismissed"] == 1
    assert figures["reach"]["relational"] == 2
    assert figures["followups"] == {
        "due": 3,
        "kept": 1,
        "late": 1,
        "overdue": 1,
        "pending": 0,
        "median_delay_days": 2.0,
    }
    assert (figures["ladder"]["up"], figures["ladder"]["down"]) == (2, 1)
    assert figures_from_raw(scope) == figures
    week_b = summary(Scope((east,), *WEEK_B))
    assert week_b["repeat"] == {
        "people_talked": 2,
        "people_repeat": 1,
        "repeat_conversations": 1,
        "median_days_between": 7.0,
    }
    # Two weeks' distinct people do not add up to the range's: 2 + 2 != 3.
    assert summary(Scope((east,), *WEEK_A))["repeat"]["people_talked"] == 2


def test_rows_per_week_and_per_volunteer(history):
    _refresh_all()
    east = history.cast["eastside"].pk
    scope = Scope((east,), WEEK_A[0], WEEK_B[1])
    weeks = breakdown(scope, "week")
    assert [(w["key"], w["attempts"], w["talked"], w["repeat_conversations"]) for w in weeks] == [
        ("2026-11-02", 4, 3, 1),
        ("2026-11-09", 2, 2, 1),
    ]
    people = {
        row["label"]: (row["attempts"], row["talked"]) for row in breakdown(scope, "volunteer")
    }
    assert people == {"Alice Volunteer": (3, 3), "Bob Teammate": (3, 2)}
    ladder = ladder_weeks(scope)
    # End of week A: Maria was a Supporter (2), Jo still a Supporter (2), Sam unknown.
    assert ladder[0]["rungs"] == {0: 1, 1: 0, 2: 2, 3: 0, 4: 0, 5: 0}
    assert ladder[1]["rungs"] == {0: 1, 1: 1, 2: 0, 3: 1, 4: 0, 5: 0}


def test_other_team_and_one_volunteer(history):
    _refresh_all()
    west = history.cast["westside"].pk
    assert summary(Scope((west,), *WEEK_A))["activity"]["attempts"] == 0
    alice = history.cast["alice"].pk
    mine = summary(Scope(None, WEEK_A[0], WEEK_B[1], volunteer_id=alice))
    assert mine["activity"]["attempts"] == 3
    assert figures_from_raw(Scope(None, WEEK_A[0], WEEK_B[1], volunteer_id=alice)) == mine


def test_delivered_twice_counts_once_and_rederive_agrees(history):
    east = history.cast["eastside"].pk
    scope = Scope((east,), WEEK_A[0], WEEK_B[1])
    assert rollup_event_apply(supporter_id=history.maria.pk, event_key="conversation.created:1")
    assert not rollup_event_apply(supporter_id=history.maria.pk, event_key="conversation.created:1")
    _refresh_all()
    _refresh_all()
    once = summary(scope)
    assert once == figures_from_raw(scope)
    assert rollup_rederive() == 3
    assert summary(scope) == once

"""Keeping the rollups: one supporter's contribution recomputed from the raw tables, the
difference applied to the day sums, all under that supporter's row lock.

Why recompute a person rather than add one event's increment: a conversation logged late
(back-dated), a merge or a follow-up reopened changes the order of a person's conversations
(the second becomes the third), which no single increment can express. Recomputing the
person is cheap (one person's rows, a few queries for a batch), makes a task delivered twice
add nothing the second time (the difference is zero), and makes events arriving in any
order converge. Each delivery is also keyed by its event (``RollupEvent``), so a duplicated
delivery is skipped before any work.

Who a number belongs to:

- activity (conversations, things remembered, came prepared, relational reach, follow-ups)
  to the volunteer's team: the supporter's team when the volunteer belongs to it, else the
  volunteer's first team (lowest id), else the supporter's team;
- the ladder (rungs, steps) to the supporter's team.

Days are days in the campaign's time zone (``TIME_ZONE``).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from conversations.models import Conversation, FollowUp, Note, Suggestion
from organizing.dispatch import enqueue_on_commit
from organizing.models import Membership
from supporters.models import EngagementChange, Relationship, Supporter

from .models import (
    ConversationFact,
    DayFigure,
    FollowUpFact,
    RollupEvent,
    RungCount,
    SupporterContribution,
)

BRIEF_VIEWED = "supporter.brief_viewed"
PREPARED_WITHIN = timedelta(hours=24)
GRACE_DAYS = 1  # a follow-up done by the day after it was due is kept
BATCH = 500


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _day_key(day: date, team: int, volunteer: int, channel: str, figure: str, bucket: int = 0):
    return f"d|{day.isoformat()}|{team}|{volunteer}|{channel}|{figure}|{bucket}"


def _volunteer_teams(volunteer_ids: Iterable[int]) -> dict[int, list[int]]:
    teams: dict[int, list[int]] = defaultdict(list)
    for user_id, team_id in (
        Membership.objects.filter(user_id__in=set(volunteer_ids))
        .order_by("team_id")
        .values_list("user_id", "team_id")
    ):
        teams[user_id].append(team_id)
    return teams


def activity_team(volunteer_teams: dict[int, list[int]], volunteer_id, supporter_team: int) -> int:
    """The team an activity belongs to (see the module docstring)."""
    teams = volunteer_teams.get(volunteer_id) or []
    if supporter_team in teams or not teams:
        return supporter_team
    return teams[0]


def contributions_for(
    supporter_ids: list[int],
) -> tuple[dict[int, Counter], list[ConversationFact], list[FollowUpFact]]:
    """What these supporters add to every rollup, computed from the raw tables (about ten
    queries for the whole batch): ``({supporter_id: Counter(key → value)}, conversation
    facts, follow-up facts)``. Supporters who no longer exist add nothing."""
    supporters = dict(Supporter.objects.filter(pk__in=supporter_ids).values_list("pk", "team_id"))
    levels = dict(
        Supporter.objects.filter(pk__in=supporter_ids).values_list("pk", "engagement_level")
    )
    ids = list(supporters)
    conversations = list(
        Conversation.objects.filter(supporter_id__in=ids)
        .order_by("supporter_id", "happened_at", "id")
        .values_list("id", "supporter_id", "volunteer_id", "channel", "outcome", "happened_at")
    )
    followups = list(
        FollowUp.objects.filter(supporter_id__in=ids)
        .exclude(status=FollowUp.Status.CANCELLED)
        .values_list("id", "supporter_id", "assignee_id", "due_at", "status", "completed_at")
    )
    known = list(
        Relationship.objects.filter(supporter_id__in=ids, known_by__isnull=False).values_list(
            "supporter_id", "known_by_id", "created_at"
        )
    )
    volunteer_ids = (
        {c[2] for c in conversations} | {f[2] for f in followups} | {k[1] for k in known}
    )
    volunteer_teams = _volunteer_teams(v for v in volunteer_ids if v is not None)
    remembered = dict(
        Note.objects.filter(
            supporter_id__in=ids, kind=Note.Kind.REMEMBER, conversation__isnull=False
        )
        .values("conversation_id")
        .annotate(n=Count("id"))
        .values_list("conversation_id", "n")
    )
    decided = list(
        Suggestion.objects.filter(
            supporter_id__in=ids,
            conversation__isnull=False,
            status__in=[Suggestion.Status.CONFIRMED, Suggestion.Status.DISMISSED],
        ).values_list("conversation_id", "status")
    )
    views: dict[tuple[int, int], list[datetime]] = defaultdict(list)
    supporter_type = ContentType.objects.get_for_model(Supporter)
    if conversations:
        for actor_id, object_id, at in (
            Supporter._meta.apps.get_model("organizing", "AuditEvent")
            .objects.filter(
                action=BRIEF_VIEWED,
                object_type=supporter_type,
                object_id__in=[str(pk) for pk in ids],
                actor__isnull=False,
            )
            .values_list("actor_id", "object_id", "at")
        ):
            views[(int(object_id), actor_id)].append(at)
    changes = list(
        EngagementChange.objects.filter(supporter_id__in=ids).values_list(
            "supporter_id", "from_level", "to_level", "at"
        )
    )

    figures: dict[int, Counter] = {pk: Counter() for pk in supporter_ids}
    knows = {(supporter_id, user_id) for supporter_id, user_id, _ in known}
    conversation_facts: list[ConversationFact] = []
    conversation_key: dict[int, tuple[date, int, int, str]] = {}
    ordinal: dict[int, int] = defaultdict(int)
    last_talked: dict[int, date] = {}
    for pk, supporter_id, volunteer_id, channel, outcome, happened_at in conversations:
        team = activity_team(volunteer_teams, volunteer_id, supporters[supporter_id])
        volunteer = volunteer_id or 0
        day = local_day(happened_at)
        counted = figures[supporter_id]
        conversation_key[pk] = (day, team, volunteer, channel)
        # Only tries and talks are split by channel (the activity card's table); the other
        # figures keep one row per volunteer and day, so the dashboard reads fewer rows.
        counted[_day_key(day, team, volunteer, channel, "attempts")] += 1
        prepared = any(
            happened_at - PREPARED_WITHIN <= seen <= happened_at
            for seen in views.get((supporter_id, volunteer_id), ())
        )
        if prepared:
            counted[_day_key(day, team, volunteer, "", "prepared")] += 1
        talked = outcome == Conversation.Outcome.TALKED
        gap = None
        relational = talked and (supporter_id, volunteer_id) in knows
        notes = remembered.get(pk, 0) if talked else 0
        if talked:
            ordinal[supporter_id] += 1
            counted[_day_key(day, team, volunteer, channel, "talked")] += 1
            if relational:
                counted[_day_key(day, team, volunteer, "", "relational")] += 1
            if notes:
                counted[_day_key(day, team, volunteer, "", "remembered")] += notes
            if supporter_id in last_talked:
                gap = (day - last_talked[supporter_id]).days
                counted[_day_key(day, team, volunteer, "", "repeat_talks")] += 1
                counted[_day_key(day, team, volunteer, "", "gap", gap)] += 1
            last_talked[supporter_id] = day
        conversation_facts.append(
            ConversationFact(
                conversation_id=pk,
                supporter_id=supporter_id,
                day=day,
                team_id=team,
                volunteer_id=volunteer,
                channel=channel,
                is_talked=talked,
                ordinal=ordinal[supporter_id] if talked else 0,
                gap_days=gap,
                is_prepared=prepared,
                is_relational=relational,
                remembered=notes,
            )
        )
    by_conversation = {c[0]: c[1] for c in conversations}
    for conversation_id, status in decided:
        if conversation_id not in conversation_key:
            continue
        day, team, volunteer, channel = conversation_key[conversation_id]
        figure = "confirmed" if status == Suggestion.Status.CONFIRMED else "dismissed"
        figures[by_conversation[conversation_id]][_day_key(day, team, volunteer, "", figure)] += 1
    for supporter_id, user_id, created_at in known:
        team = activity_team(volunteer_teams, user_id, supporters[supporter_id])
        figures[supporter_id][_day_key(local_day(created_at), team, user_id, "", "new_known")] += 1

    followup_facts: list[FollowUpFact] = []
    for pk, supporter_id, assignee_id, due_at, status, completed_at in followups:
        team = activity_team(volunteer_teams, assignee_id, supporters[supporter_id])
        volunteer = assignee_id or 0
        due = local_day(due_at)
        delay = None
        if status == FollowUp.Status.DONE and completed_at is not None:
            delay = max(0, (local_day(completed_at) - due).days)
            state = FollowUpFact.State.KEPT if delay <= GRACE_DAYS else FollowUpFact.State.LATE
            figures[supporter_id][_day_key(due, team, volunteer, "", "fu_delay", delay)] += 1
        else:
            state = FollowUpFact.State.OPEN
        figures[supporter_id][_day_key(due, team, volunteer, "", f"fu_{state}")] += 1
        followup_facts.append(
            FollowUpFact(
                followup_id=pk,
                supporter_id=supporter_id,
                team_id=team,
                volunteer_id=volunteer,
                due_day=due,
                state=state,
                delay_days=delay,
            )
        )
    for supporter_id, from_level, to_level, at in changes:
        team = supporters[supporter_id]
        figures[supporter_id][
            _day_key(local_day(at), team, 0, f"{from_level}>{to_level}", "move")
        ] += 1
    for supporter_id, team in supporters.items():
        figures[supporter_id][f"r|{team}|{levels[supporter_id]}"] += 1
    return figures, conversation_facts, followup_facts


def _apply(delta: Counter) -> None:
    """Add ``delta`` to the day sums and rung counts: the differences are copied into a
    temporary table, then added in one statement per table, in key order (no two refreshes
    wait on each other in opposite orders)."""
    days, rungs = [], []
    for key, value in delta.items():
        if not value:
            continue
        parts = key.split("|")
        if parts[0] == "d":
            days.append((parts[1], parts[2], parts[3], parts[4], parts[5], parts[6], value))
        else:
            rungs.append((parts[1], parts[2], value))
    with connection.cursor() as cursor:
        if days:
            cursor.execute(
                "CREATE TEMPORARY TABLE IF NOT EXISTS metrics_day_delta (day date, team_id bigint,"
                " volunteer_id bigint, channel text, figure text, bucket int, value bigint)"
                " ON COMMIT DELETE ROWS"
            )
            with cursor.copy(
                "COPY metrics_day_delta (day, team_id, volunteer_id, channel, figure, bucket, value)"
                " FROM STDIN"
            ) as copy:
                for row in days:
                    copy.write_row(row)
            cursor.execute(
                "INSERT INTO metrics_dayfigure (day, team_id, volunteer_id, channel, figure, bucket,"
                " value) SELECT day, team_id, volunteer_id, channel, figure, bucket, sum(value)"
                " FROM metrics_day_delta GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6"
                " ON CONFLICT (day, team_id, volunteer_id, channel, figure, bucket)"
                " DO UPDATE SET value = metrics_dayfigure.value + EXCLUDED.value"
            )
            cursor.execute("DELETE FROM metrics_day_delta")
        if rungs:
            cursor.execute(
                "INSERT INTO metrics_rungcount (team_id, level, value)"
                " SELECT t, l, sum(v) FROM unnest(%s::bigint[], %s::int[], %s::bigint[]) AS d(t, l, v)"
                " GROUP BY 1, 2 ORDER BY 1, 2"
                " ON CONFLICT (team_id, level) DO UPDATE SET value = metrics_rungcount.value + EXCLUDED.value",
                [[int(r[0]) for r in rungs], [int(r[1]) for r in rungs], [r[2] for r in rungs]],
            )


def _copy_rows(model, rows: list) -> None:
    """Insert ``rows`` (unsaved instances of ``model``) with COPY: the facts of a batch."""
    if not rows:
        return
    columns = [field.column for field in model._meta.concrete_fields]
    attributes = [field.attname for field in model._meta.concrete_fields]
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([getattr(row, name) for name in attributes])


def _store_contributions(figures: dict[int, dict], now) -> None:
    """Write the supporters' new contributions (one statement for the batch)."""
    if not figures:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE metrics_supportercontribution AS c SET figures = d.f, refreshed_at = %s"
            " FROM unnest(%s::bigint[], %s::jsonb[]) AS d(s, f) WHERE c.supporter_id = d.s",
            [now, list(figures), [json.dumps(value) for value in figures.values()]],
        )


def rollup_refresh(supporter_ids: Iterable[int]) -> int:
    """Recompute these supporters' contributions and apply the difference.

    Holds each supporter's ``SupporterContribution`` row lock for the transaction, so two
    workers refreshing one person run one after the other and the second sees the first's
    result. Safe to run any number of times. Returns how many supporters were refreshed.
    """
    ids = sorted(set(supporter_ids))
    if not ids:
        return 0
    now = timezone.now()
    with transaction.atomic():
        SupporterContribution.objects.bulk_create(
            [SupporterContribution(supporter_id=pk) for pk in ids], ignore_conflicts=True
        )
        states = {
            state.supporter_id: state
            for state in SupporterContribution.objects.select_for_update()
            .filter(supporter_id__in=ids)
            .order_by("supporter_id")
        }
        figures, conversation_facts, followup_facts = contributions_for(ids)
        delta: Counter = Counter()
        for pk in ids:
            old = states[pk].figures or {}
            new = figures.get(pk, Counter())
            for key in set(old) | set(new):
                change = new.get(key, 0) - old.get(key, 0)
                if change:
                    delta[key] += change
        _apply(delta)
        ConversationFact.objects.filter(supporter_id__in=ids).delete()
        ConversationFact.objects.filter(
            conversation_id__in=[f.conversation_id for f in conversation_facts]
        ).delete()
        _copy_rows(ConversationFact, conversation_facts)
        FollowUpFact.objects.filter(supporter_id__in=ids).delete()
        FollowUpFact.objects.filter(
            followup_id__in=[f.followup_id for f in followup_facts]
        ).delete()
        _copy_rows(FollowUpFact, followup_facts)
        existing = set(Supporter.objects.filter(pk__in=ids).values_list("pk", flat=True))
        _store_contributions({pk: dict(figures[pk]) for pk in ids if pk in existing}, now)
        # People erased or merged away: their contribution is gone, so is their row.
        SupporterContribution.objects.filter(
            supporter_id__in=[pk for pk in ids if pk not in existing]
        ).delete()
    return len(ids)


def rollup_event_apply(*, supporter_id: int, event_key: str = "") -> bool:
    """Apply one event about ``supporter_id``: False when that event was applied already
    (a duplicated delivery), else refresh the supporter and remember the event."""
    with transaction.atomic():
        if event_key:
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO metrics_rollupevent (key, applied_at) VALUES (%s, now())"
                    " ON CONFLICT (key) DO NOTHING RETURNING key",
                    [event_key[:80]],
                )
                if cursor.fetchone() is None:
                    return False
        rollup_refresh([supporter_id])
    return True


def on_event(event: str, *, supporter_id: int | None = None, subject=None, **data) -> None:
    """The subscriber (``organizing.events``): after the write commits, refresh the person."""
    if supporter_id is None:
        return
    from .tasks import rollup_event_apply_task

    subject_id = data.get("event_id") or getattr(subject, "pk", None) or ""
    key = f"{event}:{subject_id}:{supporter_id}:{timezone.now().timestamp():.6f}"
    enqueue_on_commit(rollup_event_apply_task, supporter_id, key)


def rollup_rederive(*, batch: int = BATCH) -> int | None:
    """Re-derive every rollup from the raw tables (nightly, under a lock; None if another
    run holds it): refresh every supporter in bounded batches, then rebuild the day sums and
    rung counts as the sum of the stored contributions, so nothing can drift."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtextextended('metrics-rederive', 0))")
        if not cursor.fetchone()[0]:
            return None
    try:
        return _rederive(batch)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtextextended('metrics-rederive', 0))")


def _rederive(batch: int) -> int:
    refreshed = 0
    last = 0
    while True:
        ids = list(
            Supporter.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            break
        refreshed += rollup_refresh(ids)
        last = ids[-1]
    gone = list(
        SupporterContribution.objects.exclude(
            supporter_id__in=Supporter.objects.values("pk")
        ).values_list("supporter_id", flat=True)
    )
    for start in range(0, len(gone), batch):
        rollup_refresh(gone[start : start + batch])
    _rebuild_sums()
    RollupEvent.objects.filter(applied_at__lt=timezone.now() - timedelta(days=7)).delete()
    return refreshed


def _rebuild_sums() -> None:
    """Day sums and rung counts := the sum of every supporter's stored contribution, while
    refreshes wait (a share lock on the contributions)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE metrics_supportercontribution IN SHARE MODE")
        cursor.execute("DELETE FROM metrics_dayfigure")
        cursor.execute(
            """
            INSERT INTO metrics_dayfigure (day, team_id, volunteer_id, channel, figure, bucket, value)
            SELECT split_part(key, '|', 2)::date, split_part(key, '|', 3)::bigint,
                   split_part(key, '|', 4)::bigint, split_part(key, '|', 5),
                   split_part(key, '|', 6), split_part(key, '|', 7)::int, SUM(value::bigint)
            FROM metrics_supportercontribution, jsonb_each_text(figures)
            WHERE key LIKE 'd|%%'
            GROUP BY key HAVING SUM(value::bigint) <> 0
            """
        )
        cursor.execute("DELETE FROM metrics_rungcount")
        cursor.execute(
            """
            INSERT INTO metrics_rungcount (team_id, level, value)
            SELECT split_part(key, '|', 2)::bigint, split_part(key, '|', 3)::int, SUM(value::bigint)
            FROM metrics_supportercontribution, jsonb_each_text(figures)
            WHERE key LIKE 'r|%%'
            GROUP BY key HAVING SUM(value::bigint) <> 0
            """
        )


__all__ = ["DayFigure", "RungCount", "rollup_event_apply", "rollup_rederive", "rollup_refresh"]

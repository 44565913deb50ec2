"""The figures of the dashboard and the API, for a scope (teams, maybe one volunteer) and a
range of days, answered from the rollups in a fixed number of queries whatever the data.

How a chosen range is answered:

- sums (attempts, talked, prepared, remembered, suggestions, relational, new relationships,
  follow-ups kept/late/open, ladder steps): the days' ``DayFigure`` rows added up;
- medians (days between repeat conversations, days late): each day keeps an exact
  histogram (one ``DayFigure`` row per whole number of days); a range merges the histograms
  and reads the middle (the mean of the two middles for an even count);
- distinct people talked to, and how many of them had been talked to before: counted from
  the per-conversation rows (``ConversationFact``: one per conversation, with the person and
  which of their talked conversations it was), so a range crossing weeks counts a person
  once;
- rungs: ``RungCount`` now; a past week's rungs are today's minus the steps since.

``figures_from_raw`` computes the same summary by GROUP BY over the raw tables: the
reference the tests and the bench compare with.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.utils import timezone

from organizing.models import User
from supporters.models import Supporter

from .models import ConversationFact, DayFigure, RungCount
from .rollups import BRIEF_VIEWED, GRACE_DAYS

LEVELS = list(range(0, 6))


@dataclass(frozen=True)
class Scope:
    """Whose figures: ``team_ids`` None for the whole organization."""

    team_ids: tuple[int, ...] | None
    start: date
    end: date
    volunteer_id: int | None = None


def _median(histogram: Counter) -> float | None:
    total = sum(histogram.values())
    if not total:
        return None
    ordered = sorted(histogram.items())

    def nth(n: int) -> int:
        seen = 0
        for value, count in ordered:
            seen += count
            if seen > n:
                return value
        return ordered[-1][0]

    if total % 2:
        return float(nth(total // 2))
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _in_scope(queryset, scope: Scope, *, team_field: str = "team_id", volunteer: bool = True):
    if scope.team_ids is not None:
        queryset = queryset.filter(**{f"{team_field}__in": scope.team_ids})
    if volunteer and scope.volunteer_id is not None:
        queryset = queryset.filter(volunteer_id=scope.volunteer_id)
    return queryset


def today() -> date:
    return timezone.localdate()


def summary(scope: Scope) -> dict:
    """The cards' figures (four queries)."""
    cutoff = today() - timedelta(days=GRACE_DAYS)
    days = DayFigure.objects.filter(day__gte=scope.start, day__lte=scope.end)
    activity = _in_scope(days.exclude(figure="move"), scope)
    ladder = _in_scope(days.filter(figure="move"), scope, volunteer=False)
    sums: Counter = Counter()
    channels: dict[str, Counter] = defaultdict(Counter)
    histograms: dict[str, Counter] = defaultdict(Counter)
    moves: Counter = Counter()
    rows = (activity | ladder).annotate(
        overdue=Case(
            When(figure="fu_open", day__lt=cutoff, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    for figure, channel, bucket, overdue, value in (
        rows.values("figure", "channel", "bucket", "overdue")
        .annotate(value=Sum("value"))
        .values_list("figure", "channel", "bucket", "overdue", "value")
    ):
        if figure == "move":
            moves[channel] += value
        elif figure in ("gap", "fu_delay"):
            histograms[figure][bucket] += value
        elif figure == "fu_open":
            sums["fu_overdue" if overdue else "fu_pending"] += value
        else:
            sums[figure] += value
            if channel:
                channels[channel][figure] += value
    people = _in_scope(
        ConversationFact.objects.filter(day__gte=scope.start, day__lte=scope.end, is_talked=True),
        scope,
    ).aggregate(
        talked=Count("supporter_id", distinct=True),
        repeat=Count("supporter_id", distinct=True, filter=Q(ordinal__gte=2)),
    )
    rungs = Counter(
        dict(
            _in_scope(RungCount.objects.all(), scope, volunteer=False)
            .values("level")
            .annotate(n=Sum("value"))
            .values_list("level", "n")
        )
    )
    return _shape(sums, channels, histograms, moves, people, rungs)


def _shape(sums, channels, histograms, moves, people, rungs) -> dict:
    levels = dict(Supporter.EngagementLevel.choices)
    steps = []
    for step, count in sorted(moves.items()):
        if not count:
            continue
        origin, target = (int(part) for part in step.split(">"))
        steps.append(
            {
                "from": origin,
                "to": target,
                "from_label": str(levels[origin]),
                "to_label": str(levels[target]),
                "count": count,
            }
        )
    due = sums["fu_kept"] + sums["fu_late"] + sums["fu_overdue"] + sums["fu_pending"]
    return {
        "activity": {
            "attempts": sums["attempts"],
            "talked": sums["talked"],
            "contact_rate": _rate(sums["talked"], sums["attempts"]),
            "by_channel": [
                {
                    "channel": channel,
                    "attempts": counted["attempts"],
                    "talked": counted["talked"],
                    "contact_rate": _rate(counted["talked"], counted["attempts"]),
                }
                for channel, counted in sorted(channels.items())
                if counted["attempts"]
            ],
        },
        "repeat": {
            "people_talked": people["talked"],
            "people_repeat": people["repeat"],
            "repeat_conversations": sums["repeat_talks"],
            "median_days_between": _median(histograms["gap"]),
        },
        "remembered": {
            "talked": sums["talked"],
            "remembered": sums["remembered"],
            "per_talked": _rate(sums["remembered"], sums["talked"]),
            "suggestions_confirmed": sums["confirmed"],
            "suggestions_dismissed": sums["dismissed"],
        },
        "prepared": {
            "conversations": sums["attempts"],
            "prepared": sums["prepared"],
            "rate": _rate(sums["prepared"], sums["attempts"]),
        },
        "followups": {
            "due": due,
            "kept": sums["fu_kept"],
            "late": sums["fu_late"],
            "overdue": sums["fu_overdue"],
            "pending": sums["fu_pending"],
            "median_delay_days": _median(histograms["fu_delay"]),
        },
        "reach": {
            "relational": sums["relational"],
            "talked": sums["talked"],
            "new_known": sums["new_known"],
        },
        "ladder": {
            "rungs": [
                {"level": level, "label": str(levels[level]), "count": rungs.get(level, 0)}
                for level in LEVELS
            ],
            "up": sum(s["count"] for s in steps if s["to"] > s["from"]),
            "down": sum(s["count"] for s in steps if s["to"] < s["from"]),
            "steps": steps,
        },
    }


ROW_FIGURES = ("attempts", "talked", "repeat_talks", "prepared", "remembered", "fu_kept", "fu_late")


def breakdown(scope: Scope, by: str) -> list[dict]:
    """Rows per week (Monday first) or per volunteer: the sums behind the charts (one query,
    plus one for the volunteers' names)."""
    days = _in_scope(
        DayFigure.objects.filter(day__gte=scope.start, day__lte=scope.end, figure__in=ROW_FIGURES),
        scope,
    )
    # Weeks are folded from days here: a date's Monday needs no time zone arithmetic in SQL.
    group = F("day") if by == "week" else F("volunteer_id")
    table: dict = defaultdict(Counter)
    for key, figure, value in (
        days.annotate(key=group)
        .values("key", "figure")
        .annotate(v=Sum("value"))
        .values_list("key", "figure", "v")
    ):
        if by == "week":
            key = key - timedelta(days=key.weekday())
        table[key][figure] += value
    if by == "week":
        weeks = []
        monday = scope.start - timedelta(days=scope.start.weekday())
        while monday <= scope.end:
            weeks.append(monday)
            monday += timedelta(days=7)
        return [
            {"key": w.isoformat(), "label": w.isoformat(), **_row(table.get(w, Counter()))}
            for w in weeks
        ]
    users = User.objects.filter(pk__in=[k for k in table if k])
    names = {pk: name or email for pk, name, email in users.values_list("pk", "full_name", "email")}
    return sorted(
        (
            {"key": str(k), "label": names.get(k) or "—", **_row(counted)}
            for k, counted in table.items()
        ),
        key=lambda row: (-row["talked"], row["label"]),
    )


def _row(counted: Counter) -> dict:
    return {
        "attempts": counted["attempts"],
        "talked": counted["talked"],
        "repeat_conversations": counted["repeat_talks"],
        "prepared": counted["prepared"],
        "remembered": counted["remembered"],
        "followups_kept": counted["fu_kept"],
        "followups_late": counted["fu_late"],
    }


def ladder_weeks(scope: Scope) -> list[dict]:
    """People on each rung at the end of each week of the range (one query beside the
    rungs): today's counts minus the steps taken since."""
    current = Counter(
        dict(
            _in_scope(RungCount.objects.all(), scope, volunteer=False)
            .values("level")
            .annotate(n=Sum("value"))
            .values_list("level", "n")
        )
    )
    monday = scope.start - timedelta(days=scope.start.weekday())
    ends = []
    while monday <= scope.end:
        ends.append(min(monday + timedelta(days=6), scope.end))
        monday += timedelta(days=7)
    if not ends:
        return []
    steps = list(
        _in_scope(DayFigure.objects.filter(figure="move", day__gt=ends[0]), scope, volunteer=False)
        .values("day", "channel")
        .annotate(v=Sum("value"))
        .values_list("day", "channel", "v")
    )
    weeks = []
    for end in ends:
        counts = Counter(current)
        for day, step, value in steps:
            if day > end:
                origin, target = (int(p) for p in step.split(">"))
                counts[target] -= value
                counts[origin] += value
        weeks.append(
            {"week_end": end.isoformat(), "rungs": {lvl: counts.get(lvl, 0) for lvl in LEVELS}}
        )
    return weeks


# --- the reference: the same summary by GROUP BY over the raw tables ------------------------

_RAW_CONVERSATIONS = """
WITH conv AS (
    SELECT c.id, c.supporter_id, c.volunteer_id, c.channel, c.happened_at,
           c.outcome = 'talked' AS talked,
           (c.happened_at AT TIME ZONE %(tz)s)::date AS day,
           CASE WHEN EXISTS (SELECT 1 FROM organizing_membership m
                             WHERE m.user_id = c.volunteer_id AND m.team_id = s.team_id)
                THEN s.team_id
                ELSE COALESCE((SELECT min(m.team_id) FROM organizing_membership m
                               WHERE m.user_id = c.volunteer_id), s.team_id) END AS team
    FROM conversations_conversation c JOIN supporters_supporter s ON s.id = c.supporter_id
), ordered AS (
    SELECT id, day - lag(day) OVER (PARTITION BY supporter_id ORDER BY happened_at, id) AS gap
    FROM conv WHERE talked
), picked AS (
    SELECT conv.*, ordered.gap FROM conv LEFT JOIN ordered ON ordered.id = conv.id
    WHERE conv.day BETWEEN %(start)s AND %(end)s {where}
)
SELECT channel, count(*), count(*) FILTER (WHERE talked),
       count(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM organizing_auditevent a
           WHERE a.action = %(viewed)s AND a.object_type_id = %(ct)s
             AND a.object_id = picked.supporter_id::text AND a.actor_id = picked.volunteer_id
             AND a.at BETWEEN picked.happened_at - interval '24 hours' AND picked.happened_at)),
       count(*) FILTER (WHERE talked AND EXISTS (
           SELECT 1 FROM supporters_relationship r
           WHERE r.supporter_id = picked.supporter_id AND r.known_by_id = picked.volunteer_id)),
       coalesce(sum((SELECT count(*) FROM conversations_note n
                     WHERE n.conversation_id = picked.id AND n.kind = 'remember'))
                FILTER (WHERE talked), 0),
       count(*) FILTER (WHERE gap IS NOT NULL),
       coalesce(sum((SELECT count(*) FROM conversations_suggestion g
                     WHERE g.conversation_id = picked.id AND g.status = 'confirmed')), 0),
       coalesce(sum((SELECT count(*) FROM conversations_suggestion g
                     WHERE g.conversation_id = picked.id AND g.status = 'dismissed')), 0),
       (SELECT count(DISTINCT supporter_id) FROM picked WHERE talked),
       (SELECT count(DISTINCT supporter_id) FROM picked WHERE gap IS NOT NULL),
       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) FROM picked WHERE gap IS NOT NULL)
FROM picked GROUP BY channel
"""

_RAW_FOLLOWUPS = """
WITH f AS (
    SELECT fu.id, fu.status,
           (fu.due_at AT TIME ZONE %(tz)s)::date AS due,
           (fu.completed_at AT TIME ZONE %(tz)s)::date AS done,
           fu.assignee_id AS volunteer_id,
           CASE WHEN EXISTS (SELECT 1 FROM organizing_membership m
                             WHERE m.user_id = fu.assignee_id AND m.team_id = s.team_id)
                THEN s.team_id
                ELSE COALESCE((SELECT min(m.team_id) FROM organizing_membership m
                               WHERE m.user_id = fu.assignee_id), s.team_id) END AS team
    FROM conversations_followup fu JOIN supporters_supporter s ON s.id = fu.supporter_id
    WHERE fu.status <> 'cancelled'
), picked AS (
    SELECT *, greatest(done - due, 0) AS delay FROM f
    WHERE due BETWEEN %(start)s AND %(end)s {where}
)
SELECT count(*) FILTER (WHERE status = 'done' AND delay <= %(grace)s),
       count(*) FILTER (WHERE status = 'done' AND delay > %(grace)s),
       count(*) FILTER (WHERE status = 'open' AND due < %(cutoff)s),
       count(*) FILTER (WHERE status = 'open' AND due >= %(cutoff)s),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY delay) FILTER (WHERE status = 'done')
FROM picked
"""

_RAW_KNOWN = """
SELECT count(*) FROM (
    SELECT (r.created_at AT TIME ZONE %(tz)s)::date AS day, r.known_by_id AS volunteer_id,
           CASE WHEN EXISTS (SELECT 1 FROM organizing_membership m
                             WHERE m.user_id = r.known_by_id AND m.team_id = s.team_id)
                THEN s.team_id
                ELSE COALESCE((SELECT min(m.team_id) FROM organizing_membership m
                               WHERE m.user_id = r.known_by_id), s.team_id) END AS team
    FROM supporters_relationship r JOIN supporters_supporter s ON s.id = r.supporter_id
    WHERE r.known_by_id IS NOT NULL
) k WHERE day BETWEEN %(start)s AND %(end)s {where}
"""

_RAW_LADDER = """
SELECT e.from_level, e.to_level, count(*)
FROM supporters_engagementchange e JOIN supporters_supporter s ON s.id = e.supporter_id
WHERE (e.at AT TIME ZONE %(tz)s)::date BETWEEN %(start)s AND %(end)s {where}
GROUP BY 1, 2
"""

_RAW_RUNGS = "SELECT engagement_level, count(*) FROM supporters_supporter s {where} GROUP BY 1"


def figures_from_raw(scope: Scope) -> dict:
    """The same summary as ``summary`` from the raw tables (GROUP BY, window functions)."""
    params = {
        "tz": settings.TIME_ZONE,
        "start": scope.start,
        "end": scope.end,
        "viewed": BRIEF_VIEWED,
        "ct": ContentType.objects.get_for_model(Supporter).pk,
        "grace": GRACE_DAYS,
        "cutoff": today() - timedelta(days=GRACE_DAYS),
        "teams": list(scope.team_ids or []),
        "volunteer": scope.volunteer_id,
    }
    where = ""
    if scope.team_ids is not None:
        where += " AND team = ANY(%(teams)s)"
    if scope.volunteer_id is not None:
        where += " AND volunteer_id = %(volunteer)s"
    team_only = " AND s.team_id = ANY(%(teams)s)" if scope.team_ids is not None else ""
    sums: Counter = Counter()
    channels: dict[str, Counter] = defaultdict(Counter)
    people = {"talked": 0, "repeat": 0}
    histograms: dict[str, Counter] = defaultdict(Counter)
    medians: dict[str, float | None] = {"gap": None, "fu_delay": None}
    with connection.cursor() as cursor:
        cursor.execute(_RAW_CONVERSATIONS.format(where=where), params)
        for row in cursor.fetchall():
            channel, attempts, talked, prepared, relational, remembered, repeat, yes, no = row[:9]
            people = {"talked": row[9], "repeat": row[10]}
            medians["gap"] = row[11]
            for name, value in (
                ("attempts", attempts),
                ("talked", talked),
                ("prepared", prepared),
                ("relational", relational),
                ("remembered", remembered),
                ("repeat_talks", repeat),
                ("confirmed", yes),
                ("dismissed", no),
            ):
                sums[name] += int(value)
                channels[channel][name] += int(value)
        cursor.execute(_RAW_FOLLOWUPS.format(where=where), params)
        kept, late, overdue, pending, delay = cursor.fetchone()
        sums.update(fu_kept=kept, fu_late=late, fu_overdue=overdue, fu_pending=pending)
        medians["fu_delay"] = delay
        cursor.execute(_RAW_KNOWN.format(where=where), params)
        sums["new_known"] = cursor.fetchone()[0]
        cursor.execute(_RAW_LADDER.format(where=team_only), params)
        moves = Counter({f"{a}>{b}": n for a, b, n in cursor.fetchall()})
        cursor.execute(_RAW_RUNGS.format(where=team_only.replace(" AND", "WHERE", 1)), params)
        rungs = Counter(dict(cursor.fetchall()))
    shaped = _shape(sums, channels, histograms, moves, people, rungs)
    shaped["repeat"]["median_days_between"] = (
        None if medians["gap"] is None else float(medians["gap"])
    )
    shaped["followups"]["median_delay_days"] = (
        None if medians["fu_delay"] is None else float(medians["fu_delay"])
    )
    return shaped

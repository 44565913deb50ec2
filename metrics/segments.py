"""The segment condition behind every number of the dashboard: the people a figure counts.

``{"metric": {"figure": "talked", "since": "2026-11-02", "until": "2026-11-08", "team": [3],
"volunteer": 12, "channel": "door"}}`` (``team``, ``volunteer`` and ``channel`` optional).
Figures: ``attempts``, ``talked``, ``repeat``, ``prepared``, ``relational``, ``remembered``,
``suggestions_confirmed``, ``suggestions_dismissed``, ``new_known``, ``followups_kept``,
``followups_late``, ``followups_overdue``, ``followups_pending``, ``moved_up``,
``moved_down``, ``rung_0`` … ``rung_5``. The same rows the figures were counted from, so a
drill-down lists exactly the people behind the number (before the visibility rule).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from conversations.models import Suggestion
from supporters.models import EngagementChange, Relationship
from supporters.segments import (
    SegmentError,
    path_join,
    read_choice,
    read_int,
    read_list,
    read_options,
    read_str,
)

from .models import ConversationFact, FollowUpFact
from .rollups import GRACE_DAYS

CONVERSATION_FIGURES = {
    "attempts": Q(),
    "talked": Q(is_talked=True),
    "repeat": Q(is_talked=True, ordinal__gte=2),
    "prepared": Q(is_prepared=True),
    "relational": Q(is_relational=True),
    "remembered": Q(is_talked=True, remembered__gt=0),
}
FOLLOWUP_FIGURES = ("followups_kept", "followups_late", "followups_overdue", "followups_pending")
FIGURES = [
    *CONVERSATION_FIGURES,
    "suggestions_confirmed",
    "suggestions_dismissed",
    "new_known",
    *FOLLOWUP_FIGURES,
    "moved_up",
    "moved_down",
    *(f"rung_{level}" for level in range(6)),
]


def _day(value: Any, path: str) -> date:
    try:
        return date.fromisoformat(read_str(value, path, max_length=10))
    except ValueError:
        raise SegmentError(path, _("Expected a date such as 2026-11-30.")) from None


def metric_condition(argument: Any, path: str) -> Q:
    options = read_options(
        argument, path, {"figure", "since", "until", "team", "volunteer", "channel"}
    )
    figure = read_choice(options.get("figure"), path_join(path, "figure"), FIGURES)
    since = _day(options["since"], path_join(path, "since")) if "since" in options else date.min
    until = _day(options["until"], path_join(path, "until")) if "until" in options else date.max
    teams = None
    if "team" in options:
        value = options["team"]
        where = path_join(path, "team")
        teams = (
            read_list(value, where, read_int, low=1)
            if isinstance(value, list)
            else [read_int(value, where, low=1)]
        )
    volunteer = (
        read_int(options["volunteer"], path_join(path, "volunteer"), low=1)
        if "volunteer" in options
        else None
    )
    channel = (
        read_str(options["channel"], path_join(path, "channel"), 20)
        if "channel" in options
        else None
    )

    def scoped(
        q: Q, team_field: str = "team_id", volunteer_field: str | None = "volunteer_id"
    ) -> Q:
        if teams is not None:
            q &= Q(**{f"{team_field}__in": teams})
        if volunteer is not None and volunteer_field:
            q &= Q(**{volunteer_field: volunteer})
        return q

    if figure in CONVERSATION_FIGURES or figure.startswith("suggestions_"):
        facts = scoped(Q(day__gte=since, day__lte=until) & CONVERSATION_FIGURES.get(figure, Q()))
        if channel:
            facts &= Q(channel=channel)
        if figure in CONVERSATION_FIGURES:
            return Q(Exists(ConversationFact.objects.filter(facts, supporter_id=OuterRef("pk"))))
        status = (
            Suggestion.Status.CONFIRMED
            if figure.endswith("confirmed")
            else Suggestion.Status.DISMISSED
        )
        return Q(
            Exists(
                Suggestion.objects.filter(
                    supporter=OuterRef("pk"),
                    status=status,
                    conversation_id__in=ConversationFact.objects.filter(facts).values(
                        "conversation_id"
                    ),
                )
            )
        )
    if figure in FOLLOWUP_FIGURES:
        cutoff = timezone.localdate() - timedelta(days=GRACE_DAYS)
        q = scoped(Q(due_day__gte=since, due_day__lte=until))
        q &= {
            "followups_kept": Q(state=FollowUpFact.State.KEPT),
            "followups_late": Q(state=FollowUpFact.State.LATE),
            "followups_overdue": Q(state=FollowUpFact.State.OPEN, due_day__lt=cutoff),
            "followups_pending": Q(state=FollowUpFact.State.OPEN, due_day__gte=cutoff),
        }[figure]
        return Q(Exists(FollowUpFact.objects.filter(q, supporter_id=OuterRef("pk"))))
    zone = timezone.get_current_timezone()
    if figure == "new_known":
        q = Q(supporter=OuterRef("pk"), known_by__isnull=False)
        q &= _between("created_at", since, until, zone)
        if volunteer is not None:
            q &= Q(known_by_id=volunteer)
        if teams is not None:
            q &= Q(supporter__team_id__in=teams)
        return Q(Exists(Relationship.objects.filter(q)))
    if figure.startswith("moved_"):
        q = Q(supporter=OuterRef("pk")) & _between("at", since, until, zone)
        q &= (
            Q(to_level__gt=F("from_level"))
            if figure == "moved_up"
            else Q(to_level__lt=F("from_level"))
        )
        if teams is not None:
            q &= Q(supporter__team_id__in=teams)
        return Q(Exists(EngagementChange.objects.filter(q)))
    level = int(figure.removeprefix("rung_"))
    return Q(engagement_level=level, **({"team_id__in": teams} if teams is not None else {}))


def _between(field: str, since: date, until: date, zone) -> Q:
    q = Q()
    if since != date.min:
        q &= Q(**{f"{field}__gte": datetime.combine(since, time.min, tzinfo=zone)})
    if until != date.max:
        q &= Q(
            **{f"{field}__lt": datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone)}
        )
    return q

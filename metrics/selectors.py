"""Who may read which figures, and the people behind a number, through the access model.

The dashboard's teams are ``organizing.roles.team_ids_overseen_by``: organizers their teams,
data staff and admins every team (and the whole organization). The people behind a number
are ``supporters.segments.segment_supporters`` (the visibility rule first) with the
``metric`` condition; how many the viewer may not see is the same condition counted over
everyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from organizing.models import Team, User
from organizing.roles import team_ids_overseen_by, user_is_organization_wide
from supporters.models import Supporter
from supporters.segments import segment_compile, segment_supporters

from .figures import Scope, today


def user_may_read_metrics(user) -> bool:
    """Organizers (of their teams), data staff and admins read the figures."""
    return bool(team_ids_overseen_by(user))


def metrics_teams(*, viewer: User) -> QuerySet[Team]:
    """The teams whose figures ``viewer`` may read, by name."""
    return Team.objects.filter(pk__in=team_ids_overseen_by(viewer)).order_by("name")


def metrics_scope(
    *,
    viewer: User,
    team: int | None = None,
    start: date | None = None,
    end: date | None = None,
    volunteer: int | None = None,
) -> Scope:
    """The scope ``viewer`` asked for, or PermissionDenied (not an organizer or above) / 404
    (a team not theirs). Without a team: the whole organization for data staff and admins,
    an organizer's own teams otherwise. Default range: the last eight weeks to today."""
    overseen = team_ids_overseen_by(viewer)
    if not overseen:
        raise PermissionDenied(_("Only organizers, data staff and admins read these figures."))
    if team is not None:
        if team not in overseen:
            raise Http404(_("No such team."))
        team_ids: tuple[int, ...] | None = (team,)
    elif user_is_organization_wide(viewer):
        team_ids = None
    else:
        team_ids = tuple(sorted(overseen))
    end = end or today()
    start = start or (end - timedelta(days=end.weekday()) - timedelta(weeks=7))
    return Scope(team_ids=team_ids, start=start, end=end, volunteer_id=volunteer)


def metric_filter(scope: Scope, figure: str, channel: str | None = None) -> dict:
    """The segment filter of the people behind ``figure`` in ``scope``."""
    condition: dict = {
        "figure": figure,
        "since": scope.start.isoformat(),
        "until": scope.end.isoformat(),
    }
    if scope.team_ids is not None:
        condition["team"] = list(scope.team_ids)
    if scope.volunteer_id is not None:
        condition["volunteer"] = scope.volunteer_id
    if channel:
        condition["channel"] = channel
    return {"metric": condition}


@dataclass
class PeopleBehind:
    filter: dict
    people: QuerySet[Supporter]
    total: int
    hidden: int


def metric_people(
    *, viewer: User, scope: Scope, figure: str, channel: str | None = None
) -> PeopleBehind:
    """The people behind a number as ``viewer`` may see them, and how many they may not."""
    filter_json = metric_filter(scope, figure, channel)
    people = segment_supporters(viewer=viewer, filter_json=filter_json).order_by(
        "family_name", "given_name", "pk"
    )
    total = Supporter.objects.filter(segment_compile(filter_json)).count()
    visible = people.count()
    return PeopleBehind(
        filter=filter_json, people=people, total=total, hidden=max(0, total - visible)
    )

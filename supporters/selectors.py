"""Reads of supporters for a viewer. ``supporter_list`` is THE visibility rule.

Every page, API endpoint, search, export and webhook reads supporters through
``supporter_list(viewer=…)`` (or ``supporter_get``, which is built on it). Nothing else
decides who may see whom.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from organizing.models import Membership, User
from organizing.selectors import user_is_organization_wide

from .models import Supporter


def supporter_list(*, viewer: User) -> QuerySet[Supporter]:
    """The supporters ``viewer`` may see.

    - data staff, admins (and superusers): everyone;
    - organizers: every supporter owned by a team they organize;
    - everyone signed in (volunteers included): the people assigned to them and
      their own relational contacts;
    - anyone inactive or anonymous: no one.
    """
    if not viewer.is_authenticated or not viewer.is_active:
        return Supporter.objects.none()
    if user_is_organization_wide(viewer):
        return Supporter.objects.all()
    organized_teams = viewer.memberships.filter(role=Membership.Role.ORGANIZER).values("team_id")
    supporters = Supporter.objects.all()
    return (
        supporters.in_teams(organized_teams)
        | supporters.assigned_to(viewer)
        | supporters.known_by(viewer)
    )


def supporter_get(*, viewer: User, pk: int) -> Supporter:
    """One supporter the viewer may see; anything outside their scope is a 404."""
    supporter = supporter_list(viewer=viewer).filter(pk=pk).first()
    if supporter is None:
        raise Http404("No such supporter.")
    return supporter

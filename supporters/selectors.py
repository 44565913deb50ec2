"""Reads of supporters for a viewer. ``supporter_list`` is THE visibility rule.

Every page, API endpoint, search, export and webhook reads supporters through
``supporter_list(viewer=…)`` (or ``supporter_get``, which is built on it). Nothing else
decides who may see whom.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from organizing.models import Membership, User
from organizing.selectors import user_is_organization_wide

from .models import Assignment, DuplicateCandidate, Relationship, Supporter


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
    # A volunteer's own people are a short list of ids; as one semi-join PostgreSQL reads
    # them through the primary key instead of testing every supporter (see bench/).
    own_people = (
        Assignment.objects.active()
        .filter(volunteer=viewer)
        .values("supporter_id")
        .union(Relationship.objects.filter(known_by=viewer).values("supporter_id"))
    )
    organized_teams = list(
        viewer.memberships.filter(role=Membership.Role.ORGANIZER).values_list("team_id", flat=True)
    )
    if not organized_teams:
        return Supporter.objects.filter(pk__in=own_people)
    return Supporter.objects.filter(Q(team_id__in=organized_teams) | Q(pk__in=own_people))


def supporter_get(*, viewer: User, pk: int) -> Supporter:
    """One supporter the viewer may see; anything outside their scope is a 404."""
    supporter = supporter_list(viewer=viewer).filter(pk=pk).first()
    if supporter is None:
        raise Http404("No such supporter.")
    return supporter


def supporter_may_organize(*, viewer: User, supporter: Supporter) -> bool:
    """Organizers of the supporter's team, data staff and admins may review and merge them."""
    from organizing.selectors import team_ids_organized_by

    return user_is_organization_wide(viewer) or supporter.team_id in team_ids_organized_by(viewer)


def duplicate_list(*, viewer: User) -> QuerySet[DuplicateCandidate]:
    """Open duplicate candidates the viewer may review: both people in teams they organize
    (everyone's for data staff and admins), best score first."""
    from organizing.selectors import team_ids_organized_by

    pairs = DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN)
    if not user_is_organization_wide(viewer):
        teams = team_ids_organized_by(viewer)
        pairs = pairs.filter(first__team_id__in=teams, second__team_id__in=teams)
    return pairs.select_related("first__team", "second__team").order_by("-score", "id")


def duplicate_get(*, viewer: User, pk: int) -> DuplicateCandidate:
    """A pair both of whose people the viewer may see (else 404); permission is the view's."""
    visible = supporter_list(viewer=viewer)
    pair = (
        DuplicateCandidate.objects.select_related("first__team", "second__team")
        .filter(pk=pk, first__in=visible, second__in=visible)
        .first()
    )
    if pair is None:
        raise Http404("No such pair.")
    return pair

"""The one visibility rule, as a matrix: who sees which supporter."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from supporters.selectors import supporter_get, supporter_list
from tests.factories import AssignmentFactory, RelationshipFactory, SupporterFactory, UserFactory

ALL = {"assigned", "known", "team_only", "other_team", "assignment_ended"}

# viewer fixture name -> the supporters it must see (and no others)
MATRIX = {
    "volunteer": {"assigned", "known"},
    "teammate": set(),
    "organizer": {"assigned", "team_only", "assignment_ended"},
    "other_organizer": {"known", "other_team"},
    "data_staff": ALL,
    "admin": ALL,
}


@pytest.fixture
def people(eastside, westside, volunteer):
    assigned = SupporterFactory(given_name="Assigned", team=eastside)
    AssignmentFactory(supporter=assigned, volunteer=volunteer)
    known = SupporterFactory(given_name="Known", team=westside)
    RelationshipFactory(supporter=known, known_by=volunteer)
    ended = SupporterFactory(given_name="Ended", team=eastside)
    AssignmentFactory(supporter=ended, volunteer=volunteer, ended_at=timezone.now())
    return {
        "assigned": assigned,
        "known": known,
        "team_only": SupporterFactory(given_name="Team", team=eastside),
        "other_team": SupporterFactory(given_name="Other", team=westside),
        "assignment_ended": ended,
    }


@pytest.mark.parametrize(("viewer_name", "expected"), sorted(MATRIX.items()))
def test_visibility_matrix(request, people, viewer_name, expected):
    viewer = request.getfixturevalue(viewer_name)
    visible = set(supporter_list(viewer=viewer).values_list("pk", flat=True))
    assert visible == {people[name].pk for name in expected}
    for name, supporter in people.items():
        if name in expected:
            assert supporter_get(viewer=viewer, pk=supporter.pk) == supporter
        else:
            with pytest.raises(Http404):
                supporter_get(viewer=viewer, pk=supporter.pk)


def test_user_with_roles_in_two_teams_sees_the_union(people, westside, volunteer):
    from organizing.models import Membership

    Membership.objects.create(user=volunteer, team=westside, role=Membership.Role.ORGANIZER)
    visible = set(supporter_list(viewer=volunteer).values_list("pk", flat=True))
    assert visible == {people[n].pk for n in ("assigned", "known", "other_team")}


def test_each_supporter_is_listed_once_even_when_reached_several_ways(people, organizer):
    # Olivia organizes the team, is assigned the person and knows them: still one row.
    AssignmentFactory(supporter=people["team_only"], volunteer=organizer)
    RelationshipFactory(supporter=people["team_only"], known_by=organizer)
    rows = list(supporter_list(viewer=organizer).values_list("pk", flat=True))
    assert len(rows) == len(set(rows)) == 3


@pytest.mark.django_db
def test_nobody_without_a_role_or_a_session_sees_anyone(people):
    assert not supporter_list(viewer=AnonymousUser()).exists()
    assert not supporter_list(viewer=UserFactory()).exists()


def test_inactive_users_see_no_one(people, data_staff):
    data_staff.is_active = False
    data_staff.save()
    assert not supporter_list(viewer=data_staff).exists()


def test_superuser_sees_everyone(people):
    superuser = UserFactory(is_superuser=True)
    assert supporter_list(viewer=superuser).count() == len(ALL)


def test_narrowing_to_teams_never_widens_what_a_viewer_sees(
    volunteer, organizer, other_organizer, data_staff, eastside, westside
):
    east = SupporterFactory(team=eastside)
    west = SupporterFactory(team=westside)
    mine_in_west = SupporterFactory(team=westside)
    AssignmentFactory(volunteer=organizer, supporter=mine_in_west)
    both = [eastside.pk, westside.pk]
    assert set(supporter_list(viewer=organizer, teams=[eastside.pk])) == {east}
    assert set(supporter_list(viewer=organizer, teams=both)) == {east, mine_in_west}
    assert set(supporter_list(viewer=other_organizer, teams=[eastside.pk])) == set()
    assert set(supporter_list(viewer=data_staff, teams=[westside.pk])) == {west, mine_in_west}
    assert set(supporter_list(viewer=volunteer, teams=both)) == set()

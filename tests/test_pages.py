"""The foundation's pages: sign-in required, and each user sees only their own people."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import AssignmentFactory, SupporterFactory

pytestmark = pytest.mark.django_db


def test_people_page_requires_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_login_page_renders(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert b'name="login"' in response.content


def test_organizer_sees_their_teams_supporters_and_not_others(
    client, organizer, eastside, westside
):
    ours = SupporterFactory(given_name="Maria", family_name="Lopez", team=eastside)
    theirs = SupporterFactory(given_name="Thomas", family_name="Other", team=westside)
    client.force_login(organizer)
    body = client.get(reverse("supporters:list")).content.decode()
    assert ours.display_name in body
    assert theirs.display_name not in body


def test_people_page_query_count_does_not_grow_with_the_list(
    client, organizer, eastside, django_assert_max_num_queries
):
    client.force_login(organizer)
    SupporterFactory.create_batch(3, team=eastside)
    # The first request after sign-in stamps the session's last activity (a session save).
    client.get(reverse("supporters:list"))
    # 15: the bulk bar offers volunteers and tags for each of its actions (issue 16, item 4),
    # and the audit entry names whom the page showed (issue 17).
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("supporters:list"))
    SupporterFactory.create_batch(40, team=eastside)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("supporters:list"))


def test_volunteer_sees_only_assigned_people(client, volunteer, eastside):
    mine = AssignmentFactory(volunteer=volunteer, supporter__team=eastside).supporter
    SupporterFactory(given_name="Unassigned", team=eastside)
    client.force_login(volunteer)
    response = client.get(reverse("home"))
    assert [s.pk for s in response.context["page"].object_list] == [mine.pk]


def test_health_check_answers(client):
    assert client.get(reverse("health")).json() == {"status": "ok"}

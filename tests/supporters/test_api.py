"""Supporters, tags and relationships over the API: visibility, scopes, audit, query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from organizing.models import AuditEvent
from organizing.roles import SYSTEM
from supporters.models import DoNotContact, HistoryEvent, Relationship, Supporter, Tag
from supporters.services import supporter_create, tag_add
from tests.api_helpers import error_of, key_client, session_client
from tests.factories import AssignmentFactory, SupporterFactory, enriched_active_volunteer

pytestmark = pytest.mark.django_db

ROLES = ["volunteer", "organizer", "other_organizer", "data_staff", "admin"]


@pytest.fixture
def people(eastside, westside, volunteer):
    mine = AssignmentFactory(volunteer=volunteer, supporter__team=eastside).supporter
    east = SupporterFactory(team=eastside, given_name="East")
    west = SupporterFactory(team=westside, given_name="West")
    return {"mine": mine, "east": east, "west": west}


# Who sees whom: the one visibility rule, through the API.
SEES = {
    "volunteer": {"mine"},
    "organizer": {"mine", "east"},
    "other_organizer": {"west"},
    "data_staff": {"mine", "east", "west"},
    "admin": {"mine", "east", "west"},
}


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_exactly_the_supporters_the_role_may_see(request, role, people):
    client = key_client(request.getfixturevalue(role))
    ids = {row["id"] for row in client.get(reverse("api:supporter-list")).json()["results"]}
    assert ids == {people[name].pk for name in SEES[role]}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("who", ["mine", "east", "west"])
def test_retrieve_is_404_outside_the_viewers_scope(request, role, who, people):
    client = key_client(request.getfixturevalue(role))
    response = client.get(reverse("api:supporter-detail", args=[people[who].pk]))
    assert response.status_code == (200 if who in SEES[role] else 404)


def test_anonymous_gets_401_everywhere(people):
    client = APIClient()
    assert client.get(reverse("api:supporter-list")).status_code == 401
    assert client.get(reverse("api:supporter-detail", args=[people["mine"].pk])).status_code == 401
    response = client.post(reverse("api:supporter-list"), {}, format="json")
    assert response.status_code == 401
    assert Supporter.objects.count() == 3


def test_reading_a_supporter_is_audited(volunteer, people):
    client = key_client(volunteer)
    client.get(reverse("api:supporter-detail", args=[people["mine"].pk]))
    client.get(reverse("api:supporter-list"))
    client.get(reverse("api:supporter-history", args=[people["mine"].pk]))
    events = AuditEvent.objects.filter(actor=volunteer)
    assert events.filter(action="supporter.view", object_id=str(people["mine"].pk)).count() == 2
    assert events.get(action="supporter.list").details["ids"] == [people["mine"].pk]


def test_list_query_count_does_not_grow_with_rows(
    data_staff, eastside, django_assert_max_num_queries
):
    client = key_client(data_staff)
    for _ in range(3):
        supporter = supporter_create(
            actor=SYSTEM, team=eastside, given_name="A", email="a@example.org", phone="1"
        )
        tag_add(actor=SYSTEM, supporter=supporter, tag=Tag.objects.get_or_create(name="t")[0])
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("api:supporter-list"))
    for _ in range(20):
        supporter_create(actor=SYSTEM, team=eastside, given_name="B", email="b@example.org")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("api:supporter-list"))
    assert len(response.json()["results"]) == 23


def test_list_filters_search_and_updated_since(data_staff, eastside, westside):
    maria = supporter_create(actor=SYSTEM, team=eastside, given_name="Maria", email="m@example.org")
    supporter_create(actor=SYSTEM, team=westside, given_name="Tomas")
    Supporter.objects.filter(pk=maria.pk).update(support_level=1)
    client = key_client(data_staff)
    url = reverse("api:supporter-list")

    def ids(**params):
        return [row["id"] for row in client.get(url, params).json()["results"]]

    assert ids(search="mari") == [maria.pk]
    assert ids(search="m@example.org") == [maria.pk]
    assert ids(team=eastside.pk) == [maria.pk]
    assert ids(support_level=1) == [maria.pk]
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    assert ids(updated_since=future) == []
    assert len(ids(updated_since="2000-01-01T00:00:00Z")) == 2


def test_cursor_pagination_walks_every_row_once(data_staff, eastside):
    SupporterFactory.create_batch(7, team=eastside)
    client = key_client(data_staff)
    seen, url = [], reverse("api:supporter-list") + "?page_size=3"
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(Supporter.objects.values_list("id", flat=True))
    assert len(seen) == 7


# --- writes ----------------------------------------------------------------------------------


def test_read_scope_cannot_write(organizer, eastside):
    response = key_client(organizer, ["read"]).post(
        reverse("api:supporter-list"), {"team": eastside.pk, "given_name": "A"}, format="json"
    )
    assert response.status_code == 403
    assert not Supporter.objects.exists()


def test_create_writes_history_and_shows_the_new_supporter(organizer, eastside):
    response = key_client(organizer, ["read", "write"]).post(
        reverse("api:supporter-list"),
        {
            "team": eastside.pk,
            "given_name": "Maria",
            "email": "maria@example.org",
            "address": {"line1": "1 Elm", "postal_code": "78701"},
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "maria@example.org"
    assert body["address"]["postal_code"] == "78701"
    assert HistoryEvent.objects.filter(supporter_id=body["id"], kind="created").exists()


def test_volunteers_new_people_are_assigned_to_them(volunteer, eastside):
    response = key_client(volunteer, ["read", "write"]).post(
        reverse("api:supporter-list"),
        {"team": eastside.pk, "given_name": "Neighbor"},
        format="json",
    )
    assert response.status_code == 201
    assert volunteer.assignments.filter(supporter_id=response.json()["id"]).exists()


def test_cannot_add_people_to_a_team_you_are_not_in(organizer, westside):
    response = key_client(organizer, ["read", "write"]).post(
        reverse("api:supporter-list"), {"team": westside.pk, "given_name": "A"}, format="json"
    )
    assert response.status_code == 400
    assert "team" in error_of(response)["fields"]
    assert not Supporter.objects.exists()


def test_patch_changes_only_what_was_sent_and_writes_history(organizer, people):
    supporter = people["east"]
    response = key_client(organizer, ["read", "write"]).patch(
        reverse("api:supporter-detail", args=[supporter.pk]), {"support_level": 2}, format="json"
    )
    assert response.status_code == 200
    supporter.refresh_from_db()
    assert supporter.support_level == 2 and supporter.given_name == "East"
    assert HistoryEvent.objects.filter(supporter=supporter, kind="updated").count() == 1


@pytest.mark.parametrize("body", [{"support_level": 9}, {"given_name": ""}, {"nope": 1}])
def test_patch_refuses_bad_values_and_changes_nothing(organizer, people, body):
    supporter = people["east"]
    supporter.family_name = ""
    supporter.save()
    response = key_client(organizer, ["read", "write"]).patch(
        reverse("api:supporter-detail", args=[supporter.pk]), body, format="json"
    )
    assert response.status_code == 400
    supporter.refresh_from_db()
    assert supporter.support_level is None and supporter.given_name == "East"


def test_patch_outside_scope_is_404_and_changes_nothing(organizer, people):
    response = key_client(organizer, ["read", "write"]).patch(
        reverse("api:supporter-detail", args=[people["west"].pk]),
        {"support_level": 1},
        format="json",
    )
    assert response.status_code == 404
    people["west"].refresh_from_db()
    assert people["west"].support_level is None


def test_tag_and_consent_actions_use_the_services(organizer, people):
    client = key_client(organizer, ["read", "write"])
    tag = Tag.objects.create(name="tenant-leader")
    supporter = people["east"]
    response = client.post(
        reverse("api:supporter-tags", args=[supporter.pk]), {"tag": tag.pk}, format="json"
    )
    assert response.json()["tags"] == ["tenant-leader"]
    response = client.post(
        reverse("api:supporter-consent", args=[supporter.pk]),
        {"channel": "text", "do_not_contact": True},
        format="json",
    )
    assert response.json()["do_not_contact"] == ["text"]
    assert DoNotContact.objects.filter(supporter=supporter, channel="text").exists()
    kinds = set(HistoryEvent.objects.filter(supporter=supporter).values_list("kind", flat=True))
    assert {"tag_added", "consent_set"} <= kinds


def test_history_is_newest_first_and_404_outside_scope(volunteer, people):
    client = key_client(volunteer)
    supporter_history = client.get(reverse("api:supporter-history", args=[people["mine"].pk]))
    assert supporter_history.status_code == 200
    assert client.get(reverse("api:supporter-history", args=[people["west"].pk])).status_code == 404


# --- tags ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,allowed",
    [("volunteer", False), ("organizer", True), ("data_staff", True), ("admin", True)],
)
def test_only_organizers_and_above_add_tags(request, role, allowed):
    client = key_client(request.getfixturevalue(role), ["read", "write"])
    response = client.post(reverse("api:tag-list"), {"name": "new"}, format="json")
    assert response.status_code == (201 if allowed else 403)
    assert Tag.objects.filter(name="new").exists() == allowed


def test_duplicate_tag_names_are_a_field_error(organizer):
    Tag.objects.create(name="Leader")
    response = key_client(organizer, ["read", "write"]).post(
        reverse("api:tag-list"), {"name": "leader"}, format="json"
    )
    assert response.status_code == 400
    assert "name" in error_of(response)["fields"]


# --- relationships ---------------------------------------------------------------------------


def test_relationships_list_only_visible_supporters(volunteer, people):
    Relationship.objects.create(
        supporter=people["west"], other_supporter=people["east"], kind="friend"
    )
    mine = Relationship.objects.create(
        supporter=people["mine"], other_supporter=people["east"], kind="friend"
    )
    rows = key_client(volunteer).get(reverse("api:relationship-list")).json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]


def test_recording_that_i_know_someone_lets_a_volunteer_see_them(volunteer, people):
    client = key_client(volunteer, ["read", "write"])
    response = client.post(
        reverse("api:relationship-list"),
        {"supporter": people["east"].pk, "kind": "neighbor"},
        format="json",
    )
    # East is outside the volunteer's scope: refused without saying whether they exist.
    assert response.status_code == 400
    assert not Relationship.objects.filter(known_by=volunteer).exists()
    response = client.post(
        reverse("api:relationship-list"),
        {"supporter": people["mine"].pk, "kind": "neighbor"},
        format="json",
    )
    assert response.status_code == 201
    again = client.post(
        reverse("api:relationship-list"),
        {"supporter": people["mine"].pk, "kind": "neighbor"},
        format="json",
    )
    assert again.status_code == 200


# --- read-only teams and users ---------------------------------------------------------------


def test_teams_and_users_are_read_only_and_scoped(
    volunteer, other_organizer, data_staff, eastside, westside
):
    volunteer_view = key_client(volunteer, ["read", "write"])
    team_ids = {row["id"] for row in volunteer_view.get(reverse("api:team-list")).json()["results"]}
    assert team_ids == {eastside.pk}
    user_ids = {row["id"] for row in volunteer_view.get(reverse("api:user-list")).json()["results"]}
    assert other_organizer.pk not in user_ids and volunteer.pk in user_ids
    assert volunteer_view.get(reverse("api:team-detail", args=[westside.pk])).status_code == 404
    assert (
        volunteer_view.post(reverse("api:team-list"), {"name": "x"}, format="json").status_code
        == 405
    )
    everyone = key_client(data_staff)
    team_ids = {row["id"] for row in everyone.get(reverse("api:team-list")).json()["results"]}
    assert team_ids == {eastside.pk, westside.pk}


def test_session_client_sees_the_same_as_a_key(volunteer, people):
    rows = session_client(volunteer).get(reverse("api:supporter-list")).json()["results"]
    assert [row["id"] for row in rows] == [people["mine"].pk]


# --- the access model (issue 10): regressions -------------------------------------------------


def test_item_2_history_api_hides_a_note_marked_sensitive_later_from_a_volunteer(
    volunteer, organizer, people
):
    from conversations.models import Note
    from conversations.services import note_create, note_update

    note = note_create(actor=volunteer, supporter=people["mine"], body="Sleeps in her car")
    note_update(
        note=note,
        actor=organizer,
        body="Sleeps in her car",
        kind=Note.Kind.SENSITIVE,
        is_pinned=False,
    )
    url = reverse("api:supporter-history", args=[people["mine"].pk])
    rows = key_client(volunteer).get(url).json()["results"]
    assert "Sleeps in her car" not in str(rows)
    added = next(row for row in rows if row["kind"] == "note")
    assert (added["is_sensitive"], added["is_redacted"]) == (True, True)
    # Her organizer still reads the line as it was written.
    rows = key_client(organizer).get(url).json()["results"]
    assert "Sleeps in her car" in [row["summary"] for row in rows]


@pytest.fixture
def superuser(db):
    # What the README's `createsuperuser` makes: no team.
    from tests.factories import UserFactory

    return UserFactory(email="root@example.org", is_superuser=True, is_staff=True)


def test_item_11_a_superuser_with_no_team_is_told_how_to_choose_one(superuser, eastside):
    client = key_client(superuser, ["read", "write"])
    response = client.post(reverse("api:supporter-list"), {"given_name": "Ana"}, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert "OSDI_DEFAULT_TEAM" in str(error) and "team" in str(error)
    assert not Supporter.objects.exists()
    response = client.post(
        reverse("api:supporter-list"), {"given_name": "Ana", "team": eastside.pk}, format="json"
    )
    assert response.status_code == 201
    assert Supporter.objects.get().team == eastside


def test_item_11_osdi_default_team_serves_the_json_api_too(superuser, westside, settings):
    settings.OSDI_DEFAULT_TEAM = "westside"
    response = key_client(superuser, ["read", "write"]).post(
        reverse("api:supporter-list"), {"given_name": "Ana"}, format="json"
    )
    assert response.status_code == 201
    assert Supporter.objects.get().team == westside


def test_adding_the_same_client_uuid_twice_stores_one_person(volunteer, eastside):
    import uuid

    client = key_client(volunteer, ["read", "write"])
    body = {"given_name": "Ana", "client_uuid": str(uuid.uuid4())}
    first = client.post(reverse("api:supporter-list"), body, format="json")
    again = client.post(reverse("api:supporter-list"), body, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Supporter.objects.count() == 1
    assert HistoryEvent.objects.filter(kind=HistoryEvent.Kind.CREATED).count() == 1


def test_a_client_uuid_of_someone_you_cannot_see_is_a_409_and_reveals_nothing(
    volunteer, other_organizer, westside
):
    import uuid

    taken = uuid.uuid4()
    hidden = supporter_create(
        actor=other_organizer, team=westside, given_name="Tomas", client_uuid=taken
    )
    before = (Supporter.objects.count(), HistoryEvent.objects.count())
    response = key_client(volunteer, ["read", "write"]).post(
        reverse("api:supporter-list"),
        {"given_name": "Ana", "client_uuid": str(taken)},
        format="json",
    )
    assert response.status_code == 409
    assert "Tomas" not in response.content.decode()
    assert (Supporter.objects.count(), HistoryEvent.objects.count()) == before
    hidden.refresh_from_db()
    assert hidden.given_name == "Tomas"


def test_item_9_the_computed_engagement_level_is_the_one_the_api_filters_and_shows(
    data_staff, eastside
):
    person = enriched_active_volunteer(eastside)
    SupporterFactory(team=eastside)
    assert person.enrichment.engagement_level == Supporter.EngagementLevel.ACTIVE_VOLUNTEER
    rows = (
        key_client(data_staff)
        .get(reverse("api:supporter-list"), {"engagement_level": 4})
        .json()["results"]
    )
    assert [(row["id"], row["engagement_level"]) for row in rows] == [(person.pk, 4)]


def test_item_9_an_organizers_override_shows_who_and_when_and_survives_reenrichment(
    organizer, eastside
):
    from supporters.enrichment.pipeline import enrich_supporters

    person = enriched_active_volunteer(eastside)
    client = key_client(organizer, ["read", "write"])
    url = reverse("api:supporter-detail", args=[person.pk])
    response = client.patch(url, {"engagement_level": 5}, format="json")
    assert response.status_code == 200
    assert (response.json()["engagement_level"], response.json()["engagement_override"]) == (5, 5)
    assert response.json()["engagement_override_at"]
    person.refresh_from_db()
    assert person.engagement_override_by == organizer
    enrich_supporters([person.pk], force=True)
    person.refresh_from_db()
    assert (person.engagement_level, person.engagement_override) == (5, 5)
    # Clearing the override brings the computed level back.
    response = client.patch(url, {"engagement_level": None}, format="json")
    assert (response.json()["engagement_level"], response.json()["engagement_override"]) == (
        4,
        None,
    )


def test_item_9_a_volunteer_may_not_set_the_engagement_level(volunteer, eastside):
    person = AssignmentFactory(volunteer=volunteer, supporter__team=eastside).supporter
    response = key_client(volunteer, ["read", "write"]).patch(
        reverse("api:supporter-detail", args=[person.pk]), {"engagement_level": 5}, format="json"
    )
    assert response.status_code == 403
    person.refresh_from_db()
    assert (person.engagement_level, person.engagement_override) == (0, None)

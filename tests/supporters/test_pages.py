"""People pages: my people, search, adding someone, the organizer's list and bulk assignment."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations.models import Issue
from organizing.roles import SYSTEM
from supporters.models import Assignment, Relationship, Supporter, SupporterPhone
from supporters.services import consent_set
from tests.factories import (
    AssignmentFactory,
    ConversationFactory,
    FollowUpFactory,
    RelationshipFactory,
    SupporterFactory,
)

pytestmark = pytest.mark.django_db


def test_my_people_puts_overdue_first_and_shows_only_my_own(client, volunteer, teammate, eastside):
    later = AssignmentFactory(
        volunteer=volunteer, supporter__given_name="Later", supporter__team=eastside
    ).supporter
    urgent = AssignmentFactory(
        volunteer=volunteer, supporter__given_name="Urgent", supporter__team=eastside
    ).supporter
    known = RelationshipFactory(
        known_by=volunteer, supporter__given_name="Cousin", supporter__team=eastside
    ).supporter
    AssignmentFactory(volunteer=teammate, supporter__given_name="NotMine", supporter__team=eastside)
    FollowUpFactory(
        supporter=urgent,
        assignee=volunteer,
        due_at=timezone.now() - timedelta(days=1),
        reason="Call back",
    )
    FollowUpFactory(supporter=later, assignee=volunteer, due_at=timezone.now() + timedelta(days=5))
    client.force_login(volunteer)
    response = client.get(reverse("home"))
    people = list(response.context["page"].object_list)
    assert people[0] == urgent and people[1] == later
    assert set(people) == {urgent, later, known}
    assert [f.supporter for f in response.context["due"]] == [urgent]
    assert b"NotMine" not in response.content


def test_search_finds_visible_people_by_name_phone_and_email(client, volunteer, eastside):
    mine = AssignmentFactory(
        volunteer=volunteer,
        supporter__given_name="Rosa",
        supporter__family_name="Quiñones",
        supporter__team=eastside,
    ).supporter
    SupporterPhone.objects.create(supporter=mine, number="(312) 555-0199", is_primary=True)
    mine.emails.create(address="rosa@example.org", is_primary=True)
    SupporterFactory(given_name="Rosa", family_name="Hidden", team=eastside)
    client.force_login(volunteer)
    for query in ["rosa", "Rosa Quiñones", "555-0199", "3125550199", "rosa@example"]:
        results = client.get(reverse("supporters:search"), {"q": query}).context["results"]
        assert results == [mine], query
    partial = client.get(
        reverse("supporters:search"), {"q": "rosa"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in partial.content.decode() and "Quiñones" in partial.content.decode()


def test_add_a_person_at_the_door_assigns_them_to_me(client, volunteer, eastside):
    client.force_login(volunteer)
    response = client.post(
        reverse("supporters:create"),
        {
            "given_name": "Tom",
            "family_name": "Reyes",
            "phone": "312-555-0100",
            "language": "es",
            "how": "door",
            "team": eastside.pk,
            "client_uuid": str(uuid.uuid4()),
            "postal_code": "60601",
            "line1": "5 Oak",
        },
    )
    supporter = Supporter.objects.get(given_name="Tom")
    assert response.status_code == 302 and response["Location"] == reverse(
        "conversations:brief", args=[supporter.pk]
    )
    assert Assignment.objects.active().get(supporter=supporter).volunteer == volunteer
    assert supporter.language == "es" and supporter.source == "canvass"


def test_add_someone_i_know_records_the_relationship(client, volunteer, eastside):
    client.force_login(volunteer)
    client.post(
        reverse("supporters:create"),
        {
            "given_name": "Lena",
            "how": "relational",
            "relationship_kind": "coworker",
            "language": "en",
            "team": eastside.pk,
            "client_uuid": str(uuid.uuid4()),
        },
    )
    supporter = Supporter.objects.get(given_name="Lena")
    assert Relationship.objects.get(supporter=supporter).known_by == volunteer
    assert supporter.source == "relational"


def test_add_a_person_errors_are_field_by_field_and_keep_what_was_typed(
    client, volunteer, eastside
):
    client.force_login(volunteer)
    response = client.post(
        reverse("supporters:create"),
        {
            "given_name": "",
            "family_name": "",
            "phone": "12",
            "email": "not-an-email",
            "postal_code": "ABCDE",
            "how": "relational",
            "language": "en",
            "team": eastside.pk,
            "client_uuid": str(uuid.uuid4()),
            "line1": "77 Typed Street",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"given_name", "phone", "email", "postal_code", "relationship_kind"}
    assert b'value="77 Typed Street"' in response.content
    assert not Supporter.objects.exists()


def test_add_a_person_warns_about_a_visible_match_and_adds_only_when_confirmed(
    client, volunteer, eastside
):
    existing = AssignmentFactory(
        volunteer=volunteer,
        supporter__given_name="Maria",
        supporter__family_name="Delgado",
        supporter__team=eastside,
    ).supporter
    SupporterPhone.objects.create(supporter=existing, number="312.555.0142")
    client.force_login(volunteer)
    data = {
        "given_name": "María",
        "family_name": "D",
        "phone": "(312) 555-0142",
        "how": "door",
        "language": "en",
        "team": eastside.pk,
        "client_uuid": str(uuid.uuid4()),
    }
    response = client.post(reverse("supporters:create"), data)
    assert response.status_code == 400
    assert [(s, reasons) for s, reasons in response.context["matches"]] == [
        (existing, ["same phone"])
    ]
    assert Supporter.objects.count() == 1
    response = client.post(reverse("supporters:create"), {**data, "confirm_new": "on"})
    assert response.status_code == 302 and Supporter.objects.count() == 2


def test_add_a_person_does_not_reveal_matches_outside_my_scope(client, volunteer, eastside):
    hidden = SupporterFactory(team=eastside)
    SupporterPhone.objects.create(supporter=hidden, number="3125550142")
    client.force_login(volunteer)
    response = client.post(
        reverse("supporters:create"),
        {
            "given_name": "X",
            "phone": "3125550142",
            "how": "door",
            "language": "en",
            "team": eastside.pk,
            "client_uuid": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("volunteer", 403),
        ("organizer", 200),
        ("other_organizer", 200),
        ("data_staff", 200),
        ("admin", 200),
    ],
)
def test_supporters_list_is_for_organizers_and_above(client, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("supporters:list")).status_code == status


def test_supporters_list_filters(client, organizer, eastside, westside):
    talked = SupporterFactory(given_name="Talked", team=eastside, support_level=1)
    ConversationFactory(supporter=talked, happened_at=timezone.now() - timedelta(days=2))
    never = SupporterFactory(given_name="Never", team=eastside, support_level=3)
    FollowUpFactory(supporter=never)
    blocked = SupporterFactory(given_name="Blocked", team=eastside)
    consent_set(actor=SYSTEM, supporter=blocked, channel="call")
    SupporterFactory(given_name="Elsewhere", team=westside)
    client.force_login(organizer)

    def names(**params):
        response = client.get(reverse("supporters:list"), params)
        assert response.status_code == 200, response.context["form"].errors
        return {s.given_name for s in response.context["page"].object_list}

    assert names() == {"Talked", "Never", "Blocked"}
    assert names(last_contact="7") == {"Talked"}
    assert names(last_contact="never") == {"Never", "Blocked"}
    assert names(support_level="3") == {"Never"}
    assert names(followup="yes") == {"Never"}
    assert names(contactable="call") == {"Talked", "Never"}
    assert names(q="talk") == {"Talked"}
    bad = client.get(reverse("supporters:list"), {"support_level": "nine", "team": "x"})
    assert bad.status_code == 400 and set(bad.context["form"].errors) == {"support_level", "team"}


def test_supporters_list_reads_conversations_through_what_that_app_registered(
    client, organizer, eastside
):
    """The filters and columns that read conversations come from the conversations app
    (segment conditions, list columns, issue choices), which supporters does not import."""
    housing = Issue.objects.create(name="Housing")
    recent = SupporterFactory(given_name="Recent", team=eastside)
    ConversationFactory(
        supporter=recent, happened_at=timezone.now() - timedelta(days=2)
    ).issues.add(housing)
    old = SupporterFactory(given_name="Old", team=eastside)
    ConversationFactory(supporter=old, happened_at=timezone.now() - timedelta(days=90))
    FollowUpFactory(supporter=old, reason="Call back")
    FollowUpFactory(supporter=old, reason="Bring a flyer")
    client.force_login(organizer)

    def page(**params):
        response = client.get(reverse("supporters:list"), params)
        assert response.status_code == 200, response.context["form"].errors
        return {s.given_name: s for s in response.context["page"].object_list}

    assert set(page(issue=str(housing.pk))) == {"Recent"}
    assert set(page(last_contact="not30")) == {"Old"}
    assert set(page(followup="no")) == {"Recent"}
    everyone = page()
    assert everyone["Old"].open_followups == 2 and everyone["Recent"].open_followups == 0
    assert everyone["Recent"].last_contact_at > everyone["Old"].last_contact_at


def test_bulk_assignment_assigns_ticked_people_on_the_volunteers_team(
    client, organizer, volunteer, eastside, westside
):
    ours = SupporterFactory.create_batch(2, team=eastside)
    client.force_login(organizer)
    response = client.post(
        reverse("supporters:list") + "?support_level=",
        {"volunteer": volunteer.pk, "supporters": [s.pk for s in ours]},
    )
    assert response.status_code == 302 and "support_level" in response["Location"]
    assert set(
        Assignment.objects.active()
        .filter(volunteer=volunteer)
        .values_list("supporter_id", flat=True)
    ) == {s.pk for s in ours}


def test_bulk_assignment_cannot_touch_another_teams_supporters(
    client, organizer, volunteer, westside
):
    theirs = SupporterFactory(team=westside)
    client.force_login(organizer)
    client.post(reverse("supporters:list"), {"volunteer": volunteer.pk, "supporters": [theirs.pk]})
    assert not Assignment.objects.exists()


def test_volunteer_cannot_bulk_assign(client, volunteer, teammate, eastside):
    supporter = AssignmentFactory(volunteer=volunteer, supporter__team=eastside).supporter
    client.force_login(volunteer)
    response = client.post(
        reverse("supporters:list"), {"volunteer": teammate.pk, "supporters": [supporter.pk]}
    )
    assert response.status_code == 403
    assert Assignment.objects.active().get(supporter=supporter).volunteer == volunteer


# session, user, roles, second factor, the count, the page and its two prefetches, the
# filters' and the bulk bar's choices (teams, tags twice, issues, volunteers twice)
LIST_QUERIES = 15  # the page's own 14, and the audit entry naming whom it showed (issue 17)


def test_supporters_list_query_count_does_not_grow(
    client, organizer, eastside, django_assert_num_queries
):
    client.force_login(organizer)
    SupporterFactory.create_batch(3, team=eastside)
    client.get(reverse("supporters:list"))  # the first visit records the session's device
    with django_assert_num_queries(LIST_QUERIES):
        client.get(reverse("supporters:list"))
    for supporter in SupporterFactory.create_batch(40, team=eastside):
        ConversationFactory(supporter=supporter)
    with django_assert_num_queries(LIST_QUERIES):
        client.get(reverse("supporters:list"), {"sort": "-last_contact"})
    # Every column chosen (remembered in the session): phone, email and ZIP are subqueries of
    # the page's one query.
    everything = ["team", "support", "engagement", "phone", "email", "zip"]
    everything += ["last_contact", "assigned", "followups", "tags"]
    client.get(reverse("supporters:list"), {"columns": everything, "columns_chosen": "1"})
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("supporters:list"), {"sort": "zip"})
    assert [column.key for column in response.context["columns"]] == everything


def test_adding_a_person_twice_with_one_client_uuid_stores_one_person(client, volunteer, eastside):
    """A retry after a lost answer (issue 10): the form's UUID makes it the same person."""
    client.force_login(volunteer)
    data = {
        "given_name": "Tom",
        "family_name": "Reyes",
        "language": "en",
        "how": "door",
        "team": eastside.pk,
        "client_uuid": str(uuid.uuid4()),
        "postal_code": "",
        "line1": "",
        "confirm_new": "on",
    }
    first = client.post(reverse("supporters:create"), data)
    again = client.post(reverse("supporters:create"), data)
    supporter = Supporter.objects.get()
    brief = reverse("conversations:brief", args=[supporter.pk])
    assert (first.status_code, first["Location"]) == (302, brief)
    assert (again.status_code, again["Location"]) == (302, brief)
    assert Assignment.objects.filter(supporter=supporter).count() == 1

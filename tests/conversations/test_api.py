"""Conversations, notes, suggestions, follow-ups, issues and survey questions over the API."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations.models import Conversation, FollowUp, Issue, Note, Suggestion, SurveyQuestion
from tests.api_helpers import error_of, key_client
from tests.factories import (
    AssignmentFactory,
    ConversationFactory,
    FollowUpFactory,
    NoteFactory,
    RelationshipFactory,
    SupporterFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["volunteer", "organizer", "other_organizer", "data_staff", "admin"]
SEES_MINE = {"volunteer", "organizer", "data_staff", "admin"}
# The key (with its user), the user's memberships, one page of notes (cursor paging: no count),
# and the audit entry naming the rows read.
NOTES_LIST_QUERIES = 4


@pytest.fixture
def mine(volunteer, eastside):
    return AssignmentFactory(volunteer=volunteer, supporter__team=eastside).supporter


@pytest.fixture
def west(westside):
    return SupporterFactory(team=westside)


def conversation_body(supporter, **extra):
    return {
        "client_uuid": str(uuid.uuid4()),
        "supporter": supporter.pk,
        "channel": "door",
        "outcome": "talked",
        "heard": "Rent is up again.",
        **extra,
    }


# --- conversations ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_conversation_list_and_detail_follow_visibility(request, role, mine, volunteer):
    conversation = ConversationFactory(supporter=mine, volunteer=volunteer)
    client = key_client(request.getfixturevalue(role))
    ids = [row["id"] for row in client.get(reverse("api:conversation-list")).json()["results"]]
    assert ids == ([conversation.pk] if role in SEES_MINE else [])
    detail = client.get(reverse("api:conversation-detail", args=[conversation.pk]))
    assert detail.status_code == (200 if role in SEES_MINE else 404)


def test_logging_a_conversation_for_someone_out_of_scope_is_refused(volunteer, west):
    client = key_client(volunteer, ["read", "write"])
    response = client.post(reverse("api:conversation-list"), conversation_body(west), format="json")
    assert response.status_code == 400
    assert error_of(response)["fields"] == {"supporter": ["No such supporter."]}
    assert not Conversation.objects.exists()


def test_logging_a_conversation_with_issues(volunteer, mine):
    rent = Issue.objects.create(name="Rent")
    client = key_client(volunteer, ["read", "write"])
    response = client.post(
        reverse("api:conversation-list"), conversation_body(mine, issues=[rent.pk]), format="json"
    )
    assert response.status_code == 201
    assert response.json()["issues"] == [rent.pk]
    response = client.post(
        reverse("api:conversation-list"), conversation_body(mine, issues=[999999]), format="json"
    )
    assert response.status_code == 400
    assert Conversation.objects.count() == 1


def test_logging_carries_what_the_door_form_carries(volunteer, mine):
    support = SurveyQuestion.objects.create(slug="support", prompt="Support?")
    support.choices.create(value="2", label="Lean support")
    SurveyQuestion.objects.create(slug="else", prompt="Anything else?", kind="text")
    client = key_client(volunteer, ["read", "write"])
    body = conversation_body(
        mine,
        answers=[{"question": "support", "choice": "2"}, {"question": "else", "text": "A sign"}],
        remember=[{"text": "Son is an Iraq war veteran"}, {"text": "Widowed", "sensitive": True}],
        followup={"due_at": "2031-05-01T17:00:00-05:00"},
        stop_channels=["text"],
    )
    response = client.post(reverse("api:conversation-list"), body, format="json")
    assert response.status_code == 201
    conversation = Conversation.objects.get()
    assert conversation.responses.count() == 2
    mine.refresh_from_db()
    assert mine.support_level == 2
    assert set(Note.objects.values_list("body", "kind")) == {
        ("Son is an Iraq war veteran", "remember"),
        ("Widowed", "sensitive"),
    }
    followup = FollowUp.objects.get()
    assert (followup.assignee, followup.reason) == (volunteer, "Call back as asked")
    assert mine.do_not_contact.get().channel == "text"
    again = client.post(reverse("api:conversation-list"), body, format="json")
    assert again.status_code == 200 and Note.objects.count() == 2


def test_bad_survey_answers_are_named_and_nothing_is_stored(volunteer, mine):
    SurveyQuestion.objects.create(slug="support", prompt="Support?").choices.create(
        value="1", label="Strong"
    )
    client = key_client(volunteer, ["read", "write"])
    url = reverse("api:conversation-list")
    body = conversation_body(
        mine, answers=[{"question": "support", "choice": "9"}, {"question": "nope", "text": "x"}]
    )
    response = client.post(url, body, format="json")
    assert response.status_code == 400
    assert error_of(response)["fields"] == {
        "answers": {
            "0": {"choice": ["Not one of this question's choices."]},
            "1": {"question": ["No active survey question with this slug."]},
        }
    }
    shapeless = client.post(
        url, conversation_body(mine, answers=[{"question": "support"}]), format="json"
    )
    assert shapeless.status_code == 400
    assert error_of(shapeless)["fields"] == {
        "answers": {"0": {"non_field_errors": ["Give either a choice or a text answer."]}}
    }
    assert not Conversation.objects.exists()


def test_reusing_someone_elses_client_uuid_does_not_leak_their_conversation(
    volunteer, west, other_organizer
):
    theirs = ConversationFactory(supporter=west, volunteer=other_organizer)
    mine = AssignmentFactory(volunteer=volunteer, supporter__team=west.team).supporter
    client = key_client(volunteer, ["read", "write"])
    response = client.post(
        reverse("api:conversation-list"),
        conversation_body(mine, client_uuid=str(theirs.client_uuid)),
        format="json",
    )
    assert response.status_code == 409
    assert "Rent" not in response.content.decode()


def test_conversation_filters(data_staff, mine, volunteer):
    phone = ConversationFactory(supporter=mine, volunteer=volunteer, channel="phone")
    ConversationFactory(supporter=mine, volunteer=volunteer, channel="door")
    client = key_client(data_staff)
    rows = client.get(reverse("api:conversation-list"), {"channel": "phone"}).json()["results"]
    assert [row["id"] for row in rows] == [phone.pk]
    assert client.get(reverse("api:conversation-list"), {"outcome": "nope"}).status_code == 400


def test_conversation_list_query_count_is_flat(
    data_staff, mine, volunteer, django_assert_max_num_queries
):
    client = key_client(data_staff)
    ConversationFactory.create_batch(2, supporter=mine, volunteer=volunteer)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("api:conversation-list"))
    ConversationFactory.create_batch(20, supporter=mine, volunteer=volunteer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("api:conversation-list"))


# --- notes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_sensitive_note_text_only_for_organizers_and_above(request, role, mine):
    note = NoteFactory(supporter=mine, kind=Note.Kind.SENSITIVE, body="Recovering from surgery")
    rows = key_client(request.getfixturevalue(role)).get(reverse("api:note-list")).json()["results"]
    if role not in SEES_MINE:
        assert rows == []
        return
    (row,) = rows
    assert row["id"] == note.pk
    hidden = role == "volunteer"
    assert row["is_redacted"] is hidden
    assert (row["body"] == "") is hidden


def test_things_to_remember_are_notes_of_kind_remember(volunteer, mine):
    client = key_client(volunteer, ["read", "write"])
    response = client.post(
        reverse("api:note-list"),
        {"supporter": mine.pk, "kind": "remember", "body": "Son is a veteran"},
        format="json",
    )
    assert response.status_code == 201
    rows = client.get(reverse("api:note-list"), {"kind": "remember"}).json()["results"]
    assert [row["body"] for row in rows] == ["Son is a veteran"]


def test_note_edit_keeps_a_revision_and_volunteers_cannot_edit_others_notes(
    volunteer, organizer, mine
):
    note = NoteFactory(supporter=mine, author=organizer, body="First")
    response = key_client(volunteer, ["read", "write"]).patch(
        reverse("api:note-detail", args=[note.pk]), {"body": "Changed"}, format="json"
    )
    assert response.status_code == 403
    note.refresh_from_db()
    assert note.body == "First"
    response = key_client(organizer, ["read", "write"]).patch(
        reverse("api:note-detail", args=[note.pk]), {"body": "Second"}, format="json"
    )
    assert response.status_code == 200
    assert list(note.revisions.values_list("body", flat=True)) == ["First"]


# --- suggestions -----------------------------------------------------------------------------


@pytest.fixture
def suggestion(mine):
    return Suggestion.objects.create(
        supporter=mine, category="military", text="Son served in Iraq", enricher="test"
    )


def test_confirming_a_suggestion_makes_a_note_once(volunteer, suggestion):
    client = key_client(volunteer, ["read", "write"])
    url = reverse("api:suggestion-confirm", args=[suggestion.pk])
    first = client.post(url, {"text": "Son is an Iraq veteran"}, format="json")
    second = client.post(url, {}, format="json")
    assert first.status_code == second.status_code == 200
    assert second.json()["status"] == "confirmed"
    assert Note.objects.filter(supporter=suggestion.supporter).count() == 1
    assert Note.objects.get().body == "Son is an Iraq veteran"


def test_dismissing_a_suggestion_keeps_it(volunteer, suggestion):
    client = key_client(volunteer, ["read", "write"])
    response = client.post(reverse("api:suggestion-dismiss", args=[suggestion.pk]))
    assert response.json()["status"] == "dismissed"
    assert not Note.objects.exists()


def test_suggestions_outside_scope_are_404_and_unchanged(other_organizer, suggestion):
    client = key_client(other_organizer, ["read", "write"])
    assert client.post(reverse("api:suggestion-dismiss", args=[suggestion.pk])).status_code == 404
    suggestion.refresh_from_db()
    assert suggestion.status == "suggested"


def test_read_only_keys_cannot_confirm(volunteer, suggestion):
    response = key_client(volunteer, ["read"]).post(
        reverse("api:suggestion-confirm", args=[suggestion.pk])
    )
    assert response.status_code == 403
    suggestion.refresh_from_db()
    assert suggestion.status == "suggested"


# --- follow-ups ------------------------------------------------------------------------------


def test_followups_list_filters_and_complete(volunteer, mine):
    late = FollowUpFactory(
        supporter=mine, assignee=volunteer, due_at=timezone.now() - timedelta(days=1)
    )
    FollowUpFactory(supporter=mine, assignee=volunteer, reason="Later")
    client = key_client(volunteer, ["read", "write"])
    rows = client.get(reverse("api:followup-list"), {"overdue": "true"}).json()["results"]
    assert [row["id"] for row in rows] == [late.pk]
    response = client.post(
        reverse("api:followup-complete", args=[late.pk]), {"status": "done"}, format="json"
    )
    assert response.json()["status"] == "done"
    again = client.post(reverse("api:followup-complete", args=[late.pk]), {}, format="json")
    assert again.json()["completed_at"] == response.json()["completed_at"]


def test_creating_the_same_followup_twice_returns_the_open_one(volunteer, mine):
    client = key_client(volunteer, ["read", "write"])
    body = {"supporter": mine.pk, "due_at": "2030-01-01T10:00:00Z", "reason": "Call back"}
    first = client.post(reverse("api:followup-list"), body, format="json")
    second = client.post(reverse("api:followup-list"), body, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert FollowUp.objects.count() == 1


def test_reassign_only_to_someone_who_can_see_the_supporter(
    organizer, teammate, other_organizer, mine, volunteer
):
    followup = FollowUpFactory(supporter=mine, assignee=volunteer)
    client = key_client(organizer, ["read", "write"])
    url = reverse("api:followup-reassign", args=[followup.pk])
    refused = client.post(url, {"assignee": other_organizer.pk}, format="json")
    assert refused.status_code == 400
    followup.refresh_from_db()
    assert followup.assignee == volunteer
    AssignmentFactory(volunteer=teammate, supporter=mine)
    assert client.post(url, {"assignee": teammate.pk}, format="json").status_code == 200
    followup.refresh_from_db()
    assert followup.assignee == teammate


def test_volunteers_cannot_reassign_others_followups(volunteer, teammate, mine):
    followup = FollowUpFactory(supporter=mine, assignee=teammate)
    AssignmentFactory(volunteer=teammate, supporter=SupporterFactory(team=mine.team))
    response = key_client(volunteer, ["read", "write"]).post(
        reverse("api:followup-reassign", args=[followup.pk]),
        {"assignee": volunteer.pk},
        format="json",
    )
    assert response.status_code == 403
    followup.refresh_from_db()
    assert followup.assignee == teammate


# --- issues and survey questions -------------------------------------------------------------


@pytest.mark.parametrize(
    "role,allowed", [("volunteer", False), ("organizer", True), ("admin", True)]
)
def test_only_organizers_and_above_add_issues(request, role, allowed):
    client = key_client(request.getfixturevalue(role), ["read", "write"])
    response = client.post(reverse("api:issue-list"), {"name": "Wages"}, format="json")
    assert response.status_code == (201 if allowed else 403)
    assert Issue.objects.filter(name="Wages").exists() == allowed


def test_survey_questions_are_read_only_with_choices(volunteer):
    question = SurveyQuestion.objects.create(prompt="Support?", slug="support")
    question.choices.create(label="Yes", value="yes")
    client = key_client(volunteer, ["read", "write"])
    rows = client.get(reverse("api:surveyquestion-list")).json()["results"]
    assert rows[0]["choices"][0]["value"] == "yes"
    assert client.post(reverse("api:surveyquestion-list"), {}, format="json").status_code == 405


# --- the access model (issue 10): regressions -------------------------------------------------


def test_item_1_an_organizer_of_another_team_who_knows_the_person_reads_no_sensitive_note(
    other_organizer, eastside
):
    # Charlie organizes Westside and knows this Eastside person: a volunteer's view of her.
    person = SupporterFactory(team=eastside)
    RelationshipFactory(supporter=person, known_by=other_organizer)
    note = NoteFactory(supporter=person, kind=Note.Kind.SENSITIVE, body="Fleeing a partner")
    client = key_client(other_organizer)
    (row,) = client.get(reverse("api:note-list")).json()["results"]
    assert (row["id"], row["body"], row["is_redacted"]) == (note.pk, "", True)
    detail = client.get(reverse("api:note-detail", args=[note.pk])).json()
    assert (detail["body"], detail["is_redacted"]) == ("", True)


def test_item_13_an_organizer_of_another_team_may_not_patch_a_sensitive_note(
    client, other_organizer, organizer, eastside
):
    # Charlie sees the person through an assignment to him, not as her organizer.
    person = AssignmentFactory(volunteer=other_organizer, supporter__team=eastside).supporter
    note = NoteFactory(
        supporter=person, author=organizer, kind=Note.Kind.SENSITIVE, body="Fleeing a partner"
    )
    response = key_client(other_organizer, ["read", "write"]).patch(
        reverse("api:note-detail", args=[note.pk]), {"body": "Overwritten"}, format="json"
    )
    assert response.status_code == 403
    client.force_login(other_organizer)
    page = client.post(
        reverse("conversations:note_edit", args=[person.pk, note.pk]),
        {"body": "Overwritten", "kind": "sensitive"},
    )
    assert page.status_code == 403
    note.refresh_from_db()
    assert (note.body, note.revisions.count()) == ("Fleeing a partner", 0)


def test_item_14_a_volunteer_may_not_close_an_organizers_followup_through_the_api(
    volunteer, organizer, mine
):
    followup = FollowUpFactory(supporter=mine, assignee=organizer)
    response = key_client(volunteer, ["read", "write"]).post(
        reverse("api:followup-complete", args=[followup.pk]), {"status": "done"}, format="json"
    )
    assert response.status_code == 403
    followup.refresh_from_db()
    assert (followup.status, followup.completed_by) == (FollowUp.Status.OPEN, None)


def test_item_14_an_organizer_of_another_team_may_not_reassign_through_the_api(
    other_organizer, volunteer, teammate, mine
):
    # Charlie can see the person (he knows her) and the new assignee could too: still no.
    RelationshipFactory(supporter=mine, known_by=other_organizer)
    RelationshipFactory(supporter=mine, known_by=teammate)
    followup = FollowUpFactory(supporter=mine, assignee=volunteer)
    response = key_client(other_organizer, ["read", "write"]).post(
        reverse("api:followup-reassign", args=[followup.pk]),
        {"assignee": teammate.pk},
        format="json",
    )
    assert response.status_code == 403
    followup.refresh_from_db()
    assert followup.assignee == volunteer


def test_item_10_heard_marked_sensitive_through_the_api_is_kept_for_organizers(
    volunteer, organizer, mine
):
    body = conversation_body(mine, heard="He has no papers", heard_is_sensitive=True)
    created = key_client(volunteer, ["read", "write"]).post(
        reverse("api:conversation-list"), body, format="json"
    )
    assert created.status_code == 201
    # The one who logged it gets it back redacted too: it is for the person's organizers.
    assert (created.json()["heard"], created.json()["is_redacted"]) == ("", True)
    conversation = Conversation.objects.get()
    assert (conversation.heard, conversation.heard_is_sensitive) == ("He has no papers", True)
    url = reverse("api:conversation-detail", args=[conversation.pk])
    assert key_client(volunteer).get(url).json()["heard"] == ""
    assert key_client(organizer).get(url).json()["heard"] == "He has no papers"


def test_notes_list_query_count_is_flat(data_staff, mine, volunteer, django_assert_num_queries):
    client = key_client(data_staff)
    NoteFactory.create_batch(2, supporter=mine, author=volunteer, kind=Note.Kind.SENSITIVE)
    client.get(reverse("api:note-list"))  # warm the key's last-used stamp
    with django_assert_num_queries(NOTES_LIST_QUERIES):
        assert len(client.get(reverse("api:note-list")).json()["results"]) == 2
    NoteFactory.create_batch(20, supporter=mine, author=volunteer)
    with django_assert_num_queries(NOTES_LIST_QUERIES):
        assert len(client.get(reverse("api:note-list")).json()["results"]) == 22

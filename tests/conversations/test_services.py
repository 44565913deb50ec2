"""Listening writes: one conversation per UUID, with everything the form carried."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import (
    Conversation,
    FollowUp,
    Issue,
    Note,
    Suggestion,
    SurveyChoice,
    SurveyQuestion,
)
from conversations.services import (
    conversation_log,
    followup_complete,
    followup_create,
    followup_reassign,
    note_update,
    suggestion_confirm,
    suggestion_dismiss,
)
from organizing.roles import SYSTEM
from supporters.models import DoNotContact, HistoryEvent
from tests.factories import (
    AssignmentFactory,
    ConversationFactory,
    NoteFactory,
    RelationshipFactory,
    SupporterFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def support_question(db):
    question = SurveyQuestion.objects.create(slug="support", prompt="Support?", position=0)
    for value in "12345":
        SurveyChoice.objects.create(question=question, value=value, label=value)
    return question


def test_conversation_log_stores_everything_once_per_uuid(volunteer, eastside, support_question):
    supporter = SupporterFactory(team=eastside)
    AssignmentFactory(supporter=supporter, volunteer=volunteer)
    issue = Issue.objects.create(name="Rent")
    client_uuid = uuid.uuid4()
    due = timezone.now() + timedelta(days=3)
    kwargs = dict(
        actor=volunteer,
        supporter=supporter,
        client_uuid=client_uuid,
        channel="door",
        outcome="talked",
        heard="Rent went up 20%. Her son served in Iraq.",
        answers={support_question: support_question.choices.get(value="2")},
        issues=[issue],
        remember=[("Son is an Iraq war veteran", False), ("Recently widowed", True)],
        followup=(due, "Call back as asked"),
        stop_channels=["text"],
    )
    conversation, created = conversation_log(**kwargs)
    again, created_again = conversation_log(**kwargs)
    assert created and not created_again and again.pk == conversation.pk
    assert Conversation.objects.count() == 1
    assert list(conversation.issues.all()) == [issue]
    assert conversation.responses.get().choice.value == "2"
    supporter.refresh_from_db()
    assert supporter.support_level == 2
    notes = {n.body: n.kind for n in Note.objects.filter(supporter=supporter)}
    assert notes == {"Son is an Iraq war veteran": "remember", "Recently widowed": "sensitive"}
    followup = FollowUp.objects.get(supporter=supporter)
    assert (followup.assignee, followup.source_conversation) == (volunteer, conversation)
    assert DoNotContact.objects.filter(supporter=supporter, channel="text").exists()
    history = dict(HistoryEvent.objects.filter(supporter=supporter).values_list("kind", "summary"))
    assert history["note"] == "Sensitive note"  # the words stay off the timeline line
    # The support answer changes support_level through supporter_update: a history line too.
    assert history["updated"] == "Changed support level"
    assert set(history) == {
        "conversation",
        "remember",
        "note",
        "followup_created",
        "consent_set",
        "updated",
    }


def test_followup_create_never_makes_two_open_for_one_reason(volunteer, eastside):
    supporter = SupporterFactory(team=eastside)
    AssignmentFactory(supporter=supporter, volunteer=volunteer)
    due = timezone.now() + timedelta(days=2)
    first, created = followup_create(
        actor=SYSTEM, supporter=supporter, assignee=volunteer, due_at=due, reason="Retry door"
    )
    second, created_again = followup_create(
        actor=SYSTEM, supporter=supporter, assignee=volunteer, due_at=due, reason="retry DOOR"
    )
    assert created and not created_again and first.pk == second.pk
    followup_complete(actor=volunteer, followup=first)
    third, created_third = followup_create(
        actor=SYSTEM, supporter=supporter, assignee=volunteer, due_at=due, reason="Retry door"
    )
    assert created_third and third.pk != first.pk


def test_followup_complete_and_reassign_are_safe_twice(volunteer, teammate, organizer, eastside):
    supporter = SupporterFactory(team=eastside)
    AssignmentFactory(supporter=supporter, volunteer=volunteer)
    RelationshipFactory(supporter=supporter, known_by=teammate)
    followup, _ = followup_create(
        actor=organizer,
        supporter=supporter,
        assignee=volunteer,
        due_at=timezone.now(),
        reason="Call",
    )
    followup_reassign(actor=organizer, followup=followup, assignee=teammate)
    followup_reassign(actor=organizer, followup=followup, assignee=teammate)
    done = followup_complete(actor=teammate, followup=followup)
    done_again = followup_complete(actor=teammate, followup=followup)
    assert done_again.completed_by == teammate and done.status == "done"
    kinds = list(
        HistoryEvent.objects.filter(supporter=supporter)
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["followup_created", "followup_reassigned", "followup_done"]
    with pytest.raises(ValueError):
        followup_complete(actor=teammate, followup=followup, status="open")


def test_note_correction_keeps_the_earlier_text_and_who_changed_it(organizer, eastside):
    note = NoteFactory(supporter__team=eastside, body="Son served in Irak")
    note_update(
        note=note, actor=organizer, body="Son served in Iraq", kind="remember", is_pinned=False
    )
    revision = note.revisions.get()
    assert (revision.body, revision.edited_by) == ("Son served in Irak", organizer)
    assert HistoryEvent.objects.filter(kind="note_edited", subject_id=note.pk).count() == 1


def test_confirming_a_suggestion_makes_a_note_by_the_person_once(volunteer, eastside):
    conversation = ConversationFactory(supporter__team=eastside)
    AssignmentFactory(supporter=conversation.supporter, volunteer=volunteer)
    suggestion = Suggestion.objects.create(
        supporter=conversation.supporter,
        conversation=conversation,
        category=Suggestion.Category.MILITARY,
        text="Son is an Iraq war veteran",
        enricher="listening.remember",
    )
    confirmed = suggestion_confirm(
        suggestion=suggestion, actor=volunteer, text="Son served in Iraq"
    )
    suggestion_confirm(suggestion=suggestion, actor=volunteer)
    assert confirmed.status == "confirmed" and confirmed.note.author == volunteer
    assert Note.objects.filter(supporter=conversation.supporter).count() == 1
    assert confirmed.note.body == "Son served in Iraq"
    assert suggestion_dismiss(suggestion=suggestion, actor=volunteer).status == "confirmed"


def test_dismissed_suggestion_is_kept_so_it_is_not_suggested_again(volunteer, eastside):
    supporter = SupporterFactory(team=eastside)
    AssignmentFactory(supporter=supporter, volunteer=volunteer)
    suggestion = Suggestion.objects.create(
        supporter=supporter, category="pets", text="Has a dog named Max", enricher="x"
    )
    suggestion_dismiss(suggestion=suggestion, actor=volunteer)
    assert Suggestion.objects.get(pk=suggestion.pk).status == "dismissed"
    assert not Note.objects.filter(supporter=supporter).exists()


def test_item_8_a_support_answer_changes_the_level_with_a_history_line_and_an_event(
    volunteer, organizer, eastside, support_question
):
    from organizing.models import WebhookDelivery
    from organizing.webhooks import webhook_create

    webhook_create(actor=organizer, url="https://example.org/hook", events=["supporter.updated"])
    supporter = SupporterFactory(team=eastside)
    AssignmentFactory(supporter=supporter, volunteer=volunteer)
    conversation_log(
        actor=volunteer,
        supporter=supporter,
        client_uuid=uuid.uuid4(),
        channel="door",
        outcome="talked",
        answers={support_question: support_question.choices.get(value="1")},
    )
    supporter.refresh_from_db()
    assert supporter.support_level == 1
    line = HistoryEvent.objects.get(supporter=supporter, kind=HistoryEvent.Kind.UPDATED)
    assert (line.actor, line.summary) == (volunteer, "Changed support level")
    (delivery,) = WebhookDelivery.objects.filter(event="supporter.updated")
    assert delivery.payload["data"]["id"] == supporter.pk

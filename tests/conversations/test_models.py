"""Constraints the database keeps, whatever code writes."""

from __future__ import annotations

import uuid

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from conversations.models import Conversation, FollowUp, Note, SurveyResponse
from conversations.services import conversation_create, note_update
from tests.factories import (
    AssignmentFactory,
    ConversationFactory,
    FollowUpFactory,
    NoteFactory,
    SupporterFactory,
)

pytestmark = pytest.mark.django_db


def test_database_refuses_a_reused_client_uuid():
    first = ConversationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ConversationFactory(client_uuid=first.client_uuid)
    assert Conversation.objects.count() == 1


def test_sending_the_same_conversation_twice_stores_it_once(volunteer):
    supporter = SupporterFactory()
    AssignmentFactory(supporter=supporter, volunteer=volunteer)
    client_uuid = uuid.uuid4()
    fields = {"channel": "door", "outcome": "talked", "heard": "Rent is up again."}
    first, created = conversation_create(
        actor=volunteer, supporter=supporter, client_uuid=client_uuid, **fields
    )
    again, created_again = conversation_create(
        actor=volunteer,
        supporter=supporter,
        client_uuid=client_uuid,
        **{**fields, "heard": "changed"},
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Conversation.objects.get().heard == "Rent is up again."


def test_survey_response_needs_an_answer():
    from conversations.models import SurveyQuestion

    question = SurveyQuestion.objects.create(prompt="Anything else?", slug="anything", kind="text")
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(
            conversation=ConversationFactory(), question=question, text=""
        )


def test_only_one_open_followup_per_supporter_and_reason():
    followup = FollowUpFactory(reason="Retry door knock")
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUpFactory(supporter=followup.supporter, reason="retry DOOR knock")
    # Once the first is done, the same reason may be opened again.
    FollowUp.objects.filter(pk=followup.pk).update(status="done", completed_at=timezone.now())
    FollowUpFactory(supporter=followup.supporter, reason="Retry door knock")
    assert FollowUp.objects.filter(supporter=followup.supporter).count() == 2


def test_closed_followup_must_say_when():
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUpFactory(status="done", completed_at=None)


def test_editing_a_note_keeps_the_earlier_text_and_who_changed_it(organizer, eastside):
    note = NoteFactory(body="Son served in Iraq", supporter__team=eastside)
    editor = organizer
    note_update(
        note=note,
        actor=editor,
        body="Son is an Iraq war veteran",
        kind=Note.Kind.REMEMBER,
        is_pinned=True,
    )
    note.refresh_from_db()
    assert note.body == "Son is an Iraq war veteran"
    assert note.is_pinned
    [revision] = note.revisions.all()
    assert (revision.body, revision.edited_by) == ("Son served in Iraq", editor)


def test_pinning_alone_is_not_a_revision():
    note = NoteFactory()
    AssignmentFactory(supporter=note.supporter, volunteer=note.author)
    note_update(note=note, actor=note.author, body=note.body, kind=note.kind, is_pinned=True)
    assert not note.revisions.exists()


def test_note_body_cannot_be_empty():
    with pytest.raises(IntegrityError), transaction.atomic():
        NoteFactory(body="")

"""Listening writes told when they happened (``at``: an offline sync, the demo) date their rows
and history lines then, not now."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import FollowUp, Note
from conversations.services import (
    followup_complete,
    followup_create,
    followup_reassign,
    note_create,
    note_update,
)
from supporters.models import HistoryEvent
from tests.factories import AssignmentFactory, RelationshipFactory, SupporterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def weeks_ago():
    return timezone.now() - timedelta(days=40)


def line(supporter, kind):
    return HistoryEvent.objects.get(supporter_id=getattr(supporter, "pk", supporter), kind=kind)


def test_note_create_at_dates_the_note_and_its_line(volunteer, eastside, weeks_ago):
    supporter = AssignmentFactory(supporter__team=eastside, volunteer=volunteer).supporter
    note = note_create(
        actor=volunteer, supporter=supporter, body="Has two dogs", kind="remember", at=weeks_ago
    )
    note.refresh_from_db()
    assert note.created_at == weeks_ago
    assert line(supporter, HistoryEvent.Kind.REMEMBER).at == weeks_ago


def test_note_update_at_dates_the_revision_and_its_line(organizer, eastside, weeks_ago):
    supporter = SupporterFactory(team=eastside)
    note = note_create(actor=organizer, supporter=supporter, body="Has two dogs", at=weeks_ago)
    later = weeks_ago + timedelta(days=2)
    note_update(
        note=note,
        actor=organizer,
        body="Has three dogs",
        kind=Note.Kind.GENERAL,
        is_pinned=False,
        at=later,
    )
    assert note.revisions.get().edited_at == later
    assert line(supporter, HistoryEvent.Kind.NOTE_EDITED).at == later


def test_followup_create_at_dates_the_followup_and_its_line(volunteer, eastside, weeks_ago):
    supporter = AssignmentFactory(supporter__team=eastside, volunteer=volunteer).supporter
    followup, created = followup_create(
        actor=volunteer,
        supporter=supporter,
        assignee=volunteer,
        due_at=weeks_ago + timedelta(days=2),
        reason="Retry door knock",
        at=weeks_ago,
    )
    assert created
    assert FollowUp.objects.get(pk=followup.pk).created_at == weeks_ago
    assert line(supporter, HistoryEvent.Kind.FOLLOW_UP_CREATED).at == weeks_ago


def test_followup_complete_at_is_when_it_was_done(volunteer, eastside, weeks_ago):
    supporter = AssignmentFactory(supporter__team=eastside, volunteer=volunteer).supporter
    followup, _ = followup_create(
        actor=volunteer, supporter=supporter, assignee=volunteer, due_at=weeks_ago, reason="Call"
    )
    followup_complete(actor=volunteer, followup=followup, at=weeks_ago)
    followup.refresh_from_db()
    assert (followup.status, followup.completed_at) == (FollowUp.Status.DONE, weeks_ago)
    assert line(supporter, HistoryEvent.Kind.FOLLOW_UP_DONE).at == weeks_ago


def test_followup_reassign_at_dates_its_line(organizer, volunteer, teammate, eastside, weeks_ago):
    supporter = AssignmentFactory(supporter__team=eastside, volunteer=volunteer).supporter
    RelationshipFactory(supporter=supporter, known_by=teammate)
    followup, _ = followup_create(
        actor=organizer, supporter=supporter, assignee=volunteer, due_at=weeks_ago, reason="Call"
    )
    followup_reassign(actor=organizer, followup=followup, assignee=teammate, at=weeks_ago)
    assert line(supporter, HistoryEvent.Kind.FOLLOW_UP_REASSIGNED).at == weeks_ago

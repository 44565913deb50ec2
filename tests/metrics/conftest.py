"""A known history of three Eastside people over two weeks of November 2026, every figure of
which the tests assert exactly (see ``test_figures.py`` for the sums)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from conversations.models import Conversation, FollowUp, Suggestion
from organizing.models import AuditEvent
from supporters.models import EngagementChange, Supporter
from tests.factories import (
    ConversationFactory,
    FollowUpFactory,
    NoteFactory,
    RelationshipFactory,
    SupporterFactory,
)

WEEK_A = (date(2026, 11, 2), date(2026, 11, 8))
WEEK_B = (date(2026, 11, 9), date(2026, 11, 15))


def at(day: int, hour: int = 12) -> datetime:
    return datetime.combine(date(2026, 11, day), time(hour), tzinfo=timezone.get_current_timezone())


@dataclass
class History:
    maria: Any
    jo: Any
    sam: Any
    cast: dict


@pytest.fixture
def history(eastside, westside, volunteer, teammate, organizer, other_organizer, data_staff):
    alice, bob = volunteer, teammate
    maria = SupporterFactory(team=eastside, given_name="Maria", family_name="Lopez")
    jo = SupporterFactory(team=eastside, given_name="Jo", family_name="Park")
    sam = SupporterFactory(team=eastside, given_name="Sam", family_name="Reyes")
    # Alice read Maria's brief two hours before knocking: she came prepared.
    AuditEvent.objects.create(
        actor=alice,
        action="supporter.brief_viewed",
        object_type=ContentType.objects.get_for_model(Supporter),
        object_id=str(maria.pk),
        at=at(3, 10),
    )
    m1 = ConversationFactory(supporter=maria, volunteer=alice, happened_at=at(3))
    NoteFactory(supporter=maria, author=alice, conversation=m1)
    NoteFactory(supporter=maria, author=alice, conversation=m1, body="Works nights")
    ConversationFactory(
        supporter=maria, volunteer=alice, happened_at=at(10), channel=Conversation.Channel.PHONE
    )
    relationship = RelationshipFactory(supporter=maria, known_by=alice)
    type(relationship).objects.filter(pk=relationship.pk).update(created_at=at(4))
    ConversationFactory(
        supporter=jo, volunteer=bob, happened_at=at(3), outcome=Conversation.Outcome.NOT_HOME
    )
    ConversationFactory(supporter=jo, volunteer=bob, happened_at=at(5))
    ConversationFactory(supporter=jo, volunteer=bob, happened_at=at(8))
    s1 = ConversationFactory(
        supporter=sam, volunteer=alice, happened_at=at(9), channel=Conversation.Channel.PHONE
    )
    for status in (Suggestion.Status.CONFIRMED, Suggestion.Status.DISMISSED):
        Suggestion.objects.create(
            supporter=sam,
            conversation=s1,
            category="family",
            text=status,
            status=status,
            enricher="t",
            decided_at=at(9),
            decided_by=alice,
        )
    FollowUpFactory(
        supporter=maria,
        assignee=alice,
        due_at=at(4),
        status=FollowUp.Status.DONE,
        completed_at=at(5),
    )
    FollowUpFactory(
        supporter=jo, assignee=bob, due_at=at(6), status=FollowUp.Status.DONE, completed_at=at(9)
    )
    FollowUpFactory(supporter=sam, assignee=alice, due_at=at(10))
    FollowUpFactory(
        supporter=sam,
        assignee=alice,
        due_at=at(10),
        status=FollowUp.Status.CANCELLED,
        completed_at=at(11),
    )
    for person, origin, target, day in ((maria, 1, 2, 3), (maria, 2, 3, 10), (jo, 2, 1, 9)):
        EngagementChange.objects.create(
            supporter=person, from_level=origin, to_level=target, at=at(day), rule="talked"
        )
    Supporter.objects.filter(pk=maria.pk).update(engagement_level=3)
    Supporter.objects.filter(pk=jo.pk).update(engagement_level=1)
    return History(
        maria=maria,
        jo=jo,
        sam=sam,
        cast={
            "alice": alice,
            "bob": bob,
            "olivia": organizer,
            "charlie": other_organizer,
            "priya": data_staff,
            "eastside": eastside,
            "westside": westside,
        },
    )

"""supporter_merge: one person, one history; nothing lost, nothing doubled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import FollowUp, Note, Suggestion
from supporters.models import (
    Assignment,
    DoNotContact,
    ExternalId,
    HistoryEvent,
    Relationship,
    Supporter,
    SupporterEmail,
    SupporterPhone,
    SupporterTag,
    Tag,
)
from supporters.services import supporter_merge
from tests.factories import (
    AssignmentFactory,
    ConversationFactory,
    FollowUpFactory,
    NoteFactory,
    RelationshipFactory,
    SupporterFactory,
)

pytestmark = pytest.mark.django_db


def test_merge_moves_everything_onto_the_kept_record(eastside, organizer, volunteer, teammate):
    kept = SupporterFactory(team=eastside, given_name="Andrea", family_name="Sanders")
    merged = SupporterFactory(
        team=eastside, given_name="Andi", family_name="Sanders", pronouns="she/her"
    )
    SupporterEmail.objects.create(supporter=kept, address="a@example.com", is_primary=True)
    SupporterEmail.objects.create(supporter=merged, address="A@example.com", is_primary=True)
    SupporterEmail.objects.create(supporter=merged, address="andi@work.example", is_primary=False)
    SupporterPhone.objects.create(supporter=merged, number="(773) 555-0101", is_primary=True)
    DoNotContact.objects.create(supporter=merged, channel="text")
    ExternalId.objects.create(supporter=merged, system="van", value="123")
    talk = ConversationFactory(supporter=merged, volunteer=volunteer)
    NoteFactory(supporter=merged, author=volunteer)
    FollowUpFactory(supporter=kept, reason="Retry door knock")
    FollowUpFactory(supporter=merged, reason="retry door knock")
    FollowUpFactory(supporter=merged, reason="Invite to meeting")
    Suggestion.objects.create(supporter=merged, category="pets", text="Has a dog", enricher="t")
    tag = Tag.objects.create(name="Tenant leader")
    SupporterTag.objects.create(supporter=merged, tag=tag)
    RelationshipFactory(supporter=merged, known_by=teammate)
    RelationshipFactory(supporter=merged, known_by=None, other_supporter=kept, kind="family")
    AssignmentFactory(supporter=kept, volunteer=volunteer)
    AssignmentFactory(supporter=merged, volunteer=teammate)
    merged_id = merged.pk

    supporter_merge(actor=organizer, kept=kept, merged=merged)

    assert not Supporter.objects.filter(pk=merged_id).exists()
    kept.refresh_from_db()
    assert (kept.given_name, kept.pronouns) == ("Andrea", "she/her")  # typed stays; blanks fill
    assert sorted(kept.emails.values_list("address", flat=True)) == [
        "a@example.com",
        "andi@work.example",
    ]
    assert kept.emails.filter(is_primary=True).count() == 1
    assert kept.phones.get().number == "(773) 555-0101"
    assert DoNotContact.objects.get(supporter=kept).channel == "text"
    assert ExternalId.objects.get(supporter=kept).value == "123"
    talk.refresh_from_db()
    assert talk.supporter == kept
    assert Note.objects.filter(supporter=kept).count() == 1
    assert FollowUp.objects.filter(supporter=kept, status="open").count() == 2
    assert FollowUp.objects.filter(supporter=kept, status="cancelled").count() == 1
    assert Suggestion.objects.get().supporter == kept
    assert SupporterTag.objects.get().supporter == kept
    assert Relationship.objects.get().known_by == teammate
    assert Assignment.objects.active().get(supporter=kept).volunteer == volunteer
    assert Assignment.objects.filter(supporter=kept).count() == 2
    line = HistoryEvent.objects.filter(supporter=kept, kind=HistoryEvent.Kind.MERGED).get()
    assert line.actor == organizer
    assert line.details["merged_id"] == merged_id
    assert "Andi Sanders" in line.summary


def test_merge_into_self_is_refused(eastside, organizer):
    person = SupporterFactory(team=eastside)
    with pytest.raises(ValueError):
        supporter_merge(actor=organizer, kept=person, merged=person)


def test_merge_keeps_the_merged_history_lines(eastside, organizer):
    kept, merged = SupporterFactory(team=eastside), SupporterFactory(team=eastside)
    HistoryEvent.objects.create(
        supporter=merged, kind="note", summary="Old line", at=timezone.now() - timedelta(days=3)
    )
    supporter_merge(actor=organizer, kept=kept, merged=merged)
    assert HistoryEvent.objects.filter(supporter=kept, summary="Old line").exists()

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


# --- the access model (issue 10): regressions -------------------------------------------------


def test_item_8_merge_cancels_a_duplicate_followup_through_the_service(
    eastside, organizer, volunteer
):
    from organizing.models import WebhookDelivery
    from organizing.webhooks import webhook_create

    webhook_create(actor=organizer, url="https://example.org/hook", events=["followup.completed"])
    kept = SupporterFactory(team=eastside)
    merged = SupporterFactory(team=eastside)
    FollowUpFactory(supporter=kept, assignee=volunteer, reason="Call back")
    duplicate = FollowUpFactory(supporter=merged, assignee=volunteer, reason="call BACK")
    supporter_merge(actor=organizer, kept=kept, merged=merged)
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.completed_by) == (FollowUp.Status.CANCELLED, organizer)
    assert duplicate.supporter == kept
    line = HistoryEvent.objects.get(kind=HistoryEvent.Kind.FOLLOW_UP_CANCELLED)
    assert (line.supporter_id, line.actor, line.subject_id) == (kept.pk, organizer, duplicate.pk)
    assert WebhookDelivery.objects.filter(event="followup.completed").count() == 1
    assert FollowUp.objects.filter(supporter=kept, status=FollowUp.Status.OPEN).count() == 1


@pytest.mark.parametrize(
    "name", ["alice", "bob", "olivia", "charlie", "priya", "ada", "evan", "lou"]
)
def test_item_5_duplicate_list_and_duplicate_get_answer_by_one_rule(maria_case, name):
    """Whoever finds the pair in their review list may open it; whoever does not gets a 404
    (outside their scope) or a PermissionDenied (they see both people but review neither)."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from supporters.selectors import duplicate_get, duplicate_list

    viewer, pair = maria_case.cast[name], maria_case.pair
    listed = duplicate_list(viewer=viewer).filter(pk=pair.pk).exists()
    try:
        duplicate_get(viewer=viewer, pk=pair.pk)
        answer = "opens"
    except PermissionDenied:
        answer = "403"
    except Http404:
        answer = "404"
    assert listed == (answer == "opens")
    expected = {"olivia": "opens", "priya": "opens", "ada": "opens", "evan": "404", "lou": "404"}
    assert answer == expected.get(name, "403")


def test_item_5_a_pair_across_two_teams_is_for_those_who_organize_both(
    eastside, westside, organizer, other_organizer, data_staff
):
    from django.core.exceptions import PermissionDenied

    from supporters.models import DuplicateCandidate
    from supporters.selectors import duplicate_get, duplicate_list

    east, west = SupporterFactory(team=eastside), SupporterFactory(team=westside)
    # Olivia sees the Westside one too (she knows him) but organizes only Eastside.
    RelationshipFactory(supporter=west, known_by=organizer)
    pair = DuplicateCandidate.objects.create(first=east, second=west, score=80, enricher="t")
    assert not duplicate_list(viewer=organizer).exists()
    with pytest.raises(PermissionDenied):
        duplicate_get(viewer=organizer, pk=pair.pk)
    assert list(duplicate_list(viewer=data_staff)) == [pair]
    assert duplicate_get(viewer=data_staff, pk=pair.pk) == pair

"""Writes about people told when they happened (``at``: an import, an offline sync, the demo)
date their rows and history lines then, not now; without ``at`` they are dated now."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from supporters.models import (
    Assignment,
    DoNotContact,
    HistoryEvent,
    Relationship,
    SupporterPhone,
    SupporterTag,
    Tag,
)
from supporters.services import (
    assignment_create,
    consent_set,
    contact_points_add,
    relationship_create,
    supporter_create,
    supporter_merge,
    supporter_update,
    tag_add,
)
from tests.factories import AssignmentFactory, SupporterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def weeks_ago():
    return timezone.now() - timedelta(days=40)


def line(supporter, kind):
    return HistoryEvent.objects.get(supporter=supporter, kind=kind)


def test_supporter_create_at_dates_the_person_contact_points_relationship_and_assignment(
    volunteer, eastside, weeks_ago
):
    supporter = supporter_create(
        actor=volunteer,
        team=eastside,
        given_name="Rosa",
        phone="(312) 555-0199",
        known_by_kind=Relationship.Kind.NEIGHBOR,
        assign_to=volunteer,
        at=weeks_ago,
    )
    supporter.refresh_from_db()
    assert supporter.created_at == weeks_ago
    assert supporter.phones.get().created_at == weeks_ago
    assert Relationship.objects.get(supporter=supporter).created_at == weeks_ago
    assert Assignment.objects.get(supporter=supporter).created_at == weeks_ago
    assert line(supporter, HistoryEvent.Kind.CREATED).at == weeks_ago
    assert line(supporter, HistoryEvent.Kind.ASSIGNED).at == weeks_ago


def test_supporter_create_without_at_is_dated_now(volunteer, eastside):
    before = timezone.now()
    supporter = supporter_create(actor=volunteer, team=eastside, given_name="Rosa")
    assert line(supporter, HistoryEvent.Kind.CREATED).at >= before


def test_assignment_create_at_dates_the_new_assignment_and_the_end_of_the_old(
    organizer, volunteer, teammate, eastside, weeks_ago
):
    supporter = SupporterFactory(team=eastside)
    first = assignment_create(
        actor=organizer, supporter=supporter, volunteer=volunteer, at=weeks_ago
    )
    later = weeks_ago + timedelta(days=3)
    second = assignment_create(actor=organizer, supporter=supporter, volunteer=teammate, at=later)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.created_at, first.ended_at, second.created_at) == (weeks_ago, later, later)
    assert line(supporter, HistoryEvent.Kind.UNASSIGNED).at == later


def test_tag_add_at_dates_the_tagging_and_its_line(organizer, eastside, weeks_ago):
    supporter, tag = SupporterFactory(team=eastside), Tag.objects.create(name="tenant")
    assert tag_add(actor=organizer, supporter=supporter, tag=tag, at=weeks_ago)
    assert SupporterTag.objects.get(supporter=supporter).added_at == weeks_ago
    assert line(supporter, HistoryEvent.Kind.TAG_ADDED).at == weeks_ago


def test_consent_set_at_dates_the_flag_and_its_line(volunteer, eastside, weeks_ago):
    supporter = AssignmentFactory(supporter__team=eastside, volunteer=volunteer).supporter
    assert consent_set(actor=volunteer, supporter=supporter, channel="call", at=weeks_ago)
    assert DoNotContact.objects.get(supporter=supporter).set_at == weeks_ago
    assert line(supporter, HistoryEvent.Kind.CONSENT_SET).at == weeks_ago


def test_relationship_create_at_dates_the_relationship_and_its_line(
    organizer, volunteer, eastside, weeks_ago
):
    supporter = SupporterFactory(team=eastside)
    relationship, created = relationship_create(
        actor=organizer, supporter=supporter, kind="friend", known_by=volunteer, at=weeks_ago
    )
    assert created
    relationship.refresh_from_db()
    assert relationship.created_at == weeks_ago
    assert line(supporter, HistoryEvent.Kind.UPDATED).at == weeks_ago


def test_supporter_update_at_dates_its_line(organizer, eastside, weeks_ago):
    supporter = SupporterFactory(team=eastside, support_level=None)
    supporter_update(actor=organizer, supporter=supporter, support_level=2, at=weeks_ago)
    assert line(supporter, HistoryEvent.Kind.UPDATED).at == weeks_ago


def test_contact_points_add_at_dates_the_new_contact_points_and_its_line(
    organizer, eastside, weeks_ago
):
    supporter = SupporterFactory(team=eastside)
    added = contact_points_add(
        actor=organizer, supporter=supporter, phones=[("773-555-0101", "mobile")], at=weeks_ago
    )
    assert added == ["773-555-0101"]
    assert SupporterPhone.objects.get(supporter=supporter).created_at == weeks_ago
    assert line(supporter, HistoryEvent.Kind.UPDATED).at == weeks_ago


def test_supporter_merge_at_dates_the_merge_line_and_the_assignment_it_ends(
    organizer, volunteer, teammate, eastside, weeks_ago
):
    kept, merged = SupporterFactory(team=eastside), SupporterFactory(team=eastside)
    assignment_create(actor=organizer, supporter=kept, volunteer=volunteer)
    ended = assignment_create(actor=organizer, supporter=merged, volunteer=teammate)
    supporter_merge(actor=organizer, kept=kept, merged=merged, at=weeks_ago)
    ended.refresh_from_db()
    assert ended.ended_at == weeks_ago
    assert line(kept, HistoryEvent.Kind.MERGED).at == weeks_ago

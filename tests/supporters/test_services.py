"""Writes about people: each changes what it says once and leaves a line in the history."""

from __future__ import annotations

import pytest

from organizing.roles import SYSTEM
from supporters.models import Assignment, DoNotContact, HistoryEvent, Relationship, Tag
from supporters.services import (
    assignment_create,
    consent_clear,
    consent_set,
    supporter_create,
    tag_add,
    tag_merge,
    tag_remove,
)
from tests.factories import AssignmentFactory, SupporterFactory

pytestmark = pytest.mark.django_db


def kinds(supporter):
    return list(
        HistoryEvent.objects.filter(supporter=supporter)
        .order_by("id")
        .values_list("kind", flat=True)
    )


def test_supporter_create_keeps_what_was_typed_and_records_who_knows_them(volunteer, eastside):
    supporter = supporter_create(
        actor=volunteer,
        team=eastside,
        given_name=" Rosa ",
        family_name="Quiñones",
        phone="(312) 555-0199",
        email="Rosa@Example.org",
        address={"line1": "12 Elm St", "postal_code": "60601"},
        known_by_kind=Relationship.Kind.NEIGHBOR,
    )
    assert supporter.given_name == "Rosa"
    assert supporter.phones.get().number == "(312) 555-0199"
    assert supporter.emails.get().address == "Rosa@Example.org"
    assert supporter.addresses.get().postal_code == "60601"
    assert Relationship.objects.get(supporter=supporter).known_by == volunteer
    assert kinds(supporter) == [HistoryEvent.Kind.CREATED]


def test_assigning_moves_the_person_to_one_volunteer_and_keeps_the_old_assignment(
    organizer, volunteer, teammate, eastside
):
    supporter = SupporterFactory(team=eastside)
    first = assignment_create(actor=organizer, supporter=supporter, volunteer=volunteer)
    again = assignment_create(actor=organizer, supporter=supporter, volunteer=volunteer)
    second = assignment_create(actor=organizer, supporter=supporter, volunteer=teammate)
    assert first.pk == again.pk
    first.refresh_from_db()
    assert first.ended_at is not None
    assert list(Assignment.objects.active().filter(supporter=supporter)) == [second]
    assert kinds(supporter) == ["assigned", "unassigned", "assigned"]


def test_tags_and_consent_change_once_and_say_so_in_history(organizer, eastside):
    supporter = SupporterFactory(team=eastside)
    tag = Tag.objects.create(name="Tenant leader")
    assert tag_add(actor=organizer, supporter=supporter, tag=tag) is True
    assert tag_add(actor=organizer, supporter=supporter, tag=tag) is False
    assert consent_set(actor=organizer, supporter=supporter, channel="call", reason="asked") is True
    assert consent_set(actor=organizer, supporter=supporter, channel="call") is False
    assert DoNotContact.objects.get(supporter=supporter).reason == "asked"
    assert consent_clear(actor=organizer, supporter=supporter, channel="call") is True
    assert tag_remove(actor=organizer, supporter=supporter, tag=tag) is True
    assert tag_remove(actor=organizer, supporter=supporter, tag=tag) is False
    assert kinds(supporter) == ["tag_added", "consent_set", "consent_cleared", "tag_removed"]


def test_tag_merge_retags_everyone_and_removes_the_old_tag(organizer, eastside):
    old, new = Tag.objects.create(name="Tenant"), Tag.objects.create(name="Tenants")
    people = SupporterFactory.create_batch(3, team=eastside)
    for person in people:
        tag_add(actor=organizer, supporter=person, tag=old)
    tag_add(actor=organizer, supporter=people[0], tag=new)
    assert tag_merge(actor=organizer, source=old, target=new) == 3
    assert not Tag.objects.filter(pk=old.pk).exists()
    assert {p.pk for p in new.supporters.all()} == {p.pk for p in people}


def test_assignment_factory_still_usable_with_services(volunteer, eastside):
    # The factories write rows without history; services add lines on top without clashing.
    assignment = AssignmentFactory(volunteer=volunteer, supporter__team=eastside)
    assert (
        assignment_create(actor=SYSTEM, supporter=assignment.supporter, volunteer=volunteer).pk
        == assignment.pk
    )

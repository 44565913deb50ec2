"""Households: built by the enrichment worker, fixed by organizers, backfilled in the worker."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from supporters.households import (
    household_backfill,
    household_merge,
    household_move,
    household_split,
    housemates,
)
from supporters.models import Household, Relationship, Supporter
from supporters.services import assignment_create, supporter_create
from supporters.tasks import household_backfill_task
from tests.canvass.helpers import person_at
from tests.factories import SupporterFactory


def test_the_same_address_typed_two_ways_is_one_household(organizer, eastside):
    ana = person_at(organizer, eastside, "Ana", "1432 North Ashland Avenue", line2="Apt 2F")
    ben = person_at(organizer, eastside, "Ben", "1432 N Ashland Ave", line2="apt 2f")
    upstairs = person_at(organizer, eastside, "Cy", "1432 N Ashland Ave", line2="Apt 3F")
    assert ana.household_id == ben.household_id != upstairs.household_id
    assert ana.household.unit == "APT 2F"


def test_an_organizers_split_and_move_stand_when_the_worker_runs_again(organizer, eastside):
    from supporters.enrichment.pipeline import enrich_supporters

    ana = person_at(organizer, eastside, "Ana", "11 W Division St")
    ben = person_at(organizer, eastside, "Ben", "11 W Division St")
    household = ana.household
    new = household_split(actor=organizer, household=household, supporters=[ben])
    assert new.pk != household.pk and new.address_key == household.address_key
    enrich_supporters([ana.pk, ben.pk], force=True)
    ben.refresh_from_db()
    assert ben.household_id == new.pk and ben.household_fixed
    kept = household_merge(actor=organizer, kept=household, merged=new)
    assert set(kept.members.values_list("pk", flat=True)) == {ana.pk, ben.pk}
    assert not Household.objects.filter(pk=new.pk).exists()


def test_only_organizers_move_people_between_households(organizer, volunteer, eastside):
    ana = person_at(organizer, eastside, "Ana", "11 W Division St")
    cy = person_at(organizer, eastside, "Cy", "13 W Division St")
    assignment_create(actor=organizer, supporter=cy, volunteer=volunteer)
    with pytest.raises(PermissionDenied):
        household_move(actor=volunteer, supporter=cy, household=ana.household)
    cy.refresh_from_db()
    assert cy.household_id != ana.household_id


def test_the_brief_lists_housemates_linking_only_those_the_viewer_sees(
    client, organizer, volunteer, eastside
):
    ana = person_at(organizer, eastside, "Ana", "11 W Division St")
    ben = person_at(organizer, eastside, "Ben", "11 W Division St", family="Roe")
    assignment_create(actor=organizer, supporter=ana, volunteer=volunteer)
    mates = housemates(viewer=volunteer, supporter=ana)
    assert [(m.name, m.may_open) for m in mates] == [("Ben Roe", False)]
    client.force_login(volunteer)
    body = client.get(reverse("conversations:brief", args=[ana.pk])).content.decode()
    assert "Lives here too" in body and "Ben Roe" in body
    assert reverse("conversations:brief", args=[ben.pk]) not in body
    client.force_login(organizer)
    body = client.get(reverse("conversations:brief", args=[ana.pk])).content.decode()
    assert reverse("conversations:brief", args=[ben.pk]) in body


def test_backfill_turns_same_household_relationships_into_households_and_places_everyone(
    organizer, volunteer, eastside
):
    maria = SupporterFactory(team=eastside, given_name="Maria")
    jose = SupporterFactory(team=eastside, given_name="José")
    Relationship.objects.create(supporter=maria, other_supporter=jose, kind="household")
    Relationship.objects.create(supporter=maria, known_by=volunteer, kind="household")
    # Enriched before households existed: a standardized address, no household.
    placed_later = person_at(organizer, eastside, "Lee", "20 W Division St")
    Supporter.objects.filter(pk=placed_later.pk).update(household=None)
    assert household_backfill(batch_size=10) > 0
    maria.refresh_from_db()
    jose.refresh_from_db()
    assert maria.household_id is not None and maria.household_id == jose.household_id
    assert maria.household_fixed and jose.household_fixed
    assert not Relationship.objects.filter(kind="household").exists()
    assert Relationship.objects.get(supporter=maria, known_by=volunteer).kind == "family"
    assert Supporter.objects.get(pk=placed_later.pk).household_id is not None
    # Runs twice, acts once.
    assert household_backfill(batch_size=10) == 0
    assert household_backfill_task() == 0


def test_a_person_with_no_address_has_no_household(organizer, eastside):
    person = supporter_create(actor=organizer, team=eastside, given_name="Nadia")
    from supporters.enrichment.pipeline import enrich_supporters

    enrich_supporters([person.pk])
    person.refresh_from_db()
    assert person.household_id is None

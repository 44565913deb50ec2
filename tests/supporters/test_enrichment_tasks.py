"""Enrichment in the database: derived fields with provenance, duplicates, sweeps, twice-safe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from supporters.enrichment import VERSION
from supporters.enrichment.pipeline import enrich_supporters
from supporters.models import (
    DuplicateCandidate,
    HistoryEvent,
    Supporter,
    SupporterAddress,
    SupporterEmail,
    SupporterEnrichment,
    SupporterPhone,
)
from supporters.services import supporter_create
from supporters.tasks import (
    supporter_enrich_batch_task,
    supporter_enrich_sweep_task,
    supporter_enrich_task,
)
from tests.factories import ConversationFactory, SupporterFactory

pytestmark = pytest.mark.django_db


def _person(
    team, given, family, *, phone="", email="", zip_code="60622", line1="1432 N Ashland Ave"
):
    supporter = SupporterFactory(team=team, given_name=given, family_name=family)
    if phone:
        SupporterPhone.objects.create(supporter=supporter, number=phone, is_primary=True)
    if email:
        SupporterEmail.objects.create(supporter=supporter, address=email, is_primary=True)
    if zip_code:
        SupporterAddress.objects.create(
            supporter=supporter, line1=line1, postal_code=zip_code, is_primary=True
        )
    return supporter


def test_enrichment_writes_derived_fields_and_keeps_what_was_typed(eastside):
    maria = _person(
        eastside, "María", "Delgado", phone="(773) 555-0142", email="Maria.D@Example.com "
    )
    supporter_enrich_task(maria.pk)

    phone = maria.phones.get()
    assert (phone.number, phone.e164, phone.is_valid) == ("(773) 555-0142", "+17735550142", True)
    email = maria.emails.get()
    assert email.address == "Maria.D@Example.com "  # as typed, even the stray space
    assert email.normalized == "maria.d@example.com"
    address = maria.addresses.get()
    assert address.line1 == "1432 N Ashland Ave"
    assert address.standardized["line1"] == "1432 N ASHLAND AVE"
    assert (address.county, address.time_zone) == ("Cook County", "America/Chicago")
    enrichment = SupporterEnrichment.objects.get(supporter=maria)
    assert enrichment.version == VERSION
    assert enrichment.time_zone == "America/Chicago"
    assert enrichment.name_parts["first"] == "María"
    line = HistoryEvent.objects.get(supporter=maria, kind=HistoryEvent.Kind.ENRICHED)
    assert line.actor is None
    assert line.details["enricher"] == "supporters.enrichment"
    assert line.details["version"] == VERSION
    assert "+17735550142" in line.summary


def test_invalid_phone_is_kept_and_flagged(eastside):
    person = _person(eastside, "Ray", "Ortiz", phone="555-01")
    supporter_enrich_task(person.pk)
    phone = person.phones.get()
    assert phone.number == "555-01"
    assert phone.is_valid is False
    assert "looks invalid" in HistoryEvent.objects.get(supporter=person, kind="enriched").summary


def test_enrich_task_runs_twice_and_acts_once(eastside):
    person = _person(eastside, "Ray", "Ortiz", phone="(773) 555-0100")
    assert supporter_enrich_task(person.pk) == 1
    first = SupporterEnrichment.objects.get(supporter=person).enriched_at

    assert supporter_enrich_task(person.pk) == 0
    assert SupporterEnrichment.objects.get(supporter=person).enriched_at == first
    assert HistoryEvent.objects.filter(supporter=person, kind="enriched").count() == 1


def test_batch_task_twice_adds_no_second_duplicate_candidate(eastside):
    one = _person(eastside, "Andrea", "Sanders", phone="(773) 555-0101")
    two = _person(eastside, "Andrea", "Sanders", phone="773.555.0101")
    assert supporter_enrich_batch_task([one.pk, two.pk]) == 2
    assert supporter_enrich_batch_task([one.pk, two.pk]) == 0
    assert DuplicateCandidate.objects.count() == 1


def test_duplicate_pair_is_stored_once_with_score_and_reasons(eastside):
    one = _person(eastside, "Andrea", "Sanders", phone="(773) 555-0101", email="andrea@example.com")
    two = _person(eastside, "Andrea", "Saunders", phone="773-555-0101", email="ANDREA@example.com")
    enrich_supporters([one.pk])
    enrich_supporters([two.pk])

    pair = DuplicateCandidate.objects.get()
    assert (pair.first_id, pair.second_id) == (one.pk, two.pk)
    assert pair.score >= 90
    assert any("same phone +17735550101" in reason for reason in pair.reasons)
    assert any("same email andrea@example.com" in reason for reason in pair.reasons)
    assert pair.status == DuplicateCandidate.Status.OPEN


def test_household_sharing_a_phone_is_not_a_duplicate(eastside):
    one = _person(eastside, "Maria", "Delgado", phone="(773) 555-0142")
    two = _person(eastside, "José", "Delgado", phone="(773) 555-0142")
    enrich_supporters([one.pk, two.pk])
    assert not DuplicateCandidate.objects.exists()


def test_same_zip_and_nearly_the_same_name_is_a_candidate(eastside):
    one = _person(eastside, "Jonathan", "Kowalski")
    two = _person(eastside, "Jonathon", "Kowalski", line1="99 W Division St")
    other = _person(eastside, "Tom", "Brown")
    enrich_supporters([one.pk, two.pk, other.pk])
    pair = DuplicateCandidate.objects.get()
    assert {pair.first_id, pair.second_id} == {one.pk, two.pk}
    assert "same ZIP 60622" in pair.reasons


def test_pair_marked_not_a_duplicate_stays_so_after_reenrichment(eastside):
    one = _person(eastside, "Andrea", "Sanders", phone="(773) 555-0101")
    two = _person(eastside, "Andrea", "Sanders", phone="(773) 555-0101")
    enrich_supporters([one.pk, two.pk])
    DuplicateCandidate.objects.update(status=DuplicateCandidate.Status.NOT_DUPLICATE)
    enrich_supporters([one.pk, two.pk], force=True)
    assert DuplicateCandidate.objects.get().status == DuplicateCandidate.Status.NOT_DUPLICATE


def test_engagement_is_recomputed_from_conversations(eastside):
    person = _person(eastside, "Ray", "Ortiz")
    person.support_level = 1
    person.save()
    ConversationFactory(supporter=person, channel="event", outcome="talked")
    enrich_supporters([person.pk])
    enrichment = SupporterEnrichment.objects.get(supporter=person)
    assert enrichment.engagement_level == Supporter.EngagementLevel.VOLUNTEER
    assert enrichment.engagement_facts["events"] == 1


def test_new_contact_point_makes_an_enriched_supporter_due_again(eastside):
    person = _person(eastside, "Ray", "Ortiz")
    enrich_supporters([person.pk])
    SupporterPhone.objects.create(supporter=person, number="(312) 555-0177")
    assert enrich_supporters([person.pk]).enriched == 1
    assert person.phones.get().e164 == "+13125550177"


def test_sweep_enqueues_unenriched_and_outdated_but_not_current(eastside, monkeypatch):
    sent = []
    monkeypatch.setattr(
        "supporters.tasks.send_now", lambda task, *args: sent.append((task.name, args)) or True
    )
    fresh, outdated, current = (SupporterFactory(team=eastside) for _ in range(3))
    Supporter.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    enrich_supporters([outdated.pk, current.pk])
    SupporterEnrichment.objects.filter(supporter=outdated).update(version=VERSION - 1)

    assert supporter_enrich_sweep_task() == 2
    assert sent == [("supporters.tasks.supporter_enrich_batch_task", ([fresh.pk, outdated.pk],))]


def test_catch_up_sweep_leaves_the_last_minute_to_the_save_task(eastside, monkeypatch):
    monkeypatch.setattr("supporters.tasks.send_now", lambda task, *args: True)
    SupporterFactory(team=eastside)
    assert supporter_enrich_sweep_task(recent_only=True) == 0


def test_supporter_create_enqueues_enrichment_after_commit(
    eastside, volunteer, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        "organizing.dispatch.send_now",
        # The depth-of-listening rollups hear every write too (metrics); not this test's.
        lambda task, *args: task.name.startswith("metrics.") or sent.append((task.name, args)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        person = supporter_create(actor=volunteer, team=eastside, given_name="Nadia")
    assert sent == [("supporters.tasks.supporter_enrich_task", (person.pk,))]


def _enrichment_queries(team, count, start):
    people = [
        _person(
            team,
            "Maria",
            f"Delgado{n}",
            phone=f"(773) 555-{start + n:04d}",
            email=f"maria{start + n}@example.com",
            zip_code="60622",
        )
        for n in range(count)
    ]
    with CaptureQueriesContext(connection) as captured:
        result = enrich_supporters([p.pk for p in people])
    assert result.enriched == count
    assert (
        HistoryEvent.objects.filter(supporter__in=people, kind=HistoryEvent.Kind.ENRICHED).count()
        == count
    )
    return len(captured)


def test_a_batch_with_duplicates_costs_the_same_queries_whatever_its_size(eastside):
    """Blocks and timeline lines are read and written batch-wide, never once per person."""
    _enrichment_queries(eastside, 1, 500)  # warms what a process reads once (caches)
    few = _enrichment_queries(eastside, 3, 1000)
    many = _enrichment_queries(eastside, 30, 2000)
    assert many == few
    # Everyone shares the ZIP and most of a name: each batch finds its candidates.
    assert DuplicateCandidate.objects.count() > 0

"""The ladder over time: every step of a person's engagement level is recorded (from, to,
when, why), shown on the brief and in the history, and segments can ask for it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from organizing.events import event_subscribe
from supporters.enrichment.pipeline import engagement_recompute, enrich_supporters
from supporters.models import EngagementChange, HistoryEvent, Supporter
from supporters.segments import segment_supporters
from supporters.services import supporter_update
from tests.factories import ConversationFactory, SupporterFactory, enriched_active_volunteer
from tests.mfa_helpers import force_login_with_mfa


def test_the_enrichment_records_each_step_with_its_rule(eastside):
    person = SupporterFactory(team=eastside, support_level=1)
    enrich_supporters([person.pk])
    assert not EngagementChange.objects.filter(supporter=person).exists()  # still unknown
    ConversationFactory(supporter=person, channel="door", outcome="talked")
    engagement_recompute(person.pk)
    ConversationFactory(supporter=person, channel="event", outcome="talked")
    engagement_recompute(person.pk)
    engagement_recompute(person.pk)  # no change: no step
    steps = list(
        EngagementChange.objects.filter(supporter=person)
        .order_by("at", "id")
        .values_list("from_level", "to_level", "rule", "changed_by")
    )
    assert steps == [(0, 2, "talked_supportive", None), (2, 3, "event", None)]
    lines = HistoryEvent.objects.filter(supporter=person, kind=HistoryEvent.Kind.ENGAGEMENT)
    assert [line.summary for line in lines.order_by("at", "id")] == [
        "Engagement Unknown → Supporter",
        "Engagement Supporter → Volunteer",
    ]


def test_an_override_is_a_step_by_a_person_and_clearing_it_another(eastside, organizer):
    person = enriched_active_volunteer(eastside)
    supporter_update(actor=organizer, supporter=person, engagement_level=5)
    supporter_update(
        actor=organizer, supporter=Supporter.objects.get(pk=person.pk), engagement_level=None
    )
    steps = list(
        EngagementChange.objects.filter(supporter=person)
        .order_by("at", "id")
        .values_list("from_level", "to_level", "rule", "changed_by")
    )
    assert steps[-2:] == [(4, 5, "by_hand", organizer.pk), (5, 4, "override_cleared", organizer.pk)]


def test_a_step_is_published_as_an_event(eastside):
    heard = []

    def listener(event, *, supporter_id=None, subject=None, **data):
        if event == "supporter.engagement_changed":
            heard.append((supporter_id, data["event_id"]))

    event_subscribe("supporter.", listener)
    person = enriched_active_volunteer(eastside)
    change = EngagementChange.objects.get(supporter=person)
    assert heard[-1] == (person.pk, change.pk)


def test_the_brief_says_when_and_why_they_moved(client, eastside, organizer):
    person = enriched_active_volunteer(eastside)
    EngagementChange.objects.filter(supporter=person).update(
        at=timezone.now().replace(month=11, day=12)
    )
    force_login_with_mfa(client, organizer)
    page = client.get(reverse("conversations:brief", args=[person.pk]))
    assert "Moved from Unknown to Active volunteer on Nov 12 after a second event." in page.text
    supporter_update(actor=organizer, supporter=person, engagement_level=5)
    page = client.get(reverse("conversations:brief", args=[person.pk]))
    assert "Moved from Active volunteer to Leader on" in page.text
    assert "set by hand by Olivia Organizer" in page.text
    history = client.get(reverse("conversations:history", args=[person.pk]))
    assert "Engagement Unknown → Active volunteer" in history.text


def test_segments_ask_who_moved_up_recently(eastside, organizer, data_staff):
    up = enriched_active_volunteer(eastside)
    down = enriched_active_volunteer(eastside)
    supporter_update(actor=organizer, supporter=down, engagement_level=1)
    old = enriched_active_volunteer(eastside)
    EngagementChange.objects.filter(supporter=old).update(at=timezone.now() - timedelta(days=40))

    def names(filter_json):
        return set(segment_supporters(viewer=data_staff, filter_json=filter_json))

    assert names({"engagement_moved": {"direction": "up", "within_days": 30}}) == {up, down}
    assert names({"engagement_moved": {"direction": "down", "within_days": 30}}) == {down}
    assert names({"engagement_moved": {"to_level": 4, "from_level": 0}}) == {up, down, old}
    today = timezone.localdate().isoformat()
    assert names({"engagement_moved": {"direction": "down", "since": today, "until": today}}) == {
        down
    }


@pytest.mark.parametrize(
    ("filter_json", "path"),
    [
        ({"engagement_moved": {"direction": "sideways"}}, "engagement_moved.direction"),
        ({"engagement_moved": {"since": "2026-02-30"}}, "engagement_moved.since"),
        ({"engagement_moved": {"to_level": 9}}, "engagement_moved.to_level"),
    ],
)
def test_bad_engagement_moved_conditions_point_at_the_part(filter_json, path):
    from supporters.segments import SegmentError, segment_compile

    with pytest.raises(SegmentError) as error:
        segment_compile(filter_json)
    assert error.value.path == path

"""The segment language: each condition, combinations, and errors that point at the bad part."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import Conversation, FollowUp, Issue
from supporters.models import DoNotContact, Supporter, SupporterAddress, SupporterTag, Tag
from supporters.segments import SegmentError, segment_compile, segment_supporters
from tests.factories import (
    AssignmentFactory,
    ConversationFactory,
    FollowUpFactory,
    SupporterFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(eastside, westside, volunteer):
    ana = SupporterFactory(
        team=eastside,
        given_name="Ana",
        support_level=1,
        language="es",
        engagement_level=3,
        custom_fields={"shift": "night"},
    )
    ben = SupporterFactory(team=eastside, given_name="Ben", support_level=4, language="en")
    cy = SupporterFactory(team=westside, given_name="Cy", support_level=None, language="en")
    SupporterAddress.objects.create(
        supporter=ana,
        line1="1 A St",
        city="Austin",
        state="TX",
        postal_code="78701",
        is_primary=True,
    )
    SupporterAddress.objects.create(
        supporter=ben,
        line1="2 B St",
        city="Dallas",
        state="TX",
        postal_code="75201",
        is_primary=True,
    )
    leader, renter = Tag.objects.create(name="Leader"), Tag.objects.create(name="renter")
    SupporterTag.objects.create(supporter=ana, tag=leader)
    SupporterTag.objects.create(supporter=ana, tag=renter)
    SupporterTag.objects.create(supporter=ben, tag=renter)
    DoNotContact.objects.create(supporter=ben, channel="text")
    rent = Issue.objects.create(name="Rent")
    talk = ConversationFactory(supporter=ana, volunteer=volunteer, outcome="talked")
    talk.issues.add(rent)
    old = ConversationFactory(supporter=ben, volunteer=volunteer, outcome="not_home")
    Conversation.objects.filter(pk=old.pk).update(happened_at=timezone.now() - timedelta(days=90))
    FollowUpFactory(supporter=ben, assignee=volunteer, due_at=timezone.now() - timedelta(days=1))
    return {"ana": ana, "ben": ben, "cy": cy, "rent": rent, "leader": leader}


def names(data_staff, filter_json):
    rows = segment_supporters(viewer=data_staff, filter_json=filter_json)
    return sorted(rows.values_list("given_name", flat=True))


@pytest.mark.parametrize(
    "filter_json,expected",
    [
        ({}, ["Ana", "Ben", "Cy"]),
        ({"support_level": 1}, ["Ana"]),
        ({"support_level": {"lte": 2}}, ["Ana"]),
        ({"support_level": {"in": [1, 4]}}, ["Ana", "Ben"]),
        ({"support_level": {"is_null": True}}, ["Cy"]),
        ({"engagement_level": {"gte": 3}}, ["Ana"]),
        ({"language": "ES"}, ["Ana"]),
        ({"language": {"in": ["en"]}}, ["Ben", "Cy"]),
        ({"zip": "78701"}, ["Ana"]),
        ({"zip": {"prefix": "75"}}, ["Ben"]),
        ({"city": "austin"}, ["Ana"]),
        ({"state": {"in": ["tx"]}}, ["Ana", "Ben"]),
        ({"custom_field": {"name": "shift", "equals": "night"}}, ["Ana"]),
        ({"custom_field": {"name": "shift", "exists": False}}, ["Ben", "Cy"]),
        ({"tags": {"any": ["leader", "renter"]}}, ["Ana", "Ben"]),
        ({"tags": {"all": ["leader", "renter"]}}, ["Ana"]),
        ({"tags": {"none": ["renter"]}}, ["Cy"]),
        ({"issues": {"any": ["rent"]}}, ["Ana"]),
        ({"contactable_by": "text"}, ["Ana", "Cy"]),
        ({"talked_within_days": 7}, ["Ana"]),
        ({"never_contacted": True}, ["Cy"]),
        ({"never_contacted": False}, ["Ana", "Ben"]),
        ({"conversations": {"outcome": "not_home", "within_days": 30}}, []),
        ({"conversations": {"outcome": ["not_home"]}}, ["Ben"]),
        ({"conversations": {"within_days": 30, "exists": False}}, ["Ben", "Cy"]),
        ({"followups": {"status": "overdue"}}, ["Ben"]),
        ({"followups": {"status": "none_open"}}, ["Ana", "Cy"]),
        ({"or": [{"support_level": 1}, {"never_contacted": True}]}, ["Ana", "Cy"]),
        ({"and": [{"tags": {"any": ["renter"]}}, {"not": {"contactable_by": "text"}}]}, ["Ben"]),
        ({"not": {"or": [{"language": "es"}, {"zip": {"prefix": "7"}}]}}, ["Cy"]),
    ],
)
def test_conditions_and_combinations_select_the_right_people(
    data_staff, cast, filter_json, expected
):
    assert names(data_staff, filter_json) == expected


def test_team_and_volunteer_conditions(data_staff, cast, volunteer, eastside, westside):
    assert names(data_staff, {"team": westside.pk}) == ["Cy"]
    assert names(data_staff, {"conversations": {"volunteer": volunteer.pk}}) == ["Ana", "Ben"]
    assert names(data_staff, {"conversations": {"team": eastside.pk}}) == ["Ana", "Ben"]
    assert names(data_staff, {"conversations": {"team": westside.pk}}) == []


def test_tags_by_id_work_too(data_staff, cast):
    assert names(data_staff, {"tags": {"any": [cast["leader"].pk]}}) == ["Ana"]


def test_segments_never_widen_the_visibility_rule(volunteer, cast):
    AssignmentFactory(volunteer=volunteer, supporter=cast["ana"])
    assert list(
        segment_supporters(viewer=volunteer, filter_json={}).values_list("given_name", flat=True)
    ) == ["Ana"]


def test_combinations_never_duplicate_rows(data_staff, cast, volunteer):
    ConversationFactory(supporter=cast["ana"], volunteer=volunteer, client_uuid=uuid.uuid4())
    rows = segment_supporters(
        viewer=data_staff,
        filter_json={"or": [{"tags": {"any": ["leader", "renter"]}}, {"talked_within_days": 30}]},
    )
    assert rows.count() == len(set(rows.values_list("id", flat=True))) == 2


@pytest.mark.parametrize(
    "filter_json,path",
    [
        ([], "filter"),
        ({"and": []}, "and"),
        ({"and": [{"support_level": 9}]}, "and[0].support_level"),
        ({"or": [{}, {"tags": {"any": "leader"}}]}, "or[1].tags.any"),
        ({"tags": {"some": ["x"]}}, "tags.some"),
        ({"nope": 1}, "nope"),
        ({"support_level": 1, "language": "en"}, "filter"),
        ({"not": {"contactable_by": "pigeon"}}, "not.contactable_by"),
        ({"conversations": {"outcome": ["talked", "waved"]}}, "conversations.outcome[1]"),
        ({"custom_field": {"name": "x"}}, "custom_field"),
        ({"followups": {"status": "late"}}, "followups.status"),
        ({"talked_within_days": True}, "talked_within_days"),
        ({"support_level": {"gte": "1"}}, "support_level.gte"),
    ],
)
def test_bad_filters_point_at_the_wrong_part(filter_json, path):
    with pytest.raises(SegmentError) as error:
        segment_compile(filter_json)
    assert error.value.path == path


def test_deep_or_huge_filters_are_refused():
    deep = {}
    node = deep
    for _ in range(30):
        node["not"] = {}
        node = node["not"]
    with pytest.raises(SegmentError, match="nest"):
        segment_compile(deep)
    with pytest.raises(SegmentError, match="at most"):
        segment_compile({"or": [{"language": "en"}] * 500})


def test_values_are_bound_as_parameters_not_sql(data_staff, cast):
    sneaky = "en'; DROP TABLE supporters_supporter; --"
    assert names(data_staff, {"language": sneaky}) == []
    assert Supporter.objects.count() == 3


def test_followup_done_condition(data_staff, cast, volunteer):
    FollowUp.objects.filter(supporter=cast["ben"]).update(
        status="done", completed_at=timezone.now()
    )
    assert names(data_staff, {"followups": {"status": "done"}}) == ["Ben"]

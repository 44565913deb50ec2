"""The segment builder (issue 16, item 2): segments by pointing, the same JSON the API takes,
a live count through the visibility rule, bad choices named field by field, "Save as segment"
from the Supporters list."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from django.utils import timezone

from supporters.forms_segments import builder_initial
from supporters.models import ExternalId, Segment, SupporterAddress, SupporterTag, Tag
from tests.api_helpers import key_for
from tests.factories import ConversationFactory, SupporterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(eastside, westside, volunteer):
    """Spanish speakers: two on Eastside (one tagged, in 78701, talked to last week, with a VAN
    id), one on Westside (tagged too)."""
    tag = Tag.objects.create(name="Tenant")
    near = SupporterFactory(team=eastside, language="es", given_name="Núñez", support_level=1)
    SupporterTag.objects.create(supporter=near, tag=tag)
    SupporterAddress.objects.create(
        supporter=near, line1="1 Main", postal_code="78701", is_primary=True
    )
    ExternalId.objects.create(supporter=near, system="van", value="V123")
    ConversationFactory(
        supporter=near,
        volunteer=volunteer,
        outcome="talked",
        happened_at=timezone.now() - timedelta(days=3),
    )
    SupporterFactory(team=eastside, language="es", support_level=3)
    far = SupporterFactory(team=westside, language="es", support_level=1)
    SupporterTag.objects.create(supporter=far, tag=tag)
    return {"tag": tag, "near": near}


BUILDER = {
    "source": "builder",
    "name": "Tenants who talked",
    "description": "",
    "filter": "{}",
}


def builder_data(**choices):
    return {**BUILDER, **{f"b-{key}": value for key, value in choices.items()}}


def test_the_builder_saves_the_json_the_api_accepts_with_the_same_count(client, data_staff, people):
    client.force_login(data_staff)
    choices = {
        "language": "es",
        "tags_any": [people["tag"].pk],
        "support_level": ["1", "2"],
        "contacted": "yes",
        "within_days": "7",
        "outcome": ["talked"],
        "zip": "787",
        "external_system": "van",
        "external_value": "V123",
        "q": "nunez",
    }
    response = client.post(reverse("segments:create"), {**builder_data(**choices), "save": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    segment = Segment.objects.get()
    assert segment.filter == {
        "and": [
            {"search": "nunez"},
            {"support_level": {"in": [1, 2]}},
            {"language": "es"},
            {"tags": {"any": [people["tag"].pk]}},
            {"conversations": {"within_days": 7, "outcome": ["talked"]}},
            {"zip": {"prefix": "787"}},
            {"external_id": {"system": "van", "value": "V123"}},
        ]
    }
    api = client.__class__()
    raw = key_for(data_staff, ["read"])
    answer = api.post(
        reverse("api:segment-preview"),
        {"filter": segment.filter},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert answer.status_code == 200 and answer.json()["count"] == 1
    preview = client.get(reverse("segments:preview"), builder_data(**choices))
    assert "<strong>1</strong> person you can see matches" in preview.content.decode()


def test_the_live_count_goes_through_the_visibility_rule(client, organizer, data_staff, people):
    choices = builder_data(tags_any=[people["tag"].pk])
    client.force_login(organizer)  # Eastside's organizer: the Westside tenant is not theirs
    assert "<strong>1</strong>" in client.get(reverse("segments:preview"), choices).content.decode()
    client.force_login(data_staff)
    assert "<strong>2</strong>" in client.get(reverse("segments:preview"), choices).content.decode()


def test_the_preview_is_for_those_who_save_segments(client, volunteer, people):
    client.force_login(volunteer)
    assert client.get(reverse("segments:preview"), builder_data()).status_code == 403


@pytest.mark.parametrize(
    "choices,field,words",
    [
        ({"zip": "78a01"}, "zip", "digits only"),
        ({"within_days": "-1"}, "within_days", "greater than or equal to 0"),
        ({"custom_field_value": "night"}, "custom_field_name", "Name the custom field"),
        ({"external_value": "V1"}, "external_system", "which system"),
        ({"language": "español!"}, "language", "language code"),
        ({"never_contacted": "on", "within_days": "5"}, "never_contacted", "untick one"),
    ],
)
def test_bad_choices_are_named_field_by_field_and_nothing_typed_is_lost(
    client, organizer, people, choices, field, words
):
    client.force_login(organizer)
    data = {**builder_data(**choices, city="Austin"), "save": "1"}
    response = client.post(reverse("segments:create"), data)
    assert response.status_code == 400
    assert not Segment.objects.exists()
    builder = response.context["builder"]
    assert words in " ".join(builder.errors[field])
    page = response.content.decode()
    assert 'value="Austin"' in page and 'value="Tenants who talked"' in page
    preview = client.get(reverse("segments:preview"), data).content.decode()
    assert f'href="#id_b-{field}"' in preview and words in preview


def test_a_builder_segment_is_edited_by_pointing_a_json_one_stays_json(client, organizer, people):
    client.force_login(organizer)
    pointed = Segment.objects.create(
        name="Pointed",
        filter={"and": [{"language": "es"}, {"tags": {"none": [people["tag"].pk]}}]},
        created_by=organizer,
    )
    response = client.get(reverse("segments:edit", args=[pointed.pk]))
    builder = response.context["builder"]
    assert builder.initial == {"language": "es", "tags_none": [people["tag"].pk]}
    assert response.context["builder_fits"]
    written = Segment.objects.create(
        name="Written",
        filter={"or": [{"language": "es"}, {"language": "en"}]},
        created_by=organizer,
    )
    response = client.get(reverse("segments:edit", args=[written.pk]))
    assert not response.context["builder_fits"]
    assert "goes beyond what the choices can show" in response.content.decode()
    # Data staff's JSON still saves as typed.
    response = client.post(
        reverse("segments:edit", args=[written.pk]),
        {"name": "Written", "filter": '{"not": {"language": "es"}}', "save_json": "1"},
    )
    assert response.status_code == 302
    written.refresh_from_db()
    assert written.filter == {"not": {"language": "es"}}


@pytest.mark.parametrize(
    "filter_json",
    [
        {},
        {"language": "es"},
        {"and": [{"team": "TEAM"}, {"support_level": {"in": [1, 2]}}, {"assigned": False}]},
        {
            "and": [
                {"conversations": {"within_days": 30, "exists": False}},
                {"followups": {"status": "open"}},
            ]
        },
        {"and": [{"contactable_by": "call"}, {"contactable_by": "text"}, {"zip": "78701"}]},
        {"custom_field": {"name": "shift", "equals": "night"}},
    ],
)
def test_what_the_builder_reads_back_it_builds_again(filter_json, eastside, organizer):
    from organizing.models import Team
    from supporters.forms_segments import SegmentBuilderForm

    filter_json = json.loads(json.dumps(filter_json).replace('"TEAM"', str(eastside.pk)))
    initial = builder_initial(filter_json)
    assert initial is not None
    data = {}
    for key, value in initial.items():
        data[f"b-{key}"] = value
    form = SegmentBuilderForm(data, teams=Team.objects.all(), prefix="b")
    assert form.is_valid(), form.errors
    assert form.to_filter() == filter_json


@pytest.mark.parametrize(
    "filter_json",
    [
        {"or": [{"language": "es"}]},
        {"not": {"language": "es"}},
        {"tags": {"any": ["Tenant"]}},
        {"and": [{"language": "es"}, {"language": "en"}]},
        {"custom_field": {"name": "shift", "equals": 3}},
    ],
)
def test_what_the_builder_cannot_show_stays_json(filter_json):
    assert builder_initial(filter_json) is None


def test_save_as_segment_from_the_supporters_list_carries_its_filters(client, organizer, people):
    client.force_login(organizer)
    response = client.get(
        reverse("supporters:list"), {"tag": people["tag"].pk, "support_level": 1, "q": "nunez"}
    )
    page = response.content.decode()
    link = page[page.index(reverse("segments:create")) :].split('"')[0].replace("&amp;", "&")
    handed = json.loads(parse_qs(urlparse(link).query)["from_filter"][0])
    assert handed == {
        "and": [{"search": "nunez"}, {"tags": {"any": [people["tag"].pk]}}, {"support_level": 1}]
    }
    create = client.get(link)
    assert create.context["builder"].initial == {
        "q": "nunez",
        "tags_any": [people["tag"].pk],
        "support_level": [1],
    }
    # The list shows exactly whom the saved segment holds.
    assert response.context["page"].paginator.count == 1

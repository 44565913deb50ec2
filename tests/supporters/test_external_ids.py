"""External IDs everywhere they belong: API (read, write, filter), exports, OSDI, segments,
the brief, merges."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from supporters.models import ExternalId, Segment
from supporters.segments import segment_supporters
from supporters.services import supporter_merge
from tests.api_helpers import key_client, session_client
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def maria(eastside):
    person = SupporterFactory(
        given_name="Maria", family_name="Delgado", team=eastside, custom_fields={"shirt": "M"}
    )
    ExternalId.objects.create(supporter=person, system="van", value="=1001")
    ExternalId.objects.create(supporter=person, system="action_network", value="an-uuid-7")
    return person


def test_api_reads_writes_and_filters_external_ids(organizer, eastside, maria):
    client = session_client(organizer)
    detail = client.get(f"/api/v1/supporters/{maria.pk}/").json()
    assert detail["external_ids"] == {"van": "=1001", "action_network": "an-uuid-7"}
    made = client.post(
        "/api/v1/supporters/",
        {"given_name": "José", "team": eastside.pk, "external_ids": {"voter_file": "TX-9"}},
        format="json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["external_ids"] == {"voter_file": "TX-9"}
    found = client.get("/api/v1/supporters/", {"external_id": "voter_file:TX-9"}).json()
    assert [row["given_name"] for row in found["results"]] == ["José"]
    changed = client.patch(
        f"/api/v1/supporters/{maria.pk}/",
        {"external_ids": {"van": "2002", "action_network": None}},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["external_ids"] == {"van": "2002"}


def test_api_refuses_a_taken_id_and_an_unknown_system_adding_nobody(organizer, eastside, maria):
    client = session_client(organizer)
    taken = client.post(
        "/api/v1/supporters/",
        {"given_name": "José", "team": eastside.pk, "external_ids": {"van": "=1001"}},
        format="json",
    )
    assert taken.status_code == 400
    assert "external_ids" in taken.json()["error"]["fields"]
    unknown = client.post(
        "/api/v1/supporters/",
        {"given_name": "José", "team": eastside.pk, "external_ids": {"myspace": "1"}},
        format="json",
    )
    assert unknown.status_code == 400
    bad_filter = client.get("/api/v1/supporters/", {"external_id": "nope"})
    assert bad_filter.status_code == 400
    assert not maria.team.supporters.filter(given_name="José").exists()


def test_a_volunteer_may_not_set_an_id_through_the_api(volunteer, maria):
    from tests.factories import AssignmentFactory

    AssignmentFactory(supporter=maria, volunteer=volunteer)
    answer = session_client(volunteer).patch(
        f"/api/v1/supporters/{maria.pk}/", {"external_ids": {"van": "9"}}, format="json"
    )
    assert answer.status_code == 403
    assert ExternalId.objects.get(supporter=maria, system="van").value == "=1001"


def test_exports_have_a_column_per_system_present_tags_and_custom_fields(data_staff, maria):
    segment = Segment.objects.create(name="All", filter={}, created_by=data_staff)
    client = key_client(data_staff, ["read", "export"])
    response = client.get(f"/api/v1/segments/{segment.pk}/export", {"format": "csv"})
    table = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    row = table[0]
    assert row["external_id_van"] == "'=1001"  # neutralised: free text
    assert row["external_id_action_network"] == "an-uuid-7"
    assert row["custom_shirt"] == "M"
    assert "tags" in row
    assert "external_id_voter_file" not in row
    response = client.get(f"/api/v1/segments/{segment.pk}/export", {"format": "ndjson"})
    line = json.loads(b"".join(response.streaming_content).decode().splitlines()[0])
    assert line["external_id_van"] == "=1001"


def test_osdi_identifiers_put_earshots_own_action_network_id_first(data_staff, maria):
    client = key_client(data_staff, ["read"])
    person = client.get(f"/api/osdi/v1/people/{maria.pk}").json()
    assert person["identifiers"] == [
        f"earshot:{maria.pk}",
        f"action_network:{maria.pk}",
        "action_network:an-uuid-7",
        "van:=1001",
    ]
    first = next(i for i in person["identifiers"] if i.startswith("action_network:"))
    assert first == f"action_network:{maria.pk}"


def test_segment_condition_has_external_id(data_staff, maria, eastside):
    other = SupporterFactory(given_name="Nobody", team=eastside)

    def ids(f):
        return set(
            segment_supporters(viewer=data_staff, filter_json=f).values_list("pk", flat=True)
        )

    assert ids({"has_external_id": "van"}) == {maria.pk}
    assert ids({"has_external_id": True}) == {maria.pk}
    assert ids({"has_external_id": False}) == {other.pk}
    assert ids({"has_external_id": "voter_file"}) == set()


def test_the_brief_shows_ids_to_organizers_only(organizer, volunteer, maria):
    from tests.factories import AssignmentFactory

    AssignmentFactory(supporter=maria, volunteer=volunteer)
    url = reverse("conversations:brief", args=[maria.pk])
    assert "an-uuid-7" in session_client(organizer).get(url).content.decode()
    assert "an-uuid-7" not in session_client(volunteer).get(url).content.decode()


def test_merge_keeps_ids_never_duplicated(organizer, eastside, maria):
    twin = SupporterFactory(given_name="Maria", family_name="Delgado", team=eastside)
    ExternalId.objects.create(supporter=twin, system="van", value="3003")
    ExternalId.objects.create(supporter=twin, system="voter_file", value="TX-1")
    supporter_merge(actor=organizer, kept=maria, merged=twin)
    assert dict(ExternalId.objects.values_list("system", "value")) == {
        "van": "=1001",
        "action_network": "an-uuid-7",
        "voter_file": "TX-1",
    }

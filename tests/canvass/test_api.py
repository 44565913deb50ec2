"""The canvassing API: walk lists and packets by who may see them, and the field sync."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from canvass import services
from canvass.models import Checkout, DoorResult, WalkList
from conversations.models import Conversation
from supporters.models import Supporter
from tests.api_helpers import key_client
from tests.canvass.helpers import person_at

SYNC = "/api/v1/field/sync/"


@pytest.fixture
def packet(organizer, eastside):
    for n, given in enumerate(["Ana", "Ben", "Cy"]):
        person_at(
            organizer,
            eastside,
            given,
            f"{11 + 2 * n} W Division St",
            point=(41.9035, -87.6301 - n * 0.0002),
        )
    walk_list = services.walk_list_cut(actor=organizer, name="Division", team=eastside)
    return services.packets_by_count(actor=organizer, walk_list=walk_list, doors_per_packet=10)[0]


@pytest.fixture
def bob_out(organizer, teammate, packet):
    return services.packet_checkout(
        actor=organizer,
        packet=packet,
        volunteer=teammate,
        until=timezone.now() + timedelta(hours=3),
    )


def test_walk_lists_and_packets_are_read_by_who_may_see_them(
    organizer, teammate, volunteer, packet, bob_out
):
    assert [
        row["id"] for row in key_client(organizer).get("/api/v1/walk-lists/").json()["results"]
    ] == [packet.walk_list_id]
    bob = key_client(teammate)
    assert [row["id"] for row in bob.get("/api/v1/packets/").json()["results"]] == [packet.pk]
    assert bob.get(f"/api/v1/packets/{packet.pk}/").json()["door_count"] == 3
    assert key_client(volunteer).get(f"/api/v1/packets/{packet.pk}/").status_code == 404
    assert key_client(volunteer).get("/api/v1/walk-lists/").json()["results"] == []
    progress = (
        key_client(organizer).get(f"/api/v1/walk-lists/{packet.walk_list_id}/progress/").json()
    )
    assert (progress["doors"], progress["knocked"]) == (3, 0)
    assert bob.get(f"/api/v1/walk-lists/{packet.walk_list_id}/progress/").status_code == 403


def test_organizers_cut_split_and_check_out_through_the_api(
    organizer, teammate, volunteer, eastside, packet
):
    client = key_client(organizer, scopes=("read", "write"))
    made = client.post(
        "/api/v1/walk-lists/",
        {"name": "Again", "team": eastside.pk, "doors_per_packet": 2},
        format="json",
    )
    assert made.status_code == 201, made.content
    walk_list = WalkList.objects.get(pk=made.json()["id"])
    assert walk_list.packets.count() == 2
    first = walk_list.packets.order_by("position").first()
    until = (timezone.now() + timedelta(hours=2)).isoformat()
    out = client.post(
        f"/api/v1/packets/{first.pk}/checkout/",
        {"volunteer": teammate.pk, "until": until},
        format="json",
    )
    assert out.status_code == 201, out.content
    twice = client.post(
        f"/api/v1/packets/{first.pk}/checkout/",
        {"volunteer": volunteer.pk, "until": until},
        format="json",
    )
    assert twice.status_code == 400 and "volunteer" in str(twice.json())
    back = client.post(f"/api/v1/packets/{first.pk}/return/", format="json")
    assert back.status_code == 200 and back.json()["returned_at"]
    bad = client.post(
        "/api/v1/walk-lists/",
        {"name": "", "team": eastside.pk, "filter": {"nope": 1}},
        format="json",
    )
    assert bad.status_code == 400
    # A volunteer may not cut, even with a write key; nothing is made.
    before = WalkList.objects.count()
    denied = key_client(volunteer, scopes=("read", "write")).post(
        "/api/v1/walk-lists/", {"name": "Mine", "team": eastside.pk}, format="json"
    )
    assert denied.status_code == 403 and WalkList.objects.count() == before


def _items(packet, teammate):
    doors = list(packet.doors.order_by("position"))
    ana = Supporter.objects.get(given_name="Ana")
    return [
        {
            "type": "door_result",
            "client_uuid": str(uuid.uuid4()),
            "door": doors[1].pk,
            "result": "not_home",
        },
        {
            "type": "conversation",
            "client_uuid": str(uuid.uuid4()),
            "door": doors[0].pk,
            "supporter": ana.pk,
            "outcome": "talked",
            "heard": "Her landlord raised the rent twice this year.",
            "remember": [{"text": "Works nights at the hospital", "sensitive": False}],
        },
        {
            "type": "new_person",
            "client_uuid": str(uuid.uuid4()),
            "door": doors[2].pk,
            "given_name": "Gus",
        },
    ]


def test_field_sync_stores_each_item_once_and_answers_item_by_item(teammate, packet, bob_out):
    client = key_client(teammate, scopes=("read", "write"))
    items = _items(packet, teammate)
    first = client.post(SYNC, {"items": items}, format="json")
    assert first.status_code == 200, first.content
    assert [r["status"] for r in first.json()["results"]] == ["stored"] * 3
    assert first.json()["counts"] == {"stored": 3, "already_stored": 0, "refused": 0}
    again = client.post(SYNC, {"items": items}, format="json")
    assert [r["status"] for r in again.json()["results"]] == ["already_stored"] * 3
    assert [r["client_uuid"] for r in again.json()["results"]] == [i["client_uuid"] for i in items]
    assert DoorResult.objects.count() == 3
    assert Conversation.objects.filter(outcome="talked").count() == 1
    assert Supporter.objects.filter(given_name="Gus").count() == 1
    assert Conversation.objects.get(outcome="talked").channel == "door"


def test_field_sync_refuses_bad_items_with_why_and_keeps_the_good_ones(
    teammate, volunteer, packet, bob_out
):
    items = _items(packet, teammate)
    items[0]["result"] = "asleep"
    items[2]["given_name"] = ""
    items.append({"type": "selfie", "client_uuid": str(uuid.uuid4())})
    answer = (
        key_client(teammate, scopes=("read", "write"))
        .post(SYNC, {"items": items}, format="json")
        .json()
    )
    statuses = [r["status"] for r in answer["results"]]
    assert statuses == ["refused", "stored", "refused", "refused"]
    assert "result" in answer["results"][0]["errors"]
    assert "given_name" in answer["results"][2]["errors"]
    assert "type" in answer["results"][3]["errors"]
    # Someone the packet is not out with is refused, door by door, and nothing is stored.
    others = _items(packet, volunteer)
    refused = (
        key_client(volunteer, scopes=("read", "write"))
        .post(SYNC, {"items": others}, format="json")
        .json()
    )
    assert [r["status"] for r in refused["results"]] == ["refused"] * 3
    assert DoorResult.objects.count() == 1


def test_field_sync_refuses_a_body_without_items(teammate):
    answer = key_client(teammate, scopes=("read", "write")).post(SYNC, {"items": []}, format="json")
    assert answer.status_code == 400


def test_field_sync_after_the_packet_is_returned_is_refused(organizer, teammate, packet, bob_out):
    services.checkout_return(actor=organizer, checkout=bob_out)
    answer = key_client(teammate, scopes=("read", "write")).post(
        SYNC, {"items": _items(packet, teammate)}, format="json"
    )
    assert [r["status"] for r in answer.json()["results"]] == ["refused"] * 3
    assert not Checkout.objects.current().exists()


def test_the_schema_lists_the_canvass_routes(organizer):
    schema = key_client(organizer).get(reverse("api:schema"), HTTP_ACCEPT="application/json").json()
    assert "/api/v1/field/sync/" in schema["paths"]
    assert "/api/v1/walk-lists/{id}/draw/" in schema["paths"]

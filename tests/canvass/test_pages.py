"""The walk-list pages, canvass mode and the day volunteer's link."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from canvass import services
from canvass.models import Checkout, DoorResult, GuestLink, Packet, WalkList
from conversations.models import Conversation
from supporters.models import Supporter
from tests.canvass.helpers import person_at


@pytest.fixture
def street(organizer, eastside):
    return [
        person_at(
            organizer,
            eastside,
            given,
            f"{number} W Division St",
            point=(41.9035, -87.6301 - i * 0.0002),
        )
        for i, (given, number) in enumerate([("Ana", 11), ("Cy", 13), ("Di", 12)])
    ]


@pytest.fixture
def walk_list(organizer, eastside, street):
    return services.walk_list_cut(actor=organizer, name="Division", team=eastside)


def test_organizer_cuts_a_walk_list_with_packets_on_the_page(client, organizer, eastside, street):
    client.force_login(organizer)
    page = client.get(reverse("canvass:index"))
    assert page.status_code == 200
    response = client.post(
        reverse("canvass:index"),
        {"name": "Division St", "team": eastside.pk, "doors_per_packet": 2},
    )
    walk_list = WalkList.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "canvass:walk_list", args=[walk_list.pk]
    )
    assert walk_list.packets.count() == 2
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    data = json.loads(
        re.search(
            r'<script id="map-data" type="application/json">(.*?)</script>', detail.content.decode()
        ).group(1)
    )
    assert [d["n"] for p in data["packets"] for d in p["doors"]] == [1, 2, 1]
    assert data["tiles"].startswith("https://tile.openstreetmap.org/")


def test_a_bad_cut_keeps_what_was_typed_and_says_why(client, organizer, eastside, street):
    client.force_login(organizer)
    response = client.post(
        reverse("canvass:index"), {"name": "Kept name", "team": "", "doors_per_packet": "0"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="Kept name"' in body and "errorlist" in body
    assert not WalkList.objects.exists()


def test_cut_from_the_supporters_filters(client, organizer, eastside, street):
    client.force_login(organizer)
    client.post(
        reverse("canvass:index"),
        {"name": "Ana's", "team": eastside.pk, "filters": "q=Ana"},
    )
    walk_list = WalkList.objects.get()
    assert list(walk_list.doors.values_list("household_id", flat=True)) == [street[0].household_id]


def test_drawing_on_the_page_makes_a_packet(client, organizer, walk_list):
    client.force_login(organizer)
    box = [[41.9030, -87.6300], [41.9040, -87.6300], [41.9040, -87.6304], [41.9030, -87.6304]]
    response = client.post(
        reverse("canvass:draw", args=[walk_list.pk]),
        {"draw-name": "East end", "draw-outline": json.dumps(box)},
    )
    assert response.status_code == 302
    packet = Packet.objects.get(name="East end")
    assert packet.doors.count() == 2
    empty = client.post(
        reverse("canvass:draw", args=[walk_list.pk]),
        {"draw-name": "Nothing", "draw-outline": ""},
        follow=True,
    )
    assert "Draw a shape on the map first." in empty.content.decode()


def test_volunteers_and_other_organizers_cannot_open_the_organizer_page(
    client, volunteer, other_organizer, walk_list
):
    for person in (volunteer, other_organizer):
        client.force_login(person)
        assert client.get(reverse("canvass:walk_list", args=[walk_list.pk])).status_code == 404
        assert (
            client.post(
                reverse("canvass:split", args=[walk_list.pk]), {"split-doors_per_packet": 1}
            ).status_code
            == 404
        )
    assert not walk_list.packets.exists()


def test_check_out_on_the_page_then_the_volunteer_works_the_packet(
    client, organizer, teammate, walk_list
):
    packet = services.packets_by_count(actor=organizer, walk_list=walk_list, doors_per_packet=10)[0]
    client.force_login(organizer)
    until = (timezone.localtime() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        reverse("canvass:checkout", args=[packet.pk]),
        {f"packet{packet.pk}-volunteer": teammate.pk, f"packet{packet.pk}-until": until},
    )
    assert Checkout.objects.current().filter(packet=packet, volunteer=teammate).exists()
    client.force_login(teammate)
    page = client.get(reverse("canvass:packet", args=[packet.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "0 of 3 doors" in body and "Ana Doe" in body
    first = packet.doors.order_by("position").first()
    after = client.post(
        reverse("canvass:door_result", args=[packet.pk, first.pk]), {"result": "not_home"}
    )
    second = packet.doors.order_by("position")[1]
    assert after["Location"].endswith(f"#door-{second.pk}")
    assert (
        "1 of 3 doors" in client.get(reverse("canvass:packet", args=[packet.pk])).content.decode()
    )
    # Tapping a person: the log form set to this door, then on to the next door.
    person = second.door_people.first().supporter
    log_url = reverse("canvass:door_log", args=[packet.pk, second.pk, person.pk])
    form = client.get(log_url)
    assert (
        form.status_code == 200
        and f'href="{reverse("canvass:packet", args=[packet.pk])}#door-{second.pk}"'
        in form.content.decode()
    )
    saved = client.post(
        log_url,
        {
            "client_uuid": str(uuid.uuid4()),
            "channel": "door",
            "outcome": "talked",
            "heard": "Wants a stop sign.",
            "followup": "none",
        },
    )
    assert saved.status_code == 302, saved.content.decode()[:2000]
    third = packet.doors.order_by("position")[2]
    assert saved["Location"].endswith(f"#door-{third.pk}")
    assert DoorResult.objects.filter(result="contact", supporter=person).exists()
    new = client.post(
        reverse("canvass:door_new", args=[packet.pk, third.pk]),
        {"client_uuid": str(uuid.uuid4()), "given_name": "Gus"},
    )
    assert new.status_code == 302
    assert Supporter.objects.get(given_name="Gus").household_id == third.household_id
    bad = client.post(
        reverse("canvass:door_new", args=[packet.pk, third.pk]),
        {"client_uuid": str(uuid.uuid4()), "phone": "555"},
    )
    assert bad.status_code == 400 and 'value="555"' in bad.content.decode()


def test_someone_without_the_packet_gets_a_404(client, volunteer, organizer, walk_list):
    packet = services.packets_by_count(actor=organizer, walk_list=walk_list, doors_per_packet=10)[0]
    client.force_login(volunteer)
    assert client.get(reverse("canvass:packet", args=[packet.pk])).status_code == 404
    door = packet.doors.first()
    assert (
        client.post(
            reverse("canvass:door_result", args=[packet.pk, door.pk]), {"result": "not_home"}
        ).status_code
        == 404
    )
    assert not Conversation.objects.exists()


def test_a_day_volunteer_opens_the_link_with_the_pin_sees_only_the_packet_and_loses_it_on_revoke(
    client, organizer, walk_list, street
):
    packet = services.packets_by_count(actor=organizer, walk_list=walk_list, doors_per_packet=2)[0]
    client.force_login(organizer)
    until = (timezone.localtime() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    made = client.post(
        reverse("canvass:guest_link", args=[packet.pk]),
        {f"guest{packet.pk}-guest_name": "Rosa", f"guest{packet.pk}-until": until},
    )
    body = made.content.decode()
    assert made.status_code == 200 and "<svg" in body
    url = re.search(r'id="guest-url">([^<]+)<', body).group(1)
    pin = re.search(r'id="guest-pin">(\d{6})<', body).group(1)
    link = GuestLink.objects.get()
    assert pin not in link.pin_hash
    client.logout()
    path = url.replace("http://testserver", "")
    wrong = client.post(path, {"pin": "000000" if pin != "000000" else "111111"})
    assert wrong.status_code == 400
    opened = client.post(path, {"pin": pin})
    assert opened["Location"] == reverse("canvass:packet", args=[packet.pk])
    page = client.get(opened["Location"]).content.decode()
    assert "Ana Doe" in page and "Di Doe" not in page  # Di's door is in the other packet
    # No search, no other people: every other page leads back to the packet.
    for other in (
        reverse("home"),
        reverse("supporters:search") + "?q=Di",
        reverse("conversations:brief", args=[street[2].pk]),
    ):
        assert client.get(other)["Location"] == reverse("canvass:packet", args=[packet.pk])
    first = packet.doors.order_by("position").first()
    client.post(reverse("canvass:door_result", args=[packet.pk, first.pk]), {"result": "not_home"})
    assert DoorResult.objects.get().volunteer.full_name == "Rosa"
    client2 = client.__class__()
    client2.force_login(organizer)
    client2.post(reverse("canvass:guest_revoke", args=[link.pk]))
    assert client.get(reverse("canvass:packet", args=[packet.pk])).status_code == 410
    assert client.post(path, {"pin": pin}).status_code == 410

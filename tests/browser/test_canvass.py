"""Canvassing in Chromium: a volunteer works three doors on a phone; an organizer cuts a walk
list at a desk, splits it on the map and checks a packet out. Map tiles are refused (as with
no network): the numbered markers must still draw."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from canvass import services
from canvass.models import Checkout, DoorResult, Packet
from conversations.models import Conversation
from conversations.services import note_create
from supporters.models import Channel, Supporter
from supporters.services import consent_set
from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.browser.test_sign_in import sign_in
from tests.canvass.helpers import person_at

pytestmark = pytest.mark.django_db(transaction=True)


def no_tiles(page):
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())


@pytest.fixture
def street(organizer, eastside):
    people = []
    for i, (given, number) in enumerate([("Ana", 11), ("Cy", 13), ("Eve", 15), ("Di", 12)]):
        people.append(
            person_at(
                organizer,
                eastside,
                given,
                f"{number} W Division St",
                point=(41.9035 - (i % 2) * 0.0002, -87.6301 - i * 0.0003),
            )
        )
    note_create(
        actor=organizer, supporter=people[0], body="Has a friendly dog named Lupe", kind="remember"
    )
    consent_set(actor=organizer, supporter=people[1], channel=Channel.CALL)
    return people


def test_volunteer_works_three_doors_on_a_phone(
    live_server, page_factory, organizer, teammate, eastside, street
):
    walk_list = services.walk_list_cut(actor=organizer, name="Division St", team=eastside)
    packet = services.packets_by_count(actor=organizer, walk_list=walk_list, doors_per_packet=10)[0]
    services.packet_checkout(
        actor=organizer,
        packet=packet,
        volunteer=teammate,
        until=timezone.now() + timedelta(hours=3),
    )
    page = page_factory(PHONE)
    no_tiles(page)
    sign_in(page, live_server, teammate)
    page.get_by_role("link", name="Canvass").click()
    page.get_by_role("link", name=packet.name).click()
    page.get_by_text("0 of 4 doors").wait_for()
    page.locator(".door-marker").first.wait_for()
    assert page.locator(".door-marker").count() == 4  # drawn without tiles
    assert page.get_by_text("Has a friendly dog named Lupe").is_visible()
    assert page.get_by_text("Do not call").first.is_visible()
    screenshot(page, "canvass-phone-packet")
    doors = page.locator("li.door")
    # Door 1: not home, one tap, through the sync endpoint.
    doors.nth(0).get_by_role("button", name="Not home").click()
    page.get_by_text("1 of 4 doors").wait_for()
    assert Conversation.objects.filter(outcome="not_home", supporter=street[0]).count() == 1
    # Door 2: tap the person, log a conversation, come back to the next door.
    doors.nth(1).get_by_role("link", name="Cy Doe").click()
    page.get_by_text("Talked", exact=True).click()
    page.get_by_label("What we heard").fill("Wants the bus to run later at night.")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("2 of 4 doors").wait_for()
    assert page.url.endswith(f"#door-{packet.doors.order_by('position')[2].pk}")
    # Door 3: someone new lives here.
    page.locator("li.door").nth(2).get_by_role("link", name="Someone new lives here").click()
    page.get_by_label("First name").fill("Gus")
    page.get_by_label("Last name").fill("Ortiz")
    page.get_by_role("button", name="Add to this door").click()
    page.get_by_text("Gus Ortiz").wait_for()
    page.locator("li.door").nth(2).get_by_role("button", name="Not home").click()
    page.get_by_text("3 of 4 doors").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "canvass-phone-after-three-doors")
    gus = Supporter.objects.get(given_name="Gus")
    assert gus.household_id == packet.doors.order_by("position")[2].household_id
    assert DoorResult.objects.filter(result="contact").count() == 1
    page.locator("#map").scroll_into_view_if_needed()
    screenshot(page, "canvass-phone-map")


def test_organizer_cuts_splits_on_the_map_and_checks_out(
    live_server, page_factory, organizer, teammate, eastside, street
):
    page = page_factory(DESKTOP)
    no_tiles(page)
    sign_in(page, live_server, organizer)
    page.goto(f"{live_server.url}/canvass/")
    page.get_by_label("Name", exact=True).fill("Division St")
    page.get_by_label("Doors a packet").fill("")
    page.get_by_role("button", name="Cut the walk list").click()
    page.get_by_text("Walk list cut: 4 doors.").wait_for()
    page.locator(".door-marker").first.wait_for()
    assert page.locator(".door-marker").count() == 4
    # Draw around the two western doors with the map's polygon tool.
    page.locator(".leaflet-pm-icon-polygon").click()
    markers = page.locator(".door-marker")
    points = [markers.nth(i).bounding_box() for i in range(4)]
    xs = sorted(p["x"] + p["width"] / 2 for p in points)
    ys = sorted(p["y"] + p["height"] / 2 for p in points)
    left, split = xs[0] - 40, (xs[1] + xs[2]) / 2
    top, bottom = ys[0] - 40, ys[-1] + 40
    for x, y in [(left, top), (split, top), (split, bottom), (left, bottom), (left, top)]:
        page.mouse.click(x, y)
    page.get_by_label("Packet name", exact=True).fill("West end")
    screenshot(page, "canvass-desktop-drawn")
    page.get_by_role("button", name="Make a packet of this shape").click()
    page.get_by_text("West end: 2 doors inside the shape.").wait_for()
    packet = Packet.objects.get(name="West end")
    assert packet.doors.count() == 2 and len(packet.outline) >= 4
    article = page.locator(f"#packet-{packet.pk}")
    article.get_by_text("Check out", exact=True).first.click()
    article.get_by_label("Volunteer", exact=True).select_option(str(teammate.pk))
    article.get_by_role("button", name="Check out", exact=True).click()
    page.get_by_text("West end is out with").wait_for()
    assert Checkout.objects.current().filter(packet=packet, volunteer=teammate).exists()
    screenshot(page, "canvass-desktop-walk-list")

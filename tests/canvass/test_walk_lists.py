"""Cutting walk lists, packets, check-outs and the visibility they grant, door results."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from canvass import services
from canvass.models import Checkout, Door, DoorResult
from canvass.selectors import packet_doors, walk_list_progress
from conversations.models import Conversation, FollowUp
from conversations.services import note_create
from supporters.households import household_set_no_soliciting
from supporters.models import Channel, Household, Supporter
from supporters.selectors import supporter_access, supporter_list
from supporters.services import consent_set, segment_create
from tests.canvass.helpers import person_at


@pytest.fixture
def street(organizer, eastside):
    """Five Eastside doors on one Chicago street, two people at number 11."""
    people = {
        "ana": person_at(organizer, eastside, "Ana", "11 W Division St", point=(41.9035, -87.6301)),
        "ben": person_at(organizer, eastside, "Ben", "11 W Division St", point=(41.9035, -87.6301)),
        "cy": person_at(organizer, eastside, "Cy", "13 W Division St", point=(41.9035, -87.6303)),
        "di": person_at(organizer, eastside, "Di", "12 W Division St", point=(41.9033, -87.6302)),
        "ed": person_at(organizer, eastside, "Ed", "14 W Division St", point=(41.9033, -87.6304)),
        "flo": person_at(organizer, eastside, "Flo", "15 W Division St"),  # ZIP centre only
    }
    return people


def _cut(organizer, eastside, **kwargs):
    return services.walk_list_cut(actor=organizer, name="Division St", team=eastside, **kwargs)


def test_enrichment_puts_people_at_one_address_in_one_household(street):
    assert street["ana"].household_id == street["ben"].household_id
    assert street["ana"].household_id != street["cy"].household_id
    household = street["ana"].household
    assert (household.street, household.house_number) == ("W DIVISION ST", 11)
    assert street["flo"].household.geocode_precision == Household.Precision.ZIP


def test_cut_orders_doors_for_walking_and_keeps_everyone_at_a_door(organizer, eastside, street):
    walk_list = _cut(organizer, eastside)
    doors = list(walk_list.doors.select_related("household").order_by("position"))
    numbers = [d.household.house_number for d in doors]
    # Odd side up, even side down; Flo (placed by ZIP only) is on the block's odd side.
    assert numbers == [11, 13, 15, 14, 12]
    assert walk_list.door_count == 5
    eleven = doors[0]
    assert set(eleven.door_people.values_list("supporter_id", flat=True)) == {
        street["ana"].pk,
        street["ben"].pk,
    }


def test_cut_leaves_out_do_not_visit_people_and_no_soliciting_doors(organizer, eastside, street):
    consent_set(actor=organizer, supporter=street["cy"], channel=Channel.VISIT)
    # Do not call is not do not visit: Di stays.
    consent_set(actor=organizer, supporter=street["di"], channel=Channel.CALL)
    household_set_no_soliciting(actor=organizer, household=street["ed"].household)
    walk_list = _cut(organizer, eastside)
    on_list = set(Door.objects.filter(walk_list=walk_list).values_list("household_id", flat=True))
    assert street["cy"].household_id not in on_list
    assert street["ed"].household_id not in on_list
    assert street["di"].household_id in on_list
    assert walk_list.left_out == {"do_not_visit": 1, "no_soliciting": 1, "no_address": 0}


def test_cut_from_a_segment_takes_only_its_people(organizer, eastside, street):
    from supporters.models import Tag
    from supporters.services import tag_add

    tag = Tag.objects.create(name="Knock first")
    tag_add(actor=organizer, supporter=street["ana"], tag=tag)
    segment = segment_create(actor=organizer, name="Ana only", filter={"tags": {"any": [tag.pk]}})
    walk_list = _cut(organizer, eastside, segment=segment)
    assert list(walk_list.doors.values_list("household_id", flat=True)) == [
        street["ana"].household_id
    ]
    # Ben lives there too but was not cut for: he is not a person at the door.
    assert list(walk_list.doors.get().door_people.values_list("supporter_id", flat=True)) == [
        street["ana"].pk
    ]


def test_only_the_teams_organizers_cut(volunteer, other_organizer, eastside, street):
    for actor in (volunteer, other_organizer):
        with pytest.raises(PermissionDenied):
            services.walk_list_cut(actor=actor, name="Mine", team=eastside)


def test_packets_by_count_follow_walking_order(organizer, eastside, street):
    walk_list = _cut(organizer, eastside)
    packets = services.packets_by_count(actor=organizer, walk_list=walk_list, doors_per_packet=2)
    assert [p.name for p in packets] == ["Packet 1", "Packet 2", "Packet 3"]
    assert [p.doors.count() for p in packets] == [2, 2, 1]
    first = list(packets[0].doors.order_by("position").values_list("position", flat=True))
    assert first == [0, 1]
    with pytest.raises(ValidationError):
        services.packets_by_count(actor=organizer, walk_list=walk_list, doors_per_packet=0)


def test_drawing_takes_the_doors_inside_but_never_zip_centre_ones(organizer, eastside, street):
    walk_list = _cut(organizer, eastside)
    flo = street["flo"].household
    # A box around the odd side (lat 41.9035) and around Flo's ZIP centre too.
    box = [
        [41.9034, -87.6310],
        [41.9034, -87.6290],
        [41.9036, -87.6290],
        [41.9036, -87.6310],
    ]
    Household.objects.filter(pk=flo.pk).update(latitude=41.9035, longitude=-87.6300)
    packet, counts = services.packet_draw(
        actor=organizer, walk_list=walk_list, name="Odd side", outline=box
    )
    inside = set(packet.doors.values_list("household_id", flat=True))
    assert inside == {street["ana"].household_id, street["cy"].household_id}
    assert counts == {"moved": 2, "zip_only": 1, "locked": 0}
    assert packet.outline == box
    with pytest.raises(ValidationError) as error:
        services.packet_draw(
            actor=organizer, walk_list=walk_list, name="Sea", outline=[[0, 0], [0, 1], [1, 1]]
        )
    assert "outline" in error.value.message_dict


@pytest.fixture
def packet(organizer, eastside, street):
    walk_list = _cut(organizer, eastside)
    return services.packets_by_count(actor=organizer, walk_list=walk_list, doors_per_packet=10)[0]


def test_check_out_is_exclusive_until_returned_or_expired(organizer, volunteer, teammate, packet):
    until = timezone.now() + timedelta(hours=4)
    checkout = services.packet_checkout(
        actor=organizer, packet=packet, volunteer=volunteer, until=until
    )
    with pytest.raises(ValidationError) as error:
        services.packet_checkout(actor=organizer, packet=packet, volunteer=teammate, until=until)
    assert "out with Alice" in str(error.value.message_dict["volunteer"])
    # Once it has expired, the packet may go out again (the old one is closed at its until).
    Checkout.objects.filter(pk=checkout.pk).update(until=timezone.now() - timedelta(minutes=1))
    again = services.packet_checkout(
        actor=organizer, packet=packet, volunteer=teammate, until=until
    )
    checkout.refresh_from_db()
    assert checkout.returned_at == checkout.until
    services.checkout_return(actor=teammate, checkout=again)
    services.packet_checkout(actor=organizer, packet=packet, volunteer=volunteer, until=until)


def test_a_door_out_in_another_lists_packet_cannot_go_out_twice(
    organizer, volunteer, teammate, eastside, packet
):
    until = timezone.now() + timedelta(hours=4)
    services.packet_checkout(actor=organizer, packet=packet, volunteer=volunteer, until=until)
    other_list = services.walk_list_cut(actor=organizer, name="Again", team=eastside)
    other = services.packets_by_count(actor=organizer, walk_list=other_list, doors_per_packet=10)[0]
    with pytest.raises(ValidationError) as error:
        services.packet_checkout(actor=organizer, packet=other, volunteer=teammate, until=until)
    assert "another packet" in str(error.value)


def test_check_out_refuses_bad_input_field_by_field(organizer, volunteer, loner, packet):
    with pytest.raises(ValidationError) as error:
        services.packet_checkout(
            actor=organizer, packet=packet, volunteer=loner, partner=loner, until=timezone.now()
        )
    assert set(error.value.message_dict) == {"until", "volunteer", "partner"}
    with pytest.raises(PermissionDenied):
        services.packet_checkout(
            actor=volunteer,
            packet=packet,
            volunteer=volunteer,
            until=timezone.now() + timedelta(hours=1),
        )
    assert not Checkout.objects.exists()


def test_a_check_out_grants_visibility_and_withdraws_it(
    organizer, teammate, volunteer, packet, street
):
    ana = street["ana"]
    assert not supporter_list(viewer=teammate).filter(pk=ana.pk).exists()
    checkout = services.packet_checkout(
        actor=organizer,
        packet=packet,
        volunteer=teammate,
        partner=volunteer,
        until=timezone.now() + timedelta(hours=2),
    )
    for person in (teammate, volunteer):
        assert supporter_list(viewer=person).filter(pk=ana.pk).exists()
        access = supporter_access(viewer=person, supporter=ana)
        assert access.can_edit and not access.can_see_sensitive and not access.can_organize
    services.checkout_return(actor=organizer, checkout=checkout)
    assert not supporter_list(viewer=teammate).filter(pk=ana.pk).exists()
    with pytest.raises(Http404):
        supporter_access(viewer=teammate, supporter=ana)


def test_visibility_ends_by_itself_when_the_check_out_expires(organizer, teammate, packet, street):
    checkout = services.packet_checkout(
        actor=organizer,
        packet=packet,
        volunteer=teammate,
        until=timezone.now() + timedelta(hours=2),
    )
    assert supporter_list(viewer=teammate).filter(pk=street["ana"].pk).exists()
    # Nothing runs at expiry: the condition is in the query (until > now()).
    Checkout.objects.filter(pk=checkout.pk).update(until=timezone.now() - timedelta(seconds=1))
    assert not supporter_list(viewer=teammate).filter(pk=street["ana"].pk).exists()


@pytest.fixture
def out_with_bob(organizer, teammate, packet):
    return services.packet_checkout(
        actor=organizer,
        packet=packet,
        volunteer=teammate,
        until=timezone.now() + timedelta(hours=2),
    )


def test_not_home_logs_a_conversation_with_everyone_at_the_door_once(
    teammate, packet, street, out_with_bob
):
    door = packet.doors.order_by("position").first()
    key = uuid.uuid4()
    result, created = services.door_result_record(
        actor=teammate, door=door, result="not_home", client_uuid=key
    )
    assert created
    conversations = Conversation.objects.filter(supporter__in=[street["ana"], street["ben"]])
    assert conversations.count() == 2
    assert set(conversations.values_list("outcome", "channel")) == {("not_home", "door")}
    again, created = services.door_result_record(
        actor=teammate, door=door, result="not_home", client_uuid=key
    )
    assert (again.pk, created) == (result.pk, False)
    assert conversations.count() == 2
    assert DoorResult.objects.count() == 1


def test_not_home_is_an_ordinary_conversation_for_the_listener_and_follow_up_rules(
    teammate, packet, street, out_with_bob, django_capture_on_commit_callbacks
):
    from conversations.tasks import conversation_listen_task

    door = packet.doors.order_by("position").first()
    with django_capture_on_commit_callbacks() as callbacks:
        services.door_result_record(
            actor=teammate, door=door, result="not_home", client_uuid=uuid.uuid4()
        )
    assert callbacks, "the listener is enqueued after commit, as for any conversation"
    for conversation in Conversation.objects.filter(supporter=street["ana"]):
        conversation_listen_task(conversation.pk)
    followup = FollowUp.objects.get(supporter=street["ana"])
    assert followup.source_rule == "rule:not_home"


def test_someone_else_cannot_log_at_a_door_not_checked_out_to_them(volunteer, packet, out_with_bob):
    door = packet.doors.first()
    with pytest.raises(PermissionDenied):
        services.door_result_record(
            actor=volunteer, door=door, result="refused", client_uuid=uuid.uuid4()
        )
    assert not DoorResult.objects.exists()


def test_no_soliciting_at_the_door_marks_the_household(teammate, packet, street, out_with_bob):
    door = packet.doors.order_by("position").first()
    services.door_result_record(
        actor=teammate, door=door, result="no_soliciting", client_uuid=uuid.uuid4()
    )
    assert Household.objects.get(pk=door.household_id).no_soliciting
    assert not Conversation.objects.exists()


def test_someone_new_joins_the_household_and_stays_visible_to_who_met_them(
    organizer, teammate, packet, street, out_with_bob
):
    door = packet.doors.order_by("position").first()
    key = uuid.uuid4()
    person, created = services.door_person_add(
        actor=teammate, door=door, client_uuid=key, given_name="Gus"
    )
    assert created and person.household_id == door.household_id and person.household_fixed
    assert door.door_people.filter(supporter=person).exists()
    again, created = services.door_person_add(
        actor=teammate, door=door, client_uuid=key, given_name="Gus"
    )
    assert (again.pk, created) == (person.pk, False)
    assert Supporter.objects.filter(given_name="Gus").count() == 1
    services.checkout_return(actor=organizer, checkout=out_with_bob)
    # Met at the door: assigned to Bob, so he still sees Gus, not the others.
    assert supporter_list(viewer=teammate).filter(pk=person.pk).exists()
    assert not supporter_list(viewer=teammate).filter(pk=street["ana"].pk).exists()


def test_packet_doors_show_things_to_remember_and_warnings_but_no_sensitive_text(
    organizer, teammate, packet, street, out_with_bob, django_assert_num_queries
):
    ana = street["ana"]
    note_create(actor=organizer, supporter=ana, body="Has a big dog", kind="remember")
    note_create(actor=organizer, supporter=ana, body="Going through a divorce", kind="sensitive")
    consent_set(actor=organizer, supporter=ana, channel=Channel.CALL)
    with django_assert_num_queries(6):
        doors = packet_doors(viewer=teammate, packet=packet)
    first = doors[0]
    ana_view = next(p for p in first.people if p.pk == ana.pk)
    assert ana_view.remember == ["Has a big dog"]
    assert ana_view.warnings == ["Do not call"]
    assert "divorce" not in repr(doors)
    assert [d.number for d in doors] == list(range(1, len(doors) + 1))


def test_progress_counts_doors_contacts_and_flags_doors_logged_seconds_apart(
    organizer, teammate, packet, street, out_with_bob
):
    doors = list(packet.doors.order_by("position"))
    start = timezone.now() - timedelta(minutes=5)
    for n, door in enumerate(doors[:3]):
        services.door_result_record(
            actor=teammate,
            door=door,
            result="not_home",
            client_uuid=uuid.uuid4(),
            at=start + timedelta(seconds=3 * n),
        )
    services.door_conversation_log(
        actor=teammate,
        door=doors[3],
        supporter=Supporter.objects.get(pk=doors[3].door_people.first().supporter_id),
        client_uuid=uuid.uuid4(),
        outcome="talked",
        heard="Worried about the bus line.",
        happened_at=start + timedelta(minutes=2),
    )
    progress = walk_list_progress(packet.walk_list)
    assert (progress.doors, progress.knocked, progress.contacts) == (5, 4, 1)
    assert progress.contact_rate == 0.25
    assert progress.by_volunteer[0]["knocked"] == 4
    assert any("less than 10 seconds" in flag and "2 doors" in flag for flag in progress.flags)

"""Call lists: who is offered, in what order, to whom, and why the rest are not."""

from __future__ import annotations

import threading
import uuid
from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone

from calling.models import CallAttempt, CallTarget
from calling.selectors import Blocked, call_list_queue
from calling.services import call_claim, call_record, call_release, call_skip
from conversations.models import Conversation, Note
from supporters.models import Channel, DoNotContact
from supporters.selectors import supporter_access_get, supporter_list
from supporters.services import consent_set
from tests.calling.helpers import at, call_list, person
from tests.factories import ConversationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_list_holds_the_teams_people_of_the_segment_only(organizer, eastside, westside):
    mine = person(eastside, given_name="Rosa")
    person(westside, given_name="Rosa")  # another team's: never on this team's list
    person(eastside, given_name="Tom")
    built = call_list(organizer, eastside, filter_json={"tags": {"none": ["x"]}})
    assert built.targets.count() == 2
    named = call_list(
        organizer, eastside, name="Rosas", filter_json={"and": [{"team": eastside.pk}]}
    )
    assert set(named.targets.values_list("supporter", flat=True)) >= {mine.pk}


def test_volunteer_may_not_make_a_list_and_nothing_is_made(volunteer, eastside):
    from calling.models import CallList

    with pytest.raises(PermissionDenied):
        call_list(volunteer, eastside)
    assert not CallList.objects.exists()


def test_bad_settings_are_named_field_by_field(organizer, eastside):
    with pytest.raises(ValidationError) as error:
        call_list(
            organizer,
            eastside,
            name="",
            scripts={"en": "Hi {firstname}"},
            calling_starts=time(21, 0),
            calling_ends=time(9, 0),
            filter_json={"nope": 1},
        )
    fields = error.value.message_dict
    assert set(fields) == {"name", "scripts", "calling_ends", "filter"}
    assert "{firstname}" in fields["scripts"][0]


def test_claim_never_offers_do_not_call_or_people_without_a_phone(organizer, volunteer, eastside):
    blocked = person(eastside, given_name="Dina")
    consent_set(actor=organizer, supporter=blocked, channel=Channel.CALL)
    person(eastside, given_name="Nophone", phone=None)
    ok = person(eastside, given_name="Olga")
    calls = call_list(organizer, eastside)
    first = call_claim(actor=volunteer, call_list=calls)
    assert first.supporter == ok
    call_record(actor=volunteer, target=first, client_uuid=uuid.uuid4(), result="talked")
    assert call_claim(actor=volunteer, call_list=calls) is None
    queue = call_list_queue(call_list=calls)
    assert queue.by_reason == {Blocked.DO_NOT_CALL: 1, Blocked.NO_PHONE: 1}
    assert queue.by_status[CallTarget.Status.REACHED] == 1


def test_do_not_call_set_after_the_list_was_built_is_honoured(organizer, volunteer, eastside):
    later = person(eastside)
    calls = call_list(organizer, eastside)
    DoNotContact.objects.create(supporter=later, channel=Channel.CALL)
    assert call_claim(actor=volunteer, call_list=calls) is None


def test_recently_called_people_wait_unless_they_asked_for_a_call_back(
    organizer, volunteer, eastside
):
    called = person(eastside, given_name="Cal")
    ConversationFactory(
        supporter=called,
        channel=Conversation.Channel.PHONE,
        happened_at=timezone.now() - timedelta(days=2),
    )
    knocked = person(eastside, given_name="Door")  # a door knock is not a call
    ConversationFactory(supporter=knocked, channel=Conversation.Channel.DOOR)
    calls = call_list(organizer, eastside, recent_days=7)
    first = call_claim(actor=volunteer, call_list=calls)
    assert first.supporter == knocked
    assert call_list_queue(call_list=calls).by_reason == {
        Blocked.CALLED_RECENTLY: 1,
        Blocked.CLAIMED: 1,
    }
    # Asked to be called back: back in the queue from then, recent call or not.
    call_record(
        actor=volunteer,
        target=first,
        client_uuid=uuid.uuid4(),
        result="talked",
        call_back_after=timezone.now() + timedelta(hours=2),
    )
    assert call_claim(actor=volunteer, call_list=calls) is None
    later = call_claim(actor=volunteer, call_list=calls, now=timezone.now() + timedelta(hours=3))
    assert later.supporter == knocked


def test_calling_hours_are_read_in_each_persons_time_zone(organizer, volunteer, eastside):
    east = person(eastside, given_name="East", zone="America/New_York")
    west = person(eastside, given_name="West", zone="America/Los_Angeles")
    calls = call_list(organizer, eastside, calling_starts=time(9), calling_ends=time(21))
    assert sorted(calls.time_zones) == ["America/Los_Angeles", "America/New_York"]
    # Tomorrow (so that leases taken "then" are still in the future for the database), in
    # December (no daylight saving): 13:30 UTC is 8:30 in New York, 5:30 in Los Angeles.
    day = (timezone.now() + timedelta(days=1)).date().replace(month=12)
    if day < timezone.now().date() + timedelta(days=1):
        day = day.replace(year=day.year + 1)
    early = at(f"{day}T13:30:00+00:00")
    assert call_claim(actor=volunteer, call_list=calls, now=early) is None
    assert call_list_queue(call_list=calls, now=early).by_reason == {Blocked.OUTSIDE_HOURS: 2}
    # 15:00 UTC: 10:00 in New York (inside), 7:00 in Los Angeles (not yet).
    morning = at(f"{day}T15:00:00+00:00")
    held = call_claim(actor=volunteer, call_list=calls, now=morning)
    assert held.supporter == east
    call_record(
        actor=volunteer, target=held, client_uuid=uuid.uuid4(), result="talked", now=morning
    )
    # 18:00 UTC: 10:00 in Los Angeles.
    noon = at(f"{day}T18:00:00+00:00")
    assert call_claim(actor=organizer, call_list=calls, now=noon).supporter == west
    # 02:30 UTC the day after: 21:30 in New York (after hours), 18:30 in Los Angeles.
    evening = at(f"{day + timedelta(days=1)}T02:30:00+00:00")
    assert call_list_queue(call_list=calls, now=evening).zones_now == ["America/Los_Angeles"]


def test_people_without_a_known_time_zone_use_the_organizations(
    organizer, volunteer, eastside, settings
):
    person(eastside)
    calls = call_list(organizer, eastside)
    assert calls.time_zones == [settings.ORGANIZATION_TIME_ZONE]


def test_lease_expiry_hands_the_person_to_the_next_caller(organizer, volunteer, teammate, eastside):
    maria = person(eastside, given_name="Maria")
    calls = call_list(organizer, eastside)
    held = call_claim(actor=volunteer, call_list=calls)
    assert held.supporter == maria and held.claimed_by == volunteer
    assert call_claim(actor=teammate, call_list=calls) is None
    reasons = call_list_queue(call_list=calls)
    assert reasons.by_reason == {Blocked.CLAIMED: 1}
    assert reasons.claimed_by[0]["claimed_by__full_name"] == volunteer.full_name
    # The same caller asking again gets the same person (a reload), not a second one.
    assert call_claim(actor=volunteer, call_list=calls).pk == held.pk
    CallTarget.objects.filter(pk=held.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    taken = call_claim(actor=teammate, call_list=calls)
    assert taken.pk == held.pk and taken.claimed_by == teammate
    # Alice's late save is refused with a reason; Bob's call stands.
    with pytest.raises(ValidationError, match="another caller"):
        call_record(actor=volunteer, target=held, client_uuid=uuid.uuid4(), result="talked")
    assert not Conversation.objects.filter(supporter=maria).exists()


def test_a_caller_sees_the_claimed_person_only_while_the_lease_lasts(
    organizer, volunteer, eastside
):
    maria = person(eastside, given_name="Maria")
    other = person(eastside, given_name="Other")
    calls = call_list(organizer, eastside)
    assert not supporter_list(viewer=volunteer).filter(pk=maria.pk).exists()
    held = call_claim(actor=volunteer, call_list=calls)
    assert held.supporter == maria
    visible = set(supporter_list(viewer=volunteer).values_list("pk", flat=True))
    assert visible == {maria.pk}  # not the rest of the list
    access = supporter_access_get(viewer=volunteer, pk=maria.pk)
    assert access.can_edit and not access.can_see_sensitive and not access.can_organize
    with pytest.raises(Http404):
        supporter_access_get(viewer=volunteer, pk=other.pk)
    CallTarget.objects.filter(pk=held.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert not supporter_list(viewer=volunteer).filter(pk=maria.pk).exists()


def test_recording_a_call_logs_a_phone_conversation_and_ends_the_lease(
    organizer, volunteer, eastside
):
    maria = person(eastside, given_name="Maria")
    calls = call_list(organizer, eastside)
    held = call_claim(actor=volunteer, call_list=calls)
    key = uuid.uuid4()
    attempt, created = call_record(
        actor=volunteer,
        target=held,
        client_uuid=key,
        result="talked",
        heard="Her son is a veteran",
        remember=[("Son served in Iraq", False)],
        message_to_organizer="She wants to host a house meeting",
    )
    assert created and attempt.remembered == 1
    conversation = attempt.conversation
    assert (conversation.channel, conversation.outcome) == ("phone", "talked")
    assert Note.objects.filter(supporter=maria, body="Son served in Iraq").exists()
    target = CallTarget.objects.get(pk=held.pk)
    assert target.status == CallTarget.Status.REACHED and target.claimed_by is None
    # A retry stores nothing new.
    again, created = call_record(actor=volunteer, target=held, client_uuid=key, result="talked")
    assert again.pk == attempt.pk and not created
    assert Conversation.objects.filter(supporter=maria).count() == 1
    # And the lease is over: Maria is no longer Alice's to see.
    assert not supporter_list(viewer=volunteer).filter(pk=maria.pk).exists()


def test_no_answer_comes_back_then_stops_after_three_tries(organizer, volunteer, eastside):
    person(eastside)
    calls = call_list(organizer, eastside)
    now = timezone.now()
    for attempt in range(3):
        held = call_claim(actor=volunteer, call_list=calls, now=now)
        assert held is not None, attempt
        call_record(
            actor=volunteer, target=held, client_uuid=uuid.uuid4(), result="no_answer", now=now
        )
        assert call_claim(actor=volunteer, call_list=calls, now=now) is None
        now += timedelta(hours=2)
    assert CallTarget.objects.get().status == CallTarget.Status.NO_ANSWER


def test_skip_puts_the_person_back_later_and_release_at_once(
    organizer, volunteer, teammate, eastside
):
    person(eastside)
    calls = call_list(organizer, eastside)
    held = call_claim(actor=volunteer, call_list=calls)
    call_skip(actor=volunteer, target=held)
    assert CallAttempt.objects.get().result == CallAttempt.Result.SKIPPED
    assert call_claim(actor=teammate, call_list=calls) is None
    assert call_list_queue(call_list=calls).by_reason == {Blocked.WAITING: 1}
    later = timezone.now() + timedelta(minutes=31)
    held = call_claim(actor=teammate, call_list=calls, now=later)
    assert held is not None
    assert call_release(actor=teammate, call_list=calls, now=later) == 1
    assert call_claim(actor=volunteer, call_list=calls, now=later).pk == held.pk


def test_only_the_teams_members_call_and_only_from_open_lists(
    organizer, other_organizer, loner, eastside
):
    from calling.services import call_list_update

    person(eastside)
    calls = call_list(organizer, eastside)
    for outsider in (other_organizer, loner):
        with pytest.raises(PermissionDenied):
            call_claim(actor=outsider, call_list=calls)
    call_list_update(actor=organizer, call_list=calls, status="closed")
    calls.refresh_from_db()
    with pytest.raises(PermissionDenied):
        call_claim(actor=organizer, call_list=calls)
    assert not CallTarget.objects.filter(claimed_by__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
def test_two_callers_never_share_a_person(eastside):
    """Real threads, each with its own PostgreSQL connection, claiming at once."""
    from organizing.models import Membership

    organizer = UserFactory()
    MembershipFactory(user=organizer, team=eastside, role=Membership.Role.ORGANIZER)
    callers = []
    for _ in range(8):
        caller = UserFactory()
        MembershipFactory(user=caller, team=eastside, role=Membership.Role.VOLUNTEER)
        callers.append(caller)
    for _ in range(60):
        person(eastside)
    calls = call_list(organizer, eastside)
    start = threading.Barrier(len(callers))
    claimed: dict[int, list[int]] = {caller.pk: [] for caller in callers}
    errors: list[BaseException] = []

    def work(caller):
        try:
            start.wait()
            while True:
                held = call_claim(actor=caller, call_list=calls)
                if held is None:
                    return
                claimed[caller.pk].append(held.supporter_id)
                # Hold the person across a moment, as a real call does, then record it.
                call_record(
                    actor=caller, target=held, client_uuid=uuid.uuid4(), result="left_message"
                )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(caller,)) for caller in callers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    everyone = [pk for pks in claimed.values() for pk in pks]
    assert len(everyone) == 60
    assert len(set(everyone)) == 60  # nobody claimed twice
    assert sum(1 for pks in claimed.values() if pks) > 1  # the callers really did share the work
    assert CallAttempt.objects.count() == 60


def test_the_lists_time_zones_are_each_zone_once(organizer, eastside):
    for _ in range(3):
        person(eastside, zone="America/New_York")
    person(eastside, zone="America/Denver")
    assert call_list(organizer, eastside).time_zones == ["America/Denver", "America/New_York"]


def test_merging_two_people_on_one_list_keeps_one_place_and_every_call(
    organizer, volunteer, eastside
):
    from supporters.services import supporter_merge

    first, second = person(eastside, given_name="Ann"), person(eastside, given_name="Anne")
    calls = call_list(organizer, eastside)
    held = call_claim(actor=volunteer, call_list=calls)
    call_record(actor=volunteer, target=held, client_uuid=uuid.uuid4(), result="no_answer")
    supporter_merge(actor=organizer, kept=first, merged=second)
    assert list(CallTarget.objects.values_list("supporter", flat=True)) == [first.pk]
    assert CallAttempt.objects.get().target.supporter == first

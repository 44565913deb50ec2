"""Progress by caller and by day, with the two checks MiniVAN's users make by hand."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from calling.selectors import call_list_progress, call_list_queue
from calling.services import call_claim, call_record
from conversations.models import FollowUp
from tests.calling.helpers import call_list, person

pytestmark = pytest.mark.django_db


def _call(caller, calls, result, now, **fields):
    held = call_claim(actor=caller, call_list=calls, now=now)
    attempt, _ = call_record(
        actor=caller, target=held, client_uuid=uuid.uuid4(), result=result, now=now, **fields
    )
    return attempt


def test_progress_counts_calls_contacts_remembered_and_followups_and_flags(
    organizer, volunteer, teammate, eastside
):
    for _ in range(14):
        person(eastside)
    calls = call_list(organizer, eastside)
    start = timezone.now()
    # Alice: ten calls three seconds apart, every one a contact — both flags.
    for n in range(10):
        _call(volunteer, calls, "talked", start + timedelta(seconds=3 * n))
    # Bob: four calls minutes apart, one contact who gave a thing to remember.
    bob = [
        _call(teammate, calls, "no_answer", start + timedelta(minutes=5)),
        _call(teammate, calls, "left_message", start + timedelta(minutes=10)),
        _call(
            teammate,
            calls,
            "talked",
            start + timedelta(minutes=15),
            remember=[("Has a new baby", False)],
        ),
        _call(teammate, calls, "wrong_number", start + timedelta(minutes=20)),
    ]
    FollowUp.objects.create(
        supporter=bob[2].supporter,
        due_at=start + timedelta(days=2),
        reason="Ask about the baby",
        source_conversation=bob[2].conversation,
    )
    progress = call_list_progress(call_list=calls)
    rows = {row.key: row for row in progress.by_volunteer}
    alice, bob_row = rows[volunteer.pk], rows[teammate.pk]
    assert (alice.calls, alice.contacts, alice.seconds_apart) == (10, 10, 9)
    assert alice.contact_rate_flag and alice.seconds_apart_flag
    assert (bob_row.calls, bob_row.contacts, bob_row.remembered, bob_row.followups) == (4, 1, 1, 1)
    assert not bob_row.contact_rate_flag and not bob_row.seconds_apart_flag
    assert sum(day.calls for day in progress.by_day) == 14
    assert progress.total.calls == 14 and progress.total.followups == 1
    queue = call_list_queue(call_list=calls, now=start + timedelta(minutes=21))
    assert queue.by_status["reached"] == 11
    assert queue.by_status["left_message"] == 1 and queue.by_status["wrong_number"] == 1
    assert queue.remaining == 1  # Bob's unanswered one, back in an hour


def test_queue_and_progress_take_a_fixed_number_of_queries(
    organizer, volunteer, eastside, django_assert_num_queries
):
    for _ in range(5):
        person(eastside)
    calls = call_list(organizer, eastside)
    now = timezone.now()
    for n in range(3):
        _call(volunteer, calls, "talked", now + timedelta(minutes=n))
    with django_assert_num_queries(4):
        call_list_queue(call_list=calls)
    with django_assert_num_queries(5):
        call_list_progress(call_list=calls)

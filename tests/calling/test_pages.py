"""The call list pages: who may open what, the caller's one form, and the organizer's queue."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from calling.models import CallAttempt, CallList, CallTarget
from calling.services import call_claim
from conversations.models import Conversation, Note
from supporters.models import Channel
from supporters.services import consent_set
from tests.calling.helpers import call_list, person
from tests.mfa_helpers import force_login_with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(organizer, eastside):
    person(eastside, given_name="Maria", family_name="Lopez", language="es")
    blocked = person(eastside, given_name="Dina", family_name="Stop")
    consent_set(actor=organizer, supporter=blocked, channel=Channel.CALL)
    return call_list(
        organizer,
        eastside,
        scripts={
            "en": "Hi {first_name}, it's {caller_name}.",
            "es": "Hola {first_name}, soy {caller_name}.",
        },
    )


def test_caller_takes_a_call_reads_the_script_in_their_language_and_saves(client, volunteer, calls):
    client.force_login(volunteer)
    response = client.post(reverse("calling:next", args=[calls.pk]))
    target = CallTarget.objects.get(claimed_by=volunteer)
    assert response.url == reverse("calling:call", args=[calls.pk, target.pk])
    page = client.get(response.url).content.decode()
    assert "Hola Maria, soy Alice." in page
    assert 'href="tel:312-555-0100"' in page
    key = uuid.uuid4()
    response = client.post(
        reverse("calling:call", args=[calls.pk, target.pk]),
        {
            "client_uuid": key,
            "result": "talked",
            "heard": "Rent went up again",
            "remember_0": "Works nights at the hospital",
            "message_to_organizer": "Wants to host a meeting",
        },
    )
    # Saved, and since nobody else is ready, back to the list with why.
    assert response.status_code == 302
    assert response.url == reverse("calling:detail", args=[calls.pk])
    conversation = Conversation.objects.get(client_uuid=key)
    assert conversation.channel == "phone" and conversation.volunteer == volunteer
    assert Note.objects.filter(body="Works nights at the hospital").exists()
    detail = client.get(response.url).content.decode()
    assert "Why nobody is ready" in detail and "Do not call: 1" in detail


def test_bad_input_keeps_everything_and_names_the_field(client, volunteer, calls):
    client.force_login(volunteer)
    client.post(reverse("calling:next", args=[calls.pk]))
    target = CallTarget.objects.get(claimed_by=volunteer)
    response = client.post(
        reverse("calling:call", args=[calls.pk, target.pk]),
        {"client_uuid": uuid.uuid4(), "heard": "She said to call after the 15th"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "She said to call after the 15th" in page
    assert "This field is required" in page
    assert not Conversation.objects.exists()
    assert CallTarget.objects.get(pk=target.pk).claimed_by == volunteer


def test_skip_and_wrong_number_are_one_tap(client, volunteer, eastside, organizer):
    person(eastside, given_name="One")
    person(eastside, given_name="Two")
    calls = call_list(organizer, eastside)
    client.force_login(volunteer)
    client.post(reverse("calling:next", args=[calls.pk]))
    first = CallTarget.objects.get(claimed_by=volunteer)
    response = client.post(reverse("calling:skip", args=[calls.pk, first.pk]))
    second = CallTarget.objects.get(claimed_by=volunteer)
    assert second.pk != first.pk
    assert response.url == reverse("calling:call", args=[calls.pk, second.pk])
    client.post(reverse("calling:wrong_number", args=[calls.pk, second.pk]))
    assert CallTarget.objects.get(pk=second.pk).status == CallTarget.Status.WRONG_NUMBER
    results = sorted(CallAttempt.objects.values_list("result", flat=True))
    assert results == ["skipped", "wrong_number"]


def test_nobody_opens_a_call_they_do_not_hold(client, volunteer, teammate, calls):
    held = call_claim(actor=volunteer, call_list=calls)
    client.force_login(teammate)
    response = client.get(reverse("calling:call", args=[calls.pk, held.pk]))
    assert response.status_code == 302
    assert "Maria" not in client.get(response.url).content.decode()
    response = client.get(reverse("conversations:brief", args=[held.supporter_id]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("who", "list_status", "next_status"),
    [
        ("olivia", 200, 302),
        ("alice", 200, 302),
        ("charlie", 404, 404),
        ("lou", 404, 404),
        ("priya", 200, 302),  # data staff on the team: they see every list, and call
    ],
)
def test_who_may_open_a_list_and_take_calls(
    client, maria_case, calls, who, list_status, next_status
):
    user = maria_case.cast[who]
    force_login_with_mfa(client, user)
    assert client.get(reverse("calling:detail", args=[calls.pk])).status_code == list_status
    assert client.post(reverse("calling:next", args=[calls.pk])).status_code == next_status
    if next_status != 302:
        assert not CallTarget.objects.filter(claimed_by__isnull=False).exists()


def test_the_queue_and_progress_are_the_organizers(client, organizer, volunteer, calls):
    client.force_login(volunteer)
    page = client.get(reverse("calling:detail", args=[calls.pk])).content.decode()
    assert "The queue" not in page and "Dina" not in page
    force_login_with_mfa(client, organizer)
    page = client.get(reverse("calling:detail", args=[calls.pk])).content.decode()
    assert "The queue" in page and "Progress" in page
    assert "Dina Stop" in page  # held back, with why


def test_an_organizer_makes_a_list_from_a_segment_and_errors_keep_the_input(
    client, organizer, eastside
):
    from supporters.models import Segment

    person(eastside, support_level=1)
    person(eastside, support_level=5)
    segment = Segment.objects.create(name="Supporters", filter={"support_level": {"lte": 2}})
    force_login_with_mfa(client, organizer)
    url = reverse("calling:create")
    fields = {
        "name": "Strong supporters",
        "team": eastside.pk,
        "segment": segment.pk,
        "script_language": "en",
        "script": "Hi {first_nam}",
        "calling_starts": "09:00",
        "calling_ends": "21:00",
        "recent_days": "7",
    }
    response = client.post(url, fields)
    assert response.status_code == 400
    assert "{first_nam}" in response.content.decode()
    assert not CallList.objects.exists()
    response = client.post(url, {**fields, "script": "Hi {first_name}"})
    made = CallList.objects.get()
    assert response.url == reverse("calling:detail", args=[made.pk])
    assert made.targets.count() == 1


def test_volunteers_may_not_make_lists(client, volunteer):
    client.force_login(volunteer)
    assert client.get(reverse("calling:create")).status_code == 403


def test_the_supporters_filters_become_the_lists_filter(client, organizer, eastside):
    from supporters.models import Tag

    tag = Tag.objects.create(name="tenant leader")
    force_login_with_mfa(client, organizer)
    listing = client.get(reverse("supporters:list"), {"tag": tag.pk, "support_level": 2})
    assert f"{reverse('calling:create')}?tag={tag.pk}" in listing.content.decode()
    response = client.get(
        reverse("calling:create"), {"tag": tag.pk, "support_level": 2, "q": "rosa"}
    )
    form = response.context["form"]
    import json

    assert json.loads(form.initial["filter"]) == {
        "and": [{"tags": {"any": [tag.pk]}}, {"support_level": 2}]
    }
    assert "Not carried over" in response.content.decode()

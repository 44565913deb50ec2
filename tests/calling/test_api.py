"""``/api/v1/call-lists/``: read for any key whose user may see the list, write for its
organizers, progress for organizers, and next-call claim, record and release for scripts."""

from __future__ import annotations

import uuid

import pytest

from calling.models import CallList, CallTarget
from conversations.models import Conversation
from tests.api_helpers import error_of, key_client
from tests.calling.helpers import SCRIPT, call_list, person

pytestmark = pytest.mark.django_db

URL = "/api/v1/call-lists/"


@pytest.fixture
def calls(organizer, eastside):
    person(eastside, given_name="Maria")
    return call_list(organizer, eastside)


@pytest.mark.parametrize(
    ("who", "sees"),
    [("olivia", True), ("alice", True), ("bob", True), ("charlie", False), ("lou", False)],
)
def test_lists_are_read_by_the_teams_members_only(maria_case, calls, who, sees):
    client = key_client(maria_case.cast[who])
    ids = [row["id"] for row in client.get(URL).json()["results"]]
    assert ids == ([calls.pk] if sees else [])
    assert client.get(f"{URL}{calls.pk}/").status_code == (200 if sees else 404)


def test_organizer_makes_and_changes_a_list_volunteer_may_not(organizer, volunteer, eastside):
    person(eastside, support_level=1)
    body = {
        "name": "Phone bank",
        "team": eastside.pk,
        "filter": {"support_level": {"lte": 2}},
        "scripts": {"en": SCRIPT, "es": "Hola {first_name}"},
        "calling_starts": "09:00",
        "calling_ends": "20:00",
        "recent_days": 3,
    }
    denied = key_client(volunteer, ("read", "write")).post(URL, body, format="json")
    assert denied.status_code == 403 and not CallList.objects.exists()
    client = key_client(organizer, ("read", "write"))
    made = client.post(URL, body, format="json")
    assert made.status_code == 201, made.json()
    assert {s["language"] for s in made.json()["scripts"]} == {"en", "es"}
    assert CallTarget.objects.filter(call_list_id=made.json()["id"]).count() == 1
    changed = client.patch(f"{URL}{made.json()['id']}/", {"status": "closed"}, format="json")
    assert changed.json()["status"] == "closed"


def test_bad_fields_are_named(organizer, eastside):
    client = key_client(organizer, ("read", "write"))
    response = client.post(
        URL,
        {
            "name": "X",
            "team": eastside.pk,
            "scripts": {"en": "Hi {nme}"},
            "calling_starts": "20:00",
            "calling_ends": "09:00",
            "surprise": 1,
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"surprise"}
    response = client.post(
        URL,
        {
            "name": "X",
            "team": eastside.pk,
            "scripts": {"en": "Hi {nme}"},
            "calling_starts": "20:00",
            "calling_ends": "09:00",
        },
        format="json",
    )
    assert set(error_of(response)["fields"]) == {"scripts", "calling_ends"}


def test_claim_record_and_release_by_api(volunteer, teammate, calls):
    client = key_client(volunteer, ("read", "write"))
    claimed = client.post(f"{URL}{calls.pk}/claim/").json()
    assert claimed["script"].startswith("Hi Maria, this is Alice")
    assert key_client(teammate, ("read", "write")).post(f"{URL}{calls.pk}/claim/").json()[
        "why_none"
    ] == {"claimed": 1}
    # While held, Alice reads Maria through the ordinary supporters API too.
    assert client.get(f"/api/v1/supporters/{claimed['supporter']}/").status_code == 200
    key = str(uuid.uuid4())
    body = {"target": claimed["target"], "client_uuid": key, "result": "talked", "heard": "Hi"}
    first = client.post(f"{URL}{calls.pk}/calls/", body, format="json")
    assert first.status_code == 201, first.json()
    again = client.post(f"{URL}{calls.pk}/calls/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Conversation.objects.filter(client_uuid=key, channel="phone").count() == 1
    assert client.get(f"/api/v1/supporters/{claimed['supporter']}/").status_code == 404
    assert client.post(f"{URL}{calls.pk}/release/").json() == {"released": 0}


def test_progress_is_for_organizers(organizer, volunteer, calls):
    assert key_client(volunteer).get(f"{URL}{calls.pk}/progress/").status_code == 403
    body = key_client(organizer).get(f"{URL}{calls.pk}/progress/").json()
    assert body["queue"]["by_reason"] == {"ready": 1}
    assert body["total"]["calls"] == 0

"""Issue 16, item 13's page details: the do-not-call badge, /favicon.ico, and text past a
field's length limit refused with the limit (never cut short unseen)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from conversations.models import Conversation, Note, Suggestion
from organizing.roles import SYSTEM
from supporters.services import consent_set
from tests.conversations.test_pages import form_data
from tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def maria(volunteer, eastside):
    return AssignmentFactory(
        volunteer=volunteer, supporter__given_name="Maria", supporter__team=eastside
    ).supporter


def test_the_badge_reads_do_not_call(client, volunteer, organizer, maria, eastside):
    consent_set(actor=SYSTEM, supporter=maria, channel="call")
    consent_set(actor=SYSTEM, supporter=maria, channel="text")
    client.force_login(volunteer)
    home = client.get(reverse("home")).content.decode()
    assert "Do not call" in home and "Do not text" in home
    assert "phone call" not in home.lower()
    client.force_login(organizer)
    listing = client.get(reverse("supporters:list")).content.decode()
    assert "Do not call" in listing and "No phone call" not in listing


def test_favicon_is_served_by_the_app_to_anyone(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    body = response.content
    assert body[:4] == b"\x00\x00\x01\x00" and len(body) < 2048  # an ICO, and small
    assert "max-age" in response["Cache-Control"]


def test_no_form_tells_the_browser_to_cut_text_short(client, volunteer, maria):
    client.force_login(volunteer)
    for url in (
        reverse("conversations:log", args=[maria.pk]),
        reverse("supporters:create"),
        reverse("conversations:brief", args=[maria.pk]),
    ):
        html = client.get(url).content.decode()
        assert "maxlength" not in html, url


def test_a_thing_to_remember_past_its_limit_is_refused_with_the_limit(client, volunteer, maria):
    client.force_login(volunteer)
    data = form_data(remember_0="x" * 201)
    response = client.post(reverse("conversations:log", args=[maria.pk]), data)
    assert response.status_code == 400
    assert response.context["form"].errors["remember_0"] == [
        "Ensure this value has at most 200 characters (it has 201)."
    ]
    assert Conversation.objects.count() == 0
    assert "x" * 201 in response.content.decode()  # kept in the box, not cut


def test_the_add_person_form_refuses_a_name_past_its_limit(client, volunteer, eastside):
    client.force_login(volunteer)
    page = client.get(reverse("supporters:create")).content.decode()
    client_uuid = re.search(r'name="client_uuid" value="([^"]+)"', page)[1]
    response = client.post(
        reverse("supporters:create"),
        {
            "client_uuid": client_uuid,
            "given_name": "A" * 101,
            "team": eastside.pk,
            "how": "door",
            "language": "en",
        },
    )
    assert response.status_code in (200, 400)
    assert "at most 100 characters (it has 101)" in response.content.decode()


def test_a_reworded_suggestion_past_its_limit_is_refused_not_cut(client, volunteer, maria):
    suggestion = Suggestion.objects.create(
        supporter=maria, category="military", text="Son is an Iraq war veteran", enricher="t"
    )
    client.force_login(volunteer)
    url = reverse("conversations:suggestion_decide", args=[maria.pk, suggestion.pk])
    long_text = "Son served two tours " + "y" * 230
    response = client.post(
        url, {"decision": "confirm", "text": long_text}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "at most 200 characters (it has 251)" in body
    assert long_text in body  # what was typed is still in the box
    suggestion.refresh_from_db()
    assert suggestion.status == "suggested"
    assert not Note.objects.filter(supporter=maria).exists()
    # Without htmx: the same refusal, said on the brief.
    response = client.post(url, {"decision": "confirm", "text": long_text}, follow=True)
    assert "at most 200 characters (it has 251)" in response.content.decode()
    assert not Note.objects.filter(supporter=maria).exists()
    # Within the limit it is kept as typed.
    client.post(url, {"decision": "confirm", "text": "y" * 200})
    assert Note.objects.get(supporter=maria).body == "y" * 200

"""Segment pages: list, make and edit with a count preview, delete, download."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from organizing.models import AuditEvent
from supporters.models import Segment
from tests.factories import AssignmentFactory, SupporterFactory

pytestmark = pytest.mark.django_db

ROLES = ["volunteer", "organizer", "other_organizer", "data_staff", "admin"]


@pytest.fixture
def segment(organizer, eastside, westside, volunteer):
    SupporterFactory(team=eastside, language="es")
    SupporterFactory(team=westside, language="es")
    AssignmentFactory(volunteer=volunteer, supporter__team=eastside, supporter__language="en")
    return Segment.objects.create(name="Spanish", filter={"language": "es"}, created_by=organizer)


@pytest.mark.parametrize(
    "name,args,method",
    [
        ("list", [], "get"),
        ("create", [], "get"),
        ("edit", [1], "get"),
        ("delete", [1], "post"),
        ("count", [1], "get"),
        ("export", [1], "get"),
    ],
)
def test_anonymous_is_sent_to_sign_in(client, segment, name, args, method):
    url = reverse(f"segments:{name}", args=[segment.pk] if args else [])
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert Segment.objects.filter(pk=segment.pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_sees_the_list(request, client, role, segment):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("segments:list"))
    assert response.status_code == 200
    assert "Spanish" in response.content.decode()


@pytest.mark.parametrize(
    "role,expected",
    [
        ("organizer", "1 person"),
        ("other_organizer", "1 person"),
        ("data_staff", "2 people"),
        ("volunteer", "0 people"),
    ],
)
def test_count_follows_the_viewers_visibility(request, client, role, expected, segment):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("segments:count", args=[segment.pk])).content.decode() == expected


@pytest.mark.parametrize(
    "role,allowed",
    [
        ("volunteer", False),
        ("organizer", True),
        ("other_organizer", True),
        ("data_staff", True),
        ("admin", True),
    ],
)
def test_who_may_make_segments(request, client, role, allowed):
    client.force_login(request.getfixturevalue(role))
    response = client.post(
        reverse("segments:create"), {"name": "New", "filter": '{"language": "en"}', "save": "1"}
    )
    assert response.status_code == (302 if allowed else 403)
    assert Segment.objects.filter(name="New").exists() == allowed


def test_preview_shows_the_count_without_saving(client, organizer, segment):
    client.force_login(organizer)
    response = client.post(
        reverse("segments:create"), {"name": "New", "filter": '{"language": "es"}', "preview": "1"}
    )
    assert response.status_code == 200
    assert response.context["count"] == 1
    assert not Segment.objects.filter(name="New").exists()


@pytest.mark.parametrize(
    "text,message", [("{nope", "not JSON"), ('{"tags": {"any": []}}', "At tags.any")]
)
def test_bad_filters_say_what_is_wrong_and_save_nothing(client, organizer, text, message):
    client.force_login(organizer)
    response = client.post(reverse("segments:create"), {"name": "Bad", "filter": text, "save": "1"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Segment.objects.exists()


@pytest.mark.parametrize(
    "role,allowed",
    [
        ("volunteer", False),
        ("organizer", True),
        ("other_organizer", False),
        ("data_staff", True),
        ("admin", True),
    ],
)
def test_who_may_edit_and_delete(request, client, role, allowed, segment):
    client.force_login(request.getfixturevalue(role))
    response = client.post(
        reverse("segments:edit", args=[segment.pk]),
        {"name": "Renamed", "filter": json.dumps(segment.filter), "save": "1"},
    )
    assert response.status_code == (302 if allowed else 403)
    segment.refresh_from_db()
    assert (segment.name == "Renamed") == allowed
    response = client.post(reverse("segments:delete", args=[segment.pk]))
    assert response.status_code == (302 if allowed else 403)
    assert Segment.objects.filter(pk=segment.pk).exists() != allowed


@pytest.mark.parametrize(
    "role,allowed",
    [
        ("volunteer", False),
        ("organizer", False),
        ("other_organizer", False),
        ("data_staff", True),
        ("admin", True),
    ],
)
def test_only_data_staff_and_admins_download(request, client, role, allowed, segment):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("segments:export", args=[segment.pk]))
    assert response.status_code == (200 if allowed else 403)
    if allowed:
        lines = b"".join(response.streaming_content).decode().splitlines()
        assert len(lines) == 3  # header and the two Spanish speakers
    assert AuditEvent.objects.filter(action="segment.export").exists() == allowed

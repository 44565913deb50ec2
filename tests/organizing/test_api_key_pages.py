"""The API keys page: any signed-in user, their own keys only, shown once, export for data staff."""

from __future__ import annotations

import pytest
from django.urls import reverse

from organizing.models import ApiKey
from organizing.services import api_key_create
from tests.mfa_helpers import force_login_with_mfa

pytestmark = pytest.mark.django_db

ROLES = ["volunteer", "organizer", "other_organizer", "data_staff", "admin"]


def test_anonymous_is_sent_to_sign_in_and_nothing_is_made(client):
    response = client.post(reverse("organizing:apikey_list"), {"name": "x", "scopes": ["read"]})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_every_signed_in_user_can_make_a_key_shown_once(request, client, role):
    user = request.getfixturevalue(role)
    force_login_with_mfa(client, user)  # making a key needs a recent second factor
    response = client.post(
        reverse("organizing:apikey_list"), {"name": "sync", "scopes": ["read", "write"]}
    )
    assert response.status_code == 200
    api_key = ApiKey.objects.get(user=user)
    body = response.content.decode()
    assert f"es_{api_key.prefix}_" in body
    assert response["Cache-Control"] == "no-store"
    listing = client.get(reverse("organizing:apikey_list")).content.decode()
    assert api_key.prefix in listing
    assert body.split('id="api-key">')[1].split("<")[0] not in listing


@pytest.mark.parametrize(
    "role,offered",
    [("volunteer", False), ("organizer", False), ("data_staff", True), ("admin", True)],
)
def test_export_scope_is_offered_only_to_data_staff_and_admins(request, client, role, offered):
    client.force_login(request.getfixturevalue(role))
    body = client.get(reverse("organizing:apikey_list")).content.decode()
    assert ('value="export"' in body) is offered


def test_volunteer_posting_export_scope_anyway_is_refused(client, volunteer):
    force_login_with_mfa(client, volunteer)
    response = client.post(reverse("organizing:apikey_list"), {"name": "x", "scopes": ["export"]})
    assert response.status_code == 400
    assert not ApiKey.objects.exists()


def test_list_shows_only_your_own_keys(client, volunteer, teammate):
    theirs, _ = api_key_create(actor=teammate, user=teammate, scopes=["read"], name="theirs")
    client.force_login(volunteer)
    assert "theirs" not in client.get(reverse("organizing:apikey_list")).content.decode()
    assert theirs.prefix


def test_revoking_someone_elses_key_is_404_and_changes_nothing(client, volunteer, teammate):
    theirs, _ = api_key_create(actor=teammate, user=teammate, scopes=["read"])
    client.force_login(volunteer)
    response = client.post(reverse("organizing:apikey_revoke", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_revoking_your_key(client, volunteer):
    mine, _ = api_key_create(actor=volunteer, user=volunteer, scopes=["read"])
    client.force_login(volunteer)
    assert client.get(reverse("organizing:apikey_revoke", args=[mine.pk])).status_code == 405
    response = client.post(reverse("organizing:apikey_revoke", args=[mine.pk]))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_at is not None

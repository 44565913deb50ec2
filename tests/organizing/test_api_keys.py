"""API keys: made once, stored hashed, scoped, expiring, revocable; the create_api_key command."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from organizing.models import ApiKey, AuditEvent
from organizing.services import api_key_create, api_key_hash, api_key_revoke
from tests.api_helpers import error_of, key_for

pytestmark = pytest.mark.django_db

TEAMS = "api:team-list"


def call(raw_key, header="HTTP_AUTHORIZATION", prefix="Bearer "):
    client = APIClient()
    return client.get(reverse(TEAMS), **{header: f"{prefix}{raw_key}"})


def test_key_is_stored_only_as_a_hash(volunteer):
    api_key, raw_key = api_key_create(actor=volunteer, user=volunteer, scopes=["read"])
    assert raw_key.startswith(f"es_{api_key.prefix}_")
    assert api_key.hashed_key == api_key_hash(raw_key)
    assert raw_key not in str(ApiKey.objects.filter(pk=api_key.pk).values().get())


def test_key_authenticates_as_its_user_and_records_last_use(volunteer):
    raw_key = key_for(volunteer)
    response = call(raw_key)
    assert response.status_code == 200
    assert ApiKey.objects.get(user=volunteer).last_used_at is not None


def test_api_key_scheme_is_accepted_too(volunteer):
    assert call(key_for(volunteer), prefix="Api-Key ").status_code == 200


@pytest.mark.parametrize(
    "mangle", [lambda k: k + "x", lambda k: "es_nope_" + k[-10:], lambda k: "garbage", lambda k: ""]
)
def test_wrong_keys_get_401_in_the_error_shape(volunteer, mangle):
    response = call(mangle(key_for(volunteer)))
    assert response.status_code == 401
    assert error_of(response)["code"] in {"authentication_failed", "not_authenticated"}


def test_no_credentials_get_401_with_www_authenticate(db):
    response = APIClient().get(reverse(TEAMS))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_key_stops_working_at_once(volunteer):
    api_key, raw_key = api_key_create(actor=volunteer, user=volunteer, scopes=["read"])
    api_key_revoke(actor=volunteer, api_key=api_key)
    response = call(raw_key)
    assert response.status_code == 401
    assert "revoked" in error_of(response)["message"]


def test_expired_key_stops_working(volunteer):
    api_key, raw_key = api_key_create(
        actor=volunteer,
        user=volunteer,
        scopes=["read"],
        expires_at=timezone.now() + timedelta(days=1),
    )
    ApiKey.objects.filter(pk=api_key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = call(raw_key)
    assert response.status_code == 401
    assert "expired" in error_of(response)["message"]


def test_inactive_users_keys_stop_working(volunteer):
    raw_key = key_for(volunteer)
    volunteer.is_active = False
    volunteer.save()
    assert call(raw_key).status_code == 401


def test_export_scope_for_organizers_data_staff_and_admins(volunteer, organizer, data_staff, admin):
    with pytest.raises(PermissionDenied):
        api_key_create(actor=volunteer, user=volunteer, scopes=["read", "export"])
    # Organizers download their own teams' segments (issue 16, item 3).
    for user in (organizer, data_staff, admin):
        api_key, _ = api_key_create(actor=user, user=user, scopes=["read", "export"])
        assert api_key.scopes == ["export", "read"]
    assert not ApiKey.objects.filter(user=volunteer).exists()


def test_unknown_scopes_and_past_expiry_are_refused(volunteer):
    with pytest.raises(ValidationError):
        api_key_create(actor=volunteer, user=volunteer, scopes=["admin"])
    with pytest.raises(ValidationError):
        api_key_create(actor=volunteer, user=volunteer, scopes=[])
    with pytest.raises(ValidationError):
        api_key_create(actor=volunteer, user=volunteer, scopes=["read"], expires_at=timezone.now())
    assert not ApiKey.objects.exists()


def test_only_admins_make_keys_for_others(volunteer, organizer, admin):
    with pytest.raises(PermissionDenied):
        api_key_create(actor=organizer, user=volunteer, scopes=["read"])
    api_key, _ = api_key_create(actor=admin, user=volunteer, scopes=["read"])
    assert api_key.user == volunteer


def test_making_and_revoking_keys_is_audited(volunteer):
    api_key, _ = api_key_create(actor=volunteer, user=volunteer, scopes=["read"])
    api_key_revoke(actor=volunteer, api_key=api_key)
    api_key_revoke(actor=volunteer, api_key=api_key)
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert sorted(actions) == ["api_key.create", "api_key.revoke"]


OSDI_NOTE = "An adapter can read the key from another header by subclassing."


def test_key_can_come_from_another_header_for_adapters(volunteer, rf):
    from organizing.api.authentication import ApiKeyAuthentication

    class OsdiApiKeyAuthentication(ApiKeyAuthentication):
        header_name = "OSDI-API-Token"

    raw_key = key_for(volunteer)
    request = rf.get("/", HTTP_OSDI_API_TOKEN=raw_key)
    user, api_key = OsdiApiKeyAuthentication().authenticate(request)
    assert user == volunteer and api_key.user == volunteer


# --- the management command ------------------------------------------------------------------


def test_command_prints_a_working_key_as_its_last_line(data_staff):
    out = StringIO()
    call_command(
        "create_api_key", data_staff.email, "--scopes", "read,export", "--name", "sync", stdout=out
    )
    raw_key = out.getvalue().strip().splitlines()[-1]
    assert call(raw_key).status_code == 200
    api_key = ApiKey.objects.get(user=data_staff)
    assert api_key.name == "sync" and api_key.scopes == ["export", "read"]


def test_command_refuses_export_scope_for_a_volunteer(volunteer):
    with pytest.raises(CommandError, match="data staff"):
        call_command("create_api_key", volunteer.email, "--scopes", "export", stdout=StringIO())
    assert not ApiKey.objects.exists()


def test_command_refuses_unknown_users(db):
    with pytest.raises(CommandError, match="No active user"):
        call_command("create_api_key", "nobody@example.org", stdout=StringIO())


# --- the keys endpoint -----------------------------------------------------------------------


def test_keys_endpoint_lists_only_your_own_keys_and_never_the_secret(volunteer, teammate):
    raw_key = key_for(volunteer)
    key_for(teammate)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    rows = client.get(reverse("api:apikey-list")).json()["results"]
    assert [row["prefix"] for row in rows] == [ApiKey.objects.get(user=volunteer).prefix]
    assert "hashed_key" not in rows[0] and raw_key not in str(rows)


def test_revoking_someone_elses_key_is_404_and_changes_nothing(volunteer, teammate):
    other, _ = api_key_create(actor=teammate, user=teammate, scopes=["read"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(volunteer, ['read', 'write'])}")
    response = client.post(reverse("api:apikey-revoke", args=[other.pk]))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_revoking_needs_the_write_scope(volunteer):
    api_key, raw_key = api_key_create(actor=volunteer, user=volunteer, scopes=["read"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    response = client.post(reverse("api:apikey-revoke", args=[api_key.pk]))
    assert response.status_code == 403
    assert "write" in error_of(response)["message"]
    api_key.refresh_from_db()
    assert api_key.revoked_at is None

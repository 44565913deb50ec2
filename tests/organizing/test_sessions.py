"""Signing in and staying signed in: failed sign-ins limited per account and address, signed-in
devices listed and signed out (by their owner or an admin), sign out everywhere, idle sessions
ended by role."""

from __future__ import annotations

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from organizing.middleware import LAST_ACTIVITY_SESSION_KEY
from organizing.models import AuditEvent
from organizing.services import user_sessions_end
from tests.api_helpers import error_of
from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tests.mfa_helpers import force_login_with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_earlier_failures():
    """Failed sign-ins count in the cache (Redis), which outlives each test's database."""
    cache.clear()


def _verified(user):
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def _sign_in(user, address: str, password: str = PASSWORD) -> tuple[Client, object]:
    client = Client(REMOTE_ADDR=address, HTTP_USER_AGENT=f"Phone at {address}")
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    return client, response


# --- Failed sign-ins ------------------------------------------------------------------------


def test_repeated_failures_for_one_account_and_address_get_429_with_retry_after(volunteer):
    _verified(volunteer)
    for _ in range(5):
        _, wrong = _sign_in(volunteer, "203.0.113.5", password="wrong")
        assert wrong.status_code == 200
    client, refused = _sign_in(volunteer, "203.0.113.5")
    assert refused.status_code == 429
    assert 250 <= int(refused["Retry-After"]) <= 300
    assert "too many failed sign-ins" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_same_account_from_another_address_still_signs_in(volunteer):
    _verified(volunteer)
    for _ in range(6):
        _sign_in(volunteer, "203.0.113.5", password="wrong")
    client, response = _sign_in(volunteer, "198.51.100.7")
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == volunteer


def test_someone_else_in_the_same_office_still_signs_in(volunteer, teammate):
    _verified(volunteer)
    _verified(teammate)
    for _ in range(6):
        _sign_in(volunteer, "203.0.113.5", password="wrong")
    client, response = _sign_in(teammate, "203.0.113.5")
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == teammate


def _second_step(user, address: str, code: str):
    client, response = _sign_in(user, address)
    assert response["Location"] == reverse("mfa_authenticate")
    return client, client.post(reverse("mfa_authenticate"), {"code": code})


def test_failed_second_steps_count_per_account_and_address_and_get_429(organizer):
    from tests.factories import totp_code

    _verified(organizer)
    for _ in range(5):
        _, wrong = _second_step(organizer, "203.0.113.5", "000000")
        assert wrong.status_code == 200
    _, refused = _second_step(organizer, "203.0.113.5", totp_code())
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 300
    # Someone guessing codes elsewhere does not lock the real user out of their second step.
    client, response = _second_step(organizer, "198.51.100.7", totp_code())
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == organizer


# --- Signed-in devices --------------------------------------------------------------------------


def test_a_user_sees_their_devices_and_signs_one_out(volunteer, teammate):
    _verified(volunteer)
    _verified(teammate)
    laptop, _ = _sign_in(volunteer, "203.0.113.5")
    phone, _ = _sign_in(volunteer, "198.51.100.7")
    someone_else, _ = _sign_in(teammate, "198.51.100.9")
    page = laptop.get(reverse("organizing:account"))
    assert page.status_code == 200
    sessions = page.context["sessions"]
    assert {session.ip for session in sessions} == {"203.0.113.5", "198.51.100.7"}
    body = page.content.decode()
    assert "Phone at 198.51.100.7" in body and "(this device)" in body

    lost = UserSession.objects.get(user=volunteer, ip="198.51.100.7")
    response = laptop.post(reverse("organizing:usersession_end", args=[lost.pk]))
    assert response.status_code == 302
    assert phone.get(reverse("home"))["Location"].startswith(reverse("account_login"))
    assert laptop.get(reverse("home")).status_code == 200
    assert someone_else.get(reverse("home")).status_code == 200
    event = AuditEvent.objects.get(action="user.sessions_end")
    assert event.actor == volunteer and event.details["sessions_ended"] == 1


def test_another_users_device_is_a_404_and_stays_signed_in(volunteer, teammate):
    _verified(volunteer)
    _verified(teammate)
    laptop, _ = _sign_in(volunteer, "203.0.113.5")
    theirs, _ = _sign_in(teammate, "198.51.100.9")
    session = UserSession.objects.get(user=teammate)
    response = laptop.post(reverse("organizing:usersession_end", args=[session.pk]))
    assert response.status_code == 404
    assert theirs.get(reverse("home")).status_code == 200
    assert not AuditEvent.objects.filter(action="user.sessions_end").exists()


def test_sign_out_everywhere_from_the_account_page(volunteer):
    _verified(volunteer)
    laptop, _ = _sign_in(volunteer, "203.0.113.5")
    phone, _ = _sign_in(volunteer, "198.51.100.7")
    response = laptop.post(reverse("organizing:sign_out_all"))
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    for client in (laptop, phone):
        assert client.get(reverse("home"))["Location"].startswith(reverse("account_login"))
    assert not UserSession.objects.filter(user=volunteer).exists()


def test_an_admin_signs_someone_out_of_every_device_from_the_django_admin(volunteer):
    _verified(volunteer)
    phone, _ = _sign_in(volunteer, "198.51.100.7")
    superuser = UserFactory(is_staff=True, is_superuser=True)
    admin_client = Client()
    force_login_with_mfa(admin_client, superuser)
    response = admin_client.post(
        reverse("admin:organizing_user_changelist"),
        {"action": "sign_out_everywhere", "_selected_action": [volunteer.pk]},
    )
    assert response.status_code == 302
    assert phone.get(reverse("home"))["Location"].startswith(reverse("account_login"))
    event = AuditEvent.objects.get(action="user.sessions_end")
    assert event.actor == superuser and event.object_id == str(volunteer.pk)


def test_an_admin_signs_one_device_out_from_the_sessions_list(volunteer):
    _verified(volunteer)
    laptop, _ = _sign_in(volunteer, "203.0.113.5")
    phone, _ = _sign_in(volunteer, "198.51.100.7")
    superuser = UserFactory(is_staff=True, is_superuser=True)
    admin_client = Client()
    force_login_with_mfa(admin_client, superuser)
    lost = UserSession.objects.get(user=volunteer, ip="198.51.100.7")
    response = admin_client.post(
        reverse("admin:usersessions_usersession_changelist"),
        {"action": "sign_out", "_selected_action": [lost.pk]},
    )
    assert response.status_code == 302
    assert phone.get(reverse("home"))["Location"].startswith(reverse("account_login"))
    assert laptop.get(reverse("home")).status_code == 200


def test_only_the_owner_or_an_admin_signs_a_user_out(volunteer, organizer):
    with pytest.raises(PermissionDenied):
        user_sessions_end(actor=organizer, user=volunteer)
    assert not AuditEvent.objects.exists()


# --- Idle sessions ------------------------------------------------------------------------------


def _idle(client, minutes: float) -> None:
    session = client.session
    session[LAST_ACTIVITY_SESSION_KEY] = int(time.time() - minutes * 60)
    session.save()


@pytest.mark.parametrize(
    "role,still_in,signed_out",
    [
        ("organizer", 29, 31),
        ("data_staff", 29, 31),
        ("admin", 29, 31),
        ("volunteer", 11 * 60, 12 * 60 + 1),
    ],
)
def test_an_idle_session_is_signed_out_by_role(client, request, role, still_in, signed_out):
    user = request.getfixturevalue(role)
    force_login_with_mfa(client, user)
    _idle(client, still_in)
    assert client.get(reverse("home")).status_code == 200
    _idle(client, signed_out)
    response = client.get(reverse("home") + "?page=2")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=%2F%3Fpage%3D2"
    assert "_auth_user_id" not in client.session
    login_page = client.get(response["Location"])
    assert "signed out after" in login_page.content.decode()


def test_an_idle_session_on_the_api_is_refused_with_the_envelope(client, organizer):
    force_login_with_mfa(client, organizer)
    _idle(client, 31)
    response = client.get(reverse("api:team-list"))
    assert response.status_code == 401
    error_of(response)


def test_the_idle_limits_are_settings(client, organizer, settings):
    settings.SESSION_IDLE_MINUTES = 120
    force_login_with_mfa(client, organizer)
    _idle(client, 90)
    assert client.get(reverse("home")).status_code == 200

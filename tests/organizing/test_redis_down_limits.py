"""With Redis unreachable, API throttles and login limits count in PostgreSQL at the same rates.

Before, the default cache was Redis alone, so a Redis outage made every /api/v1/ and OSDI
request and every login answer 500 (and an API save stored nothing). The ``redis`` cache is
pointed at a closed port here; the ``database`` cache (the table from migration
organizing.0004_cache_table) takes over.
"""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import caches
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from organizing import cache as failover
from supporters.models import Supporter
from tests.api_helpers import error_of, key_client, key_for, session_client
from tests.mfa_helpers import give_totp_code

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _forget_outages():
    failover._down_until.clear()
    yield
    failover._down_until.clear()


@pytest.fixture
def redis_cache_down(settings):
    """The default cache's Redis at a port where nothing listens (its database cache as is)."""
    settings.CACHES = {
        **settings.CACHES,
        "redis": {**settings.CACHES["redis"], "LOCATION": "redis://127.0.0.1:9/0"},
    }
    caches["database"].clear()


@pytest.fixture
def frozen_clock(monkeypatch):
    """Every request in the same second, so "within a minute" holds however slow the machine."""
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda self: 1_900_000_000.0)


def _create(client, team, name):
    return client.post(
        reverse("api:supporter-list"), {"team": team.pk, "given_name": name}, format="json"
    )


def test_request_601_within_a_minute_is_429_and_request_1_is_stored_while_redis_is_down(
    organizer, eastside, redis_cache_down, frozen_clock
):
    client = key_client(organizer, ["read", "write"])

    first = _create(client, eastside, "Maria")
    assert first.status_code == 201, first.content
    assert Supporter.objects.filter(pk=first.json()["id"], given_name="Maria").exists()
    for number in range(2, 601):
        response = client.get(reverse("api:team-list"))
        assert response.status_code == 200, (number, response.status_code)

    refused = _create(client, eastside, "Ana")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert error_of(refused)["code"] == "throttled"
    assert not Supporter.objects.filter(given_name="Ana").exists()
    assert list(Supporter.objects.values_list("given_name", flat=True)) == ["Maria"]


def test_the_web_apps_session_calls_are_throttled_in_postgresql_too(
    organizer, redis_cache_down, frozen_clock
):
    client = session_client(organizer)
    for _ in range(600):
        assert client.get(reverse("api:team-list")).status_code == 200
    assert client.get(reverse("api:team-list")).status_code == 429


def test_osdi_answers_and_stores_a_signup_while_redis_is_down(
    organizer, eastside, redis_cache_down
):
    from tests.organizing.test_osdi import BASE, osdi_client, signup

    assert osdi_client(organizer).get(BASE).status_code == 200
    response = signup(
        osdi_client(organizer), given_name="Ana", email_addresses=[{"address": "ana@example.org"}]
    )
    assert response.status_code == 201, response.content
    assert Supporter.objects.filter(given_name="Ana").exists()


def test_login_works_and_failed_logins_are_limited_while_redis_is_down(
    client, organizer, redis_cache_down
):
    EmailAddress.objects.create(user=organizer, email=organizer.email, verified=True, primary=True)
    url = reverse("account_login")
    # login_failed is 5 per 5 minutes per address and client: five wrong passwords, then even
    # the right one is refused for a while, with 429 and Retry-After.
    for _ in range(5):
        wrong = client.post(url, {"login": organizer.email, "password": "wrong"})
        assert wrong.status_code == 200
        assert "not correct" in wrong.content.decode()
    refused = client.post(url, {"login": organizer.email, "password": PASSWORD})
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 300
    assert "_auth_user_id" not in client.session


def test_right_password_signs_in_while_redis_is_down(client, organizer, redis_cache_down):
    EmailAddress.objects.create(user=organizer, email=organizer.email, verified=True, primary=True)
    response = client.post(
        reverse("account_login"), {"login": organizer.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert give_totp_code(client).status_code == 302
    assert client.get(reverse("home")).context["user"] == organizer


def test_with_redis_up_the_counts_are_kept_in_redis_not_postgresql(organizer):
    caches["database"].clear()
    raw_key = key_for(organizer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    assert client.get(reverse("api:team-list")).status_code == 200

    prefix = raw_key.split("_")[1]
    key = SimpleRateThrottle.cache_format % {"scope": "api_key", "ident": prefix}
    assert len(caches["redis"].get(key)) == 1
    assert caches["database"].get(key) is None
    caches["redis"].delete(key)

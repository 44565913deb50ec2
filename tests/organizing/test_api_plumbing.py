"""What every endpoint shares: one error shape, strict input, limits, throttling, idempotency."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from conversations.models import Conversation
from organizing.api.throttling import ApiKeyRateThrottle
from organizing.models import IdempotencyRecord
from supporters.models import Supporter
from tests.api_helpers import error_of, key_client, session_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer(organizer):
    return key_client(organizer, ["read", "write"])


def test_malformed_json_is_a_400_that_says_so(writer, eastside):
    response = writer.post(
        reverse("api:supporter-list"), data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "Malformed JSON" in error_of(response)["message"]


def test_nan_is_not_json(writer, eastside):
    response = writer.post(
        reverse("api:supporter-list"),
        data='{"team": NaN, "given_name": "A"}',
        content_type="application/json",
    )
    assert response.status_code == 400


def test_unknown_fields_are_named_in_the_error(writer, eastside):
    response = writer.post(
        reverse("api:supporter-list"),
        {"team": eastside.pk, "given_name": "Maria", "favourite_colour": "red"},
        format="json",
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert error["fields"] == {"favourite_colour": ["Unknown field."]}
    assert not Supporter.objects.exists()


def test_wrongly_typed_fields_get_field_errors(writer, eastside):
    response = writer.post(
        reverse("api:supporter-list"), {"team": "eastside", "given_name": ["x"]}, format="json"
    )
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"team", "given_name"}


def test_a_body_that_is_not_an_object_is_a_400(writer):
    response = writer.post(reverse("api:supporter-list"), [1, 2], format="json")
    assert response.status_code == 400
    assert error_of(response)["fields"]


def test_oversized_bodies_get_413(writer, settings, eastside):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    response = writer.post(
        reverse("api:supporter-list"),
        {"team": eastside.pk, "given_name": "x" * 5000},
        format="json",
    )
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"
    assert not Supporter.objects.exists()


def test_bad_filters_get_a_400_naming_the_parameter(writer):
    response = writer.get(reverse("api:supporter-list"), {"updated_since": "last tuesday"})
    assert response.status_code == 400
    assert "updated_since" in error_of(response)["fields"]


def test_bad_cursor_is_a_404_in_the_error_shape(writer):
    response = writer.get(reverse("api:supporter-list"), {"cursor": "bogus"})
    assert response.status_code == 404
    error_of(response)


def test_unknown_api_address_answers_in_the_error_shape(writer):
    response = writer.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_non_numeric_ids_are_404_not_500(writer):
    assert writer.get("/api/v1/supporters/abc/").status_code == 404


def test_throttled_key_gets_429_with_retry_after(volunteer, monkeypatch):
    monkeypatch.setattr(ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "2/min"})
    client = key_client(volunteer)
    url = reverse("api:team-list")
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    response = client.get(url)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert error_of(response)["code"] == "throttled"


def test_throttle_counts_each_key_separately(volunteer, teammate, monkeypatch):
    monkeypatch.setattr(ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "1/min"})
    first, second = key_client(volunteer), key_client(teammate)
    assert first.get(reverse("api:team-list")).status_code == 200
    assert first.get(reverse("api:team-list")).status_code == 429
    assert second.get(reverse("api:team-list")).status_code == 200


# --- Idempotency-Key -------------------------------------------------------------------------


def _create(client, team, key, name="Maria"):
    return client.post(
        reverse("api:supporter-list"),
        {"team": team.pk, "given_name": name},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_retried_post_with_the_same_key_replays_the_first_response(writer, eastside):
    first = _create(writer, eastside, "abc-1")
    second = _create(writer, eastside, "abc-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Supporter.objects.count() == 1


def test_rejects_reused_idempotency_key_with_other_body(writer, eastside):
    _create(writer, eastside, "abc-2")
    response = _create(writer, eastside, "abc-2", name="Someone Else")
    assert response.status_code == 422
    assert error_of(response)["code"] == "idempotency_key_reused"
    assert Supporter.objects.count() == 1


def test_failed_request_keeps_nothing_so_the_key_can_be_retried(writer, eastside):
    bad = writer.post(
        reverse("api:supporter-list"),
        {"team": eastside.pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY="abc-3",
    )
    assert bad.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    assert _create(writer, eastside, "abc-3").status_code == 201


def test_idempotency_keys_belong_to_their_user(organizer, data_staff, eastside):
    _create(key_client(organizer, ["read", "write"]), eastside, "shared")
    response = _create(key_client(data_staff, ["read", "write"]), eastside, "shared")
    assert response.status_code == 201
    assert Supporter.objects.count() == 2


def test_retry_while_the_first_request_is_still_running_is_a_409(writer, eastside):
    _create(writer, eastside, "busy")
    # As if the first request had not finished yet: its response is not recorded.
    IdempotencyRecord.objects.filter(key="busy").update(response_status=None, response_body=None)
    response = _create(writer, eastside, "busy")
    assert response.status_code == 409
    assert error_of(response)["code"] == "conflict"
    assert Supporter.objects.count() == 1


def test_too_long_idempotency_key_is_a_400(writer, eastside):
    assert _create(writer, eastside, "k" * 300).status_code == 400


def test_conversation_sent_twice_by_client_uuid_is_stored_once(volunteer, eastside):
    from tests.factories import AssignmentFactory

    supporter = AssignmentFactory(volunteer=volunteer, supporter__team=eastside).supporter
    client = key_client(volunteer, ["read", "write"])
    body = {
        "client_uuid": str(uuid.uuid4()),
        "supporter": supporter.pk,
        "channel": "door",
        "outcome": "talked",
    }
    first = client.post(reverse("api:conversation-list"), body, format="json")
    second = client.post(reverse("api:conversation-list"), body, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Conversation.objects.count() == 1


def test_session_auth_works_for_the_web_app(volunteer):
    assert session_client(volunteer).get(reverse("api:team-list")).status_code == 200


def test_schema_and_docs_are_served_locally(client):
    schema = client.get(reverse("api:schema"))
    assert schema.status_code == 200
    docs = client.get(reverse("api:docs")).content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower() and "unpkg" not in docs.lower()


def test_old_idempotency_records_are_purged(organizer):
    from datetime import timedelta

    from django.utils import timezone

    from organizing.tasks import retention_sweep_task

    old = IdempotencyRecord.objects.create(
        user=organizer, key="old", method="POST", path="/x", request_hash="0"
    )
    IdempotencyRecord.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    IdempotencyRecord.objects.create(
        user=organizer, key="new", method="POST", path="/x", request_hash="0"
    )
    assert retention_sweep_task()["idempotency_records"] == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_every_operation_has_a_description_and_an_example(client):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json").json()
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            successes = {k: v for k, v in operation["responses"].items() if k.startswith("2")}
            has_body = any("content" in response for response in successes.values())
            documented = '"example' in str(successes).replace("'", '"') or '"example' in str(
                operation.get("requestBody")
            ).replace("'", '"')
            if not operation.get("description") or (has_body and not documented):
                missing.append(f"{method.upper()} {path}")
    assert missing == []


@pytest.mark.parametrize("value", ["fast", "10", "10/week", "/min"])
def test_a_malformed_rate_stops_start_up_naming_the_variable(monkeypatch, value):
    from django.core.exceptions import ImproperlyConfigured

    from organizing.settings import env_rate

    monkeypatch.setenv("API_KEY_RATE", value)
    with pytest.raises(ImproperlyConfigured, match="API_KEY_RATE"):
        env_rate("API_KEY_RATE", "600/min")

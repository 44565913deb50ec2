"""The schema says what the server enforces, and the server refuses what the schema forbids
(the schemathesis findings: empty or repeated parameters, page_size, ids, Idempotency-Key)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.api_helpers import error_of, key_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    return client.get(reverse("api:schema"), HTTP_ACCEPT="application/json").json()


def _parameter(schema, path, method, name):
    operation = schema["paths"][path][method]
    return next(p for p in operation["parameters"] if p["name"] == name)


@pytest.mark.parametrize(
    "path, query, field",
    [
        ("/api/v1/api-keys/", "updated_since=", "updated_since"),
        ("/api/v1/conversations/", "channel=", "channel"),
        ("/api/v1/supporters/", "page_size=1&page_size=2", "page_size"),
        ("/api/v1/supporters/", "page_size=0", "page_size"),
        ("/api/v1/supporters/", "page_size=501", "page_size"),
        ("/api/v1/supporters/", "page_size=abc", "page_size"),
        ("/api/v1/supporters/", "page_size=%C2%B2", "page_size"),
        ("/api/v1/conversations/", "team=0.5", "team"),
        ("/api/v1/users/", "team=0.5", "team"),
        ("/api/v1/issues/", "is_active=AAA", "is_active"),
        ("/api/v1/followups/", "overdue=1", "overdue"),
        ("/api/v1/supporters/", "support_level=0", "support_level"),
        ("/api/v1/supporters/", "support_level=2.5", "support_level"),
        ("/api/v1/conversations/", "updated_since=2026-01-01T00:00:00Z&updated_since=x", None),
    ],
)
def test_parameters_the_schema_forbids_are_a_400_naming_them(data_staff, path, query, field):
    response = key_client(data_staff).get(f"{path}?{query}")
    assert response.status_code == 400, response.content
    error = error_of(response)
    if field:
        assert field in error["fields"]


def test_valid_page_sizes_and_booleans_are_taken(data_staff):
    client = key_client(data_staff)
    assert client.get("/api/v1/supporters/?page_size=500").status_code == 200
    assert client.get("/api/v1/supporters/?page_size=1").status_code == 200
    assert client.get("/api/v1/issues/?is_active=false").status_code == 200


def test_an_id_that_names_nothing_matches_nothing(data_staff):
    client = key_client(data_staff)
    for path in ["/api/v1/conversations/?supporter=0", "/api/v1/conversations/?team=999999"]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.content)
        assert response.json()["results"] == []


def test_schema_states_page_size_range_and_idempotency_key_length(schema):
    page_size = _parameter(schema, "/api/v1/supporters/", "get", "page_size")["schema"]
    assert (page_size["type"], page_size["minimum"], page_size["maximum"]) == ("integer", 1, 500)
    key = _parameter(schema, "/api/v1/supporters/", "post", "Idempotency-Key")["schema"]
    assert (key["minLength"], key["maxLength"]) == (1, 255)
    level = _parameter(schema, "/api/v1/supporters/", "get", "support_level")["schema"]
    assert (level["type"], level["minimum"], level["maximum"]) == ("integer", 1, 5)
    team = _parameter(schema, "/api/v1/conversations/", "get", "team")["schema"]
    supporter = _parameter(schema, "/api/v1/conversations/", "get", "supporter")["schema"]
    assert team["type"] == supporter["type"] == "integer"

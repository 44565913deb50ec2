"""Input anyone can send is a clear 400, never a 500: deep JSON, NUL and lone surrogates,
and datetimes are always RFC 3339; API errors, 500 included, are the error envelope."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from organizing.roles import SYSTEM
from organizing.text_safety import JSON_MAX_DEPTH
from supporters.api.views import TagViewSet
from supporters.segments import SegmentError, segment_compile
from supporters.services import supporter_create
from tests.api_helpers import error_of, key_client, session_client
from tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def post_raw(client, path: str, body: str, content_type="application/json"):
    return client.generic("POST", path, body.encode(), content_type=content_type)


@pytest.fixture
def maria(eastside):
    return supporter_create(actor=SYSTEM, team=eastside, given_name="Maria")


@pytest.mark.parametrize(
    "path, body",
    [
        ("/api/v1/segments/preview/", '{"filter": ' + deep(5000) + "}"),
        ("/api/v1/supporters/", '{"given_name": "A", "custom_fields": {"x": ' + deep(5000) + "}}"),
        ("/api/v1/supporters/", '{"given_name": "A", "custom_fields": {"x": ' + deep(40) + "}}"),
    ],
)
def test_deep_json_is_a_400_naming_the_limit(data_staff, path, body):
    response = post_raw(key_client(data_staff, ["read", "write"]), path, body)
    assert response.status_code == 400
    assert f"deeper than {JSON_MAX_DEPTH} levels" in str(error_of(response))


def test_deep_json_to_osdi_is_a_400_naming_the_limit(data_staff):
    from tests.organizing.test_osdi import osdi_client

    body = '{"person": {"given_name": "A", "custom_fields": ' + deep(5000) + "}}"
    response = post_raw(osdi_client(data_staff), "/api/osdi/v1/people", body)
    assert response.status_code == 400
    assert f"deeper than {JSON_MAX_DEPTH} levels" in response.content.decode()


def test_json_within_the_limit_is_accepted(data_staff):
    body = '{"given_name": "A", "custom_fields": {"x": ' + deep(JSON_MAX_DEPTH - 2) + "}}"
    response = post_raw(key_client(data_staff, ["read", "write"]), "/api/v1/supporters/", body)
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    "value, named",
    [
        (r'"a\u0000b"', "NUL character"),
        (r'{"deeper": ["ok", "x\u0000"]}', "NUL character"),
        (r'"\ud800"', "lone surrogate"),
    ],
)
def test_nul_and_lone_surrogates_in_custom_fields_are_refused_by_name(
    data_staff, maria, value, named
):
    client = key_client(data_staff, ["read", "write"])
    body = '{"custom_fields": {"note": ' + value + "}}"
    response = client.generic(
        "PATCH", f"/api/v1/supporters/{maria.pk}/", body.encode(), content_type="application/json"
    )
    assert response.status_code == 400
    error = error_of(response)
    assert named in str(error["fields"]["custom_fields"])
    maria.refresh_from_db()
    assert maria.custom_fields == {}


def test_a_nul_in_a_key_is_refused(data_staff):
    body = r'{"given_name": "A", "custom_fields": {"a\u0000": 1}}'
    response = post_raw(key_client(data_staff, ["read", "write"]), "/api/v1/supporters/", body)
    assert response.status_code == 400
    assert "NUL character" in str(error_of(response)["fields"]["custom_fields"])


def test_a_nul_in_a_segment_filter_is_refused(data_staff):
    body = r'{"filter": {"given_name": {"contains": "\u0000"}}}'
    response = post_raw(key_client(data_staff, ["read"]), "/api/v1/segments/preview/", body)
    assert response.status_code == 400
    with pytest.raises(SegmentError, match="NUL character"):
        segment_compile({"given_name": {"contains": "a\x00"}})


def test_nul_in_a_query_string_is_a_400_on_pages_and_the_api(client, organizer, data_staff):
    client.force_login(organizer)
    page = client.get(reverse("supporters:search"), {"q": "\x00"})
    assert page.status_code == 400 and b"NUL character" in page.content
    assert client.get("/supporters/?q=%00").status_code == 400
    api = key_client(data_staff).get("/api/v1/supporters/?q=%00")
    assert api.status_code == 400
    assert "NUL character" in str(error_of(api)["fields"]["q"])


def test_datetimes_before_1883_come_out_rfc3339_in_utc(data_staff, maria):
    conversation = ConversationFactory(supporter=maria)
    old = datetime(1850, 6, 1, 12, 0, tzinfo=UTC)
    type(conversation).objects.filter(pk=conversation.pk).update(happened_at=old)
    body = key_client(data_staff).get(f"/api/v1/conversations/{conversation.pk}/").json()
    assert RFC3339.match(body["happened_at"]), body["happened_at"]
    assert body["happened_at"].startswith("1850-06-01T12:00:00")
    assert RFC3339.match(body["created_at"]), body["created_at"]  # modern ones keep local time
    assert body["created_at"].endswith(("-05:00", "-06:00"))


def test_an_api_500_is_the_error_envelope(data_staff, monkeypatch):
    def broken(self, request, *args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(TagViewSet, "list", broken)
    client = Client(raise_request_exception=False)
    client.force_login(data_staff)
    response = client.get("/api/v1/tags/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert error_of(response)["code"] == "server_error"


def test_api_404_and_405_are_the_error_envelope(data_staff):
    client = session_client(data_staff)
    assert error_of(client.get("/api/v1/no-such-thing/"))["status"] == 404
    assert error_of(client.delete("/api/v1/segments/preview/"))["status"] == 405

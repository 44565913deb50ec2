"""Helpers for API tests: clients authenticated by session or by an API key."""

from __future__ import annotations

from rest_framework.test import APIClient

from organizing.services import api_key_create


def key_for(user, scopes=("read",), **fields) -> str:
    """A fresh API key for ``user`` (raw secret)."""
    _, raw_key = api_key_create(actor=user, user=user, scopes=list(scopes), **fields)
    return raw_key


def key_client(user, scopes=("read",)) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(user, scopes)}")
    return client


def session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"status", "code", "message"} <= set(body["error"]), body
    assert body["error"]["status"] == response.status_code
    return body["error"]

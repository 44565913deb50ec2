"""Schemathesis against the live schema at /api/schema/, in-process, as part of `make test`.

Every operation gets generated requests (valid and invalid); the test fails on any 500, an
undocumented status code or content type, or a response that does not match the schema.
"""

from __future__ import annotations

import json
import os
from urllib.parse import urlsplit

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conversations.models import Issue, SurveyQuestion
from organizing.api.throttling import ApiKeyRateThrottle, SessionUserRateThrottle
from supporters.models import Segment, Tag
from supporters.services import supporter_create
from tests.api_helpers import key_for

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _live_schema():
    """The schema as /api/schema/ serves it (schema generation needs no database)."""
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/json", HTTP_HOST=HOST)
    assert response.status_code == 200, response.content[:500]
    loaded = schemathesis.openapi.from_dict(json.loads(response.content))
    loaded.app = get_wsgi_application()
    return loaded


HOST = urlsplit(django_settings.SITE_URL).hostname
schema = _live_schema()


@pytest.fixture(autouse=True)
def _campaign(db, settings, monkeypatch, data_staff, eastside, tmp_path):
    settings.ALLOWED_HOSTS = ["*"]
    settings.EXPORT_DIR = tmp_path
    monkeypatch.setattr(ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "100000/min"})
    monkeypatch.setattr(SessionUserRateThrottle, "THROTTLE_RATES", {"user": "100000/min"})
    supporter_create(actor=data_staff, team=eastside, given_name="Maria", email="m@example.org")
    Tag.objects.create(name="leader")
    Issue.objects.create(name="Rent")
    SurveyQuestion.objects.create(prompt="Support?", slug="support")
    Segment.objects.create(name="All", filter={}, created_by=data_staff)
    # As Django's test client does: keep the test's connection (and its transaction) open
    # across the in-process WSGI requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def auth_headers(data_staff):
    return {"Authorization": f"Bearer {key_for(data_staff, ['read', 'write', 'export'])}"}


@schema.parametrize()
@hypothesis_settings(
    # More locally with SCHEMATHESIS_MAX_EXAMPLES=200; CI keeps the suite quick.
    max_examples=int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_never_answers_500_and_matches_its_schema(case, auth_headers):
    case.call_and_validate(headers=auth_headers)

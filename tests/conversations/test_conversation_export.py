"""The conversations export: CSV and NDJSON through COPY, updated_since, external IDs, survey
answers, and a saved result-code mapping applied."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import (
    Conversation,
    ResultCodeMapping,
    SurveyChoice,
    SurveyQuestion,
    SurveyResponse,
)
from organizing.models import AuditEvent
from supporters.models import ExternalId
from tests.api_helpers import key_client
from tests.factories import ConversationFactory, SupporterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def talks(eastside, volunteer):
    maria = SupporterFactory(given_name="Maria", team=eastside)
    ExternalId.objects.create(supporter=maria, system="van", value="1001")
    question = SurveyQuestion.objects.create(slug="support", prompt="Support?")
    strong = SurveyChoice.objects.create(question=question, value="1", label="Strong")
    talked = ConversationFactory(supporter=maria, volunteer=volunteer, outcome="talked",
                                 heard="=secret words")  # fmt: skip
    SurveyResponse.objects.create(conversation=talked, question=question, choice=strong)
    old = ConversationFactory(supporter=maria, volunteer=volunteer, outcome="not_home")
    Conversation.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=9))
    return talked, old


def _csv(response):
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_csv_has_ids_channel_outcome_answers_and_who_logged_it(data_staff, talks, volunteer):
    talked, old = talks
    response = key_client(data_staff, ["read", "export"]).get(
        "/api/v1/conversations/export", {"format": "csv"}
    )
    assert response.status_code == 200
    rows = {int(row["conversation_id"]): row for row in _csv(response)}
    assert set(rows) == {talked.pk, old.pk}
    row = rows[talked.pk]
    assert (row["external_id_van"], row["channel"], row["outcome"]) == ("1001", "door", "talked")
    assert row["answer_support"] == "1"
    assert row["logged_by"] == volunteer.email
    assert (
        "secret words"
        not in b"".join(
            key_client(data_staff, ["read", "export"])
            .get("/api/v1/conversations/export", {"format": "csv"})
            .streaming_content
        ).decode()
    )
    assert AuditEvent.objects.filter(action="conversation.export").count() == 2


def test_updated_since_and_a_saved_mapping_are_applied_in_ndjson(data_staff, talks):
    talked, _ = talks
    client = key_client(data_staff, ["read", "write", "export"])
    made = client.post(
        "/api/v1/result-code-mappings/",
        {
            "name": "VAN",
            "outcomes": {"talked": "CANVASSED", "not_home": "NH"},
            "questions": {"support": {"id": "123", "choices": {"1": "456"}}},
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    since = (timezone.now() - timedelta(days=1)).isoformat()
    response = client.get(
        "/api/v1/conversations/export",
        {"format": "ndjson", "updated_since": since, "mapping": "van"},
    )
    lines = [
        json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()
    ]
    assert [line["conversation_id"] for line in lines] == [talked.pk]
    assert lines[0]["result_code"] == "CANVASSED"
    assert lines[0]["question_123"] == "456"


def test_bad_parameters_and_mappings_are_400s(data_staff, talks):
    client = key_client(data_staff, ["read", "write", "export"])
    assert client.get("/api/v1/conversations/export", {"updated_since": "soon"}).status_code == 400
    assert client.get("/api/v1/conversations/export", {"mapping": "nope"}).status_code == 400
    assert client.get("/api/v1/conversations/export", {"format": "xml"}).status_code in (400, 404)
    bad = client.post(
        "/api/v1/result-code-mappings/",
        {"name": "X", "outcomes": {"danced": "D"}, "questions": {"nope": {"id": "1"}}},
        format="json",
    )
    assert bad.status_code == 400
    assert not ResultCodeMapping.objects.exists()


def test_only_data_staff_and_admins_export(organizer, talks):
    from tests.api_helpers import session_client

    assert session_client(organizer).get("/api/v1/conversations/export").status_code == 403
    assert key_client(organizer, ["read"]).get("/api/v1/conversations/export").status_code == 403

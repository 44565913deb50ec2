"""Erasure on request (issue 17, item 2): a person with a rich history, each field carrying a
unique token, is erased; then every text and JSON column of every table, the export and mail
folders and the logs are scanned for those tokens: zero hits. Who may erase, the typed name,
the tombstone, the counts that stay, and the suppression list that stops them coming back."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from conversations.models import Conversation, FollowUp, Suggestion, SurveyQuestion
from conversations.services import conversation_log, followup_create, note_create, note_update
from organizing.models import AuditEvent, Webhook
from organizing.services import audit_record
from supporters.erasure import ERASURE_STEPS, supporter_erase, suppression_check
from supporters.exporting import export_job_path, export_job_run
from supporters.models import (
    DuplicateCandidate,
    Erasure,
    HistoryEvent,
    Supporter,
    Suppression,
)
from supporters.services import (
    consent_set,
    contact_points_add,
    export_job_create,
    external_id_set,
    relationship_create,
    segment_create,
    supporter_create,
)
from tests.api_helpers import error_of, key_for
from tests.factories import SupporterFactory
from tests.mfa_helpers import force_login_with_mfa

# One unique word per field; none of them may be found anywhere after the erasure.
TOKENS = {
    "given": "Zorvandel",
    "family": "Quillfeather",
    "preferred": "Bramblewick",
    "email": "zorvandel.q@earshot-erasure.test",
    "email2": "bramble.second@earshot-erasure.test",
    "phone": "(512) 555-0187",
    "street": "77 Thistlecombe Lane",
    "unit": "Apt Mossgrovey",
    "external": "VAN-88127344",
    "custom": "Larkspirewood",
    "relationship": "Met at Ombrellinefair",
    "consent": "Fenwhistlequiet asked",
    "heard": "Kestrelmoor worries about rent",
    "survey": "Tamberlynanswer",
    "note": "Gorsebrightnote keeps bees",
    "note_edit": "Wrenhollowedit corrected",
    "suggestion": "Hollisbrook",
    "followup": "Call about Pellucidane",
}
PHONE_DIGITS = "5125550187"
REASON = "Their written request"
REFERENCE = "REQ-2026-0042"


def scan(tokens) -> list[str]:
    """Every text and JSON column of every table holding one of ``tokens``."""
    hits = []
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT table_name, column_name FROM information_schema.columns
               WHERE table_schema = 'public'
                 AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY')"""
        )
        columns = cursor.fetchall()
        assert len(columns) > 100  # the whole schema, not a handful
        for table, column in columns:
            for token in tokens:
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',
                    [f"%{token}%"],
                )
                if cursor.fetchone()[0]:
                    hits.append(f"{table}.{column}: {token}")
    return hits


def files_holding(folder: Path, tokens) -> list[str]:
    hits = []
    for path in folder.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace").lower()
            hits += [f"{path.name}: {t}" for t in tokens if t.lower() in text]
    return hits


@pytest.fixture
def folders(settings, tmp_path):
    settings.EXPORT_DIR = tmp_path / "exports"
    settings.EMAIL_BACKEND = "organizing.private_files.PrivateFileEmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    return tmp_path


def admin_client(admin) -> APIClient:
    client = APIClient()
    force_login_with_mfa(client, admin)
    return client


@pytest.fixture
def rich_person(folders, eastside, volunteer, organizer, admin, data_staff):
    """Zorvandel Quillfeather, with every kind of row Earshot keeps about a person."""
    Webhook.objects.create(
        url="http://127.0.0.1:9/hook",
        events=["supporter.created", "supporter.updated", "followup.created"],
        created_by=admin,
    )
    api = admin_client(admin)
    created = api.post(
        "/api/v1/supporters/",
        {
            "given_name": TOKENS["given"],
            "family_name": TOKENS["family"],
            "preferred_name": TOKENS["preferred"],
            "team": eastside.pk,
            "email": TOKENS["email"],
            "phone": TOKENS["phone"],
            "address": {"line1": TOKENS["street"], "line2": TOKENS["unit"], "city": "Austin"},
            "custom_fields": {"nickname": TOKENS["custom"]},
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="make-zorvandel",
    )
    assert created.status_code == 201, created.content
    person = Supporter.objects.get(pk=created.json()["id"])
    # Read through the API and the brief: audit entries naming them.
    assert api.get(f"/api/v1/supporters/{person.pk}/").status_code == 200
    assert api.get(reverse("conversations:brief", args=[person.pk])).status_code == 200
    audit_record(actor=admin, action="supporter.search", q=f"{TOKENS['given']} {TOKENS['family']}")
    contact_points_add(actor=admin, supporter=person, emails=[TOKENS["email2"]])
    external_id_set(actor=admin, supporter=person, system="van", value=TOKENS["external"])
    relationship_create(
        actor=organizer,
        supporter=person,
        kind="friend",
        known_by=volunteer,
        note=TOKENS["relationship"],
    )
    cousin = SupporterFactory(team=eastside, given_name="Cousin", family_name="Other")
    relationship_create(actor=admin, supporter=cousin, kind="family", other_supporter=person)
    consent_set(actor=admin, supporter=person, channel="text", reason=TOKENS["consent"])
    question = SurveyQuestion.objects.create(slug="story", prompt="Story", kind="text")
    conversation, _ = conversation_log(
        actor=volunteer,
        supporter=person,
        client_uuid=uuid.uuid4(),
        channel="door",
        outcome="talked",
        heard=TOKENS["heard"],
        heard_is_sensitive=False,  # plain, so the scan before the erasure can see it
        answers={question: TOKENS["survey"]},
    )
    note = note_create(actor=organizer, supporter=person, body=TOKENS["note"], kind="remember")
    note_update(
        note=note, actor=organizer, body=TOKENS["note_edit"], kind="sensitive", is_pinned=False
    )
    Suggestion.objects.create(
        supporter=person,
        conversation=conversation,
        category="other",
        text=TOKENS["suggestion"],
        evidence=TOKENS["heard"],
        enricher="test",
    )
    followup_create(
        actor=organizer,
        supporter=person,
        assignee=volunteer,
        due_at=timezone.now() - timedelta(hours=1),
        reason=TOKENS["followup"],
    )
    from conversations.notifications import followup_notify_due

    assert followup_notify_due() >= 1  # a mail file naming them
    other = SupporterFactory(team=eastside, given_name="Zed", family_name="Other")
    low, high = sorted([person.pk, other.pk])
    DuplicateCandidate.objects.create(
        first_id=low, second_id=high, score=80, reasons=[f"email {TOKENS['email']}"], enricher="t"
    )
    segment = segment_create(
        actor=data_staff,
        name="Mine",
        description=f"Call {TOKENS['preferred']} {TOKENS['family']} first",
        filter={},
    )
    job = export_job_create(actor=data_staff, segment=segment, format="csv")
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert TOKENS["family"] in export_job_path(job).read_text()
    # The scan finds them everywhere before the erasure (it is not blind).
    before = scan(TOKENS.values())
    assert any(hit.startswith("organizing_auditevent.object_repr") for hit in before)
    assert any(hit.startswith("organizing_webhookdelivery.payload") for hit in before)
    assert any(hit.startswith("organizing_idempotencyrecord.response_body") for hit in before)
    assert any(hit.startswith("conversations_conversation.heard") for hit in before)
    assert files_holding(folders / "mail", [TOKENS["family"]])
    return person


def test_erasure_leaves_no_trace_of_the_person_anywhere(rich_person, admin, folders, caplog):
    caplog.set_level(logging.DEBUG)
    conversations_before = Conversation.objects.count()
    followups_before = FollowUp.objects.count()
    response = admin_client(admin).post(
        f"/api/v1/supporters/{rich_person.pk}/erase/",
        {
            "confirm_name": f"{TOKENS['preferred']} {TOKENS['family']}",
            "reason": REASON,
            "request_reference": REFERENCE,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["supporter_id"] == rich_person.pk and body["reason"] == REASON
    assert body["counts"]["emails"] == 2 and body["counts"]["notes"] == 1

    assert scan(TOKENS.values()) == []
    assert scan([PHONE_DIGITS, "5125550187"]) == []
    assert files_holding(folders / "exports", TOKENS.values()) == []
    assert files_holding(folders / "mail", TOKENS.values()) == []
    assert not [t for t in TOKENS.values() if t in caplog.text]
    # The tombstone, and the counts that must still add up.
    erasure = Erasure.objects.get(supporter=rich_person)
    assert (erasure.erased_by, erasure.request_reference) == (admin, REFERENCE)
    assert Conversation.objects.count() == conversations_before
    assert FollowUp.objects.count() == followups_before
    assert set(
        Conversation.objects.filter(supporter=rich_person).values_list("heard", flat=True)
    ) == {""}
    assert Suppression.objects.filter(erasure=erasure).count() >= 3  # 2 emails, a phone
    # Audited, naming only the record's id.
    entry = AuditEvent.objects.get(action="supporter.erase")
    assert entry.actor == admin and entry.details["request_reference"] == REFERENCE
    # Nobody sees the tombstone.
    assert admin_client(admin).get(f"/api/v1/supporters/{rich_person.pk}/").status_code == 404


def test_an_erased_person_is_not_added_again_by_any_way_in(rich_person, admin, eastside, organizer):
    supporter_erase(
        actor=admin,
        supporter=rich_person,
        confirm_name=rich_person.display_name,
        reason=REASON,
    )
    # Services (what imports and offline sync go through), with other spellings.
    with pytest.raises(ValidationError) as refused:
        supporter_create(
            actor=organizer,
            team=eastside,
            given_name="New",
            email="  ZORVANDEL.Q@earshot-erasure.test",
        )
    assert "email" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        supporter_create(actor=organizer, team=eastside, given_name="New", phone="+1 512-555-0187")
    assert "phone" in refused.value.message_dict
    # The API, with a reason.
    api = admin_client(admin)
    response = api.post(
        "/api/v1/supporters/",
        {"given_name": "Again", "team": eastside.pk, "email": TOKENS["email2"]},
        format="json",
    )
    assert response.status_code == 400
    assert "erased" in str(error_of(response)).lower()
    # OSDI signup.
    osdi = APIClient()
    osdi.credentials(HTTP_OSDI_API_TOKEN=key_for(admin, ("read", "write")))
    response = osdi.post(
        "/api/osdi/v1/people",
        {"person": {"given_name": "Again", "email_addresses": [{"address": TOKENS["email"]}]}},
        format="json",
    )
    assert response.status_code == 400, response.content
    # Adding the address to someone else is refused too.
    someone = SupporterFactory(team=eastside)
    with pytest.raises(ValidationError):
        contact_points_add(actor=admin, supporter=someone, emails=[TOKENS["email"]])
    assert not Supporter.objects.filter(given_name__in=["New", "Again"]).exists()
    # Anyone else is fine.
    suppression_check(emails=["someone.else@example.org"], phones=["512 555 0100"])


@pytest.mark.parametrize(
    "who, expected",
    [
        ("volunteer", 403),
        ("organizer", 403),
        ("data_staff", 403),
        ("other_organizer", 404),
        ("admin", 200),
    ],
)
def test_who_may_erase_and_nothing_changes_on_denial(
    request, who, expected, eastside, volunteer, organizer
):
    person = supporter_create(
        actor=organizer, team=eastside, given_name="Ruth", family_name="Keep", assign_to=volunteer
    )
    user = request.getfixturevalue(who)
    client = APIClient()
    force_login_with_mfa(client, user)
    response = client.post(
        f"/api/v1/supporters/{person.pk}/erase/",
        {"confirm_name": "Ruth Keep", "reason": REASON},
        format="json",
    )
    assert response.status_code == expected, response.content
    person.refresh_from_db()
    assert (person.erased_at is None) == (expected != 200)
    assert Erasure.objects.exists() == (expected == 200)
    page = client.get(reverse("supporters:erase", args=[person.pk]))
    assert page.status_code == (404 if expected != 403 else 403)


def test_data_staff_may_erase_when_the_setting_allows(settings, data_staff, eastside):
    settings.ERASURE_BY_DATA_STAFF = True
    person = SupporterFactory(team=eastside, given_name="Ruth", family_name="Keep")
    supporter_erase(actor=data_staff, supporter=person, confirm_name="ruth keep", reason=REASON)
    person.refresh_from_db()
    assert person.erased_at is not None and person.given_name == ""


def test_the_name_must_be_typed_and_a_reason_given(admin, eastside):
    person = SupporterFactory(team=eastside, given_name="Ruth", family_name="Keep")
    with pytest.raises(ValidationError) as refused:
        supporter_erase(actor=admin, supporter=person, confirm_name="Ruth", reason="")
    assert set(refused.value.message_dict) == {"confirm_name", "reason"}
    person.refresh_from_db()
    assert person.erased_at is None and person.given_name == "Ruth"


def test_the_page_warns_asks_for_the_name_and_erases(admin, eastside, client):
    person = SupporterFactory(team=eastside, given_name="Ruth", family_name="Keep")
    force_login_with_mfa(client, admin)
    url = reverse("supporters:erase", args=[person.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b"cannot be undone" in page.content
    wrong = client.post(url, {"confirm_name": "Ruth K", "reason": REASON})
    assert wrong.status_code == 400 and b"exactly as it is shown" in wrong.content
    assert REASON.encode() in wrong.content  # what was typed is kept
    done = client.post(url, {"confirm_name": "Ruth Keep", "reason": REASON})
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.erased_at is not None
    assert client.get(reverse("conversations:brief", args=[person.pk])).status_code == 404


def test_erasing_twice_is_refused(admin, eastside):
    person = SupporterFactory(team=eastside, given_name="Ruth", family_name="Keep")
    supporter_erase(actor=admin, supporter=person, confirm_name="Ruth Keep", reason=REASON)
    with pytest.raises(Http404):  # nobody sees the tombstone, the admin included
        supporter_erase(actor=admin, supporter=person, confirm_name="Erased", reason=REASON)
    assert Erasure.objects.count() == 1


def test_other_apps_register_their_own_step(admin, eastside):
    seen = []

    def step(*, context):
        seen.append(context.supporter.pk)
        return {"imports": 3}

    ERASURE_STEPS.append(step)
    try:
        person = SupporterFactory(team=eastside, given_name="Ruth", family_name="Keep")
        erasure = supporter_erase(
            actor=admin, supporter=person, confirm_name="Ruth Keep", reason=REASON
        )
    finally:
        ERASURE_STEPS.remove(step)
    assert seen == [person.pk] and erasure.counts["imports"] == 3


def test_the_system_actor_never_erases(eastside):
    from organizing.roles import SYSTEM

    person = SupporterFactory(team=eastside, given_name="Ruth", family_name="Keep")
    with pytest.raises(PermissionDenied):
        supporter_erase(actor=SYSTEM, supporter=person, confirm_name="Ruth Keep", reason=REASON)
    person.refresh_from_db()
    assert person.given_name == "Ruth" and not Erasure.objects.exists()


def test_other_peoples_text_that_merely_shares_a_first_name_stays(admin, eastside):
    person = supporter_create(
        actor=admin,
        team=eastside,
        given_name="Ana",
        family_name="Erasable",
        email="ana.erasable@example.org",
        custom_fields={"shift": "night"},
    )
    other = supporter_create(actor=admin, team=eastside, given_name="Ana", family_name="Stays")
    line = HistoryEvent.objects.create(
        supporter=other, kind="note", at=timezone.now(), summary="Ana works the night shift"
    )
    named = HistoryEvent.objects.create(
        supporter=other, kind="note", at=timezone.now(), summary="Cousin of Ana Erasable"
    )
    supporter_erase(actor=admin, supporter=person, confirm_name="Ana Erasable", reason=REASON)
    line.refresh_from_db()
    named.refresh_from_db()
    assert line.summary == "Ana works the night shift"
    assert named.summary == "Cousin of [erased]"
    other.refresh_from_db()
    assert other.given_name == "Ana" and other.erased_at is None

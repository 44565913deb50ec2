"""An audit trail people can read (issue 17, item 4): the page, its CSV and the API for
admins and data staff; the reads that now leave an entry; who opened a person lately."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from organizing.models import AuditEvent
from organizing.services import audit_record
from tests.api_helpers import error_of, key_for
from tests.mfa_helpers import force_login_with_mfa


def signed_in(client, user):
    force_login_with_mfa(client, user)
    return client


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(user, ('read', 'write'))}")
    return client


@pytest.mark.parametrize(
    "who, status",
    [
        ("alice", 403),
        ("olivia", 403),
        ("charlie", 403),
        ("priya", 200),
        ("ada", 200),
    ],
)
def test_who_may_read_the_audit_trail_page_and_api(client, maria_case, who, status):
    user = maria_case.cast[who]
    before = AuditEvent.objects.filter(action="audit.list").count()
    page = signed_in(client, user).get(reverse("audit:list"))
    assert page.status_code == status
    response = api_for(user).get("/api/v1/audit/")
    assert response.status_code == status
    # Reading it is audited; a refusal writes nothing.
    after = AuditEvent.objects.filter(action="audit.list").count()
    assert after - before == (2 if status == 200 else 0)


def test_the_page_filters_by_supporter_and_names_whom_lists_showed(client, maria_case):
    maria, ada = maria_case.maria, maria_case.cast["ada"]
    olivia = maria_case.cast["olivia"]
    signed_in(client, olivia).get(reverse("conversations:brief", args=[maria.pk]))
    signed_in(client, olivia).get(reverse("supporters:list"))
    audit_record(actor=olivia, action="supporter.view", obj=maria_case.duplicate)
    page = signed_in(client, ada).get(reverse("audit:list"), {"supporter": maria.pk})
    assert page.status_code == 200
    events = page.context["events"]
    actions = {event.action for event in events}
    assert {"supporter.brief_viewed", "supporter.list"} <= actions
    # The duplicate's entry is about someone else.
    assert all(event.object_id in ("", str(maria.pk)) for event in events if event.object_type_id)


def test_bad_filters_are_a_400_naming_the_field(client, maria_case):
    ada = maria_case.cast["ada"]
    page = signed_in(client, ada).get(
        reverse("audit:list"), {"since": "2026-11-05", "until": "2026-11-01"}
    )
    assert page.status_code == 400 and "until" in page.context["form"].errors
    response = api_for(ada).get("/api/v1/audit/", {"supporter": "x"})
    assert response.status_code == 400
    assert "supporter" in error_of(response)["fields"]


def test_the_csv_download_neutralises_formulas(client, maria_case):
    ada = maria_case.cast["ada"]
    maria_case.maria.given_name = '=HYPERLINK("http://evil.example","y")'
    audit_record(actor=ada, action="supporter.view", obj=maria_case.maria)
    response = signed_in(client, ada).get(reverse("audit:list"), {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    reprs = [row["object_repr"] for row in rows if "HYPERLINK" in row["object_repr"]]
    assert reprs and all(value.startswith("'=") for value in reprs)


def test_api_filters_by_action_kind_and_supporter(maria_case):
    ada, maria = maria_case.cast["ada"], maria_case.maria
    audit_record(actor=ada, action="supporter.view", obj=maria)
    audit_record(actor=ada, action="segment.count", count=3)
    response = api_for(ada).get("/api/v1/audit/", {"action": "supporter.", "supporter": maria.pk})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert rows and all(row["action"].startswith("supporter.") for row in rows)
    assert {row["object_id"] for row in rows if row["object_type"] == "supporter"} == {
        str(maria.pk)
    }


def reads_after(action: str, call) -> list[AuditEvent]:
    before = set(AuditEvent.objects.filter(action=action).values_list("pk", flat=True))
    call()
    return list(AuditEvent.objects.filter(action=action).exclude(pk__in=before))


@pytest.mark.parametrize(
    "path, action",
    [
        ("/api/v1/conversations/", "conversation.list"),
        ("/api/v1/notes/", "note.list"),
        ("/api/v1/followups/", "followup.list"),
        ("/api/v1/suggestions/", "suggestion.list"),
        ("/api/v1/relationships/", "relationship.list"),
    ],
)
def test_api_reads_of_rows_about_people_leave_one_entry_naming_them(maria_case, path, action):
    olivia, maria = maria_case.cast["olivia"], maria_case.maria
    client = api_for(olivia)
    entries = reads_after(action, lambda: client.get(path))
    assert len(entries) == 1
    assert maria.pk in entries[0].details["supporter_ids"]
    assert entries[0].actor == olivia


def test_api_single_reads_are_audited(maria_case):
    olivia = maria_case.cast["olivia"]
    client = api_for(olivia)
    pk = maria_case.conversation.pk
    entries = reads_after("conversation.view", lambda: client.get(f"/api/v1/conversations/{pk}/"))
    assert len(entries) == 1 and entries[0].details["ids"] == [pk]


def test_pages_lists_searches_and_segment_counts_are_audited(client, maria_case):
    olivia, priya, maria = maria_case.cast["olivia"], maria_case.cast["priya"], maria_case.maria
    signed_in(client, olivia)
    listed = reads_after("supporter.list", lambda: client.get(reverse("supporters:list")))
    assert len(listed) == 1 and maria.pk in listed[0].details["ids"]
    searched = reads_after(
        "supporter.search", lambda: client.get(reverse("supporters:search"), {"q": "Lopez"})
    )
    assert len(searched) == 1 and maria.pk in searched[0].details["ids"]
    assert "Lopez" not in str(searched[0].details)  # whom it showed, not the words typed
    api = api_for(priya)
    previewed = reads_after(
        "segment.preview",
        lambda: api.post("/api/v1/segments/preview/", {"filter": {}}, format="json"),
    )
    assert len(previewed) == 1 and previewed[0].details["count"] >= 2


def test_osdi_taggings_and_list_items_are_audited(maria_case):
    from supporters.models import Tag
    from supporters.services import segment_create, tag_add

    ada, maria = maria_case.cast["ada"], maria_case.maria
    tag = Tag.objects.create(name="Tenant")
    tag_add(actor=ada, supporter=maria, tag=tag)
    segment = segment_create(actor=ada, name="All", filter={})
    client = APIClient()
    client.credentials(HTTP_OSDI_API_TOKEN=key_for(ada, ("read",)))
    tagged = reads_after("tagging.list", lambda: client.get(f"/api/osdi/v1/tags/{tag.pk}/taggings"))
    assert len(tagged) == 1 and tagged[0].details["supporter_ids"] == [maria.pk]
    items = reads_after(
        "segment.items", lambda: client.get(f"/api/osdi/v1/lists/{segment.pk}/items")
    )
    assert len(items) == 1 and maria.pk in items[0].details["supporter_ids"]


def test_the_brief_shows_organizers_who_opened_it_lately(client, maria_case):
    maria = maria_case.maria
    alice, olivia = maria_case.cast["alice"], maria_case.cast["olivia"]
    signed_in(client, alice).get(reverse("conversations:brief", args=[maria.pk]))
    page = signed_in(client, olivia).get(reverse("conversations:brief", args=[maria.pk]))
    names = [reader.name for reader in page.context["recent_readers"]]
    assert names == ["Alice Volunteer"]
    assert b"Opened lately" in page.content
    # Alice (a volunteer) is not shown who reads about the people she visits.
    page = signed_in(client, alice).get(reverse("conversations:brief", args=[maria.pk]))
    assert page.context["recent_readers"] == [] and b"Opened lately" not in page.content

"""Segments over the API, streaming exports and export jobs."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from organizing.models import AuditEvent
from organizing.roles import SYSTEM
from supporters.exporting import EXPORT_COLUMN_NAMES, export_job_run, export_jobs_expire
from supporters.models import DoNotContact, ExportJob, Segment
from supporters.services import supporter_create
from tests.api_helpers import error_of, key_client, session_client
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db

ROLES = ["volunteer", "organizer", "other_organizer", "data_staff", "admin"]


@pytest.fixture
def segment(organizer):
    return Segment.objects.create(
        name="Spanish speakers", filter={"language": "es"}, created_by=organizer
    )


@pytest.fixture
def rows(eastside, westside):
    maria = supporter_create(
        actor=SYSTEM,
        team=eastside,
        given_name="Maria",
        family_name='Lopez, "La Jefa"',
        language="es",
        email="maria@example.org",
        phone="512 555 0142",
        address={"line1": "1 Elm", "city": "Austin", "state": "TX", "postal_code": "78701"},
    )
    DoNotContact.objects.create(supporter=maria, channel="text")
    SupporterFactory(team=westside, given_name="Jose", language="es")
    SupporterFactory(team=eastside, given_name="Ed", language="en")
    return maria


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


# --- segments CRUD ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,allowed",
    [
        ("volunteer", False),
        ("organizer", True),
        ("other_organizer", True),
        ("data_staff", True),
        ("admin", True),
    ],
)
def test_who_may_save_segments(request, role, allowed):
    client = key_client(request.getfixturevalue(role), ["read", "write"])
    response = client.post(
        reverse("api:segment-list"), {"name": "S", "filter": {"language": "es"}}, format="json"
    )
    assert response.status_code == (201 if allowed else 403)
    assert Segment.objects.exists() == allowed


@pytest.mark.parametrize(
    "role,allowed",
    [
        ("volunteer", False),
        ("organizer", True),
        ("other_organizer", False),
        ("data_staff", True),
        ("admin", True),
    ],
)
def test_only_the_maker_data_staff_and_admins_change_or_delete(request, role, allowed, segment):
    client = key_client(request.getfixturevalue(role), ["read", "write"])
    response = client.patch(
        reverse("api:segment-detail", args=[segment.pk]), {"name": "New"}, format="json"
    )
    assert response.status_code == (200 if allowed else 403)
    segment.refresh_from_db()
    assert (segment.name == "New") == allowed
    response = client.delete(reverse("api:segment-detail", args=[segment.pk]))
    assert response.status_code == (204 if allowed else 403)
    assert Segment.objects.filter(pk=segment.pk).exists() != allowed


def test_bad_filter_error_points_at_the_wrong_part(organizer):
    response = key_client(organizer, ["read", "write"]).post(
        reverse("api:segment-list"),
        {"name": "S", "filter": {"and": [{"language": "es"}, {"tags": {"any": []}}]}},
        format="json",
    )
    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["filter.and[1].tags.any"]
    assert not Segment.objects.exists()


def test_count_and_preview_use_the_viewers_visibility(organizer, data_staff, segment, rows):
    url = reverse("api:segment-count", args=[segment.pk])
    assert key_client(organizer).get(url).json() == {"count": 1}
    assert key_client(data_staff).get(url).json() == {"count": 2}
    # Preview is a POST that writes nothing, so a read-only key may use it.
    preview = key_client(data_staff, ["read"]).post(
        reverse("api:segment-preview"), {"filter": {"language": "en"}}, format="json"
    )
    assert preview.json() == {"count": 1}


def test_export_columns_are_documented(data_staff):
    columns = key_client(data_staff).get(reverse("api:segment-export-columns")).json()
    assert [column["name"] for column in columns] == EXPORT_COLUMN_NAMES
    assert all(column["description"] for column in columns)


# --- streaming export ------------------------------------------------------------------------


# Keys with the export scope exist only for data staff and admins (api_key_create refuses).
EXPORT_CASES = [(role, ["read"]) for role in ROLES] + [
    ("data_staff", ["read", "export"]),
    ("admin", ["read", "export"]),
]


@pytest.mark.parametrize("role,scopes", EXPORT_CASES)
def test_export_only_for_data_staff_and_admins_with_export_scope(
    request, role, scopes, segment, rows
):
    user = request.getfixturevalue(role)
    client = key_client(user, scopes)
    response = client.get(reverse("api:segment-export", args=[segment.pk]), {"format": "csv"})
    allowed = role in {"data_staff", "admin"} and "export" in scopes
    assert response.status_code == (200 if allowed else 403)
    exported = AuditEvent.objects.filter(action="segment.export").exists()
    assert exported == allowed


def test_session_export_needs_the_role_only(data_staff, volunteer, segment, rows):
    assert (
        session_client(data_staff).get(reverse("api:segment-export", args=[segment.pk])).status_code
        == 200
    )
    assert (
        session_client(volunteer).get(reverse("api:segment-export", args=[segment.pk])).status_code
        == 403
    )


def test_csv_export_streams_the_documented_columns_with_consent(data_staff, segment, rows):
    response = key_client(data_staff, ["read", "export"]).get(
        f"/api/v1/segments/{segment.pk}/export", {"format": "csv"}
    )
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(body_of(response).decode())))
    assert list(table[0]) == EXPORT_COLUMN_NAMES
    assert sorted(row["given_name"] for row in table) == ["Jose", "Maria"]
    maria = next(row for row in table if row["given_name"] == "Maria")
    assert maria["family_name"] == 'Lopez, "La Jefa"'
    assert maria["email"] == "maria@example.org" and maria["zip"] == "78701"
    assert maria["do_not_text"] == "true" and maria["do_not_call"] == "false"


def test_ndjson_export_has_one_object_per_line(data_staff, segment, rows):
    response = key_client(data_staff, ["read", "export"]).get(
        reverse("api:segment-export", args=[segment.pk]), {"format": "ndjson"}
    )
    lines = body_of(response).decode().splitlines()
    objects = [json.loads(line) for line in lines]
    assert len(objects) == 2
    assert list(objects[0]) == EXPORT_COLUMN_NAMES
    maria = next(row for row in objects if row["given_name"] == "Maria")
    assert maria["do_not_text"] is True


def test_unknown_export_format_is_a_400(data_staff, segment):
    response = key_client(data_staff, ["read", "export"]).get(
        reverse("api:segment-export", args=[segment.pk]), {"format": "xlsx"}
    )
    assert response.status_code == 400
    assert "format" in error_of(response)["fields"]


def test_export_of_a_large_segment_comes_in_chunks(data_staff, eastside, monkeypatch):
    from supporters import exporting

    monkeypatch.setattr(exporting, "CHUNK_BYTES", 512)
    SupporterFactory.create_batch(60, team=eastside)
    segment = Segment.objects.create(name="All", filter={})
    response = key_client(data_staff, ["read", "export"]).get(
        reverse("api:segment-export", args=[segment.pk])
    )
    chunks = list(response.streaming_content)
    assert len(chunks) > 3
    assert b"".join(chunks).count(b"\n") == 61


# --- export jobs -----------------------------------------------------------------------------


@pytest.fixture
def export_dir(settings, tmp_path):
    settings.EXPORT_DIR = tmp_path
    return tmp_path


def test_export_job_runs_once_and_its_file_downloads(
    data_staff, segment, rows, export_dir, django_capture_on_commit_callbacks
):
    client = key_client(data_staff, ["read", "write", "export"])
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("api:export-list"), {"segment": segment.pk}, format="json")
    assert response.status_code == 202
    assert len(callbacks) == 1  # the task is enqueued after commit
    job_id = response.json()["id"]
    assert export_job_run(job_id=job_id) is True
    assert export_job_run(job_id=job_id) is False  # runs twice, acts once
    job = client.get(reverse("api:export-detail", args=[job_id])).json()
    assert job["status"] == "done" and job["rows_written"] == job["total_rows"] == 2
    assert job["download_url"].endswith(f"/api/v1/exports/{job_id}/download/")
    download = client.get(job["download_url"])
    assert download.status_code == 200
    text = b"".join(download.streaming_content).decode()
    assert text.splitlines()[0] == ",".join(EXPORT_COLUMN_NAMES)
    assert len(list(export_dir.iterdir())) == 1


def test_expired_export_files_are_deleted_and_links_answer_410(
    data_staff, segment, rows, export_dir
):
    client = key_client(data_staff, ["read", "write", "export"])
    job_id = client.post(reverse("api:export-list"), {"segment": segment.pk}, format="json").json()[
        "id"
    ]
    export_job_run(job_id=job_id)
    ExportJob.objects.filter(pk=job_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("api:export-download", args=[job_id])).status_code == 410
    assert export_jobs_expire() == 1
    assert export_jobs_expire() == 0
    assert list(export_dir.iterdir()) == []
    assert ExportJob.objects.get(pk=job_id).status == "expired"


def test_download_before_done_is_a_409(data_staff, segment, export_dir):
    client = key_client(data_staff, ["read", "write", "export"])
    job_id = client.post(reverse("api:export-list"), {"segment": segment.pk}, format="json").json()[
        "id"
    ]
    assert client.get(reverse("api:export-download", args=[job_id])).status_code == 409


@pytest.mark.parametrize("role", ["volunteer", "organizer", "other_organizer"])
def test_export_jobs_are_refused_to_other_roles_and_nothing_is_queued(request, role, segment):
    client = key_client(request.getfixturevalue(role), ["read", "write"])
    response = client.post(reverse("api:export-list"), {"segment": segment.pk}, format="json")
    assert response.status_code == 403
    assert client.get(reverse("api:export-list")).status_code == 403
    assert not ExportJob.objects.exists()


def test_export_jobs_need_the_export_scope(data_staff, segment):
    response = key_client(data_staff, ["read", "write"]).post(
        reverse("api:export-list"), {"segment": segment.pk}, format="json"
    )
    assert response.status_code == 403
    assert not ExportJob.objects.exists()


def test_others_export_jobs_are_404(data_staff, admin, segment, rows, export_dir):
    job_id = (
        key_client(data_staff, ["read", "write", "export"])
        .post(reverse("api:export-list"), {"segment": segment.pk}, format="json")
        .json()["id"]
    )
    export_job_run(job_id=job_id)
    other = key_client(admin, ["read", "export"])
    assert other.get(reverse("api:export-detail", args=[job_id])).status_code == 404
    assert other.get(reverse("api:export-download", args=[job_id])).status_code == 404


def test_sweep_requeues_lost_jobs_once(data_staff, segment, rows, export_dir):
    from supporters.exporting import export_jobs_requeue_stale

    job = ExportJob.objects.create(segment=segment, requested_by=data_staff)
    assert export_jobs_requeue_stale() == []  # freshly queued: its own task will run it
    later = timezone.now() + timedelta(minutes=3)
    assert export_jobs_requeue_stale(now=later) == [job.pk]
    assert export_job_run(job_id=job.pk) is True
    assert export_jobs_requeue_stale(now=later + timedelta(hours=1)) == []


def test_export_key_stops_exporting_when_its_user_loses_the_role(data_staff, segment, rows):
    from organizing.models import Membership

    client = key_client(data_staff, ["read", "export"])
    url = reverse("api:segment-export", args=[segment.pk])
    assert client.get(url).status_code == 200
    Membership.objects.filter(user=data_staff).update(role=Membership.Role.VOLUNTEER)
    assert client.get(url).status_code == 403


def test_ndjson_and_csv_keep_awkward_text_exact(data_staff, eastside):
    awkward = 'Back\\slash "quoted"\nnew line, comma \x01\x02 ünïcødé'
    supporter_create(actor=SYSTEM, team=eastside, given_name="Zoë", family_name=awkward)
    segment = Segment.objects.create(name="All", filter={})
    client = key_client(data_staff, ["read", "export"])
    url = reverse("api:segment-export", args=[segment.pk])
    lines = body_of(client.get(url, {"format": "ndjson"})).decode().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["family_name"] == awkward
    table = list(csv.DictReader(io.StringIO(body_of(client.get(url)).decode())))
    assert table[0]["family_name"] == awkward and table[0]["given_name"] == "Zoë"


# --- the access model (issue 10): regressions -------------------------------------------------


def test_item_9_a_segment_by_engagement_level_finds_and_exports_the_computed_level(
    data_staff, eastside
):
    from tests.factories import enriched_active_volunteer

    person = enriched_active_volunteer(eastside, given_name="Rosa")
    SupporterFactory(team=eastside, given_name="Newcomer")
    segment = Segment.objects.create(name="Active", filter={"engagement_level": {"gte": 4}})
    client = key_client(data_staff, ["read", "export"])
    assert client.get(reverse("api:segment-count", args=[segment.pk])).json() == {"count": 1}
    response = client.get(f"/api/v1/segments/{segment.pk}/export", {"format": "ndjson"})
    (row,) = [json.loads(line) for line in body_of(response).decode().splitlines()]
    assert (row["id"], row["given_name"], row["engagement_level"]) == (person.pk, "Rosa", 4)


def test_exports_carry_no_note_or_heard_text_even_for_those_who_may_read_it(
    data_staff, maria_case, export_dir
):
    from tests.conftest import SECRETS

    segment = Segment.objects.create(name="Everyone", filter={})
    client = key_client(data_staff, ["read", "write", "export"])
    for export_format in ("csv", "ndjson"):
        body = body_of(
            client.get(f"/api/v1/segments/{segment.pk}/export", {"format": export_format})
        ).decode()
        assert "Maria" in body
        assert [secret for secret in SECRETS if secret in body] == []
    response = client.post(reverse("api:export-list"), {"segment": segment.pk}, format="json")
    assert response.status_code == 202
    assert export_job_run(job_id=response.json()["id"]) is True
    job = client.get(reverse("api:export-detail", args=[response.json()["id"]])).json()
    text = b"".join(client.get(job["download_url"]).streaming_content).decode()
    assert "Maria" in text
    assert [secret for secret in SECRETS if secret in text] == []


# --- spreadsheet formulas and file modes -----------------------------------------------------

FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture
def formula_supporter(eastside):
    supporter = supporter_create(
        actor=SYSTEM,
        team=eastside,
        given_name=FORMULA,
        family_name="@SUM(1+1)",
        preferred_name="-2+3",
        language="es",
        email="plain@example.org",
        phone="+15125550142",
        address={"line1": "1 Elm", "city": "Austin", "state": "TX", "postal_code": "78701"},
    )
    # Written past the service (which trims), as an import or the admin could.
    supporter.addresses.update(line1="\t=1+1", city="\rcmd")
    return supporter


def _assert_neutralised(row: dict) -> None:
    assert row["given_name"] == "'" + FORMULA
    assert row["family_name"] == "'@SUM(1+1)"
    assert row["preferred_name"] == "'-2+3"
    assert row["address_line1"] == "'\t=1+1" and row["city"] == "'\rcmd"
    # Typed columns and a phone number that is only a phone number go out exact.
    assert row["phone"] == "+15125550142"
    assert row["email"] == "plain@example.org" and row["zip"] == "78701"
    assert row["support_level"] == "" and row["engagement_level"].isdigit()


def test_csv_export_neutralises_formulas_but_not_phones(data_staff, segment, formula_supporter):
    response = key_client(data_staff, ["read", "export"]).get(
        f"/api/v1/segments/{segment.pk}/export?format=csv"
    )
    (row,) = list(csv.DictReader(io.StringIO(body_of(response).decode(), newline="")))
    _assert_neutralised(row)


def test_ndjson_export_keeps_text_exact(data_staff, segment, formula_supporter):
    response = key_client(data_staff, ["read", "export"]).get(
        f"/api/v1/segments/{segment.pk}/export?format=ndjson"
    )
    row = json.loads(body_of(response))
    assert row["given_name"] == FORMULA and row["phone"] == "+15125550142"


def test_csv_neutralises_a_phone_that_is_not_a_phone(data_staff, segment, eastside):
    supporter_create(actor=SYSTEM, team=eastside, given_name="P", language="es", phone="=1+2")
    response = key_client(data_staff, ["read", "export"]).get(
        f"/api/v1/segments/{segment.pk}/export?format=csv"
    )
    (row,) = list(csv.DictReader(io.StringIO(body_of(response).decode(), newline="")))
    assert row["phone"] == "'=1+2"


def test_export_job_file_is_neutralised_and_owner_only(
    data_staff, segment, formula_supporter, export_dir
):
    client = key_client(data_staff, ["read", "write", "export"])
    job_id = client.post(reverse("api:export-list"), {"segment": segment.pk}, format="json").json()[
        "id"
    ]
    assert export_job_run(job_id=job_id) is True
    (path,) = list(export_dir.iterdir())
    assert path.stat().st_mode & 0o777 == 0o600
    with path.open(newline="") as file:
        (row,) = list(csv.DictReader(file))
    _assert_neutralised(row)


def test_export_folder_made_by_a_job_is_owner_only(data_staff, segment, rows, settings, tmp_path):
    settings.EXPORT_DIR = tmp_path / "fresh" / "exports"
    job = ExportJob.objects.create(segment=segment, requested_by=data_staff, format="csv")
    assert export_job_run(job_id=job.pk) is True
    assert settings.EXPORT_DIR.stat().st_mode & 0o777 == 0o700

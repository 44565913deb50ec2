"""Imports: reading what people bring, mapping guesses, matching, scope, commit rules, undo."""

from __future__ import annotations

import codecs
import io
import os
import stat

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from supporters.importing.commit import import_commit_chunk
from supporters.importing.files import import_errors_csv, import_outcomes_csv
from supporters.importing.mapping import guess_mapping
from supporters.importing.models import Import, ImportMapping, ImportRow
from supporters.importing.reading import read_file
from supporters.importing.services import (
    import_commit,
    import_dry_run,
    import_mapping_set,
    import_undo,
    import_upload,
)
from supporters.models import (
    DoNotContact,
    DuplicateCandidate,
    ExternalId,
    HistoryEvent,
    Supporter,
    SupporterAddress,
    SupporterEmail,
    SupporterPhone,
)
from supporters.selectors import duplicate_list
from supporters.services import supporter_create, tag_add
from tests.api_helpers import session_client

pytestmark = pytest.mark.django_db

HEADER = "First Name,Last Name,Email Address,Cell Phone,Zip5,tag_list,VANID"


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"


def _upload(actor, team, text: str | bytes, name="people.csv", **kwargs) -> Import:
    data = text.encode() if isinstance(text, str) else text
    return import_upload(actor=actor, team=team, file_name=name, data=data, **kwargs)


def _run(job: Import) -> Import:
    for _ in range(1000):
        if not import_commit_chunk(import_id=job.pk):
            break
    job.refresh_from_db()
    return job


def _commit(actor, job) -> Import:
    import_dry_run(actor=actor, job=job)
    import_commit(actor=actor, job=job)
    return _run(job)


# --- reading -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "Name,Email\nMaría,m@example.org\n".encode(),
        codecs.BOM_UTF8 + "Name,Email\nMaría,m@example.org\n".encode(),
        "Name,Email\nMaría,m@example.org\n".encode("cp1252"),
        "Name,Email\nMaría,m@example.org\n".encode("latin-1"),
        "Name,Email\nMaría,m@example.org\n".encode("utf-16"),
        "Name;Email\r\nMaría;m@example.org\r\n".encode("cp1252"),
        "Name\tEmail\nMaría\tm@example.org\n".encode(),
    ],
    ids=["utf8", "utf8-bom", "cp1252", "latin1", "utf16", "semicolon-cp1252", "tab"],
)
def test_reads_every_encoding_and_delimiter_excel_writes(data):
    parsed = read_file(data, "people.csv")
    assert parsed.headers == ["Name", "Email"]
    assert list(parsed.rows) == [["María", "m@example.org"]]


def test_quoted_newlines_trailing_empty_columns_and_duplicate_headers():
    data = b'Name,Email,Email,,\n"Maria\nDelgado",a@example.org,b@example.org,,\n'
    parsed = read_file(data, "x.csv")
    assert parsed.headers == ["Name", "Email", "Email (2)"]
    assert list(parsed.rows) == [["Maria\nDelgado", "a@example.org", "b@example.org", "", ""]]


def test_reads_xlsx_with_numbers_as_text():
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["VANID", "FirstName", "Zip5"])
    sheet.append([123456, "Maria", 60622])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = read_file(buffer.getvalue(), "roster.xlsx")
    assert parsed.file_format == "xlsx"
    assert parsed.headers == ["VANID", "FirstName", "Zip5"]
    assert list(parsed.rows) == [["123456", "Maria", "60622"]]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"First Name,Email\n", "no people"),
        (bytes(range(256)) * 50, "does not look like a text file"),
        (b"PK\x03\x04garbage", "cannot be read"),
    ],
    ids=["empty", "header-only", "binary", "broken-xlsx"],
)
def test_file_level_errors_are_clear_and_store_nothing(organizer, eastside, data, message):
    with pytest.raises(ValidationError) as caught:
        _upload(organizer, eastside, data)
    assert message in str(caught.value.message_dict["file"])
    assert not Import.objects.exists()


def test_a_file_over_the_limit_is_refused_with_the_limit(organizer, eastside, settings):
    settings.IMPORT_MAX_BYTES = 2 * 1_048_576
    with pytest.raises(ValidationError) as caught:
        _upload(organizer, eastside, b"Name\n" + b"x\n" * 1_100_000)
    assert "up to 2.0 MB" in caught.value.message_dict["file"][0]


def test_the_file_is_stored_owner_only(organizer, eastside, settings):
    job = _upload(organizer, eastside, "Name\nMaria\n")
    path = settings.IMPORT_DIR / job.stored_name
    assert path.read_bytes() == b"Name\nMaria\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(settings.IMPORT_DIR).st_mode) == 0o700


def test_row_errors_keep_the_good_rows(organizer, eastside):
    wide = ",".join(["x"] * 500)
    text = (
        "First Name,Last Name,Email,Phone\n"
        "Maria,Delgado,maria@example.org,(773) 555-0142\n"
        "Bad,Phone,bad@example.org,123\n"
        "Bad,Email,a@,\n"
        f"{wide}\n"
        "José,Delgado,jose@example.org,\n"
    )
    job = _upload(organizer, eastside, text)
    summary = import_dry_run(actor=organizer, job=job)
    assert summary["counts"] == {"new": 2, "matched": 0, "review": 0, "errors": 3}
    errors = "".join(import_errors_csv(job))
    assert "3,Phone,“123” is not a phone number." in errors
    assert "4,Email,“a@” is not an email address." in errors
    assert "500 cells" in errors
    job = _run(_queued(organizer, job))
    assert job.counts == {"created": 2, "error": 3}
    assert set(Supporter.objects.values_list("given_name", flat=True)) == {"Maria", "José"}


def _queued(actor, job):
    import_commit(actor=actor, job=job)
    return job


# --- mapping ------------------------------------------------------------------------------

VAN_HEADERS = [
    "VANID", "Voter File VANID", "LastName", "FirstName", "Address", "City", "State", "Zip5",
    "Cell Phone", "Home Phone", "Email", "Preferred Language",
]  # fmt: skip
ACTION_NETWORK_HEADERS = [
    "uuid", "first_name", "last_name", "email", "zip_code", "can2_user_address",
    "can2_user_city", "can2_state_abbreviated", "can2_phone", "can2_sms_status",
    "can2_subscription_status",
]  # fmt: skip
NATIONBUILDER_HEADERS = [
    "nationbuilder_id", "first_name", "last_name", "email", "phone_number", "mobile_number",
    "primary_address1", "primary_city", "primary_state", "primary_zip", "tag_list",
    "support_level", "do_not_call",
]  # fmt: skip


def _targets(headers):
    return [choice["target"] for choice in guess_mapping(headers).values()]


def test_guesses_van_headers():
    assert _targets(VAN_HEADERS) == [
        "external_id:van", "external_id:voter_file", "family_name", "given_name",
        "address_line1", "city", "state", "postal_code", "phone_mobile", "phone_landline",
        "email", "language",
    ]  # fmt: skip


def test_guesses_action_network_headers():
    assert _targets(ACTION_NETWORK_HEADERS) == [
        "external_id:action_network", "given_name", "family_name", "email", "postal_code",
        "address_line1", "city", "state", "phone", "dnc_text", "dnc_email",
    ]  # fmt: skip


def test_guesses_nationbuilder_headers():
    assert _targets(NATIONBUILDER_HEADERS) == [
        "external_id:nationbuilder", "given_name", "family_name", "email", "phone",
        "phone_mobile", "address_line1", "city", "state", "postal_code", "tags",
        "support_level", "dnc_call",
    ]  # fmt: skip


def test_a_saved_mapping_is_reused_for_its_source(organizer, eastside):
    job = _upload(organizer, eastside, "Member No,Given\n77,Maria\n", source="Union roster")
    assert job.mapping["Member No"]["target"] == ""
    import_mapping_set(
        actor=organizer,
        job=job,
        columns={"Member No": "external_id:other", "Given": "given_name"},
        save=True,
    )
    assert ImportMapping.objects.get(source="Union roster").columns["Member No"]["target"] == (
        "external_id:other"
    )
    again = _upload(organizer, eastside, "Member No,Given\n78,José\n", source="union roster")
    assert again.mapping["Member No"]["target"] == "external_id:other"


def test_unknown_targets_are_refused_per_header(organizer, eastside):
    job = _upload(organizer, eastside, "A,B\n1,2\n")
    with pytest.raises(ValidationError) as caught:
        import_mapping_set(actor=organizer, job=job, columns={"A": "shoe_size", "C": "email"})
    assert set(caught.value.message_dict["columns"][0]) == {"A", "C"} or "A" in str(caught.value)


# --- matching -----------------------------------------------------------------------------


@pytest.fixture
def maria(organizer, eastside):
    person = supporter_create(
        actor=organizer,
        team=eastside,
        given_name="Maria",
        family_name="Delgado",
        email="Maria.Delgado@example.org",
        phone="(773) 555-0142",
        address={"line1": "1432 N Ashland Ave", "postal_code": "60622"},
    )
    ExternalId.objects.create(supporter=person, system="van", value="1001")
    return person


@pytest.mark.parametrize(
    "row, reason",
    [
        ("Someone,Else,,,,1001", "external_id"),
        ("Maria,D,maria.delgado@EXAMPLE.org,,,", "email"),
        ("M,Delgado,,+1 773-555-0142,,", "phone"),
        ("Maria,Delgado,,,1432 N. Ashland Ave,", "name_address"),
    ],
)
def test_matches_by_each_key_in_order(organizer, eastside, maria, row, reason):
    text = f"First Name,Last Name,Email,Phone,Address,VANID\n{row},\n"
    text = text.replace(",,\n", ",\n") if row.endswith(",") else text
    job = _upload(organizer, eastside, "First Name,Last Name,Email,Phone,Address,VANID,Zip\n"
                  + row + ",60622\n")  # fmt: skip
    summary = import_dry_run(actor=organizer, job=job)
    assert summary["counts"]["matched"] == 1, summary
    assert summary["matched_by"] == {reason: 1}


def test_a_near_name_at_the_same_zip_goes_to_review_never_merged(organizer, eastside, maria):
    job = _upload(organizer, eastside, "First Name,Last Name,Zip\nMaría,Delgada,60622\n")
    summary = import_dry_run(actor=organizer, job=job)
    assert summary["counts"] == {"new": 0, "matched": 0, "review": 1, "errors": 0}
    job = _run(_queued(organizer, job))
    assert job.counts == {"review": 1}
    assert Supporter.objects.count() == 2
    pair = DuplicateCandidate.objects.get()
    assert maria.pk in (pair.first_id, pair.second_id)
    maria.refresh_from_db()
    assert maria.family_name == "Delgado"


def test_matching_uses_stored_values_not_yet_enriched(organizer, eastside, maria):
    assert SupporterPhone.objects.get(supporter=maria).e164 == ""  # the worker never ran
    job = _upload(organizer, eastside, "Phone\n773.555.0142\n")
    assert import_dry_run(actor=organizer, job=job)["matched_by"] == {"phone": 1}


# --- scope --------------------------------------------------------------------------------


def test_an_organizers_import_never_reveals_or_edits_another_teams_person(
    other_organizer, westside, maria, data_staff
):
    text = "First Name,Last Name,Email,VANID\nMaria,Delgado-Ruiz,maria.delgado@example.org,1001\n"
    job = _upload(other_organizer, westside, text)
    summary = import_dry_run(actor=other_organizer, job=job)
    assert summary["counts"] == {"new": 1, "matched": 0, "review": 0, "errors": 0}
    assert "Delgado-Ruiz" in str(summary["samples"]["new"])
    job = _run(_queued(other_organizer, job))
    maria.refresh_from_db()
    assert maria.family_name == "Delgado"
    assert maria.team_id != westside.pk
    new = Supporter.objects.get(team=westside)
    assert job.rows.get().supporter_id == new.pk
    pair = DuplicateCandidate.objects.get()
    assert {pair.first_id, pair.second_id} == {maria.pk, new.pk}
    # Only org-wide roles review a cross-team pair.
    assert not duplicate_list(viewer=other_organizer).exists()
    assert duplicate_list(viewer=data_staff).count() == 1
    # The VAN id stays Maria's; the new person's row says why it has none.
    assert ExternalId.objects.get(system="van").supporter_id == maria.pk


def test_volunteers_import_nobody(volunteer, eastside, other_organizer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _upload(volunteer, eastside, "Name\nMaria\n")
    with pytest.raises(PermissionDenied):
        _upload(other_organizer, eastside, "Name\nMaria\n")


def test_known_by_accepts_only_members_of_the_target_team(organizer, eastside, volunteer):
    text = "First Name,Known by\nMaria,alice@example.org\nJosé,charlie@example.org\n"
    job = _upload(organizer, eastside, text)
    import_mapping_set(
        actor=organizer, job=job, columns={"First Name": "given_name", "Known by": "known_by"}
    )
    summary = import_dry_run(actor=organizer, job=job)
    assert summary["counts"]["errors"] == 1
    assert "charlie@example.org is not a member of Eastside Neighbors" in str(summary)
    job = _run(_queued(organizer, job))
    assert Supporter.objects.get(given_name="Maria").relationships.get().known_by == volunteer


# --- commit rules, history, re-upload, undo ---------------------------------------------------


def test_update_rules_fill_empty_never_overwrite_add_points_dnc_and_tags(
    organizer, eastside, maria
):
    maria.pronouns = ""
    maria.save()
    text = (
        "VANID,First Name,Last Name,Pronouns,Email,Cell Phone,tag_list,do_not_call\n"
        "1001,Mary,Delgado,she/her,second@example.org,(312) 555-0199,tenant leader,yes\n"
    )
    job = _commit(organizer, _upload(organizer, eastside, text, name="roster-2026-11.xlsx.csv"))
    assert job.counts == {"updated": 1}
    maria.refresh_from_db()
    assert maria.given_name == "Maria"  # typed, not overwritten
    assert maria.pronouns == "she/her"  # empty, filled
    assert set(maria.emails.values_list("address", flat=True)) == {
        "Maria.Delgado@example.org",
        "second@example.org",
    }
    assert maria.phones.count() == 2
    assert list(maria.tags.values_list("name", flat=True)) == ["tenant leader"]
    assert DoNotContact.objects.filter(supporter=maria, channel="call").exists()
    line = HistoryEvent.objects.filter(supporter=maria, kind=HistoryEvent.Kind.IMPORTED).get()
    assert line.summary.startswith("Imported from roster-2026-11.xlsx.csv by Olivia Organizer")
    outcomes = "".join(import_outcomes_csv(job))
    assert f"2,updated,{maria.pk},external_id,pronouns" in outcomes


def test_overwrite_in_the_mapping_replaces_a_typed_field(organizer, eastside, maria):
    job = _upload(organizer, eastside, "VANID,First Name\n1001,Mary\n")
    import_mapping_set(
        actor=organizer,
        job=job,
        columns={
            "VANID": "external_id:van",
            "First Name": {"target": "given_name", "overwrite": True},
        },
    )
    _commit(organizer, job)
    maria.refresh_from_db()
    assert maria.given_name == "Mary"


def test_do_not_contact_is_only_ever_added(organizer, eastside, maria):
    DoNotContact.objects.create(supporter=maria, channel="call")
    _commit(organizer, _upload(organizer, eastside, "VANID,do_not_call\n1001,no\n"))
    assert DoNotContact.objects.filter(supporter=maria, channel="call").exists()


def test_the_same_file_with_the_same_mapping_is_refused_with_a_link(organizer, eastside):
    first = _commit(
        organizer, _upload(organizer, eastside, "First Name,Email\nMaria,m@example.org\n")
    )
    again = _upload(organizer, eastside, "First Name,Email\nMaria,m@example.org\n")
    import_dry_run(actor=organizer, job=again)
    with pytest.raises(ValidationError) as caught:
        import_commit(actor=organizer, job=again)
    assert reverse("supporters:import-detail", args=[first.pk]) in str(caught.value)
    assert Supporter.objects.count() == 1


def test_a_person_twice_in_one_file_is_made_once(organizer, eastside):
    text = "First Name,Email\nMaria,m@example.org\nMaria,M@example.org\n"
    job = _upload(organizer, eastside, text)
    assert import_dry_run(actor=organizer, job=job)["counts"]["new"] == 1
    job = _run(_queued(organizer, job))
    assert job.counts == {"created": 1, "skipped": 1}
    assert Supporter.objects.count() == 1


def test_undo_removes_created_people_and_reverts_updates(organizer, eastside, maria):
    maria.pronouns = ""
    maria.save()
    text = "VANID,First Name,Pronouns,Email,tag_list\n1001,,she/her,new@example.org,leader\n,José,,jose@example.org,\n"
    job = _commit(organizer, _upload(organizer, eastside, text))
    assert job.counts == {"updated": 1, "created": 1}
    import_undo(actor=organizer, job=job)
    assert not Supporter.objects.filter(given_name="José").exists()
    maria.refresh_from_db()
    assert maria.pronouns == ""
    assert not SupporterEmail.objects.filter(address="new@example.org").exists()
    assert not maria.tags.exists()
    job.refresh_from_db()
    assert job.status == Import.Status.UNDONE
    assert job.rows.count() == 2  # the record stays
    assert HistoryEvent.objects.filter(supporter=maria, summary__contains="undone").exists()


def test_undo_is_refused_once_someone_touched_the_people(organizer, eastside, teammate):
    from supporters.models import Tag

    job = _commit(organizer, _upload(organizer, eastside, "First Name\nJosé\n"))
    jose = Supporter.objects.get(given_name="José")
    tag_add(actor=organizer, supporter=jose, tag=Tag.objects.create(name="met"))
    with pytest.raises(ValidationError):
        import_undo(actor=organizer, job=job)
    assert Supporter.objects.filter(pk=jose.pk).exists()


def test_error_files_neutralise_formulas(organizer, eastside):
    text = 'First Name,Email\n=HYPERLINK("http://x","y"),@evil\n'
    job = _upload(organizer, eastside, text)
    import_dry_run(actor=organizer, job=job)
    errors = "".join(import_errors_csv(job))
    assert "'“@evil” is not an email address." not in errors  # starts with “, left alone
    job.rows.update(errors=[{"column": "=cmd", "reason": "+1 bad"}])
    errors = "".join(import_errors_csv(job))
    assert "'=cmd,'+1 bad" in errors


def test_commit_chunks_at_most_the_setting_and_resume_after_the_cursor(
    organizer, eastside, settings
):
    settings.IMPORT_CHUNK_ROWS = 2
    text = "First Name\n" + "".join(f"Person{i}\n" for i in range(5))
    job = _upload(organizer, eastside, text)
    import_dry_run(actor=organizer, job=job)
    import_commit(actor=organizer, job=job)
    assert import_commit_chunk(import_id=job.pk) is True
    job.refresh_from_db()
    assert (job.cursor, job.rows_done, job.status) == (3, 2, Import.Status.RUNNING)
    assert import_commit_chunk(import_id=job.pk) is True
    assert import_commit_chunk(import_id=job.pk) is False
    assert import_commit_chunk(import_id=job.pk) is False  # done: a second call does nothing
    job.refresh_from_db()
    assert job.status == Import.Status.DONE and job.progress_percent == 100
    assert Supporter.objects.count() == 5
    assert ImportRow.objects.filter(outcome="created").count() == 5


def test_notes_column_becomes_a_note(organizer, eastside):
    from conversations.models import Note

    job = _upload(organizer, eastside, "First Name,Notes\nMaria,Son is a veteran\n")
    _commit(organizer, job)
    assert Note.objects.get().body == "Son is a veteran"


# --- page and API ------------------------------------------------------------------------


def test_the_page_and_the_api_give_the_same_counts(organizer, eastside, maria):
    text = (
        "First Name,Last Name,Email,Zip\nMaria,D,maria.delgado@example.org,\n"
        "New,Person,new@example.org,\nBad,Email,a@,\n"
    )
    client = session_client(organizer)
    page = client.post(
        reverse("supporters:import-list"),
        {"file": io.BytesIO(text.encode()), "team": eastside.pk, "source": ""},
        format="multipart",
    )
    assert page.status_code == 302, page.content
    page_job = Import.objects.get()
    mapped = client.post(
        reverse("supporters:import-mapping", args=[page_job.pk]),
        {f"target-{i}": page_job.mapping[h]["target"] for i, h in enumerate(page_job.headers)},
    )
    assert mapped.status_code == 302, mapped.content.decode()[-3000:]
    shown = client.get(reverse("supporters:import-detail", args=[page_job.pk])).content.decode()

    upload = io.BytesIO(text.encode())
    upload.name = "people.csv"
    api = client.post("/api/v1/imports/", {"file": upload, "team": eastside.pk}, format="multipart")
    assert api.status_code == 201, api.content
    counts = client.post(f"/api/v1/imports/{api.json()['id']}/dry-run/").json()["counts"]
    assert counts == {"new": 1, "matched": 1, "review": 0, "errors": 1}
    start = shown.index('id="dry-run"')
    for kind, count in counts.items():
        assert f'data-count="{kind}">{count}<' in shown, shown[start : start + 800]


def test_api_json_rows_in_chunks(organizer, eastside):
    client = session_client(organizer)
    made = client.post(
        "/api/v1/imports/",
        {"team": eastside.pk, "headers": ["First Name", "Email"]},
        format="json",
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    first = client.post(
        f"/api/v1/imports/{pk}/rows", {"rows": [["Maria", "m@example.org"]]}, format="json"
    )
    assert first.status_code == 200, first.content
    client.post(
        f"/api/v1/imports/{pk}/rows/",
        {"rows": [{"First Name": "José", "Email": "j@example.org"}]},
        format="json",
    )
    assert client.post(f"/api/v1/imports/{pk}/dry-run/").json()["counts"]["new"] == 2
    assert client.post(f"/api/v1/imports/{pk}/commit/").status_code == 202
    _run(Import.objects.get(pk=pk))
    detail = client.get(f"/api/v1/imports/{pk}/").json()
    assert (detail["status"], detail["progress_percent"], detail["counts"]) == (
        "done",
        100,
        {"created": 2},
    )


def test_api_bad_input_is_a_400_never_a_500(organizer, eastside, volunteer):
    client = session_client(organizer)
    empty = io.BytesIO(b"")
    empty.name = "e.csv"
    answer = client.post(
        "/api/v1/imports/", {"file": empty, "team": eastside.pk}, format="multipart"
    )
    assert answer.status_code == 400
    junk = io.BytesIO(bytes(range(256)) * 40)
    junk.name = "junk.csv"
    answer = client.post(
        "/api/v1/imports/", {"file": junk, "team": eastside.pk}, format="multipart"
    )
    assert answer.status_code == 400
    assert "text file" in answer.content.decode()
    refused = session_client(volunteer).post(
        "/api/v1/imports/", {"team": eastside.pk, "headers": ["A"]}, format="json"
    )
    assert refused.status_code == 403
    assert not Import.objects.exists()


def test_others_imports_are_404(organizer, other_organizer, eastside):
    job = _upload(organizer, eastside, "First Name\nMaria\n")
    client = session_client(other_organizer)
    assert client.get(f"/api/v1/imports/{job.pk}/").status_code == 404
    assert client.get(reverse("supporters:import-detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("supporters:import-errors", args=[job.pk])).status_code == 404


def test_address_rows_create_addresses(organizer, eastside):
    job = _upload(
        organizer, eastside, "First Name,Address,City,State,Zip\nMaria,1 Main St,Chicago,IL,2134\n"
    )
    _commit(organizer, job)
    address = SupporterAddress.objects.get()
    assert (address.line1, address.state, address.postal_code) == ("1 Main St", "IL", "02134")


def test_a_slow_chunk_ends_early_and_commits_what_it_did(organizer, eastside, settings):
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 0  # every row is past the budget
    job = _upload(organizer, eastside, "First Name\nA\nB\nC\n")
    import_dry_run(actor=organizer, job=job)
    import_commit(actor=organizer, job=job)
    assert import_commit_chunk(import_id=job.pk) is True
    job.refresh_from_db()
    assert (job.rows_done, job.cursor) == (1, 2)
    _run(job)
    assert Supporter.objects.count() == 3


def test_an_unexpected_error_fails_its_row_only(organizer, eastside, monkeypatch):
    from supporters.importing import commit

    real = commit._write

    def flaky(job, actor, person, member):
        if person.given_name == "B":
            raise TypeError("a bug")
        return real(job, actor, person, member)

    monkeypatch.setattr(commit, "_write", flaky)
    job = _commit(organizer, _upload(organizer, eastside, "First Name\nA\nB\nC\n"))
    assert job.status == Import.Status.DONE
    assert job.counts == {"created": 2, "error": 1}
    assert "unexpected error" in job.rows.get(number=3).errors[0]["reason"]


def test_an_import_stops_when_its_maker_may_no_longer_import_there(organizer, eastside, settings):
    from organizing.models import Membership

    settings.IMPORT_CHUNK_ROWS = 1
    job = _upload(organizer, eastside, "First Name\nA\nB\nC\n")
    import_dry_run(actor=organizer, job=job)
    import_commit(actor=organizer, job=job)
    assert import_commit_chunk(import_id=job.pk) is True
    Membership.objects.filter(user=organizer).update(role=Membership.Role.VOLUNTEER)
    assert import_commit_chunk(import_id=job.pk) is False
    job.refresh_from_db()
    assert job.status == Import.Status.FAILED
    assert "may no longer import into Eastside Neighbors" in job.error
    assert Supporter.objects.count() == 1

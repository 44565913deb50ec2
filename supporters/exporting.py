"""Streaming exports of a segment as CSV or NDJSON, and export jobs written by the worker.

The columns are ``EXPORT_COLUMNS``, in that order; consent travels with every row
(``do_not_call`` … ``do_not_mail``). The query is built by the ORM from the segment and the
visibility rule; CSV is produced by PostgreSQL itself (``COPY (that query) TO STDOUT``) and
passed through in chunks, NDJSON row by row from a server-side cursor. Either way memory
stays flat whatever the number of rows.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.db import connection, transaction
from django.db.models import (
    Case,
    Exists,
    F,
    FilteredRelation,
    Func,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from psycopg import ClientCursor

from organizing.csv_safety import CsvSafePhone, CsvSafeText
from organizing.models import User
from organizing.private_files import open_private, private_folder
from organizing.webhooks import webhook_emit

from .models import Channel, DoNotContact, ExportJob, ExternalId, Supporter, SupporterTag
from .segments import SegmentError, segment_supporters

# name → (description, expression). The README and the schema repeat the names.
EXPORT_COLUMNS: dict[str, tuple[str, object]] = {
    "id": ("Earshot's id for the supporter", F("id")),
    "given_name": ("Given name, as typed", F("given_name")),
    "family_name": ("Family name, as typed", F("family_name")),
    "preferred_name": ("What they like to be called", F("preferred_name")),
    "pronouns": ("Pronouns", F("pronouns")),
    "language": ("Preferred language (IETF tag)", F("language")),
    "support_level": (
        "1 strong support … 5 strong opposition; empty when unknown",
        F("support_level"),
    ),
    "engagement_level": ("0 unknown … 5 leader", F("engagement_level")),
    "team_id": ("Owning team's id", F("team_id")),
    "email": ("Primary email", F("primary_email__address")),
    "phone": ("Primary phone, as typed", F("primary_phone__number")),
    "address_line1": ("Primary address: street", F("primary_address__line1")),
    "address_line2": ("Primary address: apartment, suite", F("primary_address__line2")),
    "city": ("Primary address: city", F("primary_address__city")),
    "state": ("Primary address: two-letter state", F("primary_address__state")),
    "zip": ("Primary address: ZIP code", F("primary_address__postal_code")),
    **{
        f"do_not_{channel}": (f"true when they asked not to be reached by {label.lower()}", None)
        for channel, label in Channel.choices
    },
    "tags": ("Their tags' names, separated by commas", None),
    "updated_at": ("When the record last changed", F("updated_at")),
}
EXPORT_COLUMN_NAMES = list(EXPORT_COLUMNS)
CHUNK_BYTES = 256 * 1024
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}
# Free-text columns a spreadsheet could read as a formula (see organizing.csv_safety);
# the others are typed (ids, numbers, booleans, a timestamp) and go out exact.
CSV_TEXT_COLUMNS = {
    "given_name",
    "family_name",
    "preferred_name",
    "pronouns",
    "language",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "zip",
    "tags",
}
# After these, each export adds one column per external-ID system its people have
# (``external_id_van``, ``external_id_voter_file``…) and per custom field key in use
# (``custom_<key>``): what another tool needs for a round trip.


def _do_not_contact(channel: str):
    return Case(
        When(
            Exists(DoNotContact.objects.filter(supporter=OuterRef("pk"), channel=channel)),
            then=Value(True),
        ),
        default=Value(False),
    )


def _tags_text():
    return Coalesce(
        Subquery(
            SupporterTag.objects.filter(supporter=OuterRef("pk"))
            .order_by()
            .values("supporter")
            .annotate(names=StringAgg("tag__name", delimiter=", ", ordering="tag__name"))
            .values("names")
        ),
        Value(""),
    )


def export_extra_columns(supporters: QuerySet[Supporter]) -> dict[str, object]:
    """The columns this export adds: one per external-ID system present among
    ``supporters``, then one per custom field key in use, each in name order."""
    systems = sorted(
        ExternalId.objects.filter(supporter__in=supporters.values("pk"))
        .order_by()
        .values_list("system", flat=True)
        .distinct()
    )
    with connection.cursor() as cursor:
        sql, params = supporters.order_by().values("custom_fields").query.sql_with_params()
        cursor.execute(
            f"SELECT DISTINCT jsonb_object_keys(x.custom_fields) FROM ({sql}) x "  # noqa: S608 (the ORM's SQL, values as parameters)
            "WHERE jsonb_typeof(x.custom_fields) = 'object' ORDER BY 1 LIMIT 200",
            params,
        )
        keys = [row[0] for row in cursor.fetchall()]
    columns: dict[str, object] = {}
    for system in systems:
        columns[f"external_id_{system}"] = Coalesce(
            Subquery(
                ExternalId.objects.filter(supporter=OuterRef("pk"), system=system).values("value")[
                    :1
                ]
            ),
            Value(""),
        )
    for key in keys:
        columns[f"custom_{key}"] = Coalesce(
            Cast(KeyTextTransform(key, "custom_fields"), TextField()), Value("")
        )
    return columns


def export_queryset(
    supporters: QuerySet[Supporter],
    *,
    text_booleans: bool = False,
    csv_safe: bool = False,
    extra: dict[str, object] | None = None,
) -> QuerySet:
    """``supporters`` as rows of EXPORT_COLUMNS, in id order (a values_list queryset).

    ``text_booleans`` casts the consent flags to text (``true``/``false``), as CSV wants;
    PostgreSQL's COPY would otherwise write ``t``/``f``. ``csv_safe`` neutralises free-text
    cells a spreadsheet would read as a formula (organizing.csv_safety), in the query itself
    so COPY keeps its speed.
    """
    annotated = supporters.annotate(
        primary_email=FilteredRelation("emails", condition=Q(emails__is_primary=True)),
        primary_phone=FilteredRelation("phones", condition=Q(phones__is_primary=True)),
        primary_address=FilteredRelation("addresses", condition=Q(addresses__is_primary=True)),
    )
    expressions = {}
    for name, (_, expression) in EXPORT_COLUMNS.items():
        if name.startswith("do_not_"):
            flag = _do_not_contact(name.removeprefix("do_not_"))
            expressions[f"x_{name}"] = Cast(flag, TextField()) if text_booleans else flag
            continue
        if name == "tags":
            expression = _tags_text()
        if name in {"email", "phone", "address_line1", "address_line2", "city", "state", "zip"}:
            expression = Coalesce(expression, Value(""))
        if csv_safe and name == "phone":
            expression = CsvSafePhone(expression)
        elif csv_safe and name in CSV_TEXT_COLUMNS:
            expression = CsvSafeText(expression)
        expressions[f"x_{name}"] = expression
    extra = extra or {}
    for name, expression in extra.items():
        expressions[f"x_{name}"] = CsvSafeText(expression) if csv_safe else expression
    return (
        annotated.annotate(**expressions)
        .order_by("id")
        .values_list(*[f"x_{name}" for name in [*EXPORT_COLUMN_NAMES, *extra]])
    )


def export_sql(
    supporters: QuerySet[Supporter], *, csv_safe: bool = True, extra: dict | None = None
) -> tuple[str, tuple]:
    """The ORM-built SQL and parameters of the CSV export query (for COPY and the bench).

    ``csv_safe=False`` is only for the bench, to measure what the neutralisation costs.
    """
    return export_queryset(
        supporters, text_booleans=True, csv_safe=csv_safe, extra=extra
    ).query.sql_with_params()


def _header_line(extra: dict | None = None) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([*EXPORT_COLUMN_NAMES, *(extra or {})])
    return buffer.getvalue().encode()


def _copy_chunks(statement: str, params, *, on_rows=None) -> Iterator[bytes]:
    """Rows of ``COPY … TO STDOUT`` as chunks of about CHUNK_BYTES.

    ``on_rows(n)`` is told the running row count after each chunk (for job progress).
    """
    buffer = bytearray()
    rows = 0
    connection.ensure_connection()
    # A client-side binding cursor (Django's default too) lets COPY take the parameters.
    with (
        ClientCursor(connection.connection) as cursor,
        cursor.copy(statement, params) as copy,
    ):
        for data in copy:  # PostgreSQL sends one message per row
            buffer += data
            rows += 1
            if len(buffer) >= CHUNK_BYTES:
                yield bytes(buffer)
                buffer.clear()
                if on_rows is not None:
                    on_rows(rows)
    if buffer:
        yield bytes(buffer)
    if on_rows is not None:
        on_rows(rows)


def csv_chunks(supporters: QuerySet[Supporter], *, on_rows=None) -> Iterator[bytes]:
    """The CSV, header first. PostgreSQL writes the rows: ``COPY (query) TO STDOUT``."""
    extra = export_extra_columns(supporters)
    sql, params = export_sql(supporters, extra=extra)
    yield _header_line(extra)
    # The SQL is the ORM's, built from the segment; values travel as parameters.
    yield from _copy_chunks(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params, on_rows=on_rows)


class JsonBuildObject(Func):
    """PostgreSQL's json_build_object, which keeps the keys in the order given.

    (Django's JSONObject uses jsonb_build_object, which reorders them.)
    """

    function = "JSON_BUILD_OBJECT"
    output_field = JSONField()

    def __init__(self, **fields) -> None:
        arguments = []
        for name, expression in fields.items():
            arguments += [Value(name), expression]
        super().__init__(*arguments)


def ndjson_sql(supporters: QuerySet[Supporter]) -> tuple[str, tuple]:
    """The export query with each row one JSON object built by PostgreSQL (keys in order)."""
    extra = export_extra_columns(supporters)
    rows = export_queryset(supporters, extra=extra).values_list(
        JsonBuildObject(**{name: F(f"x_{name}") for name in [*EXPORT_COLUMN_NAMES, *extra]})
    )
    return rows.query.sql_with_params()


def ndjson_chunks(supporters: QuerySet[Supporter], *, on_rows=None) -> Iterator[bytes]:
    """One JSON object per line, keys EXPORT_COLUMN_NAMES, written by PostgreSQL.

    COPY's text format would escape the JSON's backslashes, so it is CSV format with a
    quote and a delimiter JSON text never contains (JSON escapes control characters):
    each line is exactly the JSON object.
    """
    sql, params = ndjson_sql(supporters)
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
    yield from _copy_chunks(statement, params, on_rows=on_rows)


def export_chunks(supporters: QuerySet[Supporter], *, format: str, on_rows=None):
    if format == "csv":
        return csv_chunks(supporters, on_rows=on_rows)
    if format == "ndjson":
        return ndjson_chunks(supporters, on_rows=on_rows)
    raise ValueError(f"Unknown export format {format!r}.")


# --- export jobs -----------------------------------------------------------------------------


def export_job_path(job) -> Path:
    return Path(settings.EXPORT_DIR) / job.file_name


def export_job_run(*, job_id: int) -> bool:
    """Write one export job's file. Safe to run twice: a job not queued is left alone.

    The job is claimed (queued → running) under a row lock, so two workers never both
    write it; a job left running by a dead worker is re-queued by the sweep.
    """
    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update(skip_locked=True)
            .filter(pk=job_id, status=ExportJob.Status.QUEUED)
            .first()
        )
        if job is None:
            return False
        job.status = ExportJob.Status.RUNNING
        job.file_name = f"export-{job.pk}-{secrets.token_hex(8)}.{job.format}"
        job.save(update_fields=["status", "file_name", "updated_at"])
    viewer = User.objects.get(pk=job.requested_by_id)
    try:
        supporters = segment_supporters(viewer=viewer, filter_json=job.segment.filter)
        total = supporters.count()
        ExportJob.objects.filter(pk=job.pk).update(total_rows=total, updated_at=timezone.now())

        def progress(rows: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(rows_written=rows, updated_at=timezone.now())

        path = export_job_path(job)
        private_folder(path.parent)
        partial = path.with_suffix(path.suffix + ".part")
        throttled = _every(PROGRESS_EVERY_ROWS, progress)
        with open_private(partial) as out:  # 0600: the file holds people's details
            for chunk in export_chunks(supporters, format=job.format, on_rows=throttled):
                out.write(chunk)
        partial.rename(path)
    except (SegmentError, OSError) as error:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=str(error)[:300], finished_at=timezone.now()
        )
        return False
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        rows_written=throttled.last,
        finished_at=now,
        updated_at=now,
        expires_at=now + timedelta(hours=settings.EXPORT_LINK_HOURS),
    )
    webhook_emit(event="export.finished", subject=ExportJob.objects.get(pk=job.pk), owner=viewer)
    return True


PROGRESS_EVERY_ROWS = 20_000


class _every:
    """Calls ``function`` at most once per ``step`` rows, remembering the last count."""

    def __init__(self, step: int, function) -> None:
        self.step, self.function, self.last, self.told = step, function, 0, 0

    def __call__(self, rows: int) -> None:
        self.last = rows
        if rows - self.told >= self.step:
            self.told = rows
            self.function(rows)


def export_jobs_expire(*, now: datetime | None = None, batch: int = 500) -> int:
    """Delete the files of finished jobs past their expiry; returns how many were expired.

    Safe to run twice or concurrently (rows are claimed with SKIP LOCKED).
    """
    now = now or timezone.now()
    expired = 0
    with transaction.atomic():
        jobs = list(
            ExportJob.objects.select_for_update(skip_locked=True).filter(
                status=ExportJob.Status.DONE, expires_at__lte=now
            )[:batch]
        )
        for job in jobs:
            if job.file_name:
                export_job_path(job).unlink(missing_ok=True)
            job.status = ExportJob.Status.EXPIRED
            job.save(update_fields=["status", "updated_at"])
            expired += 1
    return expired


def export_jobs_requeue_stale(*, now: datetime | None = None) -> list[int]:
    """Jobs whose task was lost (Redis down at dispatch, a worker killed mid-file).

    Queued for over two minutes, or running with no progress for longer than a task may
    live: put back to queued and returned, for the caller to enqueue again.
    """
    now = now or timezone.now()
    stuck_running = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    with transaction.atomic():
        jobs = list(
            ExportJob.objects.select_for_update(skip_locked=True).filter(
                Q(status=ExportJob.Status.QUEUED, updated_at__lt=now - timedelta(minutes=2))
                | Q(status=ExportJob.Status.RUNNING, updated_at__lt=stuck_running)
            )[:100]
        )
        for job in jobs:
            if job.status == ExportJob.Status.RUNNING and job.file_name:
                partial = export_job_path(job)
                partial.with_suffix(partial.suffix + ".part").unlink(missing_ok=True)
            job.status = ExportJob.Status.QUEUED
            job.rows_written = 0
            job.save(update_fields=["status", "rows_written", "updated_at"])
    return [job.pk for job in jobs]

"""The import figures (issue 12): a file of SCALE rows imported against SCALE existing
supporters, beside PostgreSQL's ``COPY FROM`` of the same rows into a bare staging table; the
worker's memory growth while committing; the dry run's time beside the commit's.

Half the file's people are already there (same email as a generated supporter), one row in a
hundred has a deliberate error (an email of "a@", a phone of "123"), the rest are new. The
commit runs the worker's own code (``import_commit_chunk``, chunk after chunk) in this
process, so its memory growth is the worker's.
"""

from __future__ import annotations

import csv
import io
import time


def _file(scale: int, existing_ids: list[int]) -> tuple[bytes, list[tuple]]:
    rows = []
    for n in range(scale):
        if n % 100 == 99:
            rows.append((f"Broken{n}", "Row", "a@", "123", "78701", "bench"))
        elif n % 2 == 0 and existing_ids:
            i = existing_ids[(n // 2) % len(existing_ids)]
            rows.append(("", "", f"person{i}@example.org", "", "", "bench,matched"))
        else:
            rows.append((f"New{n}", "Person", f"new{n}@bench.example", f"+1737555{n % 10000:04d}",
                         "78702", "bench"))  # fmt: skip
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["First Name", "Last Name", "Email Address", "Cell Phone", "Zip5", "tag_list"])
    writer.writerows(rows)
    return buffer.getvalue().encode(), rows


def _copy_reference(rows: list[tuple]) -> float:
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE import_staging (given text, family text, email text, phone text,"
            " zip text, tags text) ON COMMIT DROP"
        )
        with cursor.copy("COPY import_staging FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    return time.perf_counter() - started


def run_import_bench(scale: int, line) -> None:
    import psutil
    from django.conf import settings

    from organizing.models import Membership, Team, User
    from supporters.importing.commit import import_commit_chunk
    from supporters.importing.services import import_commit, import_dry_run, import_upload
    from supporters.models import SupporterEmail

    from .generate import generate

    made = generate(scale)
    print(f"# generated {made['supporters']:,} existing supporters in {made['seconds']:,.1f} s")
    team = Team.objects.get(pk=made["team_ids"][0])
    staff = User.objects.create_user("import-staff@bench.example", None)
    Membership.objects.create(user=staff, team=team, role=Membership.Role.DATA_STAFF)
    existing = list(
        SupporterEmail.objects.filter(supporter__team_id__in=made["team_ids"])
        .order_by("supporter_id")
        .values_list("supporter_id", flat=True)
    )
    data, rows = _file(scale, existing)
    settings.IMPORT_MAX_BYTES = max(settings.IMPORT_MAX_BYTES, len(data) + 1)

    started = time.perf_counter()
    job = import_upload(actor=staff, team=team, file_name="bench.csv", data=data)
    upload_seconds = time.perf_counter() - started
    started = time.perf_counter()
    summary = import_dry_run(actor=staff, job=job)
    dry_seconds = time.perf_counter() - started
    import_commit(actor=staff, job=job)

    process = psutil.Process()
    baseline = process.memory_info().rss
    peak = baseline
    started = time.perf_counter()
    while import_commit_chunk(import_id=job.pk):
        peak = max(peak, process.memory_info().rss)
    commit_seconds = time.perf_counter() - started
    peak = max(peak, process.memory_info().rss)
    job.refresh_from_db()
    copy_seconds = min(_copy_reference(rows) for _ in range(3))

    total = upload_seconds + dry_seconds + commit_seconds
    rate, copy_rate = scale / total, scale / copy_seconds
    print(
        f"# {scale:,}-row file: dry run {summary['counts']} matched by {summary['matched_by']}; "
        f"committed {job.counts}; upload {upload_seconds:,.1f} s, dry run {dry_seconds:,.1f} s, "
        f"commit {commit_seconds:,.1f} s"
    )
    line(
        f"import of {scale} rows with matching against {scale} existing supporters "
        "(upload + dry run + commit)",
        rate,
        "rows/s",
        copy_rate,
        "COPY FROM into a bare staging table",
        rate / copy_rate,
    )
    growth = (peak - baseline) / 1_048_576
    line(
        "import worker memory growth during the commit",
        growth,
        "MB",
        200.0,
        "the 200 MB ceiling",
        200.0 / max(growth, 0.1),
    )
    line(
        f"dry run of {scale} rows",
        dry_seconds,
        "s",
        commit_seconds,
        "the commit of the same rows",
        commit_seconds / dry_seconds,
    )

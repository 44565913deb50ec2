"""Segment export: streaming CSV over HTTP against PostgreSQL COPY of the same query.

- On the SCALE's dataset (bench/dataset.py: SCALE supporters, 5 x SCALE conversations).
- Serves the app with gunicorn (one sync worker) and pulls ``GET /api/v1/segments/{id}/
  export?format=csv`` with an API key, as a data-staff script would, while sampling the
  worker's RSS every 10 ms: the growth is peak RSS during the stream minus RSS after a
  warm-up export.
- Reference: ``COPY (the export's ORM-built query) TO STDOUT WITH (FORMAT csv)`` read by
  psycopg in this process, in the same run (best of two, alternating with the HTTP runs).
- The cost of neutralising spreadsheet formulas in CSV cells (organizing.csv_safety): the
  export's COPY against the same COPY without it.
- The NDJSON export over HTTP, against the CSV COPY and against a COPY of its own
  ``json_build_object`` query (supporters.exporting.ndjson_sql), in the same run.
- Naive reference: a plain DRF ModelSerializer with page-number pagination (1,000 a page)
  over the same rows, in process (no HTTP at all); ten pages spread evenly over the whole
  segment, so the OFFSET cost of late pages is included.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RssSampler(threading.Thread):
    """Peak resident memory of a process, sampled until stopped."""

    def __init__(self, pid: int) -> None:
        import psutil

        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.peak = self.process.memory_info().rss
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.01)

    def stop(self) -> int:
        self.running = False
        self.join()
        return self.peak


def _serve(env: dict[str, str]):
    import psutil

    port = _free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "organizing.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "1800",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2).read()  # noqa: S310
            break
        except OSError:
            time.sleep(0.1)
    workers = psutil.Process(server.pid).children()
    return server, base, workers[0].pid


def _pull(url: str, raw_key: str) -> tuple[int, int, float]:
    """Stream a URL to the end; returns (rows, bytes, seconds)."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {raw_key}"})  # noqa: S310
    started = time.perf_counter()
    lines = size = 0
    with urllib.request.urlopen(request, timeout=1800) as response:  # noqa: S310
        while chunk := response.read(1 << 16):
            lines += chunk.count(b"\n")
            size += len(chunk)
    return lines - 1, size, time.perf_counter() - started  # minus the header row


def _copy_reference(sql: str, params, *, json_lines: bool = False) -> tuple[int, float]:
    from django.db import connection
    from psycopg import ClientCursor

    connection.ensure_connection()
    # For NDJSON, COPY exactly as the export writes it (supporters.exporting.ndjson_chunks).
    options = "FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02'" if json_lines else "FORMAT csv"
    started = time.perf_counter()
    rows = 0
    with (
        ClientCursor(connection.connection) as cursor,
        cursor.copy(f"COPY ({sql}) TO STDOUT WITH ({options})", params) as copy,
    ):
        for _ in copy:
            rows += 1
    return rows, time.perf_counter() - started


def _naive_reference(supporters, total: int) -> tuple[int, float]:
    from rest_framework import serializers
    from rest_framework.pagination import PageNumberPagination
    from rest_framework.renderers import JSONRenderer
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from supporters.models import Supporter

    class PlainSupporterSerializer(serializers.ModelSerializer):
        class Meta:
            model = Supporter
            fields = "__all__"

    pages = max(1, (total + 999) // 1000)
    sample = sorted({1 + (pages - 1) * n // 9 for n in range(10)})
    queryset = supporters.order_by("id")
    factory = APIRequestFactory()
    rows = 0
    started = time.perf_counter()
    for number in sample:
        paginator = PageNumberPagination()
        paginator.page_size = 1000
        request = Request(factory.get("/", {"page": number}, HTTP_HOST="127.0.0.1"))
        page = paginator.paginate_queryset(queryset, request)
        data = PlainSupporterSerializer(page, many=True).data
        JSONRenderer().render(paginator.get_paginated_response(data).data)
        rows += len(page)
    return rows, time.perf_counter() - started


def run_export_bench(manifest: dict, line) -> None:
    from organizing.models import User
    from supporters.exporting import export_sql, ndjson_sql
    from supporters.models import Segment
    from supporters.segments import segment_supporters

    print(
        f"# dataset: {manifest['supporters']:,} supporters (with contact points, tags, consent) "
        f"and {manifest['conversations']:,} conversations, generated with COPY in "
        f"{manifest['generated_seconds']:,.1f} s"
    )
    staff = User.objects.get(pk=manifest["staff_id"])
    raw_key = manifest["raw_key"]
    segment = Segment.objects.get(pk=manifest["segment_id"])
    small = Segment.objects.get(pk=manifest["small_segment_id"])
    supporters = segment_supporters(viewer=staff, filter_json=segment.filter)
    sql, params = export_sql(supporters)
    plain_sql, plain_params = export_sql(supporters, csv_safe=False)
    json_sql, json_params = ndjson_sql(supporters)

    env = dict(os.environ)
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=env.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(64),
        API_KEY_RATE="100000/min",
    )
    server, base, worker_pid = _serve(env)
    try:
        _pull(f"{base}/api/v1/segments/{small.pk}/export?format=csv", raw_key)
        _copy_reference(sql, params)  # warm PostgreSQL's cache for both
        best_copy = best_http = None
        peak_growth = 0
        baselines, peaks = [], []
        for _ in range(2):
            copy_rows, copy_seconds = _copy_reference(sql, params)
            best_copy = min(best_copy or copy_seconds, copy_seconds)
            import psutil

            baseline = psutil.Process(worker_pid).memory_info().rss
            sampler = RssSampler(worker_pid)
            sampler.start()
            http_rows, http_bytes, http_seconds = _pull(
                f"{base}/api/v1/segments/{segment.pk}/export?format=csv", raw_key
            )
            peak = sampler.stop()
            baselines.append(baseline)
            peaks.append(peak)
            peak_growth = max(peak_growth, peak - baseline)
            best_http = min(best_http or http_seconds, http_seconds)
        assert http_rows == copy_rows, (http_rows, copy_rows)
        # The neutralisation's cost: the same COPY with and without it, alternating, best of 3.
        safe_seconds = plain_seconds = None
        for _ in range(3):
            seconds = _copy_reference(sql, params)[1]
            safe_seconds = min(safe_seconds or seconds, seconds)
            seconds = _copy_reference(plain_sql, plain_params)[1]
            plain_seconds = min(plain_seconds or seconds, seconds)
        # NDJSON: the HTTP stream against a COPY of the same json_build_object query, alternating,
        # best of two each.
        best_json_copy = best_ndjson = None
        for _ in range(2):
            json_rows, seconds = _copy_reference(json_sql, json_params, json_lines=True)
            best_json_copy = min(best_json_copy or seconds, seconds)
            ndjson_lines, _, seconds = _pull(
                f"{base}/api/v1/segments/{segment.pk}/export?format=ndjson", raw_key
            )
            best_ndjson = min(best_ndjson or seconds, seconds)
        assert ndjson_lines + 1 == json_rows, (ndjson_lines, json_rows)
    finally:
        server.terminate()
        server.wait(timeout=30)

    copy_rate, http_rate = copy_rows / best_copy, http_rows / best_http
    print(f"# export of a {http_rows:,}-row segment: {http_bytes / 1e6:,.1f} MB of CSV")
    print(
        "# gunicorn worker RSS (MB) before / peak during each streamed export: "
        + ", ".join(
            f"{b / 1e6:,.1f} / {p / 1e6:,.1f}" for b, p in zip(baselines, peaks, strict=True)
        )
    )
    line(
        "segment export, streaming CSV over HTTP",
        http_rate,
        "rows/s",
        copy_rate,
        "PostgreSQL COPY (same query) TO STDOUT",
        http_rate / copy_rate,
    )
    plain_rate, safe_rate = copy_rows / plain_seconds, copy_rows / safe_seconds
    line(
        "segment export, COPY with spreadsheet-formula neutralisation",
        safe_rate,
        "rows/s",
        plain_rate,
        "the same COPY without it",
        safe_rate / plain_rate,
    )
    growth_mb = peak_growth / 1e6
    line(
        "segment export, server memory growth during the stream (lower is better)",
        growth_mb,
        "MB",
        100.0,
        "budget",
        growth_mb / 100.0,
    )
    ndjson_rate = json_rows / best_ndjson  # NDJSON has no header line
    line(
        "segment export, streaming NDJSON over HTTP",
        ndjson_rate,
        "rows/s",
        copy_rate,
        "PostgreSQL COPY of the CSV query TO STDOUT",
        ndjson_rate / copy_rate,
    )
    json_copy_rate = json_rows / best_json_copy
    line(
        "segment export, streaming NDJSON over HTTP (against its own query)",
        ndjson_rate,
        "rows/s",
        json_copy_rate,
        "PostgreSQL COPY of the same json_build_object query TO STDOUT",
        ndjson_rate / json_copy_rate,
    )
    naive_rows, naive_seconds = _naive_reference(supporters, http_rows)
    naive_rate = naive_rows / naive_seconds
    line(
        f"segment export, naive DRF ModelSerializer + page numbers ({naive_rows:,} rows sampled)",
        naive_rate,
        "rows/s",
        copy_rate,
        "PostgreSQL COPY (same query) TO STDOUT",
        naive_rate / copy_rate,
    )

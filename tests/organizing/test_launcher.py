"""The launcher's embedded services start real servers and stop them when the last holder leaves."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from organizing.launcher import EmbeddedRedis, process_alive

BASE_DIR = Path(__file__).resolve().parents[2]


def redis_ping(url: str) -> bool:
    host, port = url.removeprefix("redis://").split("/")[0].split(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def test_embedded_redis_is_shared_and_stopped_by_the_last_holder(tmp_path):
    redis = EmbeddedRedis(tmp_path)
    url = redis.start()
    assert redis_ping(url)
    pid = int((tmp_path / "redis" / "redis.pid").read_text())

    # A second launcher process joins, sees the same server, and leaves: it keeps running.
    joiner = textwrap.dedent(f"""
        from pathlib import Path
        from organizing.launcher import EmbeddedRedis
        redis = EmbeddedRedis(Path({str(tmp_path)!r}))
        print(redis.start())
        redis.stop()
    """)
    result = subprocess.run(
        [sys.executable, "-c", joiner], cwd=BASE_DIR, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == url
    assert redis_ping(url)

    redis.stop()
    assert not process_alive(pid) or not redis_ping(url)


def test_embedded_postgres_serves_a_database_and_keeps_data_across_restarts(tmp_path):
    pytest.importorskip("pgserver")
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        import psycopg
        from organizing.launcher import EmbeddedPostgres
        url = EmbeddedPostgres(Path({str(tmp_path)!r})).start()
        from urllib.parse import unquote, urlsplit
        parts = urlsplit(url)
        with psycopg.connect(host=unquote(parts.hostname or parts.netloc.split("@")[1]), user="postgres",
                             dbname=parts.path.lstrip("/"), autocommit=True) as db:
            db.execute("CREATE TABLE IF NOT EXISTS kept (n int)")
            if sys.argv[1] == "write":
                db.execute("INSERT INTO kept VALUES (42)")
            print(db.execute("SELECT coalesce(sum(n), 0) FROM kept").fetchone()[0])
    """)
    first = subprocess.run(
        [sys.executable, "-c", script, "write"], cwd=BASE_DIR, capture_output=True, text=True
    )
    assert first.returncode == 0, first.stderr
    second = subprocess.run(
        [sys.executable, "-c", script, "read"], cwd=BASE_DIR, capture_output=True, text=True
    )
    assert second.returncode == 0, second.stderr
    assert (first.stdout.strip(), second.stdout.strip()) == ("42", "42")
    # Each process was the only holder, so the server stopped when it exited.
    assert not (tmp_path / "postgres" / "postmaster.pid").exists()

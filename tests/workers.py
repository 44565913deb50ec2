"""Real Celery worker processes for tests: against the real Redis, on a queue of their own,
changing the test database. Shared by every test that needs a worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[1]


def database_url() -> str:
    db = connection.settings_dict
    host = db.get("HOST") or "127.0.0.1"
    host = quote(host, safe="") if host.startswith("/") else host
    if db.get("PORT"):
        host = f"{host}:{db['PORT']}"
    auth = f"{db['USER']}:{db['PASSWORD']}" if db.get("PASSWORD") else db["USER"]
    return f"postgres://{auth}@{host}/{db['NAME']}"


def start_worker(queue: str, tmp_path: Path, **env_extra: str) -> subprocess.Popen:
    """``celery worker --pool solo`` consuming only ``queue``; its output goes to a file."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"file://{tmp_path / 'mail'}",
        "CELERY_TASK_TIME_LIMIT": "60",
        **env_extra,
    }
    log = open(tmp_path / f"worker-{time.monotonic_ns()}.log", "w")  # noqa: SIM115
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "organizing",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--hostname",
            f"{queue}-{time.monotonic_ns()}@%h",
            "--loglevel",
            "INFO",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        env=env,
        cwd=BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.05) -> bool:
    """Poll ``predicate`` until true; a bound on waiting, never a measurement."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False

"""A real Celery worker process, against the real Redis, changing the real database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from organizing.models import Invitation
from organizing.tasks import invitation_send_task
from tests.factories import InvitationFactory, TeamFactory

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(transactional_db, tmp_path):
    """Start ``celery worker`` on a queue of its own, pointed at the test database."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{_host(db)}/{db['NAME']}",
        "EMAIL_URL": f"file://{tmp_path / 'mail'}",
        "CELERY_TASK_TIME_LIMIT": "60",
    }
    if db.get("PASSWORD"):
        env["DATABASE_URL"] = f"postgres://{db['USER']}:{db['PASSWORD']}@{_host(db)}/{db['NAME']}"
    process = subprocess.Popen(
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
            f"{queue}@%h",
            "--loglevel",
            "INFO",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        env=env,
        cwd=BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield queue, tmp_path / "mail", process
    process.terminate()
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    print(output)


def _host(db) -> str:
    from urllib.parse import quote

    host = db.get("HOST") or "127.0.0.1"
    host = quote(host, safe="") if host.startswith("/") else host
    return f"{host}:{db['PORT']}" if db.get("PORT") else host


def wait_for(predicate, timeout: float = 45.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.worker
def test_real_worker_sends_an_invitation_and_records_it(worker):
    queue, mail_dir, process = worker
    invitation = InvitationFactory(email="nadia@example.org", team=TeamFactory(name="Eastside"))
    assert invitation.sent_at is None

    invitation_send_task.apply_async(args=[invitation.pk], queue=queue)

    def sent() -> bool:
        assert process.poll() is None, "the worker died"
        return Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=False).exists()

    assert wait_for(sent), "the worker never marked the invitation as sent"
    messages = list(mail_dir.glob("*.log"))
    assert len(messages) == 1
    assert "nadia@example.org" in messages[0].read_text()

    # Running the task again (a redelivery) sends nothing more.
    invitation_send_task.apply_async(args=[invitation.pk], queue=queue)
    marker = InvitationFactory(email="after@example.org", team=invitation.team)
    invitation_send_task.apply_async(args=[marker.pk], queue=queue)
    assert wait_for(lambda: Invitation.objects.filter(pk=marker.pk, sent_at__isnull=False).exists())
    assert len(list(mail_dir.glob("*.log"))) == 2

"""Retention: the sweep deletes only what is older than RETENTION_DAYS_*, and is safe twice."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from organizing.models import IdempotencyRecord, Webhook, WebhookDelivery
from organizing.retention import LOCK_NAME, retention_sweep
from organizing.tasks import retention_sweep_task

pytestmark = pytest.mark.django_db

NOTHING = {"webhook_deliveries": 0, "idempotency_records": 0, "export_files": 0, "import_files": 0}


@pytest.fixture
def folders(settings, tmp_path):
    settings.EXPORT_DIR = tmp_path / "exports"
    settings.IMPORT_DIR = tmp_path / "imports"
    settings.EXPORT_DIR.mkdir()
    settings.IMPORT_DIR.mkdir()
    settings.RETENTION_DAYS_WEBHOOK_DELIVERIES = 30
    settings.RETENTION_DAYS_IDEMPOTENCY_RECORDS = 3
    settings.RETENTION_DAYS_EXPORT_FILES = 2
    settings.RETENTION_DAYS_IMPORT_FILES = 7
    return settings


def _aged(model, days: float, **fields):
    row = model.objects.create(**fields)
    model.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(days=days))
    return row


def _file(folder, name: str, days: float):
    path = folder / name
    path.write_bytes(b"id,given_name\n1,Maria\n")
    stamp = (timezone.now() - timedelta(days=days)).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def _delivery(webhook, days: float):
    return _aged(WebhookDelivery, days, webhook=webhook, event="supporter.created", payload={})


def test_sweep_deletes_only_what_is_older_and_is_safe_twice(organizer, folders):
    webhook = Webhook.objects.create(url="https://example.org/h", events=[], created_by=organizer)
    old_delivery, _ = _delivery(webhook, 31), _delivery(webhook, 29)
    keep = {"user": organizer, "method": "POST", "path": "/x", "request_hash": "0"}
    _aged(IdempotencyRecord, 4, key="old", **keep)
    _aged(IdempotencyRecord, 2, key="recent", **keep)
    old_export = _file(folders.EXPORT_DIR, "export-1-aa.csv", 3)
    new_export = _file(folders.EXPORT_DIR, "export-2-bb.csv", 1)
    old_import = _file(folders.IMPORT_DIR, "import-1.csv", 8)
    new_import = _file(folders.IMPORT_DIR, "import-2.csv", 6)

    counts = retention_sweep()

    assert counts == {
        "webhook_deliveries": 1,
        "idempotency_records": 1,
        "export_files": 1,
        "import_files": 1,
    }
    assert not WebhookDelivery.objects.filter(pk=old_delivery.pk).exists()
    assert WebhookDelivery.objects.count() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["recent"]
    assert not old_export.exists() and new_export.exists()
    assert not old_import.exists() and new_import.exists()
    assert retention_sweep() == NOTHING  # twice: nothing more goes


def test_idempotency_records_outlive_their_replay_window(organizer, folders):
    folders.RETENTION_DAYS_IDEMPOTENCY_RECORDS = 1
    folders.IDEMPOTENCY_KEY_TTL_HOURS = 72  # the replay window wins over a shorter retention
    _aged(IdempotencyRecord, 2, user=organizer, key="k", method="POST", path="/x", request_hash="0")
    assert retention_sweep()["idempotency_records"] == 0
    assert IdempotencyRecord.objects.count() == 1


def test_sweep_works_in_bounded_batches(organizer, folders):
    webhook = Webhook.objects.create(url="https://example.org/h", events=[], created_by=organizer)
    for _ in range(5):
        _delivery(webhook, 40)
    assert retention_sweep(batch=2, batches=1)["webhook_deliveries"] == 2
    assert retention_sweep(batch=2, batches=2)["webhook_deliveries"] == 3
    assert WebhookDelivery.objects.count() == 0


def test_a_sweep_already_running_makes_the_second_return_at_once(organizer, folders):
    from zlib import crc32

    webhook = Webhook.objects.create(url="https://example.org/h", events=[], created_by=organizer)
    _delivery(webhook, 40)
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        with other.transaction():
            other.execute("SELECT pg_advisory_xact_lock(%s)", [crc32(LOCK_NAME.encode())])
            assert retention_sweep() is None
            assert WebhookDelivery.objects.count() == 1
    finally:
        other.close()
    assert retention_sweep()["webhook_deliveries"] == 1


def test_the_beat_task_runs_the_sweep_hourly(organizer, folders):
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["retention-sweep"]
    assert entry["task"] == "organizing.tasks.retention_sweep_task"
    assert retention_sweep_task() == NOTHING


def test_missing_folders_are_not_an_error(folders, tmp_path):
    folders.EXPORT_DIR = tmp_path / "nowhere"
    folders.IMPORT_DIR = tmp_path / "nowhere-either"
    assert retention_sweep() == NOTHING

"""An export job run by a real Celery worker process against the real database."""

from __future__ import annotations

import pytest

from organizing.models import Membership
from supporters.exporting import EXPORT_COLUMN_NAMES, export_job_path
from supporters.models import ExportJob, Segment
from supporters.tasks import export_job_run_task
from tests.factories import MembershipFactory, SupporterFactory, TeamFactory, UserFactory
from tests.organizing.test_worker import wait_for, worker  # noqa: F401 - the worker fixture


@pytest.fixture
def export_dir(monkeypatch, settings, tmp_path):
    # Set before the worker starts, so the worker process writes where this test reads.
    directory = tmp_path / "exports"
    monkeypatch.setenv("EXPORT_DIR", str(directory))
    settings.EXPORT_DIR = directory
    return directory


@pytest.mark.worker
def test_real_worker_writes_an_export_job_once(export_dir, worker):  # noqa: F811
    queue, _, process = worker
    team = TeamFactory()
    staff = UserFactory()
    MembershipFactory(user=staff, team=team, role=Membership.Role.DATA_STAFF)
    SupporterFactory.create_batch(5, team=team, language="es")
    SupporterFactory(team=team, language="en")
    segment = Segment.objects.create(name="Spanish", filter={"language": "es"})
    job = ExportJob.objects.create(segment=segment, requested_by=staff)

    export_job_run_task.apply_async(args=[job.pk], queue=queue)

    def done() -> bool:
        assert process.poll() is None, "the worker died"
        return ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE).exists()

    assert wait_for(done), "the worker never finished the export"
    job.refresh_from_db()
    lines = export_job_path(job).read_text().splitlines()
    assert lines[0] == ",".join(EXPORT_COLUMN_NAMES)
    assert len(lines) == 6
    assert job.rows_written == job.total_rows == 5
    assert job.expires_at is not None

    # A redelivered task finds the job done and writes nothing.
    export_job_run_task.apply_async(args=[job.pk], queue=queue)
    marker = ExportJob.objects.create(segment=segment, requested_by=staff)
    export_job_run_task.apply_async(args=[marker.pk], queue=queue)
    assert wait_for(
        lambda: ExportJob.objects.filter(pk=marker.pk, status=ExportJob.Status.DONE).exists()
    )
    assert len(list(export_dir.iterdir())) == 2

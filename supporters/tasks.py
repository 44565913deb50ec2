"""Background work for people: export jobs."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def export_job_run_task(job_id: int) -> bool:
    """Write an export job's file; does nothing for a job already taken or done."""
    from .exporting import export_job_run

    return export_job_run(job_id=job_id)


@shared_task
def export_jobs_sweep_task() -> int:
    """Beat: delete export files past their expiry, and re-enqueue jobs whose task was lost."""
    from .exporting import export_jobs_expire, export_jobs_requeue_stale

    expired = export_jobs_expire()
    for job_id in export_jobs_requeue_stale():
        export_job_run_task.delay(job_id)
    return expired

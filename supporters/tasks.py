"""Background work for people: export jobs."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def export_job_run_task(job_id: int) -> bool:
    """Write an export job's file; does nothing for a job already taken or done."""
    from .exporting import export_job_run

    return export_job_run(job_id=job_id)


@shared_task
def export_jobs_expire_task() -> int:
    """Beat: delete export files past their expiry."""
    from .exporting import export_jobs_expire

    return export_jobs_expire()

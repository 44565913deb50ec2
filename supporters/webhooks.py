"""How supporters and export jobs read in a webhook payload, and who may hear about a person:
registered with ``organizing.webhooks`` in ``SupportersConfig.ready()``."""

from __future__ import annotations

from typing import Any

from organizing.models import User
from organizing.webhooks import iso_or_none, register_payload, register_person_visibility

from .models import ExportJob, Supporter
from .selectors import supporter_list


def supporter_payload(supporter: Supporter) -> dict[str, Any]:
    """Ids and plain fields, the primary email; no notes, nothing sensitive."""
    email = supporter.emails.filter(is_primary=True).values_list("address", flat=True).first()
    return {
        "id": supporter.pk,
        "given_name": supporter.given_name,
        "family_name": supporter.family_name,
        "preferred_name": supporter.preferred_name,
        "email": email or "",
        "language": supporter.language,
        "team_id": supporter.team_id,
        "source": supporter.source,
        "created_at": iso_or_none(supporter.created_at),
        "updated_at": iso_or_none(supporter.updated_at),
    }


def export_job_payload(job: ExportJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "segment_id": job.segment_id,
        "format": job.format,
        "status": job.status,
        "total_rows": job.total_rows,
        "rows_written": job.rows_written,
        "expires_at": iso_or_none(job.expires_at),
    }


def supporter_visible_to(user: User, supporter: Supporter) -> bool:
    """The one visibility rule (``supporter_list``), asked about one person."""
    return supporter_list(viewer=user).filter(pk=supporter.pk).exists()


def register() -> None:
    register_payload(Supporter, supporter_payload)
    register_payload(ExportJob, export_job_payload)
    register_person_visibility(supporter_visible_to)

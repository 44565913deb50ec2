"""Imports, from upload to undo. Each service checks its actor itself.

The rule for who imports (``organizing.roles.team_ids_user_may_import_into``): organizers
into the teams they organize; data staff and admins into any team. What an import may match
and change is ``supporters.selectors.supporter_list_importable``. Only the import's maker,
data staff and admins see an import afterwards (``selectors.import_list``).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from organizing.models import Membership, Team
from organizing.private_files import FILE_MODE, FOLDER_MODE, private_folder
from organizing.roles import Actor, as_user, team_ids_user_may_import_into
from organizing.services import audit_record

from ..history import history_record
from ..models import HistoryEvent, Supporter
from ..services import (
    contact_point_remove,
    external_id_remove,
    relationship_end,
    supporter_update,
    tag_remove,
)
from .interpret import person_row
from .mapping import guess_mapping, mapping_clean, mapping_hash
from .matching import MATCHED, NEW, REVIEW, match_rows
from .models import Import, ImportMapping, ImportRow
from .reading import FileProblem, read_file

BATCH = 2_000
SAMPLE = 5


def import_storage() -> FileSystemStorage:
    """Django storage for uploaded files: ``IMPORT_DIR``, files 0600 in 0700 folders (they
    hold names and addresses), where the retention sweep deletes them after
    ``RETENTION_DAYS_IMPORT_FILES``."""
    private_folder(settings.IMPORT_DIR)
    return FileSystemStorage(
        location=settings.IMPORT_DIR,
        file_permissions_mode=FILE_MODE,
        directory_permissions_mode=FOLDER_MODE,
    )


def _may_import_into(actor: Actor, team: Team) -> None:
    if team.pk not in team_ids_user_may_import_into(actor):
        raise PermissionDenied(_("You may not import people into this team."))


def _may_change(actor: Actor, job: Import) -> None:
    _may_import_into(actor, job.team)
    if job.created_by_id != getattr(actor, "pk", None) and not _is_wide(actor):
        raise PermissionDenied(_("Only who started this import, data staff and admins may."))


def _is_wide(actor: Actor) -> bool:
    from organizing.roles import user_is_organization_wide

    return user_is_organization_wide(actor)


def _saved_columns(source: str) -> dict:
    if not source:
        return {}
    saved = ImportMapping.objects.filter(source__iexact=source).first()
    return saved.columns if saved is not None else {}


def import_upload(
    *,
    actor: Actor,
    team: Team,
    file_name: str,
    data: bytes,
    source: str = "",
    size: int | None = None,
    request=None,
) -> Import:
    """Store a CSV, TSV or XLSX file and its rows, with a guessed mapping.

    A file over ``IMPORT_MAX_BYTES``, empty, header-only, or unreadable is a ValidationError
    on ``file`` saying why; nothing is stored then. The file goes to ``import_storage``."""
    _may_import_into(actor, team)
    file_name = (file_name or "upload.csv").replace("/", "_").replace("\\", "_")[-200:]
    size = max(size or 0, len(data))
    if size > settings.IMPORT_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("The file is %(size)s MB; files up to %(limit)s MB can be imported.")
                % {
                    "size": round(size / 1_048_576, 1),
                    "limit": round(settings.IMPORT_MAX_BYTES / 1_048_576, 1),
                }
            }
        )
    try:
        parsed = read_file(data, file_name)
        with transaction.atomic():
            job = Import.objects.create(
                team=team,
                created_by=as_user(actor),
                file_name=file_name,
                file_format=parsed.file_format,
                encoding=parsed.encoding,
                delimiter=parsed.delimiter,
                size=len(data),
                content_hash=hashlib.sha256(data).hexdigest(),
                headers=parsed.headers,
                source=source[:80],
                mapping=guess_mapping(parsed.headers, _saved_columns(source)),
            )
            total = _store_rows(job, enumerate(parsed.rows, start=2))
            if not total:
                raise FileProblem(_("The file has a header row but no people in it."))
            job.total_rows = total
            suffix = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else "csv"
            job.stored_name = import_storage().save(
                f"import-{job.pk}-{uuid.uuid4().hex[:8]}.{suffix[:5]}", ContentFile(data)
            )
            job.save(update_fields=["total_rows", "stored_name"])
            audit_record(
                actor=as_user(actor), action="import.uploaded", obj=job, request=request,
                file=file_name, rows=total,
            )  # fmt: skip
    except FileProblem as problem:
        raise ValidationError({"file": str(problem)}) from problem
    return job


def _store_rows(job: Import, numbered: Iterable[tuple[int, list[str]]]) -> int:
    total, batch = 0, []
    for number, values in numbered:
        if not any(v.strip() for v in values):
            continue  # blank rows are not people; row numbers stay the file's
        batch.append(ImportRow(job=job, number=number, values=values[:1000]))
        total += 1
        if len(batch) >= BATCH:
            ImportRow.objects.bulk_create(batch)
            batch = []
    ImportRow.objects.bulk_create(batch)
    return total


def import_start_rows(
    *, actor: Actor, team: Team, headers: list[str], file_name: str = "", source: str = ""
) -> Import:
    """An import whose rows a script sends as JSON (``import_rows_append``)."""
    _may_import_into(actor, team)
    headers = [str(h).strip() for h in headers]
    if not headers or len(set(h.lower() for h in headers)) != len(headers) or "" in headers:
        raise ValidationError({"headers": _("Name each column once, none left blank.")})
    return Import.objects.create(
        team=team,
        created_by=as_user(actor),
        file_name=(file_name or _("rows sent through the API"))[:200],
        file_format="json",
        headers=headers,
        source=source[:80],
        status=Import.Status.RECEIVING,
        mapping=guess_mapping(headers, _saved_columns(source)),
    )


def import_rows_append(*, actor: Actor, job: Import, rows: list) -> int:
    """Add rows (lists in header order, or objects keyed by header) to a JSON import.
    Returns the import's row count. Rows may be added until it is committed."""
    _may_change(actor, job)
    if job.status not in (Import.Status.RECEIVING, Import.Status.UPLOADED, Import.Status.CHECKED):
        raise ValidationError({"rows": _("This import is already committed.")})
    problems = {}
    values_list = []
    for index, row in enumerate(rows):
        if isinstance(row, dict):
            unknown = set(row) - set(job.headers)
            if unknown:
                problems[str(index)] = _("Unknown columns: %(names)s") % {
                    "names": ", ".join(sorted(map(str, unknown)))
                }
                continue
            row = [row.get(h, "") for h in job.headers]
        if not isinstance(row, list):
            problems[str(index)] = _("A row is a list of cells or an object.")
            continue
        values_list.append(["" if v is None else str(v).strip() for v in row])
    if problems:
        raise ValidationError({"rows": problems})
    with transaction.atomic():
        locked = Import.objects.select_for_update().get(pk=job.pk)
        last = locked.rows.order_by("-number").values_list("number", flat=True).first() or 1
        added = _store_rows(locked, enumerate(values_list, start=last + 1))
        locked.total_rows += added
        digest = hashlib.sha256((locked.content_hash + json.dumps(values_list)).encode())
        locked.content_hash = digest.hexdigest()
        locked.status = Import.Status.UPLOADED
        locked.dry_run = {}
        locked.save(update_fields=["total_rows", "content_hash", "status", "dry_run"])
    job.refresh_from_db()
    return job.total_rows


def import_mapping_set(
    *, actor: Actor, job: Import, columns: dict, source: str = "", save: bool = False
) -> Import:
    """Choose each column's target (a ValidationError per header for unknown ones). With
    ``save`` and a ``source``, the mapping is kept for that source's next file."""
    _may_change(actor, job)
    if job.status not in (Import.Status.UPLOADED, Import.Status.CHECKED):
        raise ValidationError({"columns": _("The mapping of a committed import stays.")})
    try:
        mapping = mapping_clean(job.headers, columns)
    except ValueError as error:
        raise ValidationError(
            {"columns": [f"{header}: {reason}" for header, reason in error.args[0].items()]}
        ) from error
    job.mapping = mapping
    job.mapping_hash = mapping_hash(mapping)
    job.source = (source or job.source)[:80]
    job.status = Import.Status.UPLOADED
    job.dry_run = {}
    job.save(update_fields=["mapping", "mapping_hash", "source", "status", "dry_run"])
    if save and job.source:
        ImportMapping.objects.update_or_create(
            source=job.source,
            defaults={"columns": mapping, "created_by": as_user(actor)},
        )
    return job


def import_dry_run(*, actor: Actor, job: Import) -> dict[str, Any]:
    """Count what committing would do, writing no person: new, matched (by which key), to
    review, row errors, with a sample of each. Row errors are kept on the rows (for the
    error file). Matching sees only what ``actor`` may import into."""
    _may_change(actor, job)
    if job.status not in (Import.Status.UPLOADED, Import.Status.CHECKED):
        raise ValidationError({"status": _("Only an import not yet committed has a dry run.")})
    if not job.mapping_hash:
        job.mapping_hash = mapping_hash(job.mapping)
    counts = {"new": 0, "matched": 0, "review": 0, "errors": 0}
    reasons: dict[str, int] = {}
    samples: dict[str, list] = {"new": [], "matched": [], "review": [], "errors": []}
    members = _member_emails(job)
    seen: dict[str, int] = {}
    last = 0
    while True:
        rows = list(job.rows.filter(number__gt=last).order_by("number")[:BATCH])
        if not rows:
            break
        last = rows[-1].number
        people = [person_row(r.number, r.values, job.headers, job.mapping) for r in rows]
        for person in people:
            if person.known_by and person.known_by not in members:
                person.error(
                    _column(job, "known_by"),
                    _("%(email)s is not a member of %(team)s.")
                    % {"email": person.known_by, "team": job.team.name},
                )
        matches = match_rows(people, actor=actor)
        errored = []
        for row, person in zip(rows, people, strict=True):
            match = matches.get(person.number)
            if match is not None and match.kind != MATCHED:
                earlier = next((seen[k] for k in _keys(person) if k in seen), None)
                if earlier is not None:
                    match = type(match)(MATCHED, "same_file")
                elif not person.has_name:
                    person.error("", _("A new person needs a name (first, last or preferred)."))
            if person.errors:
                kind = "errors"
                errored.append(row)
                row.errors = person.errors
            else:
                kind = match.kind
                if kind == MATCHED:
                    reasons[match.reason] = reasons.get(match.reason, 0) + 1
                for key in _keys(person):
                    seen.setdefault(key, person.number)
            counts[kind] += 1
            if len(samples[kind]) < SAMPLE:
                samples[kind].append(_sample(person, match if kind != "errors" else None))
            if not person.errors and row.errors:
                row.errors = []
                errored.append(row)
        ImportRow.objects.bulk_update(errored, ["errors"])
    summary = {"counts": counts, "matched_by": reasons, "samples": samples}
    job.dry_run = summary
    job.status = Import.Status.CHECKED
    job.save(update_fields=["dry_run", "status", "mapping_hash"])
    return summary


def _keys(person) -> list[str]:
    return [
        *(f"id:{s}:{v}" for s, v in person.external_ids.items()),
        *(f"email:{e.lower()}" for e in person.emails),
        *(f"phone:{p[2]}" for p in person.phones),
    ]


def _sample(person, match) -> dict:
    name = (
        " ".join(p for p in (person.given_name, person.family_name) if p) or person.preferred_name
    )
    sample = {"row": person.number, "name": name}
    if person.errors:
        sample["errors"] = person.errors
    elif (match is not None and match.kind == MATCHED) or (
        match is not None and match.kind == REVIEW
    ):
        sample["reason"] = match.reason
    return sample


def _column(job: Import, target: str) -> str:
    return next((h for h, c in job.mapping.items() if c.get("target") == target), "")


def _member_emails(job: Import) -> set[str]:
    if not _column(job, "known_by"):
        return set()
    return {
        email.lower()
        for email in Membership.objects.filter(team=job.team, user__is_active=True).values_list(
            "user__email", flat=True
        )
    }


def import_first_of_same(job: Import) -> Import | None:
    """An earlier import of the same file with the same mapping, committed or under way."""
    return (
        Import.objects.filter(content_hash=job.content_hash, mapping_hash=job.mapping_hash)
        .filter(status__in=[Import.Status.QUEUED, Import.Status.RUNNING, Import.Status.DONE])
        .exclude(pk=job.pk)
        .order_by("created_at")
        .first()
    )


def import_commit(*, actor: Actor, job: Import) -> Import:
    """Queue the import for the worker (after its dry run). The same file with the same
    mapping, already imported, is refused with a link to that import."""
    _may_change(actor, job)
    with transaction.atomic():
        job = Import.objects.select_for_update().get(pk=job.pk)
        if job.status != Import.Status.CHECKED:
            raise ValidationError({"status": _("Run the dry run first.")})
        first = import_first_of_same(job)
        if first is not None:
            raise ValidationError(
                {
                    "file": _(
                        "This file was already imported with this mapping: %(url)s"
                    ) % {"url": reverse("supporters:import-detail", args=[first.pk])}
                }
            )  # fmt: skip
        job.status = Import.Status.QUEUED
        job.heartbeat_at = timezone.now()
        job.counts = {}
        job.save(update_fields=["status", "heartbeat_at", "counts"])
        audit_record(actor=as_user(actor), action="import.committed", obj=job)
        from organizing.dispatch import enqueue_on_commit

        from ..tasks import import_commit_chunk_task  # services → tasks stays lazy

        enqueue_on_commit(import_commit_chunk_task, job.pk)
    return job


def import_requeue_stale(*, now=None) -> list[int]:
    """Queued or running imports whose heartbeat is older than ``IMPORT_STALE_SECONDS``
    (a killed worker, a lost message): their ids, for the sweep to enqueue again."""
    now = now or timezone.now()
    cutoff = now - timezone.timedelta(seconds=settings.IMPORT_STALE_SECONDS)
    stale = Import.objects.filter(status__in=[Import.Status.QUEUED, Import.Status.RUNNING]).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True)
    )
    ids = list(stale.values_list("pk", flat=True)[:100])
    Import.objects.filter(pk__in=ids).update(heartbeat_at=now)
    return ids


def import_forget_old_rows(*, now=None) -> int:
    """Retention: after ``RETENTION_DAYS_IMPORT_FILES`` the rows' raw cells go (the file
    itself goes by ``organizing.retention``); outcomes and counts stay."""
    now = now or timezone.now()
    cutoff = now - timezone.timedelta(days=settings.RETENTION_DAYS_IMPORT_FILES)
    old = Import.objects.filter(created_at__lt=cutoff).exclude(
        status__in=[Import.Status.QUEUED, Import.Status.RUNNING]
    )
    ids = list(
        ImportRow.objects.filter(job__in=old)
        .exclude(values=[])
        .values_list("job_id", flat=True)
        .distinct()[:20]
    )
    cleared = 0
    for pk in ids:
        cleared += ImportRow.objects.filter(job_id=pk).exclude(values=[]).update(values=[])
    return cleared


def import_people_touched(job: Import) -> bool:
    """Has anyone (a person, not a machine) changed the people this import created or
    updated since it finished?"""
    people = job.rows.filter(supporter__isnull=False).values("supporter_id")
    return HistoryEvent.objects.filter(
        supporter_id__in=people, at__gt=job.finished_at, actor__isnull=False
    ).exists()


def import_undo(*, actor: Actor, job: Import) -> Import:
    """Undo a finished (or stopped) import while no one has touched its people: people it created are
    removed; updates reverted (fields back, contact points, ids, tags and "known by" it
    added taken away). A do-not-contact it recorded stays: a "no" is never undone by a
    machine. The import, its rows and the updated people's history stay."""
    _may_change(actor, job)
    with transaction.atomic():
        job = Import.objects.select_for_update().get(pk=job.pk)
        if job.status not in (Import.Status.DONE, Import.Status.FAILED):
            raise ValidationError({"status": _("Only a finished import can be undone.")})
        if import_people_touched(job):
            raise ValidationError(
                {"status": _("Someone has changed these people since; undo is no longer safe.")}
            )
        created = []
        for row in job.rows.filter(supporter__isnull=False).select_related("supporter"):
            if row.changes.get("created"):
                created.append(row.supporter_id)
                continue
            _revert(actor, row)
        Supporter.objects.filter(pk__in=created).delete()
        job.status = Import.Status.UNDONE
        job.undone_at = timezone.now()
        job.save(update_fields=["status", "undone_at"])
        audit_record(actor=as_user(actor), action="import.undone", obj=job, removed=len(created))
    return job


def _revert(actor: Actor, row: ImportRow) -> None:
    supporter = row.supporter
    before = row.changes.get("before") or {}
    if before:
        supporter_update(actor=actor, supporter=supporter, **before)
    undo = row.changes.get("undo") or {}
    for address in undo.get("emails", []):
        for point in supporter.emails.filter(address__iexact=address):
            contact_point_remove(actor=actor, contact_point=point)
    for number in undo.get("phones", []):
        for point in supporter.phones.filter(number=number):
            contact_point_remove(actor=actor, contact_point=point)
    for text in undo.get("addresses", []):
        for point in supporter.addresses.all():
            if str(point) == text:
                contact_point_remove(actor=actor, contact_point=point)
    for system in undo.get("ids", []):
        for external in supporter.external_ids.filter(system=system):
            external_id_remove(actor=actor, external_id=external)
    for tag in supporter.tags.filter(pk__in=undo.get("tags", [])):
        tag_remove(actor=actor, supporter=supporter, tag=tag)
    for relationship in supporter.relationships.filter(known_by_id__in=undo.get("known_by", [])):
        relationship_end(actor=actor, relationship=relationship)
    history_record(
        supporter=supporter,
        kind=HistoryEvent.Kind.IMPORTED,
        actor=actor,
        subject=row.job,
        summary=_("Import of %(file)s undone by %(who)s")
        % {"file": row.job.file_name, "who": actor},
        import_id=row.job_id,
    )


__all__ = [
    "NEW",
    "import_commit",
    "import_dry_run",
    "import_mapping_set",
    "import_rows_append",
    "import_start_rows",
    "import_undo",
    "import_upload",
]

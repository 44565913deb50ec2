"""Committing an import in the worker: chunks of rows, each with the cursor in one transaction.

``import_commit_chunk`` takes the import's row lock, reads the next ``IMPORT_CHUNK_ROWS``
rows after ``cursor`` (never more than 5,000), writes each through the supporters services
(each row in its own savepoint, so a bad row is an error on that row and the rest go in),
then moves ``cursor``, ``rows_done``, ``counts`` and ``heartbeat_at`` in the same
transaction. A worker killed mid-chunk commits nothing of it; the redelivered task (or the
sweep's) starts again after ``cursor``, so no row is done twice.

Matched people are updated by rule: empty fields filled, typed fields replaced only where the
mapping says overwrite, contact points added, do-not-contact only ever added, tags added.
Every row's outcome and what it added (for undo) is kept on its ``ImportRow``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizing.dispatch import advisory_xact_lock, enqueue_on_commit
from organizing.models import User
from organizing.roles import SYSTEM, Actor, is_system, team_ids_user_may_import_into

from ..history import history_record
from ..models import (
    DuplicateCandidate,
    ExternalId,
    HistoryEvent,
    Relationship,
    Supporter,
    SupporterPhone,
    Tag,
)
from ..services import (
    consent_set,
    contact_points_add,
    external_id_set,
    relationship_create,
    supporter_create,
    supporter_match_or_create,
    supporter_update,
    tag_add,
    tag_create,
)
from .interpret import PersonRow, person_row
from .matching import MATCHED, REVIEW, match_rows
from .models import Import, ImportRow

logger = logging.getLogger(__name__)

MAX_CHUNK_ROWS = 5_000

# Steps apps above this one add for targets they own (conversations writes notes), filled at
# app-ready time: ``step(*, actor, supporter, person, at) -> list[str]`` (what it added).
IMPORT_STEPS: list[Callable[..., list[str]]] = []


def import_step_register(step: Callable[..., list[str]]) -> None:
    if step not in IMPORT_STEPS:
        IMPORT_STEPS.append(step)


def chunk_rows() -> int:
    return max(1, min(MAX_CHUNK_ROWS, settings.IMPORT_CHUNK_ROWS))


def import_actor(job: Import) -> Actor:
    """Who the import acts as: the person who started it, re-read (roles may have changed)."""
    user = User.objects.filter(pk=job.created_by_id, is_active=True).first()
    return user if user is not None else SYSTEM


def import_commit_chunk(*, import_id: int) -> bool:
    """Commit the next chunk; True when more remain (the task enqueues the next one).

    Safe twice: a second call waits for the row lock, then starts after the cursor the
    first one committed; a finished (or undone) import does nothing."""
    now = timezone.now()
    # The heartbeat beats at the start too, in its own short transaction: the sweep sees a
    # live chunk even before it commits.
    Import.objects.filter(pk=import_id, status__in=["queued", "running"]).update(heartbeat_at=now)
    with transaction.atomic():
        job = Import.objects.select_for_update().filter(pk=import_id).first()
        if job is None or job.status not in (Import.Status.QUEUED, Import.Status.RUNNING):
            return False
        actor = import_actor(job)
        if is_system(actor) or job.team_id not in team_ids_user_may_import_into(actor):
            # Whoever started it left, or may no longer import into this team: stop here;
            # what was committed stays (and can be undone by data staff or an admin).
            job.status = Import.Status.FAILED
            job.error = _("Who started this import may no longer import into %(team)s.") % {
                "team": job.team.name
            }
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "error", "finished_at"])
            return False
        if job.status == Import.Status.QUEUED:
            job.status = Import.Status.RUNNING
            job.started_at = job.started_at or now
        fetched = list(job.rows.filter(number__gt=job.cursor).order_by("number")[: chunk_rows()])
        counts = dict(job.counts)
        # Half the soft time limit at most: on a slow database the chunk ends early (what is
        # done commits, the next task carries on), well inside CELERY_TASK_TIME_LIMIT.
        deadline = time.monotonic() + settings.CELERY_TASK_SOFT_TIME_LIMIT / 2
        rows: list[ImportRow] = []
        for row in fetched:
            outcome = _commit_row(job, actor, row)
            counts[outcome] = counts.get(outcome, 0) + 1
            rows.append(row)
            if time.monotonic() > deadline:
                break
        done = not job.rows.filter(number__gt=rows[-1].number if rows else job.cursor).exists()
        if rows:
            job.cursor = rows[-1].number
            job.rows_done += len(rows)
        job.counts = counts
        job.heartbeat_at = timezone.now()
        if done:
            job.status = Import.Status.DONE
            job.finished_at = timezone.now()
        job.save(
            update_fields=[
                "status",
                "started_at",
                "cursor",
                "rows_done",
                "counts",
                "heartbeat_at",
                "finished_at",
            ]
        )
        if not done:
            from ..tasks import import_commit_chunk_task  # services → tasks stays lazy

            enqueue_on_commit(import_commit_chunk_task, job.pk)
    return not done


def _commit_row(job: Import, actor: Actor, row: ImportRow) -> str:
    person = person_row(row.number, row.values, job.headers, job.mapping)
    member = None
    if not person.errors and person.known_by:
        member = _team_member(job, person.known_by)
        if member is None:
            person.error(
                _column(job, "known_by"),
                _("%(email)s is not a member of %(team)s.")
                % {"email": person.known_by, "team": job.team.name},
            )
    if person.errors:
        return _finish(row, ImportRow.Outcome.ERROR, errors=person.errors)
    try:
        with transaction.atomic():
            result: dict[str, Any] = {}
            for system, value in sorted(person.external_ids.items()):
                advisory_xact_lock(f"supporter-identity:external:{system}:{value}")

            def write(_match: Supporter | None) -> Supporter:
                result.update(_write(job, actor, person, member))
                return result["supporter"]

            supporter_match_or_create(
                actor=actor,
                emails=person.emails,
                phones=[number for number, _kind, _e164 in person.phones],
                write=write,
            )
    except (ValidationError, PermissionDenied, ValueError, DatabaseError) as error:
        reason = getattr(error, "message_dict", None) or str(error)
        return _finish(
            row, ImportRow.Outcome.ERROR, errors=[{"column": "", "reason": str(reason)[:300]}]
        )
    except Exception:  # a bug must not stop the file nor loop the sweep: this row fails alone
        logger.exception("Import %s row %s failed unexpectedly", job.pk, row.number)
        reason = _("This row could not be imported (an unexpected error, in the server log).")
        return _finish(row, ImportRow.Outcome.ERROR, errors=[{"column": "", "reason": reason}])
    return _finish(
        row,
        result["outcome"],
        supporter=result["supporter"],
        match_reason=result.get("reason", ""),
        changes=result["changes"],
    )


def _finish(row: ImportRow, outcome: str, **fields: Any) -> str:
    row.outcome = outcome
    for name, value in fields.items():
        setattr(row, name, value)
    row.save(update_fields=["outcome", *fields])
    return outcome


def _column(job: Import, target: str) -> str:
    return next((h for h, c in job.mapping.items() if c.get("target") == target), "")


def _team_member(job: Import, email: str) -> User | None:
    return User.objects.filter(
        email__iexact=email, is_active=True, memberships__team_id=job.team_id
    ).first()


def _write(job: Import, actor: Actor, person: PersonRow, member: User | None) -> dict:
    """Create or update one person (inside the identity locks). Returns outcome, supporter
    and the changes kept for undo."""
    match = match_rows([person], actor=actor)[person.number]
    changes: dict[str, Any] = {}
    if match.kind == MATCHED:
        supporter = Supporter.objects.get(pk=match.supporter_id)
        changes = _update(actor, supporter, person)
        outcome = ImportRow.Outcome.UPDATED if changes else ImportRow.Outcome.SKIPPED
    else:
        if not person.has_name:
            raise ValidationError(_("A new person needs a name (first, last or preferred)."))
        supporter = _create(job, actor, person)
        changes["created"] = True
        outcome = ImportRow.Outcome.CREATED
        if match.hidden_id is not None:
            _open_candidate(supporter.pk, match.hidden_id, match)
            if match.kind == REVIEW:
                outcome = ImportRow.Outcome.REVIEW
    added = _additions(actor, supporter, person, member, changes, created=match.kind != MATCHED)
    at = timezone.now()  # after the lines the services wrote: the import's line comes last
    for step in IMPORT_STEPS:
        added += step(actor=actor, supporter=supporter, person=person, at=at)
    if added:
        changes["added"] = added
        if outcome == ImportRow.Outcome.SKIPPED:
            outcome = ImportRow.Outcome.UPDATED
    if outcome != ImportRow.Outcome.SKIPPED:
        history_record(
            supporter=supporter,
            kind=HistoryEvent.Kind.IMPORTED,
            actor=actor,
            subject=job,
            at=at,
            summary=_("Imported from %(file)s by %(who)s") % {"file": job.file_name, "who": actor}
            + (f": {', '.join(changes.get('fields', []) + added)}" if outcome != "created" else ""),
            import_id=job.pk,
            fields=changes.get("fields", []),
            added=added,
        )
    return {"outcome": outcome, "supporter": supporter, "reason": match.reason, "changes": changes}


def _create(job: Import, actor: Actor, person: PersonRow) -> Supporter:
    number, kind, _e164 = (
        person.phones[0] if person.phones else ("", SupporterPhone.Kind.UNKNOWN, "")
    )
    custom = dict(person.custom_fields)
    if person.last_contacted:
        custom["last_contacted"] = person.last_contacted
    supporter = supporter_create(
        actor=actor,
        team=job.team,
        given_name=person.given_name,
        family_name=person.family_name,
        preferred_name=person.preferred_name,
        pronouns=person.pronouns,
        language=person.language or "en",
        source=Supporter.Source.IMPORT,
        email=person.emails[0] if person.emails else "",
        phone=number,
        phone_kind=kind,
        address=person.address if person.address.get("line1") else None,
        custom_fields=custom,
    )
    if person.support_level is not None:
        supporter = supporter_update(
            actor=actor, supporter=supporter, support_level=person.support_level
        )
    return supporter


def _update(actor: Actor, supporter: Supporter, person: PersonRow) -> dict[str, Any]:
    """Fill what is empty; replace typed fields only where the mapping says overwrite."""
    changes: dict[str, Any] = {}
    before: dict[str, Any] = {}
    for name in ("given_name", "family_name", "preferred_name", "pronouns", "language"):
        value = getattr(person, name)
        current = getattr(supporter, name)
        if value and value != current and (not current or name in person.overwrite):
            changes[name], before[name] = value, current
    level = person.support_level
    if (
        level is not None
        and level != supporter.support_level
        and (supporter.support_level is None or "support_level" in person.overwrite)
    ):
        changes["support_level"], before["support_level"] = level, supporter.support_level
    custom = dict(person.custom_fields)
    if person.last_contacted:
        custom["last_contacted"] = person.last_contacted
    new_custom = {
        key: value
        for key, value in custom.items()
        if key not in supporter.custom_fields or f"custom:{key}" in person.overwrite
    }
    if new_custom and any(supporter.custom_fields.get(k) != v for k, v in new_custom.items()):
        changes["custom_fields"] = {**supporter.custom_fields, **new_custom}
        before["custom_fields"] = supporter.custom_fields
    if changes:
        supporter_update(actor=actor, supporter=supporter, **changes)
        return {"fields": sorted(changes), "before": before}
    return {}


def _additions(actor, supporter, person, member, changes, *, created: bool) -> list[str]:
    """Contact points, ids, tags, do-not-contact and "known by": only ever added."""
    added: list[str] = []
    undo: dict[str, list] = {"emails": [], "phones": [], "addresses": [], "tags": [], "ids": []}
    emails = person.emails[1:] if created else person.emails
    phones = person.phones[1:] if created else person.phones
    addresses = [] if created or not person.address.get("line1") else [person.address]
    new = contact_points_add(
        actor=actor,
        supporter=supporter,
        emails=emails,
        phones=[(number, kind) for number, kind, _e164 in phones],
        addresses=addresses,
    )
    if new:
        added += new
        undo["emails"] = [e for e in emails if e in new]
        undo["phones"] = [n for n, _kind, _e164 in phones if n in new]
        undo["addresses"] = [str(a) for a in new if a not in undo["emails"] + undo["phones"]]
    for system, value in person.external_ids.items():
        existing = ExternalId.objects.filter(supporter=supporter, system=system).first()
        if existing is not None and (existing.value == value or not created):
            continue  # a stored id stays; an import never moves someone's id
        if (
            ExternalId.objects.filter(system=system, value=value)
            .exclude(supporter=supporter)
            .exists()
        ):
            continue  # someone else holds it (perhaps out of scope: never said who)
        external_id_set(actor=actor, supporter=supporter, system=system, value=value)
        undo["ids"].append(system)
        added.append(f"{system}:{value}")
    for name in person.tags:
        tag = Tag.objects.filter(name__iexact=name).first() or tag_create(actor=actor, name=name)
        if tag_add(actor=actor, supporter=supporter, tag=tag):
            undo["tags"].append(tag.pk)
            added.append(_("tag %(name)s") % {"name": tag.name})
    for channel in sorted(person.do_not_contact):
        if consent_set(actor=actor, supporter=supporter, channel=channel, reason=_("import")):
            added.append(_("do not contact by %(channel)s") % {"channel": channel})
    if member is not None:
        _relationship, made = relationship_create(
            actor=actor,
            supporter=supporter,
            known_by=member,
            kind=Relationship.Kind.OTHER,
            note=_("from an import"),
        )
        if made:
            undo["known_by"] = [member.pk]
            added.append(_("known by %(who)s") % {"who": member})
    if any(undo.values()):
        changes["undo"] = undo
    return added


def _open_candidate(new_id: int, other_id: int, match) -> None:
    first, second = sorted((new_id, other_id))
    DuplicateCandidate.objects.get_or_create(
        first_id=first,
        second_id=second,
        defaults={
            "score": round(match.score or 90.0, 1),
            "reasons": [f"import: {match.reason or 'same identifier'}"],
            "enricher": "import",
        },
    )

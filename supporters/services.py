"""Writes for people: supporters, contact points, consent, tags, assignments, history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from organizing.models import Team, User
from organizing.webhooks import webhook_emit

from .models import (
    Assignment,
    Channel,
    DoNotContact,
    ExportJob,
    HistoryEvent,
    Relationship,
    Segment,
    Supporter,
    SupporterAddress,
    SupporterEmail,
    SupporterPhone,
    SupporterTag,
    Tag,
)


def history_record(
    *,
    supporter: Supporter | int,
    kind: str,
    summary: str,
    actor: User | None = None,
    subject: models.Model | None = None,
    at: datetime | None = None,
    **details: Any,
) -> HistoryEvent:
    """Add one line to a supporter's timeline. Call it inside the writing service's transaction.

    ``actor`` None means a machine did it (say which in ``details``, e.g. ``enricher``,
    ``version``). ``details`` must be JSON-serialisable.
    """
    supporter_id = supporter if isinstance(supporter, int) else supporter.pk
    return HistoryEvent.objects.create(
        supporter_id=supporter_id,
        kind=kind,
        summary=summary[:300],
        actor=actor,
        subject_type=subject._meta.model_name if subject is not None else "",
        subject_id=subject.pk if subject is not None else None,
        at=at or timezone.now(),
        details=details,
    )


def supporter_create(
    *,
    actor: User | None,
    team: Team,
    given_name: str = "",
    family_name: str = "",
    preferred_name: str = "",
    pronouns: str = "",
    language: str = "en",
    source: str = Supporter.Source.OTHER,
    email: str = "",
    phone: str = "",
    phone_kind: str = SupporterPhone.Kind.UNKNOWN,
    address: dict[str, str] | None = None,
    known_by_kind: str = "",
    known_by_note: str = "",
    assign_to: User | None = None,
    custom_fields: dict[str, Any] | None = None,
) -> Supporter:
    """Add a person with their first contact points, as typed.

    ``known_by_kind`` records that ``actor`` knows them (a relational contact, which also
    lets a volunteer see them); ``assign_to`` gives them to a volunteer. Enrichment runs in
    the worker after commit. The caller checks that ``actor`` may add people to ``team``.
    """
    with transaction.atomic():
        supporter = Supporter.objects.create(
            team=team,
            given_name=given_name.strip(),
            family_name=family_name.strip(),
            preferred_name=preferred_name.strip(),
            pronouns=pronouns.strip(),
            language=language or "en",
            source=source,
            custom_fields=custom_fields or {},
            created_by=actor,
        )
        if email.strip():
            SupporterEmail.objects.create(
                supporter=supporter, address=email.strip(), is_primary=True
            )
        if phone.strip():
            SupporterPhone.objects.create(
                supporter=supporter, number=phone.strip(), kind=phone_kind, is_primary=True
            )
        if address and address.get("line1", "").strip():
            SupporterAddress.objects.create(
                supporter=supporter,
                is_primary=True,
                **{key: value.strip() for key, value in address.items() if value is not None},
            )
        history_record(
            supporter=supporter,
            kind=HistoryEvent.Kind.CREATED,
            actor=actor,
            subject=supporter,
            summary=f"Added ({supporter.get_source_display()})",
        )
        if known_by_kind and actor is not None:
            Relationship.objects.create(
                supporter=supporter,
                known_by=actor,
                kind=known_by_kind,
                note=known_by_note.strip(),
                created_by=actor,
            )
        if assign_to is not None:
            assignment_create(actor=actor, supporter=supporter, volunteer=assign_to)
        webhook_emit(event="supporter.created", subject=supporter, supporter=supporter)
    return supporter


def assignment_create(*, actor: User | None, supporter: Supporter, volunteer: User) -> Assignment:
    """Give ``supporter`` to ``volunteer``; a person has one assigned volunteer at a time.

    Any other active assignment of the supporter ends (kept as history). Assigning to the
    volunteer who already has them changes nothing.
    """
    with transaction.atomic():
        Supporter.objects.select_for_update().filter(pk=supporter.pk).first()
        current = Assignment.objects.active().filter(supporter=supporter)
        kept = current.filter(volunteer=volunteer).first()
        if kept is not None:
            return kept
        now = timezone.now()
        for previous in current.select_related("volunteer"):
            previous.ended_at = now
            previous.save(update_fields=["ended_at"])
            history_record(
                supporter=supporter,
                kind=HistoryEvent.Kind.UNASSIGNED,
                actor=actor,
                subject=previous,
                summary=f"No longer assigned to {previous.volunteer}",
            )
        assignment = Assignment.objects.create(
            supporter=supporter, volunteer=volunteer, assigned_by=actor
        )
        history_record(
            supporter=supporter,
            kind=HistoryEvent.Kind.ASSIGNED,
            actor=actor,
            subject=assignment,
            summary=f"Assigned to {volunteer}",
        )
    return assignment


def assignment_end(*, actor: User | None, assignment: Assignment) -> Assignment:
    """End an assignment (idempotent)."""
    with transaction.atomic():
        current = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if current.ended_at is None:
            current.ended_at = timezone.now()
            current.save(update_fields=["ended_at"])
            history_record(
                supporter=current.supporter_id,
                kind=HistoryEvent.Kind.UNASSIGNED,
                actor=actor,
                subject=current,
                summary=f"No longer assigned to {current.volunteer}",
            )
    return current


def tag_add(*, actor: User | None, supporter: Supporter, tag: Tag) -> bool:
    """Tag a supporter; returns False when they already had the tag (nothing changes)."""
    with transaction.atomic():
        _, created = SupporterTag.objects.get_or_create(
            supporter=supporter, tag=tag, defaults={"added_by": actor}
        )
        if created:
            history_record(
                supporter=supporter,
                kind=HistoryEvent.Kind.TAG_ADDED,
                actor=actor,
                subject=tag,
                summary=f"Tagged {tag.name}",
            )
    return created


def tag_remove(*, actor: User | None, supporter: Supporter, tag: Tag) -> bool:
    """Untag a supporter; returns False when they did not have the tag."""
    with transaction.atomic():
        deleted, _ = SupporterTag.objects.filter(supporter=supporter, tag=tag).delete()
        if deleted:
            history_record(
                supporter=supporter,
                kind=HistoryEvent.Kind.TAG_REMOVED,
                actor=actor,
                subject=tag,
                summary=f"Tag {tag.name} removed",
            )
    return bool(deleted)


def consent_set(
    *, actor: User | None, supporter: Supporter, channel: str, reason: str = ""
) -> bool:
    """Record that the person asked not to be reached on ``channel``.

    Returns False when the flag was already set (the first record, and its reason, stay).
    """
    with transaction.atomic():
        _, created = DoNotContact.objects.get_or_create(
            supporter=supporter, channel=channel, defaults={"set_by": actor, "reason": reason}
        )
        if created:
            history_record(
                supporter=supporter,
                kind=HistoryEvent.Kind.CONSENT_SET,
                actor=actor,
                summary=f"Do not contact by {Channel(channel).label.lower()}"
                + (f": {reason}" if reason else ""),
                channel=channel,
            )
    return created


def consent_clear(
    *, actor: User | None, supporter: Supporter, channel: str, reason: str = ""
) -> bool:
    """Lift a do-not-contact flag (the person said we may reach them again)."""
    with transaction.atomic():
        deleted, _ = DoNotContact.objects.filter(supporter=supporter, channel=channel).delete()
        if deleted:
            history_record(
                supporter=supporter,
                kind=HistoryEvent.Kind.CONSENT_CLEARED,
                actor=actor,
                summary=f"May contact by {Channel(channel).label.lower()} again"
                + (f": {reason}" if reason else ""),
                channel=channel,
            )
    return bool(deleted)


SUPPORTER_EDITABLE_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "pronouns",
    "language",
    "support_level",
    "engagement_level",
    "custom_fields",
)


def supporter_update(*, actor: User | None, supporter: Supporter, **changes: Any) -> Supporter:
    """Change a supporter's own fields (SUPPORTER_EDITABLE_FIELDS), writing one history line.

    Fields that do not change write nothing. The caller checks that ``actor`` may see them.
    """
    unknown = set(changes) - set(SUPPORTER_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        current = Supporter.objects.select_for_update().get(pk=supporter.pk)
        changed = [name for name, value in changes.items() if getattr(current, name) != value]
        if not changed:
            return current
        for name in changed:
            setattr(current, name, changes[name])
        current.save(update_fields=[*changed, "updated_at"])
        history_record(
            supporter=current,
            kind=HistoryEvent.Kind.UPDATED,
            actor=actor,
            subject=current,
            summary="Changed " + ", ".join(name.replace("_", " ") for name in changed),
            fields=changed,
        )
        webhook_emit(event="supporter.updated", subject=current, supporter=current, fields=changed)
    return current


def relationship_create(
    *,
    actor: User | None,
    supporter: Supporter,
    kind: str,
    known_by: User | None = None,
    other_supporter: Supporter | None = None,
    note: str = "",
) -> tuple[Relationship, bool]:
    """Record who knows ``supporter``: a user or another supporter (exactly one).

    Returns ``(relationship, created)``; recording the same pair again changes nothing.
    """
    if (known_by is None) == (other_supporter is None):
        raise ValueError("Give exactly one of known_by and other_supporter.")
    with transaction.atomic():
        relationship, created = Relationship.objects.get_or_create(
            supporter=supporter,
            known_by=known_by,
            other_supporter=other_supporter,
            defaults={"kind": kind, "note": note.strip(), "created_by": actor},
        )
        if created:
            history_record(
                supporter=supporter,
                kind=HistoryEvent.Kind.UPDATED,
                actor=actor,
                subject=relationship,
                summary=f"Known by {known_by or other_supporter} ({relationship.get_kind_display().lower()})",
            )
    return relationship, created


def segment_create(*, actor: User, name: str, filter: dict, description: str = "") -> Segment:
    """Save a segment. The caller has validated ``filter`` (``segments.segment_compile``)."""
    from organizing.services import audit_record

    with transaction.atomic():
        segment = Segment.objects.create(
            name=name.strip(), description=description.strip(), filter=filter, created_by=actor
        )
        audit_record(actor=actor, action="segment.create", obj=segment)
    return segment


def segment_update(*, actor: User, segment: Segment, **changes: Any) -> Segment:
    """Change a segment's name, description or (validated) filter."""
    from organizing.services import audit_record

    allowed = {"name", "description", "filter"}
    if set(changes) - allowed:
        raise ValueError(f"Not editable: {', '.join(sorted(set(changes) - allowed))}.")
    with transaction.atomic():
        for name, value in changes.items():
            setattr(segment, name, value.strip() if isinstance(value, str) else value)
        segment.save()
        audit_record(actor=actor, action="segment.update", obj=segment, fields=sorted(changes))
    return segment


def segment_delete(*, actor: User, segment: Segment) -> None:
    from organizing.services import audit_record

    with transaction.atomic():
        audit_record(actor=actor, action="segment.delete", obj=segment, filter=segment.filter)
        segment.delete()


def export_job_create(*, actor: User, segment: Segment, format: str, request=None) -> ExportJob:
    """Queue a segment export for the worker; it runs as ``actor`` (their visibility).

    Raises PermissionDenied unless ``actor`` is data staff or an admin.
    """
    from django.core.exceptions import PermissionDenied

    from organizing.selectors import user_is_organization_wide
    from organizing.services import audit_record

    if not user_is_organization_wide(actor):
        raise PermissionDenied("Only data staff and admins export.")
    with transaction.atomic():
        job = ExportJob.objects.create(segment=segment, requested_by=actor, format=format)
        audit_record(
            actor=actor,
            action="segment.export",
            obj=segment,
            request=request,
            format=format,
            export_job=job.pk,
            filter=segment.filter,
        )
    from .tasks import export_job_run_task

    export_job_run_task.delay_on_commit(job.pk)
    return job


def contact_points_add(
    *,
    actor: User | None,
    supporter: Supporter,
    emails: list[str] | tuple = (),
    phones: list[tuple[str, str]] | tuple = (),
    addresses: list[dict[str, str]] | tuple = (),
) -> list[str]:
    """Add the emails, ``(number, kind)`` phones and addresses ``supporter`` lacks, as typed.

    What they already have (emails ignoring case, phones and addresses as typed) is left
    alone, never replaced; the first of a kind becomes primary when they had none. One
    history line when anything was added. Returns what was added, for that line.
    """
    added: list[str] = []
    with transaction.atomic():
        current = Supporter.objects.select_for_update().get(pk=supporter.pk)
        for address in emails:
            address = address.strip()
            if not address or current.emails.filter(address__iexact=address).exists():
                continue
            SupporterEmail.objects.create(
                supporter=current, address=address, is_primary=not current.emails.exists()
            )
            added.append(address)
        for number, kind in phones:
            number = number.strip()
            if not number or current.phones.filter(number=number).exists():
                continue
            SupporterPhone.objects.create(
                supporter=current, number=number, kind=kind, is_primary=not current.phones.exists()
            )
            added.append(number)
        for fields in addresses:
            fields = {key: (value or "").strip() for key, value in fields.items()}
            if not any(fields.values()) or current.addresses.filter(**fields).exists():
                continue
            address = SupporterAddress.objects.create(
                supporter=current, is_primary=not current.addresses.exists(), **fields
            )
            added.append(str(address))
        if added:
            current.save(update_fields=["updated_at"])
            history_record(
                supporter=current,
                kind=HistoryEvent.Kind.UPDATED,
                actor=actor,
                subject=current,
                summary="Added " + ", ".join(added),
                added=added,
            )
            webhook_emit(event="supporter.updated", subject=current, supporter=current, added=added)
    return added

"""Writes for people: supporters, contact points, consent, tags, assignments, history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from organizing.dispatch import enqueue_on_commit
from organizing.models import Team, User
from organizing.webhooks import webhook_emit

from .models import (
    Assignment,
    Channel,
    DoNotContact,
    DuplicateCandidate,
    ExportJob,
    ExternalId,
    HistoryEvent,
    Relationship,
    Segment,
    Supporter,
    SupporterAddress,
    SupporterEmail,
    SupporterEnrichment,
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
    at: datetime | None = None,
) -> Supporter:
    """Add a person with their first contact points, as typed.

    ``known_by_kind`` records that ``actor`` knows them (a relational contact, which also
    lets a volunteer see them); ``assign_to`` gives them to a volunteer. Enrichment runs in
    the worker after commit. The caller checks that ``actor`` may add people to ``team``.
    ``at`` (default now) says when they were added, for an import, an offline sync or the
    demo: the rows and history lines written here carry it.
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
        if at is not None:
            # ``auto_now_add`` ignores a given value on insert, so a past date is set after it.
            Supporter.objects.filter(pk=supporter.pk).update(created_at=at)
            supporter.created_at = at
            for model in (SupporterEmail, SupporterPhone, SupporterAddress):
                model.objects.filter(supporter=supporter).update(created_at=at)
        history_record(
            supporter=supporter,
            kind=HistoryEvent.Kind.CREATED,
            actor=actor,
            subject=supporter,
            at=at,
            summary=f"Added ({supporter.get_source_display()})",
        )
        if known_by_kind and actor is not None:
            relationship = Relationship.objects.create(
                supporter=supporter,
                known_by=actor,
                kind=known_by_kind,
                note=known_by_note.strip(),
                created_by=actor,
            )
            if at is not None:
                Relationship.objects.filter(pk=relationship.pk).update(created_at=at)
        if assign_to is not None:
            assignment_create(actor=actor, supporter=supporter, volunteer=assign_to, at=at)
        from .tasks import supporter_enrich_task  # enrichment imports these services

        enqueue_on_commit(supporter_enrich_task, supporter.pk)  # the sweep covers outages

        webhook_emit(event="supporter.created", subject=supporter, supporter=supporter)
    return supporter


def assignment_create(
    *, actor: User | None, supporter: Supporter, volunteer: User, at: datetime | None = None
) -> Assignment:
    """Give ``supporter`` to ``volunteer``; a person has one assigned volunteer at a time.

    Any other active assignment of the supporter ends (kept as history). Assigning to the
    volunteer who already has them changes nothing. ``at`` (default now) dates the change.
    """
    with transaction.atomic():
        Supporter.objects.select_for_update().filter(pk=supporter.pk).first()
        current = Assignment.objects.active().filter(supporter=supporter)
        kept = current.filter(volunteer=volunteer).first()
        if kept is not None:
            return kept
        for previous in current.select_related("volunteer"):
            _assignment_close(previous, actor=actor, at=at)
        assignment = Assignment.objects.create(
            supporter=supporter, volunteer=volunteer, assigned_by=actor
        )
        if at is not None:
            Assignment.objects.filter(pk=assignment.pk).update(created_at=at)
            assignment.created_at = at
        history_record(
            supporter=supporter,
            kind=HistoryEvent.Kind.ASSIGNED,
            actor=actor,
            subject=assignment,
            at=at,
            summary=f"Assigned to {volunteer}",
        )
    return assignment


def _assignment_close(
    assignment: Assignment, *, actor: User | None, at: datetime | None = None
) -> None:
    assignment.ended_at = at or timezone.now()
    assignment.save(update_fields=["ended_at"])
    history_record(
        supporter=assignment.supporter_id,
        kind=HistoryEvent.Kind.UNASSIGNED,
        actor=actor,
        subject=assignment,
        at=assignment.ended_at,
        summary=f"No longer assigned to {assignment.volunteer}",
    )


def assignment_end(*, actor: User | None, assignment: Assignment) -> Assignment:
    """End an assignment (idempotent)."""
    with transaction.atomic():
        current = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if current.ended_at is None:
            _assignment_close(current, actor=actor)
    return current


def tag_add(
    *, actor: User | None, supporter: Supporter, tag: Tag, at: datetime | None = None
) -> bool:
    """Tag a supporter; returns False when they already had the tag (nothing changes).

    ``at`` (default now) dates the tagging and its history line."""
    with transaction.atomic():
        tagging, created = SupporterTag.objects.get_or_create(
            supporter=supporter, tag=tag, defaults={"added_by": actor}
        )
        if created:
            if at is not None:
                SupporterTag.objects.filter(pk=tagging.pk).update(added_at=at)
            history_record(
                supporter=supporter,
                kind=HistoryEvent.Kind.TAG_ADDED,
                actor=actor,
                subject=tag,
                at=at,
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
    *,
    actor: User | None,
    supporter: Supporter,
    channel: str,
    reason: str = "",
    at: datetime | None = None,
) -> bool:
    """Record that the person asked not to be reached on ``channel``.

    Returns False when the flag was already set (the first record, and its reason, stay).
    ``at`` (default now) says when they asked.
    """
    with transaction.atomic():
        flag, created = DoNotContact.objects.get_or_create(
            supporter=supporter, channel=channel, defaults={"set_by": actor, "reason": reason}
        )
        if created:
            if at is not None:
                DoNotContact.objects.filter(pk=flag.pk).update(set_at=at)
            history_record(
                supporter=supporter,
                kind=HistoryEvent.Kind.CONSENT_SET,
                actor=actor,
                at=at,
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


def tag_merge(*, actor: User | None, source: Tag, target: Tag) -> int:
    """Fold ``source`` into ``target``: everyone tagged ``source`` gets ``target``; ``source``
    goes. Returns how many people were retagged. Each person's history records both lines."""
    if source.pk == target.pk:
        raise ValueError("A tag cannot be merged into itself.")
    moved = 0
    with transaction.atomic():
        for tagging in SupporterTag.objects.filter(tag=source).select_related("supporter"):
            tag_add(actor=actor, supporter=tagging.supporter, tag=target)
            tag_remove(actor=actor, supporter=tagging.supporter, tag=source)
            moved += 1
        source.delete()
    return moved


def duplicate_dismiss(*, actor: User, candidate: DuplicateCandidate) -> DuplicateCandidate:
    """An organizer says the pair are two people; it is never raised again. Idempotent."""
    with transaction.atomic():
        current = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
        if current.status == DuplicateCandidate.Status.OPEN:
            current.status = DuplicateCandidate.Status.NOT_DUPLICATE
            current.decided_by, current.decided_at = actor, timezone.now()
            current.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    return current


def _move_unless_taken(queryset, kept: Supporter, taken: set, key) -> tuple[int, int]:
    """Move rows to ``kept`` unless ``key(row)`` is already in ``taken``; delete those."""
    moved = dropped = 0
    for row in queryset:
        if key(row) in taken:
            row.delete()
            dropped += 1
        else:
            row.supporter = kept
            row.save(update_fields=["supporter"])
            taken.add(key(row))
            moved += 1
    return moved, dropped


def supporter_merge(
    *, actor: User, kept: Supporter, merged: Supporter, at: datetime | None = None
) -> Supporter:
    """Fold ``merged`` into ``kept``: one person, one history. ``merged`` is deleted.

    Moves contact points (a second primary becomes non-primary; an identical one is dropped),
    consent flags (the union: a "no" on either record stays a "no"), conversations, notes,
    follow-ups (an open one whose reason ``kept`` already has open is cancelled), suggestions,
    tags, relationships, assignments, history and external ids. ``kept``'s typed fields stay;
    only its blank ones are filled from ``merged``. Writes a MERGED line on ``kept`` and
    re-enqueues its enrichment. The caller checks that ``actor`` may organize both. ``at``
    (default now) dates the MERGED line and what the merge ends or cancels.
    """
    from conversations.models import Conversation, FollowUp, Note, Suggestion

    if kept.pk == merged.pk:
        raise ValueError("A supporter cannot be merged into themselves.")
    with transaction.atomic():
        locked = {
            s.pk: s
            for s in Supporter.objects.select_for_update().filter(pk__in=[kept.pk, merged.pk])
        }
        kept, merged = locked[kept.pk], locked[merged.pk]
        counts: dict[str, int] = {}

        def unprimary(model):
            if model.objects.filter(supporter=kept, is_primary=True).exists():
                model.objects.filter(supporter=merged).update(is_primary=False)

        for model in (SupporterEmail, SupporterPhone, SupporterAddress):
            unprimary(model)
        counts["emails"], _ = _move_unless_taken(
            SupporterEmail.objects.filter(supporter=merged),
            kept,
            {a.lower() for a in kept.emails.values_list("address", flat=True)},
            lambda row: row.address.lower(),
        )
        counts["phones"], _ = _move_unless_taken(
            SupporterPhone.objects.filter(supporter=merged),
            kept,
            set(kept.phones.values_list("number", flat=True)),
            lambda row: row.number,
        )
        counts["addresses"] = SupporterAddress.objects.filter(supporter=merged).update(
            supporter=kept
        )
        _move_unless_taken(
            DoNotContact.objects.filter(supporter=merged),
            kept,
            set(kept.do_not_contact.values_list("channel", flat=True)),
            lambda row: row.channel,
        )
        dropped_ids = []
        for external in ExternalId.objects.filter(supporter=merged):
            if kept.external_ids.filter(system=external.system).exists():
                dropped_ids.append(f"{external.system}:{external.value}")
                external.delete()
            else:
                external.supporter = kept
                external.save(update_fields=["supporter"])
        counts["conversations"] = Conversation.objects.filter(supporter=merged).update(
            supporter=kept
        )
        counts["notes"] = Note.objects.filter(supporter=merged).update(supporter=kept)
        open_reasons = {
            r.lower()
            for r in FollowUp.objects.filter(supporter=kept, status="open").values_list(
                "reason", flat=True
            )
        }
        now = at or timezone.now()
        for followup in FollowUp.objects.filter(supporter=merged, status="open"):
            if followup.reason.lower() in open_reasons:
                followup.status, followup.completed_by, followup.completed_at = (
                    FollowUp.Status.CANCELLED,
                    actor,
                    now,
                )
                followup.save(update_fields=["status", "completed_by", "completed_at"])
            open_reasons.add(followup.reason.lower())
        counts["followups"] = FollowUp.objects.filter(supporter=merged).update(supporter=kept)
        _move_unless_taken(
            Suggestion.objects.filter(supporter=merged),
            kept,
            {t.lower() for t in kept.suggestions.values_list("text", flat=True)},
            lambda row: row.text.lower(),
        )
        counts["tags"], _ = _move_unless_taken(
            SupporterTag.objects.filter(supporter=merged),
            kept,
            set(kept.taggings.values_list("tag_id", flat=True)),
            lambda row: row.tag_id,
        )
        # Relationships: drop the one between the two records; keep one per counterpart.
        Relationship.objects.filter(supporter=merged, other_supporter=kept).delete()
        Relationship.objects.filter(supporter=kept, other_supporter=merged).delete()
        _move_unless_taken(
            Relationship.objects.filter(supporter=merged),
            kept,
            {
                (r.known_by_id, r.other_supporter_id)
                for r in Relationship.objects.filter(supporter=kept)
            },
            lambda row: (row.known_by_id, row.other_supporter_id),
        )
        taken = set(
            Relationship.objects.filter(other_supporter=kept).values_list("supporter_id", flat=True)
        )
        for relationship in Relationship.objects.filter(other_supporter=merged):
            if relationship.supporter_id in taken:
                relationship.delete()
            else:
                relationship.other_supporter = kept
                relationship.save(update_fields=["other_supporter"])
                taken.add(relationship.supporter_id)
        # One assigned volunteer at a time: kept's stands; merged's becomes history.
        if Assignment.objects.active().filter(supporter=kept).exists():
            Assignment.objects.active().filter(supporter=merged).update(ended_at=now)
        counts["assignments"] = Assignment.objects.filter(supporter=merged).update(supporter=kept)
        counts["history"] = HistoryEvent.objects.filter(supporter=merged).update(supporter=kept)

        changed = []
        for field in ("given_name", "family_name", "preferred_name", "pronouns"):
            if not getattr(kept, field) and getattr(merged, field):
                setattr(kept, field, getattr(merged, field))
                changed.append(field)
        if kept.support_level is None and merged.support_level is not None:
            kept.support_level = merged.support_level
            changed.append("support_level")
        if merged.custom_fields:
            kept.custom_fields = {**merged.custom_fields, **kept.custom_fields}
            changed.append("custom_fields")
        if changed:
            kept.save(update_fields=[*changed, "updated_at"])
        merged_name, merged_id = merged.display_name, merged.pk
        merged.delete()
        # Contact points moved: enrich the kept record again.
        SupporterEnrichment.objects.filter(supporter=kept).update(version=0)
        history_record(
            supporter=kept,
            kind=HistoryEvent.Kind.MERGED,
            actor=actor,
            subject=kept,
            at=now,
            summary=f"Merged with {merged_name} (#{merged_id})",
            merged_id=merged_id,
            merged_name=merged_name,
            moved=counts,
            dropped_external_ids=dropped_ids,
        )
        from .tasks import supporter_enrich_task

        enqueue_on_commit(supporter_enrich_task, kept.pk)
    return kept


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


def supporter_update(
    *, actor: User | None, supporter: Supporter, at: datetime | None = None, **changes: Any
) -> Supporter:
    """Change a supporter's own fields (SUPPORTER_EDITABLE_FIELDS), writing one history line.

    Fields that do not change write nothing. The caller checks that ``actor`` may see them.
    ``at`` (default now) dates the history line.
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
            at=at,
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
    at: datetime | None = None,
) -> tuple[Relationship, bool]:
    """Record who knows ``supporter``: a user or another supporter (exactly one).

    Returns ``(relationship, created)``; recording the same pair again changes nothing.
    ``at`` (default now) dates the relationship and its history line.
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
            if at is not None:
                Relationship.objects.filter(pk=relationship.pk).update(created_at=at)
                relationship.created_at = at
            history_record(
                supporter=supporter,
                kind=HistoryEvent.Kind.UPDATED,
                actor=actor,
                subject=relationship,
                at=at,
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

    from organizing.roles import user_is_organization_wide
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
    at: datetime | None = None,
) -> list[str]:
    """Add the emails, ``(number, kind)`` phones and addresses ``supporter`` lacks, as typed.

    What they already have (emails ignoring case, phones and addresses as typed) is left
    alone, never replaced; the first of a kind becomes primary when they had none. One
    history line when anything was added. Returns what was added, for that line. ``at``
    (default now) dates the new contact points and the line.
    """
    added: list[str] = []
    new_rows: list[SupporterEmail | SupporterPhone | SupporterAddress] = []
    with transaction.atomic():
        current = Supporter.objects.select_for_update().get(pk=supporter.pk)
        for address in emails:
            address = address.strip()
            if not address or current.emails.filter(address__iexact=address).exists():
                continue
            new_rows.append(
                SupporterEmail.objects.create(
                    supporter=current, address=address, is_primary=not current.emails.exists()
                )
            )
            added.append(address)
        for number, kind in phones:
            number = number.strip()
            if not number or current.phones.filter(number=number).exists():
                continue
            new_rows.append(
                SupporterPhone.objects.create(
                    supporter=current,
                    number=number,
                    kind=kind,
                    is_primary=not current.phones.exists(),
                )
            )
            added.append(number)
        for fields in addresses:
            fields = {key: (value or "").strip() for key, value in fields.items()}
            if not any(fields.values()) or current.addresses.filter(**fields).exists():
                continue
            address = SupporterAddress.objects.create(
                supporter=current, is_primary=not current.addresses.exists(), **fields
            )
            new_rows.append(address)
            added.append(str(address))
        if added:
            if at is not None:
                for row in new_rows:
                    type(row).objects.filter(pk=row.pk).update(created_at=at)
            current.save(update_fields=["updated_at"])
            history_record(
                supporter=current,
                kind=HistoryEvent.Kind.UPDATED,
                actor=actor,
                subject=current,
                at=at,
                summary="Added " + ", ".join(added),
                added=added,
            )
            webhook_emit(event="supporter.updated", subject=current, supporter=current, added=added)
    return added

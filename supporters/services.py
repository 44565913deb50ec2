"""Writes for people: supporters, contact points, consent, tags, assignments, merges.

Each writes its history line with ``supporters.history.history_record``."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizing.dispatch import advisory_xact_lock, enqueue_on_commit
from organizing.models import Team, User
from organizing.roles import (
    Actor,
    as_user,
    is_system,
    team_ids_user_may_add_people_to,
    user_is_organizer_or_above,
    user_may_export,
    user_organizes,
)
from organizing.services import audit_record
from organizing.webhooks import webhook_emit

from .history import history_record
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
from .selectors import (
    SupporterAccess,
    duplicate_get,
    segment_may_change,
    supporter_access,
    supporter_match,
)

# Steps other apps add to a merge (conversations moves its rows through its own services);
# filled at app-ready time, so this app imports nothing above it.
MERGE_STEPS: list[Callable[..., dict[str, int]]] = []


def merge_step_register(step: Callable[..., dict[str, int]]) -> None:
    """``step(*, actor, kept, merged)`` runs inside ``supporter_merge``'s transaction, before
    ``merged`` is deleted, and returns counts of what it moved for the MERGED line."""
    if step not in MERGE_STEPS:
        MERGE_STEPS.append(step)


def _may_edit(actor: Actor, supporter: Supporter) -> SupporterAccess:
    """404 unless ``actor`` may see ``supporter``; PermissionDenied unless they may edit."""
    access = supporter_access(viewer=actor, supporter=supporter)
    if not access.can_edit:
        raise PermissionDenied(_("You may not change this person."))
    return access


def _may_organize(actor: Actor, supporter: Supporter) -> SupporterAccess:
    """404 unless ``actor`` may see ``supporter``; PermissionDenied unless they organize them."""
    access = supporter_access(viewer=actor, supporter=supporter)
    if not access.can_organize:
        raise PermissionDenied(_("Only this person's team organizers, data staff and admins may."))
    return access


def _keeps_shared_lists(actor: Actor) -> None:
    if not user_is_organizer_or_above(actor):
        raise PermissionDenied(_("Only organizers, data staff and admins keep the shared lists."))


def supporter_create(
    *,
    actor: Actor,
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
    client_uuid: uuid.UUID | None = None,
    at: datetime | None = None,
) -> Supporter:
    """Add a person with their first contact points, as typed.

    The rule: ``actor`` adds people only to teams they may add to
    (``team_ids_user_may_add_people_to``: their own teams; every team for data staff and
    admins), else PermissionDenied. Whoever adds someone can see them afterwards: with
    ``known_by_kind`` they know them (a relational contact); otherwise, unless they organize
    ``team`` (organizers see their team's people and hand them out), the person is assigned to
    them. ``assign_to`` gives the person to another volunteer, which only those who organize
    ``team`` may do. Enrichment runs in the worker after commit.

    Idempotent by ``client_uuid``: a retry with the UUID of a person already stored returns
    that person, unchanged (``is_new`` False on the returned object). ``at`` (default now)
    says when they were added (an import, an offline sync, the demo); the rows and history
    lines written here carry it.
    """
    if not is_system(actor) and team.pk not in team_ids_user_may_add_people_to(actor):
        raise PermissionDenied(_("You may not add people to this team."))
    organizes = user_organizes(actor, team.pk)
    if assign_to is not None and assign_to != actor and not organizes:
        raise PermissionDenied(_("Only this team's organizers give people to other volunteers."))
    if assign_to is None and not known_by_kind and not organizes:
        assign_to = actor
    if client_uuid is not None:
        existing = Supporter.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            existing.is_new = False
            return existing
    try:
        supporter = _supporter_insert(
            actor=actor,
            team=team,
            given_name=given_name,
            family_name=family_name,
            preferred_name=preferred_name,
            pronouns=pronouns,
            language=language,
            source=source,
            email=email,
            phone=phone,
            phone_kind=phone_kind,
            address=address,
            known_by_kind=known_by_kind,
            known_by_note=known_by_note,
            assign_to=assign_to,
            custom_fields=custom_fields,
            client_uuid=client_uuid,
            at=at,
        )
    except IntegrityError:
        if client_uuid is None:
            raise
        # A concurrent request with the same UUID won the race; theirs is the one stored.
        supporter = Supporter.objects.get(client_uuid=client_uuid)
        supporter.is_new = False
        return supporter
    supporter.is_new = True
    return supporter


def _supporter_insert(
    *,
    actor: Actor,
    team: Team,
    given_name: str,
    family_name: str,
    preferred_name: str,
    pronouns: str,
    language: str,
    source: str,
    email: str,
    phone: str,
    phone_kind: str,
    address: dict[str, str] | None,
    known_by_kind: str,
    known_by_note: str,
    assign_to: User | None,
    custom_fields: dict[str, Any] | None,
    client_uuid: uuid.UUID | None,
    at: datetime | None,
) -> Supporter:
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
            created_by=as_user(actor),
            client_uuid=client_uuid,
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
        if known_by_kind and as_user(actor) is not None:
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
            _assignment_open(actor=actor, supporter=supporter, volunteer=assign_to, at=at)
        from .tasks import supporter_enrich_task  # services → tasks stays lazy (STYLE.md)

        enqueue_on_commit(supporter_enrich_task, supporter.pk)  # the sweep covers outages

        webhook_emit(event="supporter.created", subject=supporter, supporter=supporter)
    return supporter


def assignment_create(
    *, actor: Actor, supporter: Supporter, volunteer: User, at: datetime | None = None
) -> Assignment:
    """Give ``supporter`` to ``volunteer``; a person has one assigned volunteer at a time.

    Only those who organize the person (``can_organize``) assign. Any other active assignment
    of the supporter ends (kept as history). Assigning to the volunteer who already has them
    changes nothing. ``at`` (default now) dates the change.
    """
    _may_organize(actor, supporter)
    return _assignment_open(actor=actor, supporter=supporter, volunteer=volunteer, at=at)


def _assignment_open(
    *, actor: Actor, supporter: Supporter, volunteer: User, at: datetime | None = None
) -> Assignment:
    with transaction.atomic():
        Supporter.objects.select_for_update().filter(pk=supporter.pk).first()
        current = Assignment.objects.active().filter(supporter=supporter)
        kept = current.filter(volunteer=volunteer).first()
        if kept is not None:
            return kept
        for previous in current.select_related("volunteer"):
            _assignment_close(previous, actor=actor, at=at)
        assignment = Assignment.objects.create(
            supporter=supporter, volunteer=volunteer, assigned_by=as_user(actor)
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


def _assignment_close(assignment: Assignment, *, actor: Actor, at: datetime | None = None) -> None:
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


def assignment_end(*, actor: Actor, assignment: Assignment) -> Assignment:
    """End an assignment (idempotent). Those who organize the person, or the volunteer
    handing the person back."""
    if assignment.volunteer_id != getattr(actor, "pk", None):
        _may_organize(actor, assignment.supporter)
    with transaction.atomic():
        current = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if current.ended_at is None:
            _assignment_close(current, actor=actor)
    return current


def tag_add(*, actor: Actor, supporter: Supporter, tag: Tag, at: datetime | None = None) -> bool:
    """Tag a supporter; returns False when they already had the tag (nothing changes).

    Anyone who may edit the person (``can_edit``). ``at`` (default now) dates the tagging."""
    _may_edit(actor, supporter)
    return _tag_add(actor=actor, supporter=supporter, tag=tag, at=at)


def _tag_add(*, actor: Actor, supporter: Supporter, tag: Tag, at: datetime | None = None) -> bool:
    with transaction.atomic():
        tagging, created = SupporterTag.objects.get_or_create(
            supporter=supporter, tag=tag, defaults={"added_by": as_user(actor)}
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


def tag_remove(*, actor: Actor, supporter: Supporter, tag: Tag) -> bool:
    """Untag a supporter; returns False when they did not have the tag. ``can_edit``."""
    _may_edit(actor, supporter)
    return _tag_remove(actor=actor, supporter=supporter, tag=tag)


def _tag_remove(*, actor: Actor, supporter: Supporter, tag: Tag) -> bool:
    with transaction.atomic():
        deleted, _count = SupporterTag.objects.filter(supporter=supporter, tag=tag).delete()
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
    actor: Actor,
    supporter: Supporter,
    channel: str,
    reason: str = "",
    at: datetime | None = None,
) -> bool:
    """Record that the person asked not to be reached on ``channel``. ``can_edit``.

    Returns False when the flag was already set (the first record, and its reason, stay).
    ``at`` (default now) says when they asked.
    """
    _may_edit(actor, supporter)
    with transaction.atomic():
        flag, created = DoNotContact.objects.get_or_create(
            supporter=supporter,
            channel=channel,
            defaults={"set_by": as_user(actor), "reason": reason},
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


def consent_clear(*, actor: Actor, supporter: Supporter, channel: str, reason: str = "") -> bool:
    """Lift a do-not-contact flag (the person said we may reach them again). ``can_edit``."""
    _may_edit(actor, supporter)
    with transaction.atomic():
        deleted, _count = DoNotContact.objects.filter(supporter=supporter, channel=channel).delete()
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


def tag_create(*, actor: Actor, name: str, description: str = "") -> Tag:
    """Add a tag to the shared list: organizers, data staff and admins. A name already taken
    (ignoring case) is a ValidationError on ``name``."""
    _keeps_shared_lists(actor)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name it.")})
    with transaction.atomic():
        if taken := tag_name_taken(name):
            raise ValidationError({"name": taken})
        return Tag.objects.create(name=name, description=description.strip())


def tag_name_taken(name: str, *, tag: Tag | None = None) -> str:
    """What to say when ``name`` (ignoring case) is another tag's already; "" when it is free.
    The services refuse with it, and the page's form says it before asking them."""
    clash = Tag.objects.filter(name__iexact=name.strip())
    if tag is not None:
        clash = clash.exclude(pk=tag.pk)
    if clash.exists():
        return _("There is already a tag called %(name)s.") % {"name": name.strip()}
    return ""


def tag_rename(*, actor: Actor, tag: Tag, name: str, description: str | None = None) -> Tag:
    """Rename a tag (and change its description): organizers and above."""
    _keeps_shared_lists(actor)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name it.")})
    with transaction.atomic():
        if taken := tag_name_taken(name, tag=tag):
            raise ValidationError({"name": taken})
        tag.name = name
        if description is not None:
            tag.description = description.strip()
        tag.save()
    return tag


def tag_delete(*, actor: Actor, tag: Tag) -> int:
    """Delete a tag: organizers and above. Each tagged person's history says it was removed.
    Returns how many people had it."""
    _keeps_shared_lists(actor)
    removed = 0
    with transaction.atomic():
        for tagging in SupporterTag.objects.filter(tag=tag).select_related("supporter"):
            _tag_remove(actor=actor, supporter=tagging.supporter, tag=tag)
            removed += 1
        tag.delete()
    return removed


def tag_merge(*, actor: Actor, source: Tag, target: Tag) -> int:
    """Fold ``source`` into ``target``: everyone tagged ``source`` gets ``target``; ``source``
    goes. Organizers and above (the tag list is shared by every team). Returns how many people
    were retagged. Each person's history records both lines."""
    _keeps_shared_lists(actor)
    if source.pk == target.pk:
        raise ValueError("A tag cannot be merged into itself.")
    moved = 0
    with transaction.atomic():
        for tagging in SupporterTag.objects.filter(tag=source).select_related("supporter"):
            _tag_add(actor=actor, supporter=tagging.supporter, tag=target)
            _tag_remove(actor=actor, supporter=tagging.supporter, tag=source)
            moved += 1
        source.delete()
    return moved


def duplicate_dismiss(*, actor: Actor, candidate: DuplicateCandidate) -> DuplicateCandidate:
    """An organizer says the pair are two people; it is never raised again. Idempotent.

    The duplicate-review rule (``duplicate_get``): those who organize both people."""
    if not is_system(actor):
        duplicate_get(viewer=actor, pk=candidate.pk)
    with transaction.atomic():
        current = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
        if current.status == DuplicateCandidate.Status.OPEN:
            current.status = DuplicateCandidate.Status.NOT_DUPLICATE
            current.decided_by, current.decided_at = as_user(actor), timezone.now()
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
    *, actor: Actor, kept: Supporter, merged: Supporter, at: datetime | None = None
) -> Supporter:
    """Fold ``merged`` into ``kept``: one person, one history. ``merged`` is deleted.

    Moves contact points (a second primary becomes non-primary; an identical one is dropped),
    consent flags (the union: a "no" on either record stays a "no"), conversations, notes,
    follow-ups (an open one whose reason ``kept`` already has open is cancelled), suggestions,
    tags, relationships, assignments, history and external ids. ``kept``'s typed fields stay;
    only its blank ones are filled from ``merged``. Writes a MERGED line on ``kept`` and
    re-enqueues its enrichment. The rule: ``actor`` organizes both people (``can_organize``),
    else PermissionDenied (a 404 for someone they may not see). The rows of apps above this
    one (conversations, notes, follow-ups, suggestions) move through their own services, by
    the steps registered with ``merge_step_register``.
    """
    if kept.pk == merged.pk:
        raise ValueError("A supporter cannot be merged into themselves.")
    _may_organize(actor, kept)
    _may_organize(actor, merged)
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
        counts["emails"], _count = _move_unless_taken(
            SupporterEmail.objects.filter(supporter=merged),
            kept,
            {a.lower() for a in kept.emails.values_list("address", flat=True)},
            lambda row: row.address.lower(),
        )
        counts["phones"], _count = _move_unless_taken(
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
        for step in MERGE_STEPS:
            counts.update(step(actor=actor, kept=kept, merged=merged))
        now = at or timezone.now()
        counts["tags"], _count = _move_unless_taken(
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
    "custom_fields",
)


def supporter_update(
    *,
    actor: Actor,
    supporter: Supporter,
    at: datetime | None = None,
    answered_in: Any = None,
    **changes: Any,
) -> Supporter:
    """Change a supporter's own fields (SUPPORTER_EDITABLE_FIELDS), writing one history line
    and a ``supporter.updated`` event.

    The rule is ``SupporterAccess.may_edit_field``, asked of each field that changes: those
    who organize the person change any; anyone else who may edit them (a volunteer with
    them assigned or known) only the contact fields (preferred name, pronouns, language),
    else PermissionDenied and nothing changes. ``answered_in``: the conversation (about this
    person) whose survey answer sets ``support_level``; anyone who may log it may record the
    answer, and the history line names the conversation.

    ``engagement_level`` is the computed ladder; setting it here is an override, which only
    those who organize the person may set (who and when are kept, and the brief shows it as
    set by hand); ``engagement_level=None`` clears the override and the computed level
    returns. Fields that do not change write nothing (so a client sending a field back
    unchanged is never refused for it).
    """
    unknown = set(changes) - {*SUPPORTER_EDITABLE_FIELDS, "engagement_level"}
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}.")
    access = _may_edit(actor, supporter)
    if "engagement_level" in changes and not access.can_organize:
        raise PermissionDenied(_("Only this person's organizers set their engagement by hand."))
    if answered_in is not None and (
        set(changes) != {"support_level"} or answered_in.supporter_id != supporter.pk
    ):
        raise ValueError("answered_in carries one support answer about this person.")
    with transaction.atomic():
        current = Supporter.objects.select_for_update().get(pk=supporter.pk)
        if "engagement_level" in changes:
            override = changes.pop("engagement_level")
            if override != current.engagement_override:
                computed = (
                    SupporterEnrichment.objects.filter(supporter=current)
                    .values_list("engagement_level", flat=True)
                    .first()
                )
                changes["engagement_override"] = override
                changes["engagement_override_by"] = as_user(actor) if override is not None else None
                changes["engagement_override_at"] = (
                    (at or timezone.now()) if override is not None else None
                )
                changes["engagement_level"] = override if override is not None else (computed or 0)
        changed = [name for name, value in changes.items() if getattr(current, name) != value]
        if not changed:
            return current
        refused = [
            name
            for name in changed
            if not name.startswith("engagement_")
            and not access.may_edit_field(name)
            and not (answered_in is not None and name == "support_level")
        ]
        if refused:
            raise PermissionDenied(
                "Only this person's organizers change their "
                + ", ".join(name.replace("_", " ") for name in refused)
                + "; you may correct their contact details."
            )
        for name in changed:
            setattr(current, name, changes[name])
        current.save(update_fields=[*changed, "updated_at"])
        changed = [name for name in changed if not name.startswith("engagement_override")] or [
            "engagement_level"
        ]
        history_record(
            supporter=current,
            kind=HistoryEvent.Kind.UPDATED,
            actor=actor,
            subject=current,
            at=at,
            summary="Changed " + ", ".join(name.replace("_", " ") for name in changed),
            fields=changed,
            **({"conversation": answered_in.pk} if answered_in is not None else {}),
        )
        webhook_emit(event="supporter.updated", subject=current, supporter=current, fields=changed)
    return current


def relationship_create(
    *,
    actor: Actor,
    supporter: Supporter,
    kind: str,
    known_by: User | None = None,
    other_supporter: Supporter | None = None,
    note: str = "",
    at: datetime | None = None,
) -> tuple[Relationship, bool]:
    """Record who knows ``supporter``: a user or another supporter (exactly one).

    Returns ``(relationship, created)``; recording the same pair again changes nothing.
    The rule: ``actor`` may edit ``supporter`` (and see ``other_supporter``); only those who
    organize the person record that someone other than themselves knows them. ``at``
    (default now) dates the relationship and its history line.
    """
    if (known_by is None) == (other_supporter is None):
        raise ValueError("Give exactly one of known_by and other_supporter.")
    access = _may_edit(actor, supporter)
    if other_supporter is not None:
        supporter_access(viewer=actor, supporter=other_supporter)
    if known_by is not None and known_by != actor and not access.can_organize:
        raise PermissionDenied(_("You may record only whom you know yourself."))
    with transaction.atomic():
        relationship, created = Relationship.objects.get_or_create(
            supporter=supporter,
            known_by=known_by,
            other_supporter=other_supporter,
            defaults={"kind": kind, "note": note.strip(), "created_by": as_user(actor)},
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


def _may_change_segment(actor: Actor, segment: Segment) -> None:
    if not segment_may_change(viewer=actor, segment=segment):
        raise PermissionDenied(_("Only the segment's maker, data staff and admins change it."))


def segment_create(*, actor: Actor, name: str, filter: dict, description: str = "") -> Segment:
    """Save a segment: organizers, data staff and admins. The caller has validated
    ``filter`` (``segments.segment_compile``)."""

    if not user_is_organizer_or_above(actor):
        raise PermissionDenied(_("Only organizers and above save segments."))
    with transaction.atomic():
        segment = Segment.objects.create(
            name=name.strip(), description=description.strip(), filter=filter, created_by=actor
        )
        audit_record(actor=actor, action="segment.create", obj=segment)
    return segment


def segment_update(*, actor: Actor, segment: Segment, **changes: Any) -> Segment:
    """Change a segment's name, description or (validated) filter: its maker, data staff
    and admins."""

    _may_change_segment(actor, segment)
    allowed = {"name", "description", "filter"}
    if set(changes) - allowed:
        raise ValueError(f"Not editable: {', '.join(sorted(set(changes) - allowed))}.")
    with transaction.atomic():
        for name, value in changes.items():
            setattr(segment, name, value.strip() if isinstance(value, str) else value)
        segment.save()
        audit_record(actor=actor, action="segment.update", obj=segment, fields=sorted(changes))
    return segment


def segment_delete(*, actor: Actor, segment: Segment) -> None:
    """Delete a segment: its maker, data staff and admins."""

    _may_change_segment(actor, segment)
    with transaction.atomic():
        audit_record(actor=actor, action="segment.delete", obj=segment, filter=segment.filter)
        segment.delete()


def export_job_create(*, actor: User, segment: Segment, format: str, request=None) -> ExportJob:
    """Queue a segment export for the worker; it runs as ``actor`` (their visibility).

    Raises PermissionDenied unless ``actor`` is data staff or an admin.
    """

    if not user_may_export(actor):
        raise PermissionDenied(_("Only data staff and admins export."))
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

    # After commit, never failing the request; the export sweep runs it if Redis is down.
    enqueue_on_commit(export_job_run_task, job.pk)
    return job


def contact_points_add(
    *,
    actor: Actor,
    supporter: Supporter,
    emails: list[str] | tuple = (),
    phones: list[tuple[str, str]] | tuple = (),
    addresses: list[dict[str, str]] | tuple = (),
    at: datetime | None = None,
) -> list[str]:
    """Add the emails, ``(number, kind)`` phones and addresses ``supporter`` lacks, as typed.

    What they already have (emails ignoring case, phones and addresses as typed) is left
    alone, never replaced; the first of a kind becomes primary when they had none. One
    history line when anything was added. Returns what was added, for that line.
    Anyone who may edit the person (``can_edit``).
    """
    _may_edit(actor, supporter)
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


def supporter_identity_keys(*, emails: Sequence[str] = (), phones: Sequence[str] = ()) -> list[str]:
    """The lock names for these identifiers, normalized so that every spelling the match
    treats as one person shares a lock: emails stripped and lower-cased, phones as their
    digits. Sorted, so that callers locking several always take them in the same order."""
    keys = set()
    for address in emails:
        if address.strip():
            keys.add(f"supporter-identity:email:{address.strip().lower()}")
    for number in phones:
        digits = "".join(ch for ch in number if ch.isdigit())
        if digits:
            keys.add(f"supporter-identity:phone:{digits}")
    return sorted(keys)


def supporter_match_or_create(
    *,
    actor: Actor,
    emails: Sequence[str],
    phones: Sequence[str],
    write: Callable[[Supporter | None], Supporter],
) -> tuple[Supporter, bool]:
    """Match the person ``actor`` sees by email (else phone), or make them: once, however
    many callers race. Returns ``(supporter, created)``.

    Takes a transaction-scoped PostgreSQL advisory lock per normalized identifier
    (``supporter_identity_keys``), waiting for any caller that holds one, then matches
    (``selectors.supporter_match``) and calls ``write(match)`` — ``match`` None means nobody
    has these identifiers yet. ``write`` creates or updates the person through the services
    (which check what ``actor`` may do; this function checks nothing itself) and must store
    the emails and phones it was matched on before it returns, because the locks are released
    when the outermost transaction ends: the next caller with the same email then waits, and
    matches the person this one stored instead of making a second. Used by the OSDI person
    signup helper; meant for imports too.
    """
    with transaction.atomic():
        for key in supporter_identity_keys(emails=emails, phones=phones):
            advisory_xact_lock(key)
        match = supporter_match(viewer=actor, emails=emails, phones=phones)
        supporter = write(match)
    return supporter, match is None


# --- corrections: contact points, external IDs, relationships ------------------------------

# What a correction may change on each kind of contact point; the derived fields (E.164,
# normalized address, ZIP parts, validity) are the enrichers', redone after the change.
CONTACT_POINT_FIELDS: dict[type, tuple[str, ...]] = {
    SupporterPhone: ("number", "kind", "label"),
    SupporterEmail: ("address", "label"),
    SupporterAddress: ("line1", "line2", "city", "state", "postal_code", "label"),
}
_CONTACT_POINT_KIND = {
    SupporterPhone: "phones",
    SupporterEmail: "emails",
    SupporterAddress: "addresses",
}
# The fields the enrichers read: a change to one of them is enriched again.
_VALUE_FIELDS: dict[type, tuple[str, ...]] = {
    SupporterPhone: ("number",),
    SupporterEmail: ("address",),
    SupporterAddress: ("line1", "line2", "city", "state", "postal_code"),
}
_DERIVED_RESET: dict[type, dict[str, Any]] = {
    SupporterPhone: {"e164": "", "line_type": "", "is_valid": None, "checked_at": None},
    SupporterEmail: {"normalized": "", "is_valid": None, "problem": "", "checked_at": None},
    SupporterAddress: {
        "standardized": {},
        "zip5": "",
        "county": "",
        "latitude": None,
        "longitude": None,
        "time_zone": "",
        "is_valid": None,
        "checked_at": None,
    },
}

ContactPointRow = SupporterPhone | SupporterEmail | SupporterAddress


def _may_edit_field(actor: Actor, supporter: Supporter, name: str) -> SupporterAccess:
    access = _may_edit(actor, supporter)
    if not access.may_edit_field(name):
        raise PermissionDenied(
            _("Only this person's organizers change their %(field)s.")
            % {"field": name.replace("_", " ")}
        )
    return access


def _touched(supporter: Supporter) -> Supporter:
    """Lock the person's row and move ``updated_at``: a page's stale-save check sees the
    change (``updated_at`` is what the edit form carries)."""
    current = Supporter.objects.select_for_update().get(pk=supporter.pk)
    current.save(update_fields=["updated_at"])
    return current


def _enrich_again(supporter: Supporter) -> None:
    from .tasks import supporter_enrich_task  # services → tasks stays lazy (STYLE.md)

    enqueue_on_commit(supporter_enrich_task, supporter.pk)  # the sweep covers outages


def contact_point_update(
    *, actor: Actor, contact_point: ContactPointRow, **changes: Any
) -> ContactPointRow:
    """Correct a phone (number, kind, label), an email (address, label) or an address (its
    lines, city, state, ZIP, label), as typed.

    The rule: anyone who may edit the person corrects their contact details
    (``SupporterAccess.may_edit_field("phones" | "emails" | "addresses")``). A value the
    person already has on another row is a ValidationError on that field. What the enrichers
    derived from the old value is cleared and derived again in the worker. One history line
    (old → new) when anything changed; nothing written when nothing did.
    """
    model = type(contact_point)
    allowed = CONTACT_POINT_FIELDS[model]
    if set(changes) - set(allowed):
        raise ValueError(f"Not editable: {', '.join(sorted(set(changes) - set(allowed)))}.")
    supporter = contact_point.supporter
    _may_edit_field(actor, supporter, _CONTACT_POINT_KIND[model])
    changes = {key: (value or "").strip() for key, value in changes.items()}
    with transaction.atomic():
        row = model.objects.select_for_update().get(pk=contact_point.pk)
        before = str(row)
        changed = [key for key, value in changes.items() if getattr(row, key) != value]
        if not changed:
            return row
        if model is SupporterPhone and "number" in changed:
            if not changes["number"]:
                raise ValidationError({"number": _("A phone needs a number; remove it instead.")})
            if (
                SupporterPhone.objects.filter(supporter=row.supporter_id, number=changes["number"])
                .exclude(pk=row.pk)
                .exists()
            ):
                raise ValidationError({"number": _("They already have this number.")})
        if model is SupporterEmail and "address" in changed:
            if not changes["address"]:
                raise ValidationError(
                    {"address": _("An email needs an address; remove it instead.")}
                )
            if (
                SupporterEmail.objects.filter(
                    supporter=row.supporter_id, address__iexact=changes["address"]
                )
                .exclude(pk=row.pk)
                .exists()
            ):
                raise ValidationError({"address": _("They already have this email.")})
        if model is SupporterAddress and "line1" in changed and not changes["line1"]:
            raise ValidationError({"line1": _("An address needs a street; remove it instead.")})
        for key in changed:
            setattr(row, key, changes[key])
        derived = []
        if set(changed) & set(_VALUE_FIELDS[model]):
            for key, value in _DERIVED_RESET[model].items():
                setattr(row, key, value)
            row.enricher_version = 0
            derived = [*_DERIVED_RESET[model], "enricher_version"]
        row.save(update_fields=[*changed, *derived])
        current = _touched(supporter)
        history_record(
            supporter=current,
            kind=HistoryEvent.Kind.UPDATED,
            actor=actor,
            subject=row,
            summary=f"Corrected {before} → {row}"
            if str(row) != before
            else f"Changed the {', '.join(changed)} of {row}",
            fields=changed,
            before=before,
            after=str(row),
        )
        webhook_emit(event="supporter.updated", subject=current, supporter=current, fields=changed)
        if derived:
            _enrich_again(current)
    return row


def contact_point_remove(*, actor: Actor, contact_point: ContactPointRow) -> bool:
    """Remove a phone, email or address (a wrong number, an old address): the same rule as
    ``contact_point_update``. When it was primary, the oldest one left becomes primary.
    Returns False when it was already gone. One history line, naming what was removed."""
    model = type(contact_point)
    supporter = contact_point.supporter
    _may_edit_field(actor, supporter, _CONTACT_POINT_KIND[model])
    with transaction.atomic():
        current = _touched(supporter)
        row = model.objects.filter(pk=contact_point.pk).first()
        if row is None:
            return False
        was_primary, removed = row.is_primary, str(row)
        row.delete()
        if was_primary:
            successor = model.objects.filter(supporter=current).order_by("id").first()
            if successor is not None:
                model.objects.filter(pk=successor.pk).update(is_primary=True)
        history_record(
            supporter=current,
            kind=HistoryEvent.Kind.UPDATED,
            actor=actor,
            subject=current,
            summary=f"Removed {removed}",
            removed=removed,
        )
        webhook_emit(
            event="supporter.updated", subject=current, supporter=current, removed=[removed]
        )
    return True


def external_id_set(*, actor: Actor, supporter: Supporter, system: str, value: str) -> ExternalId:
    """Record or correct the person's id in another system (one per system).

    The rule: those who organize the person (``may_edit_field("external_ids")``). An id that
    another person already holds in that system is a ValidationError on ``value`` (which
    person is not said). One history line (old → new) when anything changed."""
    _may_edit_field(actor, supporter, "external_ids")
    value = value.strip()
    label = ExternalId.System(system).label
    if not value:
        raise ValidationError({"value": _("Type the id, or remove it.")})
    with transaction.atomic():
        current = Supporter.objects.select_for_update().get(pk=supporter.pk)
        existing = ExternalId.objects.filter(supporter=current, system=system).first()
        if existing is not None and existing.value == value:
            return existing
        if (
            ExternalId.objects.filter(system=system, value=value)
            .exclude(supporter=current)
            .exists()
        ):
            raise ValidationError(
                {
                    "value": _("Another person already has %(system)s id %(value)s.")
                    % {"system": label, "value": value}
                }
            )
        if existing is None:
            external = ExternalId.objects.create(supporter=current, system=system, value=value)
            summary = f"{label} id {value} added"
        else:
            summary = f"{label} id {existing.value} → {value}"
            existing.value = value
            existing.save(update_fields=["value"])
            external = existing
        current.save(update_fields=["updated_at"])
        history_record(
            supporter=current,
            kind=HistoryEvent.Kind.UPDATED,
            actor=actor,
            subject=external,
            summary=summary,
            system=system,
            value=value,
        )
        webhook_emit(
            event="supporter.updated", subject=current, supporter=current, fields=["external_ids"]
        )
    return external


def external_id_remove(*, actor: Actor, external_id: ExternalId) -> bool:
    """Remove an external id: the rule of ``external_id_set``. False when already gone."""
    supporter = external_id.supporter
    _may_edit_field(actor, supporter, "external_ids")
    with transaction.atomic():
        current = _touched(supporter)
        deleted, _count = ExternalId.objects.filter(pk=external_id.pk).delete()
        if deleted:
            history_record(
                supporter=current,
                kind=HistoryEvent.Kind.UPDATED,
                actor=actor,
                subject=current,
                summary=f"{external_id.get_system_display()} id {external_id.value} removed",
                system=external_id.system,
                value=external_id.value,
            )
            webhook_emit(
                event="supporter.updated",
                subject=current,
                supporter=current,
                fields=["external_ids"],
            )
    return bool(deleted)


def relationship_end(*, actor: Actor, relationship: Relationship) -> bool:
    """End a relationship (they moved out, it was recorded by mistake). Returns False when it
    was already gone.

    The rule of ``relationship_create``, both ways: between two supporters, ``actor`` may
    edit the one it was recorded on and see the other; a user who knows the person ends their
    own, and only those who organize the person end someone else's. The row goes; the line
    written on the timeline (of both people, for two supporters) keeps who, what and when.
    """
    supporter = relationship.supporter
    access = _may_edit(actor, supporter)
    other = relationship.other_supporter
    if other is not None:
        supporter_access(viewer=actor, supporter=other)
    elif relationship.known_by_id != getattr(actor, "pk", None) and not access.can_organize:
        raise PermissionDenied(_("You may end only your own relationships with people."))
    counterpart = other or relationship.known_by
    summary = f"No longer recorded: {counterpart} ({relationship.get_kind_display().lower()})"
    with transaction.atomic():
        current = _touched(supporter)
        deleted, _count = Relationship.objects.filter(pk=relationship.pk).delete()
        if not deleted:
            return False
        details = {
            "relationship": relationship.pk,
            "relationship_kind": relationship.kind,
            "note": relationship.note,
        }
        history_record(
            supporter=current,
            kind=HistoryEvent.Kind.UPDATED,
            actor=actor,
            subject=current,
            summary=summary,
            **details,
        )
        if other is not None:
            other_current = _touched(other)
            history_record(
                supporter=other_current,
                kind=HistoryEvent.Kind.UPDATED,
                actor=actor,
                subject=other_current,
                summary=f"No longer recorded: {current} "
                f"({relationship.get_kind_display().lower()})",
                **details,
            )
    return True

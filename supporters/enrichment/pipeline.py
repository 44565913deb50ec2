"""Run the enrichers over a batch of supporters in a few queries, and record what they found."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from organizing.events import event_publish
from supporters.history import history_record, history_record_many
from supporters.households import households_assign
from supporters.models import (
    DuplicateCandidate,
    EngagementChange,
    HistoryEvent,
    Supporter,
    SupporterAddress,
    SupporterEmail,
    SupporterEnrichment,
    SupporterPhone,
)

from . import ENRICHER, VERSION, VERSIONS, addresses, duplicates, emails, engagement, names, phones


@dataclass
class BatchResult:
    enriched: int = 0
    skipped: int = 0
    duplicates: int = 0


def supporters_needing_enrichment():
    """Supporters with no enrichment, an older one, or a contact point not yet checked."""
    return Supporter.objects.filter(
        Q(enrichment__isnull=True)
        | Q(enrichment__version__lt=VERSION)
        | Exists(
            SupporterPhone.objects.filter(
                supporter=OuterRef("pk"), enricher_version__lt=phones.VERSION
            )
        )
        | Exists(
            SupporterEmail.objects.filter(
                supporter=OuterRef("pk"), enricher_version__lt=emails.VERSION
            )
        )
        | Exists(
            SupporterAddress.objects.filter(
                supporter=OuterRef("pk"), enricher_version__lt=addresses.VERSION
            )
        )
    )


def _save_derived(model, rows: list, fields: list[str]) -> None:
    """Write only the derived ``fields`` of already-loaded rows, in one statement.

    ``INSERT … ON CONFLICT (id) DO UPDATE`` of those columns: Django's ``bulk_update`` builds
    a ``CASE`` per field and row, which costs more than the enrichers themselves.
    """
    if rows:
        model.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["id"], update_fields=fields
        )


def _is_current(supporter: Supporter) -> bool:
    enrichment = getattr(supporter, "_enrichment", None)
    return (
        enrichment is not None
        and enrichment.version >= VERSION
        and all(p.enricher_version >= phones.VERSION for p in supporter.phones.all())
        and all(e.enricher_version >= emails.VERSION for e in supporter.emails.all())
        and all(a.enricher_version >= addresses.VERSION for a in supporter.addresses.all())
    )


def enrich_supporters(
    supporter_ids: Iterable[int], *, force: bool = False, find_duplicates: bool = True
) -> BatchResult:
    """Enrich the given supporters that need it, in one transaction.

    Safe to run twice and concurrently: rows another worker holds are skipped (it is doing
    them), and current records are left alone unless ``force``. What people typed is never
    written; each derived field records its enricher version and when it was checked.
    """
    result = BatchResult()
    ids = sorted(set(supporter_ids))
    if not ids:
        return result
    now = timezone.now()
    with transaction.atomic():
        locked = list(
            Supporter.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=ids)
            .order_by("pk")
            .prefetch_related("phones", "emails", "addresses")
        )
        current = SupporterEnrichment.objects.in_bulk([s.pk for s in locked])
        todo = []
        for supporter in locked:
            supporter._enrichment = current.get(supporter.pk)
            if force or not _is_current(supporter):
                todo.append(supporter)
        result.skipped = len(ids) - len(todo)
        if not todo:
            return result

        changed_phones, changed_emails, changed_addresses = [], [], []
        rows, summaries = [], {}
        facts = engagement.facts_for(s.pk for s in todo)
        for supporter in todo:
            found: list[str] = []
            for phone in supporter.phones.all():
                if force or phone.enricher_version < phones.VERSION:
                    checked = phones.enrich_phone(phone.number)
                    phone.e164, phone.line_type = checked.e164, checked.line_type
                    phone.is_valid, phone.checked_at = checked.is_valid, now
                    phone.enricher_version = phones.VERSION
                    changed_phones.append(phone)
                    found.append(
                        f"phone {checked.e164} ({checked.line_type})"
                        if checked.is_valid
                        else f"phone {phone.number} looks invalid"
                    )
            for email in supporter.emails.all():
                if force or email.enricher_version < emails.VERSION:
                    checked = emails.enrich_email(email.address)
                    email.normalized, email.is_valid = checked.normalized, checked.is_valid
                    email.problem, email.checked_at = checked.problem, now
                    email.enricher_version = emails.VERSION
                    changed_emails.append(email)
                    if not checked.is_valid:
                        found.append(f"email {email.address} looks invalid")
            time_zone = ""
            for address in supporter.addresses.all():
                if force or address.enricher_version < addresses.VERSION:
                    checked = addresses.enrich_address(
                        line1=address.line1,
                        line2=address.line2,
                        city=address.city,
                        state=address.state,
                        postal_code=address.postal_code,
                    )
                    address.standardized, address.zip5 = checked.standardized, checked.zip5
                    address.county, address.time_zone = checked.county, checked.time_zone
                    address.latitude, address.longitude = checked.latitude, checked.longitude
                    address.is_valid, address.checked_at = checked.is_valid, now
                    address.enricher_version = addresses.VERSION
                    changed_addresses.append(address)
                    found.append(
                        f"ZIP {checked.zip5} → {checked.standardized.get('city', '').title()}, "
                        f"{checked.standardized.get('state', '')} ({checked.county})"
                        if checked.zip5
                        else f"address {address.line1} not placed"
                    )
                if address.time_zone and (address.is_primary or not time_zone):
                    time_zone = address.time_zone
            level, score = engagement.level_for(facts[supporter.pk], supporter.support_level)
            previous = supporter._enrichment
            rows.append(
                SupporterEnrichment(
                    supporter=supporter,
                    name_parts=names.parse_name(
                        names.supporter_full_name(supporter.given_name, supporter.family_name)
                    ),
                    time_zone=time_zone or (previous.time_zone if previous else ""),
                    engagement_level=level,
                    engagement_score=score,
                    engagement_facts=facts[supporter.pk],
                    versions=VERSIONS,
                    version=VERSION,
                    enriched_at=now,
                )
            )
            if found:
                summaries[supporter.pk] = found

        _save_derived(
            SupporterPhone,
            changed_phones,
            ["e164", "line_type", "is_valid", "checked_at", "enricher_version"],
        )
        _save_derived(
            SupporterEmail,
            changed_emails,
            ["normalized", "is_valid", "problem", "checked_at", "enricher_version"],
        )
        _save_derived(
            SupporterAddress,
            changed_addresses,
            [
                "standardized",
                "zip5",
                "county",
                "time_zone",
                "latitude",
                "longitude",
                "is_valid",
                "checked_at",
                "enricher_version",
            ],
        )
        # The people at one standardized address form a household (a door on walk lists).
        households_assign(todo)
        SupporterEnrichment.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["supporter"],
            update_fields=[
                "name_parts",
                "time_zone",
                "engagement_level",
                "engagement_score",
                "engagement_facts",
                "versions",
                "version",
                "enriched_at",
            ],
        )
        by_level: dict[int, list[int]] = {}
        rules: dict[int, str] = {}
        for row in rows:
            by_level.setdefault(row.engagement_level, []).append(row.supporter.pk)
            rules[row.supporter.pk] = engagement.rule_for(
                facts[row.supporter.pk], row.supporter.support_level
            )
        for level, level_ids in by_level.items():
            engagement_level_store(level_ids, level, now=now, rules=rules)
        if find_duplicates:
            pairs = duplicates.find_candidates(s.pk for s in todo)
            made = DuplicateCandidate.objects.bulk_create(
                [
                    DuplicateCandidate(
                        first_id=first,
                        second_id=second,
                        score=score,
                        reasons=reasons,
                        enricher=f"{ENRICHER}.{duplicates.NAME}",
                        version=duplicates.VERSION,
                    )
                    for first, second, score, reasons in pairs
                ],
                ignore_conflicts=True,
            )
            result.duplicates = len(made)
        # One timeline line per supporter whose contact points were checked.
        history_record_many(
            [
                {
                    "supporter": supporter_id,
                    "kind": HistoryEvent.Kind.ENRICHED,
                    "summary": "Checked: " + "; ".join(found),
                    "at": now,
                    "details": {"enricher": ENRICHER, "version": VERSION, "versions": VERSIONS},
                }
                for supporter_id, found in summaries.items()
            ]
        )
        result.enriched = len(todo)
    return result


def engagement_recompute(supporter_id: int) -> int | None:
    """Recompute one supporter's engagement (after a conversation); None if not enriched yet."""
    with transaction.atomic():
        enrichment = (
            SupporterEnrichment.objects.select_for_update()
            .select_related("supporter")
            .filter(pk=supporter_id)
            .first()
        )
        if enrichment is None:
            return None
        facts = engagement.facts_for([supporter_id])[supporter_id]
        level, score = engagement.level_for(facts, enrichment.supporter.support_level)
        if (level, score, facts) != (
            enrichment.engagement_level,
            enrichment.engagement_score,
            enrichment.engagement_facts,
        ):
            enrichment.engagement_level, enrichment.engagement_score = level, score
            enrichment.engagement_facts = facts
            enrichment.save(
                update_fields=["engagement_level", "engagement_score", "engagement_facts"]
            )
        rule = engagement.rule_for(facts, enrichment.supporter.support_level)
        engagement_level_store(
            [supporter_id], level, now=timezone.now(), rules={supporter_id: rule}
        )
    return level


def engagement_level_store(
    supporter_ids: list[int], level: int, *, now, rules: dict[int, str] | None = None
) -> int:
    """Make the computed ``level`` THE engagement level of these supporters, except where an
    organizer's override stands; rows already at that level are not touched.

    Each supporter that moves gets an ``EngagementChange`` (from, to, now, the rule from
    ``rules``) and a history line, and a ``supporter.engagement_changed`` event is published.
    Call inside a transaction (the rows are locked while they move).
    """
    moving = list(
        Supporter.objects.select_for_update(of=("self",))
        .filter(pk__in=supporter_ids, engagement_override__isnull=True)
        .exclude(engagement_level=level)
        .order_by("pk")
        .values_list("pk", "engagement_level")
    )
    if not moving:
        return 0
    Supporter.objects.filter(pk__in=[pk for pk, _ in moving]).update(
        engagement_level=level, updated_at=now
    )
    changes = EngagementChange.objects.bulk_create(
        EngagementChange(
            supporter_id=pk,
            from_level=previous,
            to_level=level,
            at=now,
            rule=(rules or {}).get(pk, "nothing" if level == 0 else "talked"),
        )
        for pk, previous in moving
    )
    for change in changes:
        engagement_change_recorded(change)
    return len(moving)


def engagement_change_recorded(change: EngagementChange, *, history: bool = True) -> None:
    """The history line (unless the caller writes its own) and the event of one recorded
    ladder step, inside its transaction."""
    levels = dict(Supporter.EngagementLevel.choices)
    if history:
        history_record(
            supporter=change.supporter_id,
            kind=HistoryEvent.Kind.ENGAGEMENT,
            actor=change.changed_by,
            subject=change,
            at=change.at,
            summary=f"Engagement {levels[change.from_level]} → {levels[change.to_level]}",
            from_level=change.from_level,
            to_level=change.to_level,
            rule=change.rule,
            **({} if change.changed_by_id else {"enricher": f"{ENRICHER}.{engagement.NAME}"}),
        )
    event_publish(
        "supporter.engagement_changed",
        supporter_id=change.supporter_id,
        subject=change,
        event_id=change.pk,
    )

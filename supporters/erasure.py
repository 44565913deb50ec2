"""Erasure on request: a person's personal data removed everywhere Earshot keeps it, a
tombstone left, and a suppression list so nothing quietly brings them back.

``supporter_erase`` is the one way in (the page, the API). It runs, in one transaction:

1. this app's step (the record, contact points, consent flags, external ids, tags,
   relationships both ways, assignments, enrichment, duplicate rows, history lines);
2. every step registered with ``erasure_step_register`` by the apps above this one (listening
   registers conversations, notes, follow-ups and suggestions in ``conversations.hooks``; an
   app of imports, households or walk lists registers its rows the same way);
3. what Earshot wrote by itself that may name them: audit entries (the one scrub the
   append-only log allows), webhook delivery payloads, Idempotency-Key answers, other history
   lines, segments, export files and mail files (``organizing.erasure``).

Aggregates stay: the supporter row is kept as a tombstone named "Erased" with its
engagement level and support level, and the conversation rows stay without their words, so
counts on the dashboard still add up. The visibility rule shows an erased record to nobody.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from organizing.erasure import (
    ERASED,
    ErasureTokens,
    audit_scrub,
    idempotency_records_scrub,
    mail_files_scrub,
    rows_scrub,
    webhook_deliveries_scrub,
)
from organizing.roles import Actor, as_user
from organizing.services import audit_record

from .models import (
    Assignment,
    DoNotContact,
    DuplicateCandidate,
    Erasure,
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
    Suppression,
)
from .selectors import supporter_access

# What an erased record is called where a name must stand (the constraint wants one).
ERASED_NAME = "Erased"


@dataclass
class ErasureContext:
    """What every step is handed: who erases whom, the words that name them, and the rows
    whose audit entries must lose their names (steps append the rows they remove)."""

    actor: Actor
    supporter: Supporter
    tokens: ErasureTokens
    now: datetime
    audit_objects: list[models.Model] = field(default_factory=list)


ErasureStep = Callable[..., dict[str, int]]
# Steps other apps add (listening, imports, households, walk and call lists…); filled at
# app-ready time, so this app imports nothing above it.
ERASURE_STEPS: list[ErasureStep] = []


def erasure_step_register(step: ErasureStep) -> None:
    """``step(*, context: ErasureContext) -> dict[str, int]`` runs inside
    ``supporter_erase``'s transaction, after this app's own step and before the scrub of what
    Earshot wrote by itself; it removes or scrubs its app's rows about ``context.supporter``,
    appends them to ``context.audit_objects`` and returns counts for the tombstone."""
    if step not in ERASURE_STEPS:
        ERASURE_STEPS.append(step)


# --- the suppression list ----------------------------------------------------------------


def _normalized_email(address: str) -> str:
    return address.strip().lower()


def _normalized_phone(number: str) -> str:
    digits = "".join(ch for ch in number if ch.isdigit())
    # +1 555 123 4567 and (555) 123-4567 are one US number.
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def suppression_digest(kind: str, value: str) -> str:
    """The keyed hash (HMAC-SHA256 with ``SUPPRESSION_KEY``) of a normalized email or phone."""
    normalized = (
        _normalized_email(value) if kind == Suppression.Kind.EMAIL else _normalized_phone(value)
    )
    message = f"{kind}:{normalized}".encode()
    return hmac.new(settings.SUPPRESSION_KEY.encode(), message, hashlib.sha256).hexdigest()


def suppression_check(*, emails: Iterable[str] = (), phones: Iterable[str] = ()) -> None:
    """Refuse (ValidationError naming the field) an email or phone of someone erased on
    request: a new person or contact point with it would bring them back. One query."""
    wanted: dict[str, str] = {}
    for address in emails:
        if address and address.strip():
            wanted[suppression_digest(Suppression.Kind.EMAIL, address)] = "email"
    for number in phones:
        if number and _normalized_phone(number):
            wanted[suppression_digest(Suppression.Kind.PHONE, number)] = "phone"
    if not wanted:
        return
    found = set(Suppression.objects.filter(digest__in=wanted).values_list("digest", flat=True))
    if found:
        fields = sorted({wanted[digest] for digest in found})
        message = _(
            "This person was erased from Earshot at their request, so they cannot be added "
            "again. Ask them before you do."
        )
        raise ValidationError({name: message for name in fields})


# --- the service ------------------------------------------------------------------------


def _tokens_of(supporter: Supporter) -> ErasureTokens:
    """The words that name them. Identifying (found anywhere): emails, phones (as typed,
    E.164, digits), full names, street lines, ids in other systems. Only inside what is about
    them: single names, the apartment line and their custom fields' text values."""
    given, family, preferred = supporter.given_name, supporter.family_name, supporter.preferred_name
    words: list[str] = [
        supporter.display_name if supporter.display_name != "(no name)" else "",
        " ".join(p for p in (given, family) if p),
        " ".join(p for p in (preferred, family) if p) if preferred else "",
    ]
    extra: list[str] = [given, family, preferred]
    for email in SupporterEmail.objects.filter(supporter=supporter):
        words += [email.address, email.normalized]
    for phone in SupporterPhone.objects.filter(supporter=supporter):
        digits = "".join(ch for ch in phone.number if ch.isdigit())
        words += [phone.number, phone.e164, digits if len(digits) >= 7 else ""]
    for address in SupporterAddress.objects.filter(supporter=supporter):
        words += [address.line1, (address.standardized or {}).get("line1", "")]
        extra += [address.line2, (address.standardized or {}).get("line2", "")]
    words += ExternalId.objects.filter(supporter=supporter).values_list("value", flat=True)

    def texts(value: Any) -> Iterable[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from texts(item)
        elif isinstance(value, list):
            for item in value:
                yield from texts(item)

    extra += list(texts(supporter.custom_fields))
    return ErasureTokens([w for w in words if w], extra=[w for w in extra if w])


def _suppressions_of(supporter: Supporter) -> set[tuple[str, str]]:
    kinds = set()
    for address in SupporterEmail.objects.filter(supporter=supporter):
        for value in (address.address, address.normalized):
            if value:
                kinds.add(
                    (Suppression.Kind.EMAIL, suppression_digest(Suppression.Kind.EMAIL, value))
                )
    for phone in SupporterPhone.objects.filter(supporter=supporter):
        for value in (phone.number, phone.e164):
            if value and _normalized_phone(value):
                kinds.add(
                    (Suppression.Kind.PHONE, suppression_digest(Suppression.Kind.PHONE, value))
                )
    return kinds


def supporter_erasure_check(*, actor: Actor, supporter: Supporter) -> None:
    """404 unless ``actor`` sees ``supporter``; PermissionDenied unless they may erase
    (``organizing.roles.user_may_erase``: admins; data staff with ``ERASURE_BY_DATA_STAFF``)."""
    if not supporter_access(viewer=actor, supporter=supporter).can_erase:
        raise PermissionDenied(_("Only admins may erase a person."))


def supporter_erase(
    *,
    actor: Actor,
    supporter: Supporter,
    confirm_name: str,
    reason: str,
    request_reference: str = "",
    request=None,
) -> Erasure:
    """Erase ``supporter`` everywhere, for good, and return the tombstone.

    The rule: ``supporter_erasure_check`` (admins, or data staff when allowed). The person's
    name must be typed (``confirm_name``, as their page shows it, ignoring case) and a reason
    given, else ValidationError by field and nothing changes. It cannot be undone. Audited
    (``supporter.erase``, naming only the record's id, the reason and the reference).
    """
    supporter_erasure_check(actor=actor, supporter=supporter)
    # Read afresh: the tombstone of an earlier erasure is nobody's to see (nor erase again).
    supporter = Supporter.objects.filter(pk=supporter.pk, erased_at__isnull=True).first()
    if supporter is None:
        raise Http404("No such supporter.")
    errors: dict[str, str] = {}
    if confirm_name.strip().casefold() != supporter.display_name.strip().casefold():
        errors["confirm_name"] = _("Type the person's name exactly as it is shown.")
    if not reason.strip():
        errors["reason"] = _("Say why they are erased (for example: their request of 3 May).")
    elif len(reason) > 500:
        errors["reason"] = _("Keep the reason under 500 characters.")
    if len(request_reference) > 100:
        errors["request_reference"] = _("Keep the reference under 100 characters.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        supporter = Supporter.objects.select_for_update().get(pk=supporter.pk)
        if supporter.erased_at is not None:  # erased by someone else meanwhile
            raise Http404("No such supporter.")
        context = ErasureContext(
            actor=actor, supporter=supporter, tokens=_tokens_of(supporter), now=timezone.now()
        )
        suppressions = _suppressions_of(supporter)
        counts = _erase_own_rows(context)
        for step in ERASURE_STEPS:
            counts.update(step(context=context))
        counts.update(_scrub_machine_text(context))
        erasure = Erasure.objects.create(
            supporter=supporter,
            erased_at=context.now,
            erased_by=as_user(actor),
            reason=reason.strip(),
            request_reference=request_reference.strip(),
            counts=counts,
        )
        Suppression.objects.bulk_create(
            [
                Suppression(kind=kind, digest=digest, erasure=erasure)
                for kind, digest in suppressions
            ],
            ignore_conflicts=True,
        )
        audit_record(
            actor=as_user(actor),
            action="supporter.erase",
            obj=supporter,
            request=request,
            reason=erasure.reason,
            request_reference=erasure.request_reference,
            counts=counts,
        )
        # Files last: anything failing before them rolls the whole erasure back.
        counts["export_files"] = _export_files_remove(context)
        counts["mail_files"] = mail_files_scrub(tokens=context.tokens)
        Erasure.objects.filter(pk=erasure.pk).update(counts=counts)
        erasure.counts = counts
    return erasure


def _erase_own_rows(context: ErasureContext) -> dict[str, int]:
    supporter, audit = context.supporter, context.audit_objects
    counts: dict[str, int] = {}
    related: list[tuple[str, models.QuerySet]] = [
        ("emails", SupporterEmail.objects.filter(supporter=supporter)),
        ("phones", SupporterPhone.objects.filter(supporter=supporter)),
        ("addresses", SupporterAddress.objects.filter(supporter=supporter)),
        ("do_not_contact", DoNotContact.objects.filter(supporter=supporter)),
        ("external_ids", ExternalId.objects.filter(supporter=supporter)),
        ("tags", SupporterTag.objects.filter(supporter=supporter)),
        (
            "relationships",
            Relationship.objects.filter(Q(supporter=supporter) | Q(other_supporter=supporter)),
        ),
        ("assignments", Assignment.objects.filter(supporter=supporter)),
        (
            "duplicates",
            DuplicateCandidate.objects.filter(Q(first=supporter) | Q(second=supporter)),
        ),
    ]
    for name, queryset in related:
        audit.extend(queryset)
        counts[name] = queryset.delete()[0]
    SupporterEnrichment.objects.filter(supporter=supporter).update(name_parts={}, time_zone="")
    history = HistoryEvent.objects.filter(supporter=supporter)
    counts["history_lines"] = history.update(summary=ERASED, details={})
    audit.append(supporter)
    Supporter.objects.filter(pk=supporter.pk).update(
        given_name="",
        family_name="",
        preferred_name=ERASED_NAME,
        pronouns="",
        custom_fields={},
        client_uuid=None,
        erased_at=context.now,
        updated_at=context.now,
    )
    supporter.refresh_from_db()
    return counts


def _scrub_machine_text(context: ErasureContext) -> dict[str, int]:
    """What Earshot wrote by itself that may still name them, anywhere."""
    tokens, pk = context.tokens, context.supporter.pk
    about_them = Q(payload__data__supporter_id=pk) | Q(
        event__startswith="supporter.", payload__data__id=pk
    )
    return {
        "audit_entries": audit_scrub(tokens=tokens, objects=context.audit_objects),
        "webhook_deliveries": webhook_deliveries_scrub(tokens=tokens, payload_filter=about_them),
        "idempotency_records": idempotency_records_scrub(tokens=tokens),
        "other_history_lines": rows_scrub(
            HistoryEvent.objects.all(), ["summary", "details"], tokens
        ),
        "segments": rows_scrub(Segment.objects.all(), ["name", "description", "filter"], tokens),
    }


def _export_files_remove(context: ErasureContext) -> int:
    """Export files not yet expired that hold them (their id as a row's, or a word that names
    them) are deleted and their jobs marked expired, saying why."""
    from .exporting import export_job_path

    removed = 0
    pattern = context.tokens.python_pattern
    pk = str(context.supporter.pk)
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE).exclude(file_name=""):
        path: Path = export_job_path(job)
        if not path.is_file() or not _file_names(path, pk, pattern, job.format):
            continue
        path.unlink(missing_ok=True)
        job.status = ExportJob.Status.EXPIRED
        job.error = "Removed: it held a person since erased on request."
        job.save(update_fields=["status", "error", "updated_at"])
        removed += 1
    return removed


def _file_names(path: Path, pk: str, pattern, format: str) -> bool:
    import json

    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if format == ExportJob.Format.CSV:
                if line.split(",", 1)[0].strip('"') == pk:
                    return True
            elif line.strip():
                try:
                    if str(json.loads(line).get("id")) == pk:
                        return True
                except (ValueError, AttributeError):
                    pass
            if pattern is not None and pattern.search(line):
                return True
    return False


def erasure_counts_preview(*, supporter: Supporter) -> dict[str, int]:
    """How many rows of this app the erasure will touch, for the confirmation page."""
    return {
        "emails": supporter.emails.count(),
        "phones": supporter.phones.count(),
        "addresses": supporter.addresses.count(),
        "history_lines": supporter.history.count(),
        "relationships": Relationship.objects.filter(
            Q(supporter=supporter) | Q(other_supporter=supporter)
        ).count(),
    }

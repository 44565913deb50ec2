"""The organization's part of erasing a person: the words that name them, scrubbed from what
Earshot wrote by itself about them (audit entries, webhook delivery payloads, Idempotency-Key
response bodies, mail files).

``supporters.erasure.supporter_erase`` drives it and says which words (``ErasureTokens``);
this module knows no supporter. A word is replaced by ``ERASED`` wherever it stands as a word
(case and accents as stored; word boundaries on its letter-or-digit ends), so another person's
row that merely shares a table is left as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from .models import AuditEvent, IdempotencyRecord, WebhookDelivery

ERASED = "[erased]"
# Shorter words would match too much that is not about them ("Al", "Jo").
MIN_TOKEN_LENGTH = 3


def _patterns(words: Iterable[str]) -> tuple[list[str], str, re.Pattern[str] | None]:
    """The words (long enough, longest first so "Ana María" beats "Ana"), PostgreSQL's
    pattern for them (``\\m``/``\\M`` word ends) and Python's (``\\b``)."""
    kept = sorted(
        {w.strip() for w in words if w and len(w.strip()) >= MIN_TOKEN_LENGTH},
        key=lambda w: (-len(w), w),
    )
    database, python = [], []
    for word in kept:
        escaped = re.escape(word)
        head, tail = word[0].isalnum(), word[-1].isalnum()
        database.append(("\\m" if head else "") + escaped + ("\\M" if tail else ""))
        python.append(("\\b" if head else "") + escaped + ("\\b" if tail else ""))
    database_pattern = "(" + "|".join(database) + ")" if database else ""
    python_pattern = re.compile("|".join(python), re.IGNORECASE) if python else None
    return kept, database_pattern, python_pattern


@dataclass
class ErasureTokens:
    """The words that name one person.

    ``words`` identify them (emails, phones, full names, street lines, ids elsewhere): a row or
    file holding one is about them, wherever it is. ``extra`` words (a single given name, a
    custom field's value, a follow-up's reason) would match other people's text too, so they
    are replaced only inside what is already known to be about them.
    """

    words: list[str]
    extra: list[str] = field(default_factory=list)
    database_pattern: str = field(init=False)
    python_pattern: re.Pattern[str] | None = field(init=False)
    scrub_pattern: re.Pattern[str] | None = field(init=False)

    def __post_init__(self) -> None:
        self._compile()

    def add(self, extra: Iterable[str]) -> None:
        """More words to replace inside what is about them (a step's free text)."""
        self.extra = [*self.extra, *(w for w in extra if w)]
        self._compile()

    def _compile(self) -> None:
        self.words, self.database_pattern, self.python_pattern = _patterns(self.words)
        _, _, self.scrub_pattern = _patterns([*self.words, *self.extra])

    def __bool__(self) -> bool:
        return bool(self.words)

    def names_them(self, text: str) -> bool:
        return self.python_pattern is not None and bool(self.python_pattern.search(text))

    def scrub(self, value: Any) -> Any:
        """``value`` (text, or JSON: dicts, lists, strings) with every word, ``extra`` ones
        included, replaced: call it on what is about them."""
        if self.scrub_pattern is None:
            return value
        if isinstance(value, str):
            return self.scrub_pattern.sub(ERASED, value)
        if isinstance(value, list):
            return [self.scrub(item) for item in value]
        if isinstance(value, dict):
            return {self.scrub(key): self.scrub(item) for key, item in value.items()}
        return value

    def matching(self, queryset: models.QuerySet, fields: Iterable[str]) -> models.QuerySet:
        """Rows of ``queryset`` whose ``fields`` (text or JSON) hold an identifying word."""
        if not self:
            return queryset.none()
        condition = Q()
        annotations = {}
        for name in fields:
            alias = f"_erasure_text_{name}"
            annotations[alias] = Cast(name, TextField())
            condition |= Q(**{f"{alias}__iregex": self.database_pattern})
        return queryset.annotate(**annotations).filter(condition)


def rows_scrub(queryset: models.QuerySet, fields: list[str], tokens: ErasureTokens) -> int:
    """Replace the words in ``fields`` of every row of ``queryset`` holding one; returns how
    many rows changed. Rows are found by PostgreSQL, changed one by one (few: one person's)."""
    changed = 0
    for row in tokens.matching(queryset, fields).iterator(chunk_size=500):
        for name in fields:
            setattr(row, name, tokens.scrub(getattr(row, name)))
        row.save(update_fields=fields)
        changed += 1
    return changed


def audit_scrub(*, tokens: ErasureTokens, objects: Iterable[models.Model] = ()) -> int:
    """The one change the append-only audit log allows: the names of an erased person.

    Entries about ``objects`` (the person and the rows about them) lose their ``object_repr``
    (it is the object's name, e.g. "Door with Maria Ruiz on …"); any entry whose repr or
    details hold one of the words has them replaced. Who did what, when and from where stays.
    """
    changed = 0
    by_type: dict[int, set[str]] = {}
    for obj in objects:
        content_type = ContentType.objects.get_for_model(obj)
        by_type.setdefault(content_type.pk, set()).add(str(obj.pk))
    for content_type_id, ids in by_type.items():
        about = AuditEvent.objects.filter(object_type_id=content_type_id, object_id__in=ids)
        for event in about.iterator(chunk_size=500):
            event.object_repr = ERASED
            event.details = tokens.scrub(event.details)
            event.save(update_fields=["object_repr", "details"])
            changed += 1
    changed += rows_scrub(AuditEvent.objects.all(), ["object_repr", "details"], tokens)
    return changed


def webhook_deliveries_scrub(*, tokens: ErasureTokens, payload_filter: Q | None = None) -> int:
    """Delivery payloads about the person (``payload_filter``, e.g. their id) keep their
    envelope (event id, event, time) but their ``data`` becomes ``{"erased": true}``; any
    other holding one of the words has them replaced."""
    changed = 0
    if payload_filter is not None:
        for delivery in WebhookDelivery.objects.filter(payload_filter).iterator(chunk_size=500):
            envelope = delivery.payload if isinstance(delivery.payload, dict) else {}
            delivery.payload = {**envelope, "data": {"erased": True}}
            delivery.save(update_fields=["payload"])
            changed += 1
    changed += rows_scrub(WebhookDelivery.objects.all(), ["payload", "last_error"], tokens)
    return changed


def idempotency_records_scrub(*, tokens: ErasureTokens) -> int:
    """Stored first answers that name the person are deleted: a retry of that request is then
    answered afresh (and refused, for an erased person, by the suppression list)."""
    ids = list(tokens.matching(IdempotencyRecord.objects.all(), ["response_body"]).values("pk"))
    return IdempotencyRecord.objects.filter(pk__in=[row["pk"] for row in ids]).delete()[0]


def mail_files_scrub(*, tokens: ErasureTokens) -> int:
    """Mail written to files (``EMAIL_URL=file:…``): the words replaced in each message."""
    folder = getattr(settings, "EMAIL_FILE_PATH", None)
    if not folder or tokens.python_pattern is None:
        return 0
    return files_scrub(Path(folder), tokens)


def files_scrub(folder: Path, tokens: ErasureTokens) -> int:
    """Every text file under ``folder`` that names them, rewritten without their words (its
    mode kept: private files stay 0600)."""
    changed = 0
    if not folder.is_dir():
        return 0
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        if not tokens.names_them(text):
            continue
        scrubbed = tokens.scrub(text)
        if scrubbed != text:
            path.write_text(scrubbed, encoding="utf-8", errors="surrogateescape")
            changed += 1
    return changed

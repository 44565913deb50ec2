"""Sensitive text encrypted at rest: in PostgreSQL, and so in its dumps and backups.

``SealedTextField`` is a ``TextField`` whose value is stored encrypted (Fernet: AES-128-CBC
with HMAC-SHA256) whenever its row says the text is sensitive (``sealed_if``, the name of a
boolean attribute of the model), and as typed otherwise. The keys come from the environment
(``FIELD_ENCRYPTION_KEYS``: comma-separated Fernet keys, the first one encrypts, all of them
decrypt — a ``MultiFernet``), never from the database.

Reading is transparent: a sealed value reads back as ``Sealed``, a ``str``. Writing through
``save()``/``create()``/``bulk_create()`` seals by the row's flag; a queryset ``update()``
seals a ``Sealed`` value and stores a plain ``str`` as is — which the backfill
(``sealed_text_reseal``) catches: it re-encrypts values sealed under an older key, seals
sensitive text stored plain, and unseals what is no longer sensitive, in bounded batches in
the worker (``field_keys_rotate`` starts it), so a rotation never locks a big table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast

PREFIX = "sealed:v1:"


class Sealed(str):
    """Text that is stored encrypted (a ``str`` everywhere else)."""


class SealedTextUnreadable(Exception):
    """A stored value none of ``FIELD_ENCRYPTION_KEYS`` opens: a key was removed too soon."""


@lru_cache(maxsize=8)
def _fernet_for(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    try:
        fernets = [Fernet(key.encode()) for key in keys]
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be Fernet keys (32 url-safe base64 bytes each), "
            "comma-separated; make one with `make manage ARGS=field_keys_rotate --new-key`."
        ) from None
    if not fernets:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    return MultiFernet(fernets), fernets[0]


def _keys() -> tuple[MultiFernet, Fernet]:
    return _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


def seal(text: str) -> str:
    """The stored form of ``text``, encrypted with the first key."""
    multi, _ = _keys()
    return PREFIX + multi.encrypt(text.encode()).decode()


def unseal(stored: str) -> Sealed:
    multi, _ = _keys()
    try:
        return Sealed(multi.decrypt(stored[len(PREFIX) :].encode()).decode())
    except InvalidToken:
        raise SealedTextUnreadable(
            "Sealed text that none of FIELD_ENCRYPTION_KEYS opens: put back the key it was "
            "sealed with (keep old keys listed until field_keys_rotate has finished)."
        ) from None


def is_sealed_with_current_key(stored: str) -> bool:
    _, current = _keys()
    try:
        current.decrypt(stored[len(PREFIX) :].encode())
    except InvalidToken:
        return False
    return True


class SealedTextField(models.TextField):
    """A TextField stored encrypted when ``getattr(row, sealed_if)`` is true; ``sealed_when``
    is the same condition as a ``Q`` (for the backfill's query)."""

    def __init__(self, *args, sealed_if: str = "", sealed_when: Q | None = None, **kwargs):
        self.sealed_if = sealed_if
        self.sealed_when = sealed_when
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["sealed_if"] = self.sealed_if
        if self.sealed_when is not None:
            kwargs["sealed_when"] = self.sealed_when
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if isinstance(value, str) and value.startswith(PREFIX):
            return unseal(value)
        return value

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        if value is None or not isinstance(value, str):
            return value
        if self.sealed_if and getattr(model_instance, self.sealed_if):
            return Sealed(value)
        return str(value) if isinstance(value, Sealed) else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if isinstance(value, Sealed) and value:
            return seal(str(value))
        return value


@dataclass(frozen=True)
class SealedColumn:
    model: type[models.Model]
    field: SealedTextField

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"


def sealed_columns() -> Iterator[SealedColumn]:
    """Every sealed column of every installed model."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, SealedTextField):
                yield SealedColumn(model, field)


def sealed_column(label: str) -> SealedColumn:
    for column in sealed_columns():
        if column.label == label:
            return column
    raise LookupError(label)


def sealed_text_reseal(
    *, label: str, after_id: int = 0, batch: int = 500
) -> tuple[int, int | None]:
    """One batch of the backfill over ``label`` (``app.Model.field``), ids above ``after_id``:
    each row's value re-stored as its flag says (sealed with the current key, or plain).
    Returns ``(rows changed, the last id looked at or None when the table is done)``. Safe to
    run twice and alongside writes: each row is rewritten from what it holds now."""
    column = sealed_column(label)
    model, name = column.model, column.field.name
    rows = list(
        model._base_manager.filter(pk__gt=after_id)
        .order_by("pk")
        .annotate(_stored=Cast(name, TextField()))
        .values_list("pk", "_stored")[:batch]
    )
    if not rows:
        return 0, None
    wanted_sealed = _sealed_ids(column, [row[0] for row in rows])
    changed = 0
    for pk, stored in rows:
        if not stored:
            continue
        is_sealed = stored.startswith(PREFIX)
        should_seal = pk in wanted_sealed
        if should_seal and is_sealed and is_sealed_with_current_key(stored):
            continue
        if not should_seal and not is_sealed:
            continue
        plain = unseal(stored) if is_sealed else stored
        value = Sealed(plain) if should_seal else str(plain)
        # Only if it still holds what was read: a concurrent edit stands.
        changed += (
            model._base_manager.filter(pk=pk)
            .annotate(_stored=Cast(name, TextField()))
            .filter(_stored=stored)
            .update(**{name: value})
        )
    return changed, rows[-1][0]


def _sealed_ids(column: SealedColumn, ids: list[int]) -> set[int]:
    condition = column.field.sealed_when or Q(pk__in=[])
    return set(
        column.model._base_manager.filter(condition, pk__in=ids).values_list("pk", flat=True)
    )

"""What every API view shares: idempotent POSTs, strict input, ``updated_since``."""

from __future__ import annotations

from datetime import UTC, datetime

import django_filters
from django import forms
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound

from .idempotency import IdempotencyMixin

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name="Idempotency-Key",
    location=OpenApiParameter.HEADER,
    required=False,
    description="Any string up to 255 characters. Retrying a POST with the same key replays "
    "the first successful response instead of acting twice.",
)


def get_or_404(queryset, pk):
    """The row with id ``pk`` in ``queryset`` (already scoped to the viewer), or a 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound("No such record.") from None
    row = queryset.filter(pk=pk).first() if 0 < pk < 2**63 else None
    if row is None:
        raise NotFound("No such record.")
    return row


class ApiViewSet(IdempotencyMixin, viewsets.GenericViewSet):
    """The base of every API viewset. Ids in paths are whole numbers."""

    lookup_value_regex = "[0-9]{1,18}"


class StrictInputMixin:
    """Input serializers refuse fields they do not know, rather than silently dropping them."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            known = set(self.fields)
            unknown = sorted(str(name) for name in data if name not in known)
            if unknown:
                raise serializers.ValidationError({key: ["Unknown field."] for key in unknown})
        return super().to_internal_value(data)


class StrictSerializer(StrictInputMixin, serializers.Serializer):
    pass


def as_utc(value: datetime | None) -> datetime | None:
    """An aware datetime moved to UTC, so any offset a client sends is one PostgreSQL takes.

    ISO 8601 allows offsets up to ±23:59 and PostgreSQL only ±15:59; a time that falls
    outside the calendar once in UTC (year 1 with a +10:00 offset) is refused.
    """
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("That time is out of range.") from None


class UtcDateTimeField(serializers.DateTimeField):
    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        try:
            return as_utc(parsed)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None


class _UtcIsoDateTimeFormField(django_filters.fields.IsoDateTimeField):
    def strptime(self, value, format):
        return self._utc(super().strptime(value, format))

    def to_python(self, value):
        return self._utc(super().to_python(value))

    @staticmethod
    def _utc(value):
        try:
            return as_utc(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = _UtcIsoDateTimeFormField


class UpdatedSinceFilterSet(django_filters.FilterSet):
    """``updated_since`` (ISO 8601) for incremental sync; subclasses name the field."""

    updated_since = UtcIsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label="Only rows changed at or after this time (ISO 8601), for incremental sync.",
    )

"""What every API view shares: idempotent POSTs, strict input, ``updated_since``."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers, viewsets

from .idempotency import IdempotencyMixin

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name="Idempotency-Key",
    location=OpenApiParameter.HEADER,
    required=False,
    description="Any string up to 255 characters. Retrying a POST with the same key replays "
    "the first successful response instead of acting twice.",
)


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


class UpdatedSinceFilterSet(django_filters.FilterSet):
    """``updated_since`` (ISO 8601) for incremental sync; subclasses name the field."""

    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label="Only rows changed at or after this time (ISO 8601), for incremental sync.",
    )

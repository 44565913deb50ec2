"""What every API view shares: idempotent POSTs, strict input, ``updated_since``."""

from __future__ import annotations

from datetime import UTC, datetime

import django_filters
from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound

from .idempotency import IdempotencyMixin

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name="Idempotency-Key",
    location=OpenApiParameter.HEADER,
    required=False,
    # What the server enforces (organizing.api.idempotency): 1 to 255 characters, not blank.
    type={"type": "string", "minLength": 1, "maxLength": 255, "pattern": "\\S"},
    description="Any string up to 255 characters. Retrying a POST with the same key replays "
    "the first successful response instead of acting twice.",
)


def get_or_404(queryset, pk):
    """The row with id ``pk`` in ``queryset`` (already scoped to the viewer), or a 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("No such record.")) from None
    row = queryset.filter(pk=pk).first() if 0 < pk < 2**63 else None
    if row is None:
        raise NotFound(_("No such record."))
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
                raise serializers.ValidationError({key: [_("Unknown field.")] for key in unknown})
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
        raise ValueError(_("That time is out of range.")) from None


def rfc3339(value: datetime) -> datetime:
    """``value`` as the API shows it: local time, unless the local offset is not whole minutes.

    Before 1883 the time zone database gives local mean time (Chicago: -05:50:36), an offset
    RFC 3339 cannot write; such times are shown in UTC instead.
    """
    offset = value.utcoffset()
    if offset is not None and offset.total_seconds() % 60:
        return value.astimezone(UTC)
    return value


class Rfc3339DateTimeField(serializers.DateTimeField):
    """DRF's DateTimeField, always writing RFC 3339 (see ``rfc3339``)."""

    def enforce_timezone(self, value):
        return rfc3339(super().enforce_timezone(value))


# Every ModelSerializer's datetimes, wherever declared (a documented DRF extension point).
serializers.ModelSerializer.serializer_field_mapping[models.DateTimeField] = Rfc3339DateTimeField


class UtcDateTimeField(Rfc3339DateTimeField):
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


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A row's id: any whole number. One that names no row (or none the viewer may see)
    matches nothing, as the schema says: an id filter is never a 400 for not existing."""

    field_class = forms.IntegerField


class UpdatedSinceFilterSet(django_filters.FilterSet):
    """``updated_since`` (ISO 8601) for incremental sync; subclasses name the field.

    The base of every API filter set, so its rules hold everywhere: a related row is
    filtered by id (``IdFilter``); a parameter given twice, or given empty where the schema
    wants a value (a time, a number, a choice), is a 400 naming it, not silently ignored.
    """

    updated_since = UtcIsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_("Only rows changed at or after this time (ISO 8601), for incremental sync."),
    )

    @classmethod
    def filter_for_lookup(cls, field, lookup_type):
        if isinstance(field, models.ForeignKey) and lookup_type == "exact":
            return IdFilter, {}
        return super().filter_for_lookup(field, lookup_type)

    def is_valid(self) -> bool:
        valid = super().is_valid()
        getlist = getattr(self.data, "getlist", None)
        for name, declared in self.filters.items():
            if name not in self.data:
                continue
            values = getlist(name) if getlist else [self.data[name]]
            if len(values) > 1:
                self.form.add_error(name, _("Send this parameter once."))
            elif values[0] == "" and not isinstance(declared, django_filters.CharFilter):
                self.form.add_error(name, _("Give a value, or leave the parameter out."))
            elif isinstance(declared, django_filters.BooleanFilter) and values[0] not in {
                "true",
                "false",
            }:
                # Django would read anything else as "not given" and quietly not filter.
                self.form.add_error(name, _("Send true or false."))
        return valid and not self.form.errors

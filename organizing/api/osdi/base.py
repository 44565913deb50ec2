"""OSDI plumbing: the ``OSDI-API-Token`` header, HAL+JSON, page/per_page paging, OData filters.

Everything else (error shape, throttling, scopes) is the rest of the API's.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from rest_framework import renderers
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from organizing.api.authentication import ApiKeyAuthentication
from organizing.api.base import as_utc
from organizing.api.idempotency import IdempotencyMixin
from organizing.api.parsers import LimitedJSONParser
from organizing.api.permissions import HasScope

MAX_PAGESIZE = 100
DEFAULT_PAGESIZE = 25
VENDOR_NAME = "Earshot"
PRODUCT_NAME = "Earshot"
OSDI_VERSION = "1.1.1"
CURIES = [
    {"name": "osdi", "href": "http://opensupporter.github.io/osdi-docs/{rel}", "templated": True}
]


class OsdiApiKeyAuthentication(ApiKeyAuthentication):
    """One of our API keys in the ``OSDI-API-Token`` header (same lookup, same hashing)."""

    header_name = "OSDI-API-Token"

    def authenticate_header(self, request) -> str:
        return 'OSDI-API-Token realm="osdi"'


class HalJSONRenderer(renderers.JSONRenderer):
    media_type = "application/hal+json"


class HalJSONParser(LimitedJSONParser):
    media_type = "application/hal+json"


class _NotInSchema(AutoSchema):
    """OSDI is described by its own spec; the OpenAPI document covers /api/v1 only."""

    def is_excluded(self) -> bool:
        return True


class OsdiView(IdempotencyMixin, APIView):
    """Every OSDI resource: our keys, scopes, throttles, error shape and ``Idempotency-Key``."""

    authentication_classes = [OsdiApiKeyAuthentication, ApiKeyAuthentication]
    permission_classes = [HasScope]
    renderer_classes = [HalJSONRenderer, renderers.JSONRenderer]
    parser_classes = [LimitedJSONParser, HalJSONParser]
    schema = _NotInSchema()

    def url(self, name: str, *args, query: dict | None = None) -> str:
        href = self.request.build_absolute_uri(reverse(f"osdi:{name}", args=args))
        return f"{href}?{urlencode(query)}" if query else href

    def body(self) -> dict:
        """The request body, which must be a JSON object."""
        if not isinstance(self.request.data, dict):
            raise ValidationError({"non_field_errors": [_("The body must be a JSON object.")]})
        return self.request.data


def identifiers(pk: int) -> list[str]:
    """``action_network:<id>`` too, so Action Network client code finds the id it expects."""
    return [f"earshot:{pk}", f"action_network:{pk}"]


def osdi_date(value: datetime | None) -> str | None:
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def _whole_number(request, name: str, default: int, low: int, high: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: [_("Must be a whole number.")]}) from None
    if value < low or (high is not None and value > high):
        if high is not None:
            message = _("Must be between %(low)s and %(high)s.") % {"low": low, "high": high}
        else:
            message = _("Must be at least %(low)s.") % {"low": low}
        raise ValidationError({name: [message]})
    return value


def osdi_page(
    view: OsdiView,
    rows: QuerySet,
    *,
    key: str,
    url_name: str,
    url_args: tuple = (),
    represent,
) -> dict:
    """One page of ``rows`` (ordered already) as an OSDI collection under ``_embedded[key]``.

    A page past the end is an empty list, never a 404.
    """
    request = view.request
    page = _whole_number(request, "page", 1, 1, 10**6)
    per_page = _whole_number(request, "per_page", DEFAULT_PAGESIZE, 1, MAX_PAGESIZE)
    total = rows.count()
    total_pages = math.ceil(total / per_page)
    start = (page - 1) * per_page
    items = [represent(row) for row in rows[start : start + per_page]] if start < total else []

    def link(number: int) -> dict:
        query = {name: value for name, value in request.query_params.items() if name != "page"} | {
            "page": number,
            "per_page": per_page,
        }
        return {"href": view.url(url_name, *url_args, query=query)}

    links = {"self": link(page)}
    if page < total_pages:
        links["next"] = link(page + 1)
    if 1 < page <= total_pages + 1:
        links["prev"] = link(page - 1)
    links[key] = [item["_links"]["self"] for item in items]
    links["curies"] = CURIES
    return {
        "total_pages": total_pages,
        "per_page": per_page,
        "page": page,
        "total_records": total,
        "_links": links,
        "_embedded": {key: items},
    }


# --- the OData subset: <field> <eq|gt|lt> '<value>' [and …] -------------------------------------

_CLAUSE = re.compile(r"\s*([A-Za-z_]+)\s+([A-Za-z]+)\s+'((?:[^']|'')*)'\s*(?:(?i:and)\s+|$)")


def odata_parse(text: str, *, equal_fields: dict, compare_fields: dict) -> dict:
    """Turn ``filter`` into ORM lookups; raises ValidationError (``filter``) on anything else.

    ``equal_fields`` maps a field to its lookup for ``eq``; ``compare_fields`` maps a date
    field to its model field for ``gt``/``lt`` (and ``eq``, on the day).
    """
    lookups: dict = {}
    position = 0
    text = text.strip()
    if not text:
        return lookups
    while position < len(text):
        match = _CLAUSE.match(text, position)
        if match is None:
            raise ValidationError(
                {
                    "filter": [
                        _(
                            "Cannot read the filter from %(text)r: write field eq 'value', joined "
                            "with and (e.g. email_address eq 'maria@example.org' and "
                            "modified_date gt '2026-01-01')."
                        )
                        % {"text": text[position : position + 40]}
                    ]
                }
            )
        position = match.end()
        field, operator, value = match.group(1), match.group(2).lower(), match.group(3)
        value = value.replace("''", "'")
        if "\x00" in value or len(value) > 254:
            raise ValidationError(
                {"filter": [_("%(field)s: that value cannot be stored.") % {"field": field}]}
            )
        if field in equal_fields and operator == "eq":
            lookups[equal_fields[field]] = value
        elif field in compare_fields and operator in {"gt", "lt", "eq"}:
            try:
                moment = parse_datetime(value)
                if moment is None and parse_date(value) is not None:
                    moment = parse_datetime(value + "T00:00:00+00:00")
            except ValueError:  # well formed, but no such day (2026-02-30)
                moment = None
            if moment is None:
                raise ValidationError(
                    {
                        "filter": [
                            _("%(field)s: %(value)r is not a date or time.")
                            % {"field": field, "value": value}
                        ]
                    }
                )
            try:
                moment = as_utc(moment)
            except ValueError as error:
                raise ValidationError({"filter": [f"{field}: {error}"]}) from None
            if operator == "eq" and "T" not in value.upper():
                lookups[f"{compare_fields[field]}__date"] = moment.date()
            else:
                lookups[f"{compare_fields[field]}__{'gt' if operator == 'gt' else 'lt'}"] = moment
        else:
            supported = [f"{name} eq" for name in equal_fields] + [
                f"{name} gt/lt" for name in compare_fields
            ]
            raise ValidationError(
                {
                    "filter": [
                        _(
                            "Filtering by %(field)s %(operator)s is not supported. "
                            "Supported: %(supported)s, joined with and."
                        )
                        % {"field": field, "operator": operator, "supported": ", ".join(supported)}
                    ]
                }
            )
    return lookups

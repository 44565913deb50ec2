"""A JSON parser that refuses oversized bodies before reading them.

DRF reads the body as a stream, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE check, so the
limit is applied here, from Content-Length and again while reading.
"""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework import exceptions, parsers, status
from rest_framework.exceptions import ParseError


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class LimitedJSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0) if request else 0
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            raise RequestTooLarge(f"The request body is larger than {limit} bytes.")
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge(f"The request body is larger than {limit} bytes.")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.loads(raw.decode(encoding), parse_constant=_no_constants)
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError(f"Malformed JSON: {error}") from None


def _no_constants(name: str):
    raise ValueError(f"{name} is not valid JSON")

"""A JSON parser that refuses oversized, too deep and unstorable bodies.

DRF reads the body as a stream, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE check, so the
limit is applied here, from Content-Length and again while reading. Every endpoint (OSDI
included) parses with it: nesting deeper than JSON_MAX_DEPTH, and NUL characters or lone
surrogates in any key or string at any depth, are a 400 naming the limit or the character
(organizing.text_safety), never a 500 from a recursion or from PostgreSQL.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers, status
from rest_framework.exceptions import ParseError, ValidationError

from organizing.text_safety import JSON_MAX_DEPTH, UnsafeJSON, json_check


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
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
            raise RequestTooLarge(
                _("The request body is larger than %(limit)d bytes.") % {"limit": limit}
            )
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge(
                _("The request body is larger than %(limit)d bytes.") % {"limit": limit}
            )
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            document = json.loads(raw.decode(encoding), parse_constant=_no_constants)
        except RecursionError:
            raise ParseError(
                _("JSON nested deeper than %(depth)d levels is refused.")
                % {"depth": JSON_MAX_DEPTH}
            ) from None
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError(_("Malformed JSON: %(error)s") % {"error": error}) from None
        try:
            json_check(document)
        except UnsafeJSON as error:
            if not error.path:
                raise ParseError(f"{error.message}.") from None
            field = error.path.split(".")[0].split("[")[0]
            raise ValidationError({field: [f"{error}."]}) from None
        return document


def _no_constants(name: str):
    raise ValueError(f"{name} is not valid JSON")

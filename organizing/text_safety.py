"""Text PostgreSQL cannot store, refused by name before it reaches a query (never a 500).

A NUL character (U+0000) is refused by PostgreSQL in text and jsonb; a lone UTF-16 surrogate
(U+D800…U+DFFF, which JSON's ``\\ud800`` escapes can produce) cannot be encoded as UTF-8 at
all. Both are refused wherever text enters: JSON bodies at any depth (organizing.api.parsers),
query strings (``QueryStringTextMiddleware``), segment filters (supporters.segments).
JSON nesting is bounded too (``JSON_MAX_DEPTH``), so nothing downstream recurses without end.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

JSON_MAX_DEPTH = 32
_UNSAFE = re.compile("[\x00\ud800-\udfff]")


def unsafe_text_reason(text: str) -> str | None:
    """Why ``text`` cannot be stored (naming the character), or None when it can."""
    found = _UNSAFE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "contains a NUL character (U+0000), which is not allowed"
    return f"contains a lone surrogate (U+{ord(found.group()):04X}), which is not allowed"


class UnsafeJSON(ValueError):
    """``path`` names where in the document (``custom_fields.notes[2]``); ``message`` what."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path, self.message = path, message


def json_check(document: Any, *, max_depth: int = JSON_MAX_DEPTH) -> None:
    """Raise UnsafeJSON if ``document`` nests deeper than ``max_depth`` or holds unsafe text
    in any key or string. Iterative, so a deep document cannot exhaust the stack here."""
    stack: list[tuple[Any, str, int]] = [(document, "", 1)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            if (reason := unsafe_text_reason(value)) is not None:
                raise UnsafeJSON(path, reason)
        elif isinstance(value, dict | list):
            if depth > max_depth:
                raise UnsafeJSON(path, f"JSON nested deeper than {max_depth} levels is refused")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    if (reason := unsafe_text_reason(key)) is not None:
                        raise UnsafeJSON(path, f"a key {reason}")
                    child = f"{path}.{key}" if path else key
                else:
                    child = f"{path}[{key}]"
                stack.append((item, child, depth + 1))


class QueryStringTextMiddleware:
    """Answers 400, naming the parameter, to a query string holding a NUL character
    (``?q=%00``); the API's answer is its error envelope, a page's a plain 400."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name, values in request.GET.lists():
            for text in [name, *values]:
                if (reason := unsafe_text_reason(text)) is not None:
                    return _refusal(request, name, reason)
        return self.get_response(request)


def _refusal(request: HttpRequest, name: str, reason: str) -> HttpResponse:
    label = "a query parameter name" if unsafe_text_reason(name) else name
    message = f"{label}: {reason}."
    if request.path.startswith("/api/"):
        error = {"status": 400, "code": "invalid", "message": message, "fields": {label: [reason]}}
        return JsonResponse({"error": error}, status=400)
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")

"""Schema post-processing: every operation documents the one error shape for 4XX answers."""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message"],
            "properties": {
                "status": {"type": "integer", "example": 400},
                "code": {"type": "string", "example": "invalid"},
                "message": {"type": "string", "example": "Some fields are not valid: …"},
                "fields": {
                    "type": "object",
                    "description": "Field errors by request field (or filter path).",
                    "additionalProperties": True,
                    "example": {"given_name": ["This field is required."]},
                },
            },
        }
    },
}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {
        "description": "The request was refused; `error` says why (field by field when "
        "the input was invalid). 401 without valid credentials, 403 without the role or "
        "scope, 404 outside your scope, 429 with Retry-After when throttled.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    paths = result.get("paths", {})
    for operations in paths.values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("4XX", error)
    _reuse_list_examples(paths)
    return result


def _reuse_list_examples(paths: dict) -> None:
    """A detail GET without its own example shows one row of its list's example."""
    for path, operations in paths.items():
        if not path.endswith("/{id}/") or "get" not in operations:
            continue
        content = operations["get"]["responses"].get("200", {}).get("content", {})
        body = content.get("application/json")
        if body is None or body.get("examples"):
            continue
        listing = paths.get(path.removesuffix("{id}/"), {}).get("get", {})
        list_body = listing.get("responses", {}).get("200", {}).get("content", {})
        for name, example in list_body.get("application/json", {}).get("examples", {}).items():
            rows = example.get("value", {}).get("results") or []
            if rows:
                body["examples"] = {name: {"value": rows[0]}}
                break

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
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("4XX", error)
    return result

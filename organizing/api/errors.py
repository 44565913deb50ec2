"""One error shape for every API answer that is not a success:

    {"error": {"status": 400, "code": "invalid", "message": "…",
               "fields": {"given_name": ["This field is required."]}}}

``fields`` is present for validation errors only; its keys are the request's field names
(``non_field_errors`` for the body as a whole, a query parameter's name for a bad filter).
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.defaults import page_not_found, server_error
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

# The parser raises it; it imports nothing of this module, so DRF's views (which load the
# parsers) and this handler import each other in one direction only.
from .parsers import RequestTooLarge


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with an earlier one.")
    default_code = "conflict"


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = _("This is gone.")
    default_code = "gone"


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("The request cannot be processed.")
    default_code = "unprocessable"


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for key, value in detail.items():
            message = _first_message(value)
            if message:
                return message if key == "non_field_errors" else f"{key}: {message}"
        return ""
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else ""
    return str(detail)


def _code_of(detail, fallback: str) -> str:
    if getattr(detail, "code", None):
        return str(detail.code)
    codes = detail.get_codes() if hasattr(detail, "get_codes") else fallback
    while isinstance(codes, dict | list):
        if not codes:
            return fallback
        codes = next(iter(codes.values())) if isinstance(codes, dict) else codes[0]
    return str(codes) if codes else fallback


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    response = exception_handler(exc, context)
    if response is None:
        return None  # a bug: let Django log it and answer 500
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    error = {
        "status": response.status_code,
        "code": _code_of(exc.detail, exc.default_code)
        if isinstance(exc, exceptions.APIException)
        else "error",
        "message": _first_message(detail) or str(_("Something is wrong with the request.")),
    }
    if isinstance(exc, exceptions.ValidationError):
        error["code"] = "invalid"
        error["message"] = "Some fields are not valid: " + _first_message(detail)
        error["fields"] = detail if isinstance(detail, dict) else {"non_field_errors": list(detail)}
    response.data = {"error": error}
    return response


def api_not_found_or_page(request, exception=None):
    """Django's 404 for pages; the API's error shape for anything under /api/."""
    if request.path.startswith("/api/"):
        error = {
            "status": 404,
            "code": "not_found",
            "message": str(_("No such address in the API.")),
        }
        return JsonResponse({"error": error}, status=404)
    return page_not_found(request, exception)


def api_server_error_or_page(request):
    """Django's 500 page for pages; the API's error shape for anything under /api/."""
    if request.path.startswith("/api/"):
        error = {
            "status": 500,
            "code": "server_error",
            "message": str(_("Something went wrong on our side.")),
        }
        return JsonResponse({"error": error}, status=500)
    return server_error(request)

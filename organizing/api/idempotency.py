"""``Idempotency-Key`` for any POST: the first successful response is replayed on retries.

- The same key with the same request answers the stored response again (with the header
  ``Idempotent-Replayed: true``) and does nothing else.
- The same key with a different request (method, path or body) is a 422.
- The same key while the first request is still running is a 409: try again shortly.
- A request that fails (4xx/5xx) keeps nothing, so the client may fix it and retry with
  the same key.
Keys belong to a user, and are kept for ``IDEMPOTENCY_KEY_TTL_HOURS``.
"""

from __future__ import annotations

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from organizing.models import IdempotencyRecord

from .errors import Conflict, Unprocessable

HEADER = "Idempotency-Key"


class _Replay(Exception):
    def __init__(self, record: IdempotencyRecord) -> None:
        self.record = record


class IdempotencyMixin:
    """For API views. Runs after authentication, so keys are scoped to the user."""

    _idempotency_record: IdempotencyRecord | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._idempotency_record = None
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return
        key = key.strip()
        if not key or len(key) > 255:
            raise ValidationError({HEADER: [_("Send 1 to 255 characters.")]})
        digest = hashlib.sha256()
        digest.update(f"{request.method} {request.path}\n".encode())
        digest.update(request.body)
        request_hash = digest.hexdigest()
        try:
            with transaction.atomic():
                record, created = IdempotencyRecord.objects.get_or_create(
                    user=request.user,
                    key=key,
                    defaults={
                        "method": request.method,
                        "path": request.path[:500],
                        "request_hash": request_hash,
                    },
                )
        except IntegrityError:
            raise Conflict(_("A request with this Idempotency-Key is still running.")) from None
        if created:
            self._idempotency_record = record
            return
        if record.request_hash != request_hash:
            raise Unprocessable(
                _("This Idempotency-Key was already used for a different request."),
                code="idempotency_key_reused",
            )
        if record.response_status is None:
            raise Conflict(_("A request with this Idempotency-Key is still running."))
        raise _Replay(record)

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            return Response(
                exc.record.response_body,
                status=exc.record.response_status,
                headers={"Idempotent-Replayed": "true"},
            )
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        record = self._idempotency_record
        if record is not None:
            self._idempotency_record = None
            if 200 <= response.status_code < 300 and isinstance(response, Response):
                record.response_status = response.status_code
                record.response_body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
                record.save(update_fields=["response_status", "response_body"])
            else:
                record.delete()
        return super().finalize_response(request, response, *args, **kwargs)

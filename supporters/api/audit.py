"""``/api/v1/audit/``: the audit trail for admins and data staff (``supporters.audit``),
filtered as the page is; reading it is audited (``audit.list``)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.exceptions import ValidationError

from organizing.api.base import ApiViewSet
from organizing.api.permissions import HasScope
from organizing.models import AuditEvent
from organizing.services import audit_record
from supporters.audit import audit_list
from supporters.forms_audit import ApiAuditFilterForm


class AuditEventSerializer(serializers.ModelSerializer):
    object_type = serializers.SerializerMethodField(help_text="The kind of record, e.g. supporter.")

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "ip_address",
            "details",
        ]
        read_only_fields = fields

    def get_object_type(self, event: AuditEvent) -> str:
        return event.object_type.model if event.object_type_id else ""


@extend_schema(
    summary="The audit trail",
    description="Who read or changed what, newest first (admins and data staff). Leaves an "
    "audit entry itself.",
    parameters=[
        OpenApiParameter(
            "actor",
            {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
            description="Done by this user id.",
        ),
        OpenApiParameter(
            "supporter",
            {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
            description="About this supporter id (their record, "
            "or a list, search or read naming them).",
        ),
        OpenApiParameter(
            "action",
            {"type": "string", "maxLength": 64},
            description="An action (supporter.view), or all of a "
            "kind with a trailing dot (supporter.). At most 64 characters.",
        ),
        OpenApiParameter("since", OpenApiTypes.DATE, description="From this day (inclusive)."),
        OpenApiParameter("until", OpenApiTypes.DATE, description="To this day (inclusive)."),
    ],
    examples=[
        OpenApiExample(
            "An entry",
            value={
                "id": 981,
                "at": "2026-12-01T17:30:00Z",
                "actor": 7,
                "action": "supporter.brief_viewed",
                "object_type": "supporter",
                "object_id": "42",
                "object_repr": "Maria Lopez",
                "ip_address": "203.0.113.5",
                "details": {},
            },
            response_only=True,
        )
    ],
)
class AuditEventViewSet(mixins.ListModelMixin, ApiViewSet):
    queryset = AuditEvent.objects.none()  # for the schema; get_queryset asks supporters.audit
    serializer_class = AuditEventSerializer
    permission_classes = [HasScope]
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return AuditEvent.objects.none()
        form = ApiAuditFilterForm(self.request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        self.selection = form.selection()
        return audit_list(viewer=self.request.user, **self.selection)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        audit_record(
            actor=request.user,
            action="audit.list",
            request=request,
            filters={k: str(v) for k, v in self.selection.items() if v not in (None, "")},
            format="api",
        )
        return response

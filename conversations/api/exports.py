"""``/api/v1/conversations/export`` and ``/api/v1/result-code-mappings/``: what was heard, back
to the tools that sent the people (data staff and admins, with an export-scoped key)."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from conversations.exporting import conversation_export_chunks, result_code_mapping_clean
from conversations.models import ResultCodeMapping
from organizing.api.base import ApiViewSet, as_utc
from organizing.api.permissions import MayExport
from organizing.services import audit_record
from supporters.api.segments import CsvRenderer, NdjsonRenderer
from supporters.exporting import CONTENT_TYPES


class ResultCodeMappingSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResultCodeMapping
        fields = ["id", "name", "outcomes", "questions", "updated_at"]
        read_only_fields = ["id", "updated_at"]

    def validate(self, attrs):
        problems = result_code_mapping_clean(
            attrs.get("outcomes", getattr(self.instance, "outcomes", {})),
            attrs.get("questions", getattr(self.instance, "questions", {})),
        )
        if problems:
            raise serializers.ValidationError(problems)
        return attrs


MAPPING_EXAMPLE = OpenApiExample(
    "VAN result codes",
    value={
        "id": 1,
        "name": "van",
        "outcomes": {"talked": "Canvassed", "not_home": "Not Home", "refused": "Refused"},
        "questions": {"rent_increase": {"id": "Q123", "answers": {"yes": "1", "no": "2"}}},
        "updated_at": "2026-11-30T15:02:11Z",
    },
)
_MAPPING = "A saved mapping of Earshot's outcomes and survey answers to another system's codes."


@extend_schema_view(
    list=extend_schema(description="The saved result-code mappings.", examples=[MAPPING_EXAMPLE]),
    retrieve=extend_schema(description=_MAPPING, examples=[MAPPING_EXAMPLE]),
    create=extend_schema(description="Save a mapping. " + _MAPPING, examples=[MAPPING_EXAMPLE]),
    partial_update=extend_schema(description="Change a mapping.", examples=[MAPPING_EXAMPLE]),
    destroy=extend_schema(description="Forget a mapping."),
)
class ResultCodeMappingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ApiViewSet,
):
    """Saved mappings of Earshot's outcomes and survey answers to another system's codes."""

    serializer_class = ResultCodeMappingSerializer
    permission_classes = [MayExport]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    queryset = ResultCodeMapping.objects.all()

    def perform_create(self, serializer):
        serializer.save(created_by=self.request.user)


class ConversationExportView(APIView):
    permission_classes = [MayExport]
    renderer_classes = [JSONRenderer, CsvRenderer, NdjsonRenderer]

    @extend_schema(
        summary="Export conversations (CSV or NDJSON)",
        description="One row per conversation: supporter id and external IDs, when, channel, "
        "outcome, result code (with a saved mapping), who logged it, survey answers. Streamed "
        "by PostgreSQL's COPY. Data staff and admins, with the export scope.",
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, enum=["csv", "ndjson"]),
            OpenApiParameter("updated_since", OpenApiTypes.DATETIME),
            OpenApiParameter("mapping", OpenApiTypes.STR, description="A saved mapping's name."),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/x-ndjson"): OpenApiTypes.STR,
            (200, "application/json"): OpenApiTypes.OBJECT,
        },
        examples=[
            OpenApiExample(
                "Two conversations",
                value="supporter_id,external_ids,happened_at,channel,outcome\r\n"
                '12,"van:98431",2026-11-30T15:02:11Z,door,talked\r\n',
                response_only=True,
                media_type="text/csv",
            )
        ],
    )
    def get(self, request):
        export_format = request.query_params.get("format", "csv")
        if export_format not in CONTENT_TYPES:
            raise ValidationError({"format": [_("Use csv or ndjson.")]})
        since = None
        raw = request.query_params.get("updated_since", "")
        if raw:
            try:
                since = as_utc(parse_datetime(raw))
            except ValueError:
                since = None
            if since is None:
                raise ValidationError(
                    {"updated_since": [_("Use ISO 8601, e.g. 2026-11-30T00:00Z.")]}
                )
        mapping = None
        if name := request.query_params.get("mapping"):
            mapping = ResultCodeMapping.objects.filter(name__iexact=name).first()
            if mapping is None:
                raise ValidationError(
                    {"mapping": [_("No saved mapping is called %(name)s.") % {"name": name[:80]}]}
                )
        audit_record(
            actor=request.user,
            action="conversation.export",
            request=request,
            format=export_format,
            updated_since=raw if since else None,
            mapping=mapping.name if mapping else None,
        )
        response = StreamingHttpResponse(
            conversation_export_chunks(
                viewer=request.user, format=export_format, updated_since=since, mapping=mapping
            ),
            content_type=CONTENT_TYPES[export_format],
        )
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = (
            f'attachment; filename="conversations-{stamp}.{export_format}"'
        )
        response["Cache-Control"] = "no-store"
        return response

"""``/api/v1/imports/``: the same imports as the page, for scripts.

``POST /imports/`` takes a multipart file (``file``, ``team``, ``source``), or JSON
(``team``, ``headers``) to start an import whose rows follow as JSON in chunks of at most
1 MB (``POST /imports/{id}/rows``). Then ``mapping``, ``dry-run``, ``commit`` (the worker
does the rest; ``GET /imports/{id}/`` shows progress), ``undo``, and the row files. Reads go
through ``import_list``; writes through ``supporters.importing.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from organizing.api.base import ApiViewSet, StrictSerializer
from organizing.api.parsers import LimitedJSONParser
from organizing.api.permissions import HasScope
from organizing.models import Team
from supporters.importing.files import import_errors_csv, import_outcomes_csv
from supporters.importing.models import Import
from supporters.importing.selectors import import_get, import_list
from supporters.importing.services import (
    import_commit,
    import_dry_run,
    import_mapping_set,
    import_rows_append,
    import_start_rows,
    import_undo,
    import_upload,
)


class ImportSerializer(serializers.ModelSerializer):
    team = serializers.PrimaryKeyRelatedField(read_only=True)
    created_by = serializers.StringRelatedField()
    progress_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = Import
        fields = [
            "id", "team", "created_by", "file_name", "file_format", "encoding", "delimiter",
            "size", "headers", "source", "mapping", "status", "total_rows", "rows_done",
            "progress_percent", "dry_run", "counts", "error", "created_at", "started_at",
            "heartbeat_at", "finished_at", "undone_at",
        ]  # fmt: skip
        read_only_fields = fields


class ImportUploadSerializer(StrictSerializer):
    file = serializers.FileField(required=False)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
    source = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    headers = serializers.ListField(
        child=serializers.CharField(max_length=200, allow_blank=True),
        required=False,
        max_length=200,
    )
    file_name = serializers.CharField(max_length=200, required=False, default="")

    def validate(self, data):
        if ("file" in data) == ("headers" in data):
            raise serializers.ValidationError(
                {"file": _("Send a file (multipart), or headers (JSON) and then rows.")}
            )
        return data


class ImportRowsSerializer(StrictSerializer):
    rows = serializers.ListField(child=serializers.JSONField(), max_length=50_000)


class ImportMappingSerializer(StrictSerializer):
    columns = serializers.DictField(child=serializers.JSONField())
    source = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    save = serializers.BooleanField(required=False, default=False)


IMPORT_EXAMPLE = OpenApiExample(
    "An import, committed",
    value={
        "id": 7, "team": 1, "created_by": "Dana Organizer", "file_name": "roster-2026-11.csv",
        "file_format": "csv", "encoding": "utf-8", "delimiter": ",", "size": 48213,
        "headers": ["VANID", "First Name", "Last Name", "Email Address", "Cell Phone"],
        "source": "van", "mapping": {"VANID": {"target": "external_id", "system": "van"}},
        "status": "done", "total_rows": 812, "rows_done": 812, "progress_percent": 100,
        "dry_run": {"new": 640, "matched": 160, "review": 6, "errors": 6},
        "counts": {"created": 640, "updated": 160, "error": 6}, "error": "",
        "created_at": "2026-11-30T15:02:11Z", "started_at": "2026-11-30T15:04:40Z",
        "heartbeat_at": "2026-11-30T15:05:02Z", "finished_at": "2026-11-30T15:05:02Z",
        "undone_at": None,
    },
    response_only=True,
)  # fmt: skip
DRY_RUN_EXAMPLE = OpenApiExample(
    "A dry run",
    value={"counts": {"new": 640, "matched": 160, "review": 6, "errors": 6}},
    response_only=True,
)
CSV_EXAMPLE = OpenApiExample(
    "Rows", value="row,column,reason\r\n4,Email Address,Enter a valid email address.\r\n",
    response_only=True, media_type="text/csv",
)  # fmt: skip


@extend_schema_view(
    list=extend_schema(
        description="The imports the caller may see (their own teams'; every team for data "
        "staff and admins), newest first.",
        examples=[IMPORT_EXAMPLE],
    ),
    retrieve=extend_schema(
        description="One import with its progress (rows done of total) and counts.",
        examples=[IMPORT_EXAMPLE],
    ),
)
class ImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = ImportSerializer
    permission_classes = [HasScope]
    parser_classes = [LimitedJSONParser, MultiPartParser]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return import_list(viewer=self.request.user)

    def get_object(self):
        return import_get(viewer=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(
        request=ImportUploadSerializer,
        responses={201: ImportSerializer},
        description="Start an import: a CSV, TSV or XLSX file (multipart ``file``, ``team``, "
        "``source``), or JSON ``team`` and ``headers`` whose rows follow in chunks.",
        examples=[IMPORT_EXAMPLE],
    )
    def create(self, request, *args, **kwargs):
        payload = ImportUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if "file" in data:
            upload = data["file"]
            job = import_upload(
                actor=request.user,
                team=data["team"],
                file_name=data.get("file_name") or upload.name,
                data=upload.read(settings.IMPORT_MAX_BYTES + 1),
                size=upload.size,
                source=data["source"],
                request=request,
            )
        else:
            job = import_start_rows(
                actor=request.user,
                team=data["team"],
                headers=data["headers"],
                file_name=data["file_name"],
                source=data["source"],
            )
        return Response(ImportSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ImportRowsSerializer,
        responses={200: ImportSerializer},
        description="Append rows (lists of cells, in the headers' order) to a JSON import; "
        "at most 1 MB per request.",
        examples=[IMPORT_EXAMPLE],
    )
    @action(detail=True, methods=["post"], url_path="rows")
    def rows(self, request, pk=None):
        job = self.get_object()
        payload = ImportRowsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        import_rows_append(actor=request.user, job=job, rows=payload.validated_data["rows"])
        job.refresh_from_db()
        return Response(ImportSerializer(job).data)

    @extend_schema(
        request=ImportMappingSerializer,
        responses={200: ImportSerializer},
        description="Say where each column goes; ``save`` keeps the mapping for the source.",
        examples=[IMPORT_EXAMPLE],
    )
    @action(detail=True, methods=["post"], url_path="mapping")
    def mapping(self, request, pk=None):
        job = self.get_object()
        payload = ImportMappingSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        job = import_mapping_set(actor=request.user, job=job, **payload.validated_data)
        return Response(ImportSerializer(job).data)

    @extend_schema(
        request=None,
        responses={200: OpenApiTypes.OBJECT},
        description="Count what a commit would do (new, matched by which key, to review, "
        "row errors) without writing anything.",
        examples=[DRY_RUN_EXAMPLE],
    )
    @action(detail=True, methods=["post"], url_path="dry-run")
    def dry_run(self, request, pk=None):
        return Response(import_dry_run(actor=request.user, job=self.get_object()))

    @extend_schema(
        request=None,
        responses={202: ImportSerializer},
        description="Commit the import in the worker; follow it with ``GET /imports/{id}/``.",
        examples=[
            OpenApiExample(
                "Committing",
                value={"id": 7, "status": "committing", "total_rows": 812, "rows_done": 0},
                response_only=True,
                status_codes=["202"],
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="commit")
    def commit(self, request, pk=None):
        job = import_commit(actor=request.user, job=self.get_object())
        return Response(ImportSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=None,
        responses={200: ImportSerializer},
        description="Undo the import while nobody has touched the people it created.",
        examples=[IMPORT_EXAMPLE],
    )
    @action(detail=True, methods=["post"], url_path="undo")
    def undo(self, request, pk=None):
        job = import_undo(actor=request.user, job=self.get_object())
        return Response(ImportSerializer(job).data)

    @extend_schema(
        responses={(200, "text/csv"): OpenApiTypes.STR},
        description="The row errors as CSV: row number, column and reason.",
        examples=[CSV_EXAMPLE],
    )
    @action(detail=True, methods=["get"], url_path="errors")
    def errors(self, request, pk=None):
        job = self.get_object()
        return StreamingHttpResponse(import_errors_csv(job), content_type="text/csv")

    @extend_schema(
        responses={(200, "text/csv"): OpenApiTypes.STR},
        description="Every row's outcome as CSV: created, updated (which fields), skipped, error.",
        examples=[CSV_EXAMPLE],
    )
    @action(detail=True, methods=["get"], url_path="outcomes")
    def outcomes(self, request, pk=None):
        job = self.get_object()
        return StreamingHttpResponse(import_outcomes_csv(job), content_type="text/csv")

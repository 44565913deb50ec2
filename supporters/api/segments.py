"""The JSON API for segments (saved searches) and their exports: streamed, or as jobs.

Segments are read through the visibility rule (``segment_supporters``); writes go through
``supporters.services``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from organizing.api.base import (
    IDEMPOTENCY_PARAMETER,
    ApiViewSet,
    UpdatedSinceFilterSet,
    get_or_404,
)
from organizing.api.errors import Conflict, Gone
from organizing.api.permissions import HasScope, MayExport
from organizing.roles import user_is_organizer_or_above
from organizing.services import audit_record
from supporters import services
from supporters.exporting import CONTENT_TYPES, export_chunks, export_job_path
from supporters.models import (
    ExportJob,
    Segment,
)
from supporters.segments import SegmentError, segment_compile, segment_supporters
from supporters.selectors import segment_may_change

from .serializers import (
    ExportColumnSerializer,
    ExportJobCreateSerializer,
    ExportJobSerializer,
    SegmentCountSerializer,
    SegmentPreviewSerializer,
    SegmentSerializer,
    SegmentWriteSerializer,
)

# --- segments --------------------------------------------------------------------------------

SEGMENT_FILTER_EXAMPLE = {
    "and": [
        {"support_level": {"lte": 2}},
        {"tags": {"any": ["tenant-leader"]}},
        {"contactable_by": "text"},
        {"not": {"talked_within_days": 30}},
    ]
}


def validate_segment_filter(value) -> None:
    try:
        segment_compile(value)
    except SegmentError as error:
        field = "filter" if error.path == "filter" else f"filter.{error.path}"
        raise ValidationError({field: [error.message]}) from None


class SegmentFilter(UpdatedSinceFilterSet):
    class Meta:
        model = Segment
        fields = ["created_by"]


class PassthroughRenderer(BaseRenderer):
    """Lets the export answer text/csv or NDJSON; errors still render as JSON."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data)


class CsvRenderer(PassthroughRenderer):
    media_type = "text/csv"
    format = "csv"


class NdjsonRenderer(PassthroughRenderer):
    media_type = "application/x-ndjson"
    format = "ndjson"


SEGMENT_EXAMPLE = OpenApiExample(
    "A segment",
    value={
        "id": 1,
        "name": "Textable strong supporters not heard from lately",
        "description": "",
        "filter": SEGMENT_FILTER_EXAMPLE,
        "created_by": 2,
        "created_at": "2026-10-01T15:00:00Z",
        "updated_at": "2026-10-01T15:00:00Z",
    },
    response_only=True,
)


@extend_schema_view(
    list=extend_schema(
        summary="List segments",
        description="Every saved segment. What each one selects depends on who reads it: counts and exports only ever include the supporters the reader may see.",
        examples=[SEGMENT_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="Read a segment",
        description="One segment with its filter in the segment language.",
        examples=[SEGMENT_EXAMPLE],
    ),
    create=extend_schema(
        summary="Save a segment (organizers and above)",
        description="A bad filter answers 400 with the wrong part named, e.g. "
        "`filter.and[1].tags.any`.",
        request=SegmentWriteSerializer,
        responses={201: SegmentSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        examples=[
            OpenApiExample(
                "Segment",
                value={"name": "Textable supporters", "filter": SEGMENT_FILTER_EXAMPLE},
                request_only=True,
            ),
            SEGMENT_EXAMPLE,
        ],
    ),
    partial_update=extend_schema(
        summary="Change a segment (its maker, data staff, admins)",
        description="Send only what changes; a new filter is checked and a bad part is named in the error.",
        request=SegmentWriteSerializer,
        responses={200: SegmentSerializer},
        examples=[
            OpenApiExample("Rename", value={"name": "Renamed"}, request_only=True),
            SEGMENT_EXAMPLE,
        ],
    ),
    destroy=extend_schema(
        summary="Delete a segment (its maker, data staff, admins)",
        description="Deletes the saved search (never any supporter); 204 with no body.",
    ),
)
class SegmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    ApiViewSet,
):
    serializer_class = SegmentSerializer
    permission_classes = [HasScope]
    filterset_class = SegmentFilter
    queryset = Segment.objects.all()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_permissions(self):
        if self.action == "export":
            return [HasScope(), MayExport()]
        return super().get_permissions()

    @property
    def required_scope(self):
        # Previewing a count is a POST (the filter is a body) that writes nothing.
        return {"export": "export", "preview": "read"}.get(self.action)

    def get_object(self):
        return get_or_404(Segment.objects.all(), self.kwargs["pk"])

    def _check_may_change(self, segment: Segment | None) -> None:
        user = self.request.user
        if segment is None:
            if not user_is_organizer_or_above(user):
                raise PermissionDenied(_("Only organizers and above save segments."))
        elif not segment_may_change(viewer=user, segment=segment):
            raise PermissionDenied(_("Only the segment's maker, data staff and admins change it."))

    def create(self, request, *args, **kwargs):
        self._check_may_change(None)
        serializer = SegmentWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        validate_segment_filter(serializer.validated_data["filter"])
        segment = services.segment_create(actor=request.user, **serializer.validated_data)
        return Response(SegmentSerializer(segment).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        segment = self.get_object()
        self._check_may_change(segment)
        serializer = SegmentWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "filter" in serializer.validated_data:
            validate_segment_filter(serializer.validated_data["filter"])
        segment = services.segment_update(
            actor=request.user, segment=segment, **serializer.validated_data
        )
        return Response(SegmentSerializer(segment).data)

    def destroy(self, request, *args, **kwargs):
        segment = self.get_object()
        self._check_may_change(segment)
        services.segment_delete(actor=request.user, segment=segment)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Count a segment",
        description="How many supporters you may see match it now.",
        responses=SegmentCountSerializer,
        filters=False,
        examples=[OpenApiExample("Count", value={"count": 1234}, response_only=True)],
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def count(self, request, pk=None):
        segment = self.get_object()
        return Response({"count": _count(request.user, segment.filter)})

    @extend_schema(
        summary="Preview a filter's count without saving it",
        description="How many supporters you may see match a filter; writes nothing, so a read-only key may call it.",
        request=SegmentPreviewSerializer,
        responses=SegmentCountSerializer,
        examples=[
            OpenApiExample("Filter", value={"filter": SEGMENT_FILTER_EXAMPLE}, request_only=True),
            OpenApiExample("Count", value={"count": 1234}, response_only=True),
        ],
    )
    @action(detail=False, methods=["post"], filter_backends=[])
    def preview(self, request):
        serializer = SegmentPreviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        validate_segment_filter(serializer.validated_data["filter"])
        return Response({"count": _count(request.user, serializer.validated_data["filter"])})

    @extend_schema(
        summary="The export's columns",
        description="The documented list of columns every export carries, in order.",
        responses=ExportColumnSerializer(many=True),
        filters=False,
        examples=[
            OpenApiExample(
                "Columns", value=[{"name": "id", "description": "Earshot's id"}], response_only=True
            )
        ],
    )
    @action(
        detail=False,
        methods=["get"],
        filter_backends=[],
        pagination_class=None,
        url_path="export-columns",
    )
    def export_columns(self, request):
        return Response(ExportColumnSerializer.columns())

    @extend_schema(
        summary="Stream a segment as CSV or NDJSON",
        description="Data staff and admins, with a key that has the export scope. The rows are "
        "the supporters you may see who match, in id order, with the columns of "
        "`export-columns` (consent flags included). Streams: memory stays flat at any size. "
        "Leaves an audit entry. For very large segments, `POST /api/v1/exports/` instead.",
        parameters=[
            OpenApiParameter(
                "format", OpenApiTypes.STR, enum=["csv", "ndjson"], description="Default csv."
            )
        ],
        filters=False,
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="CSV with a header row"
            ),
            (200, "application/x-ndjson"): OpenApiResponse(
                OpenApiTypes.STR, description="One JSON object per line"
            ),
        },
        examples=[
            OpenApiExample(
                "CSV",
                value="id,given_name,family_name,…\n42,Maria,Lopez,…\n",
                response_only=True,
                media_type="text/csv",
            )
        ],
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        renderer_classes=[JSONRenderer, CsvRenderer, NdjsonRenderer],
    )
    def export(self, request, pk=None):
        segment = self.get_object()
        export_format = request.query_params.get("format", "csv")
        if export_format not in CONTENT_TYPES:
            raise ValidationError({"format": [_("Use csv or ndjson.")]})
        supporters = _segment_supporters(request.user, segment.filter)
        audit_record(
            actor=request.user,
            action="segment.export",
            obj=segment,
            request=request,
            format=export_format,
            filter=segment.filter,
        )
        response = StreamingHttpResponse(
            export_chunks(supporters, format=export_format),
            content_type=CONTENT_TYPES[export_format],
        )
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = (
            f'attachment; filename="segment-{segment.pk}-{stamp}.{export_format}"'
        )
        response["Cache-Control"] = "no-store"
        return response


def _segment_supporters(viewer, filter_json):
    try:
        return segment_supporters(viewer=viewer, filter_json=filter_json)
    except SegmentError as error:
        # A stored filter that no longer compiles (e.g. saved through the admin).
        raise ValidationError({f"filter.{error.path}": [error.message]}) from None


def _count(viewer, filter_json) -> int:
    return _segment_supporters(viewer, filter_json).count()


# --- export jobs -----------------------------------------------------------------------------

EXPORT_JOB_EXAMPLE = OpenApiExample(
    "Export job",
    value={
        "id": 7,
        "segment": 1,
        "format": "csv",
        "status": "done",
        "total_rows": 250000,
        "rows_written": 250000,
        "error": "",
        "created_at": "2026-11-02T18:30:00Z",
        "updated_at": "2026-11-02T18:31:00Z",
        "finished_at": "2026-11-02T18:31:00Z",
        "expires_at": "2026-11-03T18:31:00Z",
        "download_url": "https://earshot.example.org/api/v1/exports/7/download/",
    },
    response_only=True,
)


class ExportJobFilter(UpdatedSinceFilterSet):
    class Meta:
        model = ExportJob
        fields = ["segment", "status"]


@extend_schema_view(
    list=extend_schema(
        summary="List your export jobs",
        description="Export jobs you started, newest first, with their progress.",
        examples=[EXPORT_JOB_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="An export job's progress",
        description="`rows_written` of `total_rows`; once done, `download_url` works until "
        "`expires_at`, after which the file is deleted.",
        examples=[EXPORT_JOB_EXAMPLE],
    ),
    create=extend_schema(
        summary="Start an export job in the worker",
        description="Data staff and admins, export scope. Answers 202 at once; poll the job.",
        request=ExportJobCreateSerializer,
        responses={202: ExportJobSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        examples=[
            OpenApiExample("Start", value={"segment": 1, "format": "csv"}, request_only=True),
            EXPORT_JOB_EXAMPLE,
        ],
    ),
)
class ExportJobViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ApiViewSet
):
    queryset = ExportJob.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = ExportJobSerializer
    permission_classes = [HasScope, MayExport]
    filterset_class = ExportJobFilter
    required_scope = "export"

    def get_queryset(self):
        return ExportJob.objects.filter(requested_by=self.request.user)

    def get_object(self):
        return get_or_404(self.get_queryset(), self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = ExportJobCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        segment = Segment.objects.filter(pk=serializer.validated_data["segment"]).first()
        if segment is None:
            raise ValidationError({"segment": [_("No such segment.")]})
        try:
            segment_compile(segment.filter)
        except SegmentError as error:
            raise ValidationError({f"filter.{error.path}": [error.message]}) from None
        try:
            job = services.export_job_create(
                actor=request.user,
                segment=segment,
                format=serializer.validated_data["format"],
                request=request,
            )
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        return Response(
            ExportJobSerializer(job, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(
        summary="Download a finished export",
        description="The file, until the job's `expires_at`; 410 afterwards.",
        filters=False,
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
            (200, "application/x-ndjson"): OpenApiResponse(OpenApiTypes.STR),
        },
        examples=[
            OpenApiExample(
                "CSV", value="id,given_name,…\n", response_only=True, media_type="text/csv"
            )
        ],
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        renderer_classes=[JSONRenderer, CsvRenderer, NdjsonRenderer],
    )
    def download(self, request, pk=None):
        job = self.get_object()
        if job.status == ExportJob.Status.EXPIRED or (
            job.expires_at is not None and job.expires_at <= timezone.now()
        ):
            raise Gone(_("This export has expired; start a new one."))
        if job.status != ExportJob.Status.DONE:
            raise Conflict(
                _("This export is %(status)s, not done yet.")
                % {"status": job.get_status_display().lower()}
            )
        path = export_job_path(job)
        if not path.exists():
            raise Gone(_("This export's file is gone; start a new one."))
        audit_record(actor=request.user, action="export.download", obj=job, request=request)
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=f"segment-{job.segment_id}-export-{job.pk}.{job.format}",
            content_type=CONTENT_TYPES[job.format],
        )

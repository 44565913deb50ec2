"""``/api/v1/`` routes for people: supporters, tags, relationships, segments and exports."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.routers import SimpleRouter

from .audit import AuditEventViewSet
from .imports import ImportViewSet
from .segments import ExportJobViewSet, SegmentViewSet
from .views import RelationshipViewSet, SupporterViewSet, TagViewSet

# The documented form, /segments/{id}/export without the trailing slash, for curl
# users; the schema lists the slashed one only.
BareSegmentExport = extend_schema_view(export=extend_schema(exclude=True))(
    type("BareSegmentExport", (SegmentViewSet,), {})
)

router = SimpleRouter()
router.register("supporters", SupporterViewSet, basename="supporter")
router.register("tags", TagViewSet, basename="tag")
router.register("relationships", RelationshipViewSet, basename="relationship")
router.register("segments", SegmentViewSet, basename="segment")
router.register("exports", ExportJobViewSet, basename="export")
router.register("audit", AuditEventViewSet, basename="audit")
router.register("imports", ImportViewSet, basename="import")

urlpatterns = [
    path(
        "segments/<int:pk>/export",
        BareSegmentExport.as_view(
            {"get": "export"},
            renderer_classes=SegmentViewSet.export.kwargs["renderer_classes"],
            filter_backends=[],
        ),
        name="segment-export-bare",
    ),
    # The documented form for scripts sending rows: /imports/{id}/rows, no slash.
    path(
        "imports/<int:pk>/rows",
        extend_schema_view(rows=extend_schema(exclude=True))(
            type("BareImportRows", (ImportViewSet,), {})
        ).as_view({"post": "rows"}),
        name="import-rows-bare",
    ),
    path("", include(router.urls)),
]

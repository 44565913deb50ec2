"""``/api/v1/`` routes for people: supporters, tags, relationships, segments and exports."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.routers import SimpleRouter

from .audit import AuditEventViewSet
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
    path("", include(router.urls)),
]

"""``/api/v1/`` routes for canvassing: walk lists, packets, and the field sync."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .views import FieldSyncView, PacketViewSet, WalkListViewSet

router = SimpleRouter()
router.register("walk-lists", WalkListViewSet, basename="walklist")
router.register("packets", PacketViewSet, basename="packet")

urlpatterns = [
    path("field/sync/", FieldSyncView.as_view(), name="field-sync"),
    path("", include(router.urls)),
]

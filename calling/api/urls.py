"""``/api/v1/`` routes for phone banking: call lists, their progress, and next-call claims."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .views import CallListViewSet

router = SimpleRouter()
router.register("call-lists", CallListViewSet, basename="calllist")

urlpatterns = [path("", include(router.urls))]

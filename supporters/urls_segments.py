from django.urls import path

from . import views_segments

app_name = "segments"

urlpatterns = [
    path("", views_segments.segment_list_view, name="list"),
    path("new/", views_segments.segment_create_view, name="create"),
    path("preview/", views_segments.segment_preview_view, name="preview"),
    path("<int:pk>/edit/", views_segments.segment_edit_view, name="edit"),
    path("<int:pk>/delete/", views_segments.segment_delete_view, name="delete"),
    path("<int:pk>/count/", views_segments.segment_count_view, name="count"),
    path("<int:pk>/export.csv", views_segments.segment_export_view, name="export"),
]

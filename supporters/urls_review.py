from django.urls import path

from . import views_review

app_name = "review"

urlpatterns = [
    path("duplicates/", views_review.duplicate_list_view, name="duplicate_list"),
    path(
        "duplicates/<int:pk>/not-duplicate/",
        views_review.duplicate_dismiss_view,
        name="duplicate_dismiss",
    ),
    path("duplicates/<int:pk>/merge/", views_review.duplicate_merge_view, name="duplicate_merge"),
]

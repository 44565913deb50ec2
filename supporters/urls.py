from django.urls import path

from . import views, views_edit, views_erase
from . import views_imports as imports

app_name = "supporters"

urlpatterns = [
    path("", views.supporter_list_view, name="list"),
    path("new/", views.supporter_create_view, name="create"),
    path("search/", views.search_view, name="search"),
    path("bulk/<int:pk>/", views.bulk_action_view, name="bulk"),
    path("<int:pk>/edit/", views_edit.supporter_edit_view, name="edit"),
    path("<int:pk>/erase/", views_erase.supporter_erase_view, name="erase"),
    path("imports/", imports.import_list_view, name="import-list"),
    path("imports/<int:pk>/", imports.import_detail_view, name="import-detail"),
    path("imports/<int:pk>/progress", imports.import_progress_view, name="import-progress"),
    path("imports/<int:pk>/mapping", imports.import_mapping_view, name="import-mapping"),
    path("imports/<int:pk>/commit", imports.import_commit_view, name="import-commit"),
    path("imports/<int:pk>/undo", imports.import_undo_view, name="import-undo"),
    path("imports/<int:pk>/errors.csv", imports.import_errors_view, name="import-errors"),
    path("imports/<int:pk>/rows.csv", imports.import_outcomes_view, name="import-outcomes"),
]

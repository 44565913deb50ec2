from django.urls import path

from . import views, views_edit, views_erase

app_name = "supporters"

urlpatterns = [
    path("", views.supporter_list_view, name="list"),
    path("new/", views.supporter_create_view, name="create"),
    path("search/", views.search_view, name="search"),
    path("bulk/<int:pk>/", views.bulk_action_view, name="bulk"),
    path("<int:pk>/edit/", views_edit.supporter_edit_view, name="edit"),
    path("<int:pk>/erase/", views_erase.supporter_erase_view, name="erase"),
]

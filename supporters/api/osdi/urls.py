"""``/api/osdi/v1/``: OSDI addresses, with or without a trailing slash (clients differ)."""

from __future__ import annotations

from django.urls import re_path

from . import views

app_name = "osdi"

ID = r"(?P<pk>[0-9]{1,18})"


def route(pattern: str, view, name: str):
    return re_path(rf"^{pattern}/?$" if pattern else r"^$", view.as_view(), name=name)


urlpatterns = [
    route("", views.EntryPointView, "entry"),
    route("people", views.PeopleView, "people"),
    route("person_signup_helper", views.PeopleView, "person_signup_helper"),
    route(f"people/{ID}", views.PersonView, "person"),
    route(
        r"people/(?P<person_pk>[0-9]{1,18})/taggings", views.PersonTaggingsView, "person_taggings"
    ),
    route("tags", views.TagsView, "tags"),
    route(f"tags/{ID}", views.TagView, "tag"),
    route(r"tags/(?P<tag_pk>[0-9]{1,18})/taggings", views.TaggingsView, "taggings"),
    route(rf"tags/(?P<tag_pk>[0-9]{{1,18}})/taggings/{ID}", views.TaggingView, "tagging"),
    route("lists", views.ListsView, "lists"),
    route(f"lists/{ID}", views.ListView, "list"),
    route(r"lists/(?P<list_pk>[0-9]{1,18})/items", views.ItemsView, "items"),
    route(rf"lists/(?P<list_pk>[0-9]{{1,18}})/items/{ID}", views.ItemView, "item"),
    route("metadata", views.MetadataView, "metadata"),
    route("metadata/custom_fields", views.CustomFieldsView, "custom_fields"),
]

from django.urls import path

from . import views, views_field

app_name = "canvass"

urlpatterns = [
    path("", views.walk_list_index_view, name="index"),
    path("lists/<int:pk>/", views.walk_list_view, name="walk_list"),
    path("lists/<int:pk>/split/", views.split_view, name="split"),
    path("lists/<int:pk>/draw/", views.draw_view, name="draw"),
    path("lists/<int:pk>/clear/", views.clear_view, name="clear"),
    path("packets/<int:pk>/", views_field.packet_view, name="packet"),
    path("packets/<int:pk>/checkout/", views.checkout_view, name="checkout"),
    path("packets/<int:pk>/guest-link/", views.guest_link_view, name="guest_link"),
    path(
        "packets/<int:pk>/doors/<int:door_pk>/result/",
        views_field.door_result_view,
        name="door_result",
    ),
    path(
        "packets/<int:pk>/doors/<int:door_pk>/new/",
        views_field.door_new_person_view,
        name="door_new",
    ),
    path(
        "packets/<int:pk>/doors/<int:door_pk>/people/<int:supporter_pk>/log/",
        views_field.door_log_view,
        name="door_log",
    ),
    path("checkouts/<int:pk>/return/", views.return_view, name="return"),
    path("guest-links/<int:pk>/revoke/", views.guest_link_revoke_view, name="guest_revoke"),
    path("g/<str:token>/", views_field.guest_open_view, name="guest_open"),
]

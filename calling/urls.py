from django.urls import path

from . import views

app_name = "calling"

urlpatterns = [
    path("", views.call_list_index_view, name="list"),
    path("new/", views.call_list_create_view, name="create"),
    path("<int:pk>/", views.call_list_detail_view, name="detail"),
    path("<int:pk>/next/", views.call_next_view, name="next"),
    path("<int:pk>/stop/", views.call_stop_view, name="stop"),
    path("<int:pk>/call/<int:target_pk>/", views.call_view, name="call"),
    path("<int:pk>/call/<int:target_pk>/skip/", views.call_skip_view, name="skip"),
    path(
        "<int:pk>/call/<int:target_pk>/wrong-number/",
        views.call_wrong_number_view,
        name="wrong_number",
    ),
]

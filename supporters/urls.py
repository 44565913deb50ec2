from django.urls import path

from . import views

app_name = "supporters"

urlpatterns = [
    path("", views.supporter_list_view, name="list"),
]

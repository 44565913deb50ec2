"""The home page (``home``): the dashboard for organizers and above, My people otherwise."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home_view, name="home"),
    path("my/", views.my_people_view, name="my_people"),
]

"""The home page (``home``, not namespaced): my people and the follow-ups I hold."""

from django.urls import path

from . import views

urlpatterns = [path("", views.home_view, name="home")]

from django.urls import path

from . import views

app_name = "metrics"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("people/", views.people_view, name="people"),
    path("<slug:table>.csv", views.table_csv_view, name="csv"),
]

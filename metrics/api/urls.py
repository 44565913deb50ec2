from django.urls import path

from .views import MetricsCsvView, MetricsView

urlpatterns = [
    path("metrics/", MetricsView.as_view(), name="metrics"),
    path("metrics/csv/", MetricsCsvView.as_view(), name="metrics-csv"),
]

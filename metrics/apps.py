from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Depth of listening"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from organizing.events import event_subscribe
        from supporters.segments import segment_condition_register

        from .rollups import on_event
        from .segments import metric_condition

        event_subscribe("", on_event)
        segment_condition_register("metric", metric_condition)

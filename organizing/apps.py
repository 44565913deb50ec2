from django.apps import AppConfig


class OrganizingConfig(AppConfig):
    name = "organizing"
    verbose_name = "Organization"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy checks)

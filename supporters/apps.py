from django.apps import AppConfig


class SupportersConfig(AppConfig):
    name = "supporters"

    def ready(self) -> None:
        # What the base app asks of us (it imports nothing of ours): webhook payloads and
        # who may hear about a person.
        from . import webhooks

        webhooks.register()

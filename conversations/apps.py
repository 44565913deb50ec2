from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "conversations"

    def ready(self) -> None:
        # What the lower apps ask of us (they import nothing of ours): webhook payloads.
        from . import webhooks

        webhooks.register()

from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "conversations"

    def ready(self) -> None:
        from supporters.services import merge_step_register

        from .services import supporter_merge_conversations

        # A merge moves this app's rows through this app's services.
        merge_step_register(supporter_merge_conversations)

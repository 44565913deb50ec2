from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "conversations"

    def ready(self) -> None:
        # The apps below import nothing of ours: what they need of listening, we hand them
        # here, once the models are loaded (so these imports cannot sit at the top). The hooks
        # include the merge step, which moves this app's rows through this app's services.
        from . import bulk, hooks, segments, webhooks

        hooks.register()
        segments.register()
        webhooks.register()
        bulk.register()

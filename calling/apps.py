from django.apps import AppConfig


class CallingConfig(AppConfig):
    name = "calling"

    def ready(self) -> None:
        # The supporters app imports nothing of ours: the visibility its rule grants to a
        # caller holding a lease, we hand it here once the models are loaded.
        from . import hooks

        hooks.register()

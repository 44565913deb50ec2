from django.apps import AppConfig


class CanvassConfig(AppConfig):
    name = "canvass"

    def ready(self) -> None:
        # The visibility rule lives in supporters, which imports nothing of ours: the people
        # of a packet checked out to a volunteer are handed to it here, as a condition.
        from supporters.selectors import supporter_visibility_grant_register

        from .selectors import checkout_visibility_grant

        supporter_visibility_grant_register("packet_checkout", checkout_visibility_grant)

from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "conversations"

    def ready(self) -> None:
        # The apps below import nothing of ours: what they need of listening, we hand them
        # here, once the models are loaded (so these imports cannot sit at the top).
        from supporters.enrichment.engagement import facts_counter_register
        from supporters.forms import issue_choices_register
        from supporters.selectors import supporter_list_column_register
        from supporters.services import merge_step_register

        from . import segments, webhooks
        from .selectors import (
            engagement_facts_for,
            issue_list_active,
            supporter_last_contact_at,
            supporter_open_followups,
        )
        from .services import supporter_merge_conversations

        webhooks.register()
        segments.register()
        merge_step_register(supporter_merge_conversations)  # a merge moves our rows
        facts_counter_register(engagement_facts_for)
        issue_choices_register(issue_list_active)
        supporter_list_column_register("last_contact_at", supporter_last_contact_at)
        supporter_list_column_register("open_followups", supporter_open_followups)

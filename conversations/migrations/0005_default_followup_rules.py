"""The default follow-up rules, kept as data organizers can change."""

from django.db import migrations

DEFAULT_RULES = [
    # trigger, action, delay_hours, reason, is_active
    ("not_home", "retry", 48, "Try again (not home)", True),
    ("callback_requested", "asked_time", 24, "Call back when they asked", True),
    ("undecided", "retry", 168, "Check in again (undecided)", True),
    ("refused", "none", 0, "", True),
    ("moved", "data_staff", 0, "Moved: update their address", True),
]


def add_rules(apps, schema_editor):
    FollowUpRule = apps.get_model("conversations", "FollowUpRule")
    for trigger, action, delay_hours, reason, is_active in DEFAULT_RULES:
        FollowUpRule.objects.get_or_create(
            trigger=trigger,
            defaults={
                "action": action,
                "delay_hours": delay_hours,
                "reason": reason,
                "is_active": is_active,
            },
        )


def remove_rules(apps, schema_editor):
    FollowUpRule = apps.get_model("conversations", "FollowUpRule")
    FollowUpRule.objects.filter(trigger__in=[rule[0] for rule in DEFAULT_RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("conversations", "0004_listening")]

    operations = [migrations.RunPython(add_rules, remove_rules)]

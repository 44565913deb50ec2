"""Print the demo's current sign-in code: ``make manage ARGS="demo_totp_code"``."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from organizing.mfa_demo import DEMO_TOTP_SECRET, demo_totp_code


class Command(BaseCommand):
    help = "Print the current two-factor code of the demo's staff logins (make run's data)."

    def handle(self, *args, **options):
        self.stdout.write(
            f"{demo_totp_code()}  (from secret {DEMO_TOTP_SECRET}; a new code every 30 seconds)"
        )

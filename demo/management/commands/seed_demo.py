"""Load demo data that looks like a real campaign, once.

Three Chicago teams, their organizers and volunteers, ~500 supporters with contact points,
consent flags, tags and relationships, two months of conversations with what was heard,
things to remember and follow-ups, all written through the services (``demo.loader``). Does
nothing when any team exists, so the launcher may call it on every start. Names and stories
come from fixed seeds; dates are relative to now.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from demo.loader import demo_load
from demo.text_organization import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Load demo data (teams, people, two months of conversations) unless a team exists."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--logins-file",
            help="Write the demo logins there as JSON (make run's banner prints them, once) "
            "instead of printing them here.",
        )

    def handle(self, *args, **options) -> None:
        counts = demo_load()
        if counts is None:
            self.stdout.write("Demo data already loaded.")
        else:
            seconds = counts.pop("seconds")
            summary = ", ".join(
                f"{count} {name.replace('_', ' ')}" for name, count in counts.items()
            )
            self.stdout.write(self.style.SUCCESS(f"Loaded demo data in {seconds}s: {summary}."))
        if options.get("logins_file"):
            Path(options["logins_file"]).write_text(
                json.dumps({"password": DEMO_PASSWORD, "logins": DEMO_LOGINS})
            )
            return
        if counts is None:
            return
        width = max(len(email) for email, _ in DEMO_LOGINS)
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for email, role in DEMO_LOGINS:
            self.stdout.write(f"  {email.ljust(width)}  {role}")

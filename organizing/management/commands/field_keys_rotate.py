"""Re-encrypt sensitive text with the first of FIELD_ENCRYPTION_KEYS:
``make manage ARGS="field_keys_rotate"`` (in the worker, batch by batch), ``--now`` (here, at
once), ``--new-key`` (print a fresh key to put first in FIELD_ENCRYPTION_KEYS)."""

from __future__ import annotations

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand

from organizing.dispatch import send_now
from organizing.sealed import sealed_columns, sealed_text_reseal
from organizing.tasks import sealed_text_reseal_task


class Command(BaseCommand):
    help = (
        "Re-encrypt sealed text with the first FIELD_ENCRYPTION_KEYS key (also seals sensitive "
        "text stored plain, and unseals what is no longer sensitive). Keep the old keys listed "
        "until it has finished."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Work here instead of the worker.")
        parser.add_argument("--new-key", action="store_true", help="Print a fresh key and stop.")
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, **options):
        if options["new_key"]:
            self.stdout.write(Fernet.generate_key().decode())
            return
        for column in sealed_columns():
            if not options["now"]:
                queued = send_now(sealed_text_reseal_task, column.label, 0)
                self.stdout.write(
                    f"{column.label}: "
                    + ("queued for the worker." if queued else "Redis refused; run again.")
                )
                continue
            total, after = 0, 0
            while after is not None:
                changed, after = sealed_text_reseal(
                    label=column.label, after_id=after, batch=options["batch"]
                )
                total += changed
            self.stdout.write(f"{column.label}: {total} rows re-stored.")

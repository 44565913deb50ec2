"""``make manage ARGS="backup [--output FILE]"``: pg_dump of Earshot's database, 0600."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from organizing.backups import BackupError, backup_create


class Command(BaseCommand):
    help = "Dump Earshot's database to a private file (BACKUP_DIR by default); restore it with restore."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="The file to write (must not exist yet).")

    def handle(self, *args, **options):
        try:
            path = backup_create(output=options["output"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Backup written to {path} ({path.stat().st_size:,} bytes).")

"""``make manage ARGS="restore FILE --yes"``: put a backup back (pg_restore)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from organizing.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by the backup command into Earshot's database (or --database-url). "
        "What the backup holds replaces what is there; stop the web and worker processes first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A file written by the backup command.")
        parser.add_argument("--database-url", help="Restore into this database instead.")
        parser.add_argument(
            "--yes", action="store_true", help="Do it: the database's data is replaced."
        )

    def handle(self, *args, **options):
        if not options["yes"]:
            raise CommandError(
                "This replaces the database's data with the backup's. Run again with --yes."
            )
        try:
            backup_restore(source=options["file"], database_url=options["database_url"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Restored {options['file']}.")

from django.core.management.base import BaseCommand, CommandError

from archive.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database: pg_dump custom format for PostgreSQL, a file copy for SQLite. "
        "IDENTITY_KEYS are not included: back them up separately."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="file to write (default var/backups/archive-…)")
        parser.add_argument("--database-url", help="back up this database instead")

    def handle(self, *args, **options):
        try:
            path = backup(options["output"], database_url=options["database_url"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backup written to {path}")
        self.stdout.write("Remember: identity keys (IDENTITY_KEYS) are not in it.")

from django.core.management.base import BaseCommand, CommandError

from archive.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by backup_database, replacing the database's contents. "
        "Identities stay encrypted: the same IDENTITY_KEYS are needed to read them."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--database-url", help="restore into this database instead")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, **options):
        if not options["yes"]:
            answer = input("This replaces the database's contents with the backup. Type 'yes': ")
            if answer.strip() != "yes":
                raise CommandError("Restore cancelled; nothing changed.")
        try:
            restore(options["file"], database_url=options["database_url"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {options['file']}.")

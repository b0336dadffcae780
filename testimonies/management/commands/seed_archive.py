from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from testimonies.interchange import InterchangeError, import_document
from testimonies.seeding import demo_accounts_ensure, demo_two_factor_ensure, site_ensure

SEED_FILE = Path(settings.BASE_DIR) / "seeds" / "collection.json"


class Command(BaseCommand):
    help = (
        "Load the seed collection (idempotent) and make the site root; "
        "in development, demo accounts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(SEED_FILE), help="the collection to load")
        parser.add_argument(
            "--demo-accounts",
            action="store_true",
            help="create one demo account per role and print them (development only)",
        )

    def handle(self, *args, file, demo_accounts, **options):
        try:
            report = import_document(Path(file).read_text(encoding="utf-8"), source=file)
        except InterchangeError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
        site_ensure()
        self.stdout.write("The site root is in place.")
        from archive.seeding import about_page_ensure

        about_page_ensure()
        self.stdout.write("The about page is in place.")
        if demo_accounts:
            if not getattr(settings, "DEMO_ACCOUNTS_ALLOWED", False):
                raise CommandError("Demo accounts are made only with development settings.")
            self.stdout.write("\nDemo accounts (development only):")
            for username, password, role in demo_accounts_ensure():
                self.stdout.write(f"  {role:<40} {username:<20} password: {password}")
            self.stdout.write(
                "\nArchive staff give a two-factor code after the password. Print the current "
                "code with\n  python manage.py demo_totp USERNAME\nor add the account to an "
                "authenticator app with its setup link (development secrets, never for real "
                "use):"
            )
            for username, uri in demo_two_factor_ensure():
                self.stdout.write(f"  {username:<12} {uri}")

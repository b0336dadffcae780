from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from testimonies.interchange import InterchangeError, import_document


class Command(BaseCommand):
    help = "Import a testimony-archive/v1 JSON file. A file with any error changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the file to import")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change, change nothing"
        )

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: cannot be read: {exc}") from exc
        try:
            report = import_document(text, dry_run=dry_run, source=str(path))
        except InterchangeError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{path}: {problem}")
            raise CommandError(
                f"{path}: {len(exc.problems)} problem(s); nothing was imported."
            ) from exc
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        for line in report.lines():
            self.stdout.write(line)

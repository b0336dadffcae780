from pathlib import Path

from django.core.management.base import BaseCommand

from testimonies.interchange import dump, export_document


class Command(BaseCommand):
    help = "Export the archive as a testimony-archive/v1 JSON file (identities only on request)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write; - for standard output")
        parser.add_argument(
            "--include-identity",
            action="store_true",
            help="include witnesses' legal names and contacts (for custodians' backups only)",
        )

    def handle(self, *args, file, include_identity, **options):
        text = dump(export_document(include_identity=include_identity))
        if file == "-":
            self.stdout.write(text, ending="")
        else:
            Path(file).write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {file}.")

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from testimonies.interchange import dump, export_document


class Command(BaseCommand):
    help = (
        "Export the archive as a testimony-archive/v1 JSON file (identities only on request), "
        "or its excerpts as CSV (a FILE ending in .csv; identities never)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write (.json or .csv); - for JSON on stdout")
        parser.add_argument(
            "--include-identity",
            action="store_true",
            help="include witnesses' legal names and contacts (JSON only; custodians' backups)",
        )

    def handle(self, *args, file, include_identity, **options):
        if file.lower().endswith(".csv"):
            if include_identity:
                raise CommandError("a CSV export never carries identities; export JSON instead")
            from testimonies.importers.csv_excerpts import export_csv

            with open(file, "w", encoding="utf-8", newline="") as stream:
                count = export_csv(stream)
            self.stdout.write(f"Wrote {count} excerpts to {file}.")
            return
        text = dump(export_document(include_identity=include_identity))
        if file == "-":
            self.stdout.write(text, ending="")
        else:
            Path(file).write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {file}.")

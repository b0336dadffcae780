import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from testimonies.importers.common import ArchiveImportError, ThemeMap
from testimonies.interchange import InterchangeError, import_document

KINDS = {".json": "interchange", ".xml": "OHMS", ".vtt": "WebVTT", ".csv": "CSV"}


class Command(BaseCommand):
    help = (
        "Import a file: .json (testimony-archive/v1), .xml (OHMS), .vtt (a WebVTT transcript, "
        "with --testimony) or .csv (excerpts). A file with any error changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the file to import")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change, change nothing"
        )
        parser.add_argument(
            "--theme-map",
            metavar="FILE",
            help="OHMS: a .json or .csv file mapping keywords and subjects to theme slugs",
        )
        parser.add_argument(
            "--create-themes",
            action="store_true",
            help="OHMS, CSV: create themes for unmapped terms or unknown slugs",
        )
        parser.add_argument(
            "--pseudonym", help="OHMS: the interviewee's pseudonym (else a placeholder to review)"
        )
        parser.add_argument(
            "--access",
            choices=["public", "researchers", "archive"],
            help="OHMS: access level of what is imported (default: archive, or kept when "
            "re-importing); <userestrict>1</userestrict> always means archive",
        )
        parser.add_argument(
            "--approve",
            action="store_true",
            help="OHMS: approve (publish) the imported excerpts; by default they are drafts",
        )
        parser.add_argument("--testimony", metavar="KEY", help="WebVTT: the testimony's key")

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        kind = KINDS.get(path.suffix.lower())
        if kind is None:
            raise CommandError(
                f"{path}: unknown kind of file; use .json, .xml (OHMS), .vtt or .csv"
            )
        self._check_options(kind, options)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read: {exc}") from exc
        progress = self._progress_bar(kind, data)
        try:
            if kind == "interchange":
                outcome = self._import_json(path, data, dry_run, progress)
            elif kind == "OHMS":
                from testimonies.importers.ohms import Options, import_ohms

                theme_map = ThemeMap.load(options["theme_map"]) if options["theme_map"] else None
                outcome = import_ohms(
                    data,
                    source=str(path),
                    options=Options(
                        theme_map=theme_map,
                        create_themes=options["create_themes"],
                        pseudonym=options["pseudonym"],
                        access=options["access"],
                        approve=options["approve"],
                    ),
                    dry_run=dry_run,
                    progress=progress,
                )
            elif kind == "WebVTT":
                from testimonies.importers.vtt import import_vtt

                outcome = import_vtt(
                    data, source=str(path), testimony_key=options["testimony"], dry_run=dry_run
                )
            else:
                from testimonies.importers.csv_excerpts import import_csv

                outcome = import_csv(
                    data,
                    source=str(path),
                    create_themes=options["create_themes"],
                    dry_run=dry_run,
                    progress=progress,
                )
        except ArchiveImportError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{path}: {len(exc.problems)} problem(s); nothing was imported."
            ) from exc
        finally:
            if progress is not None:
                progress.close()
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        for line in outcome.lines():
            self.stdout.write(line)

    def _check_options(self, kind, options):
        only = {
            "theme_map": ("OHMS",),
            "pseudonym": ("OHMS",),
            "access": ("OHMS",),
            "approve": ("OHMS",),
            "create_themes": ("OHMS", "CSV"),
            "testimony": ("WebVTT",),
        }
        for name, kinds in only.items():
            if options.get(name) and kind not in kinds:
                raise CommandError(
                    f"--{name.replace('_', '-')} applies to {' and '.join(kinds)} files only"
                )
        if kind == "WebVTT" and not options.get("testimony"):
            raise CommandError(
                "a .vtt file is a transcript: name its testimony with --testimony KEY"
            )

    def _import_json(self, path, data, dry_run, progress):
        from testimonies.importers.common import Outcome, Problem

        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ArchiveImportError([Problem(str(path), "the file is not UTF-8 text")]) from exc
        try:
            report = import_document(text, dry_run=dry_run, source=str(path), progress=progress)
        except InterchangeError as exc:
            raise ArchiveImportError(
                Problem(str(path), str(problem)) for problem in exc.problems
            ) from exc
        return Outcome(report=report)

    def _progress_bar(self, kind, data):
        """A progress bar (testimonies and excerpts written) on a terminal only; else None."""
        if kind == "WebVTT" or not self._on_terminal():
            return None
        from tqdm import tqdm

        bar = tqdm(desc=f"Importing {kind}", unit=" records", file=sys.stderr, leave=False)

        def step(_item):
            bar.update(1)

        step.close = bar.close
        return step

    def _on_terminal(self):
        isatty = getattr(self.stdout, "isatty", None)
        return bool(isatty and isatty())

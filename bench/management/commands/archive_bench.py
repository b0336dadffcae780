"""Measure the archive on the current database and write JSON plus a Markdown table."""

import json

from django.core.management.base import BaseCommand, CommandError

from bench.measure import Bench, markdown, write


class Command(BaseCommand):
    help = (
        "Benchmark public and researcher search (against a hand-written full-text floor, "
        "interleaved), pages, saving, import and index rebuild on the current database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", required=True, help="JSON file; a .md table is written beside it"
        )
        parser.add_argument("--queries", type=int, default=100, help="timed queries per band")
        parser.add_argument("--warmup", type=int, default=3, help="untimed queries per band first")
        parser.add_argument("--page-requests", type=int, default=50)
        parser.add_argument("--words-per-band", type=int, default=8)
        parser.add_argument("--saves", type=int, default=20)
        parser.add_argument("--import-excerpts", type=int, default=500)
        parser.add_argument(
            "--backend-queries",
            type=int,
            default=30,
            help="queries per band through Wagtail's search API without the view",
        )
        parser.add_argument(
            "--backend-seconds",
            type=float,
            default=60,
            help="time budget per band for those (at least one query runs)",
        )
        parser.add_argument("--skip-reindex", action="store_true")
        parser.add_argument(
            "--keep-floor",
            action="store_true",
            help="reuse the floor tables of an earlier run instead of rebuilding them",
        )
        for kind in ("excerpt", "theme", "testimony"):
            parser.add_argument(
                f"--url-{kind}",
                help=f"URL template of the {kind} page when the model has no get_absolute_url "
                "({public_id} and {slug} are filled in)",
            )

    def handle(self, *args, **opts):
        for name in ("queries", "page_requests", "words_per_band", "saves", "backend_queries"):
            if opts[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be at least 1")
        for name in ("warmup", "import_excerpts"):
            if opts[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} must not be negative")
        urls = {k: opts[f"url_{k}"] for k in ("excerpt", "theme", "testimony") if opts[f"url_{k}"]}
        bench = Bench(
            queries=opts["queries"],
            warmup=opts["warmup"],
            page_requests=opts["page_requests"],
            words_per_band=opts["words_per_band"],
            saves=opts["saves"],
            import_excerpts=opts["import_excerpts"],
            backend_queries=opts["backend_queries"],
            backend_seconds=opts["backend_seconds"],
            reindex=not opts["skip_reindex"],
            rebuild_floor=not opts["keep_floor"],
            urls=urls,
            out=lambda m: self.stderr.write(m),
        )
        result = bench.run()
        try:
            md_path = write(result, opts["out"])
        except OSError as exc:
            raise CommandError(f"cannot write {opts['out']}: {exc}") from exc
        self.stdout.write(markdown(result))
        self.stdout.write(f"wrote {opts['out']} and {md_path}")
        if result["missing"]:
            self.stdout.write("not measured: " + json.dumps(result["missing"], indent=2))

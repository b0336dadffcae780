"""Generate a deterministic synthetic collection for benchmarks (see bench/corpus.py)."""

from django.core.management.base import BaseCommand, CommandError

from bench.corpus import CorpusGenerator


class Command(BaseCommand):
    help = (
        "Write a deterministic synthetic collection in bulk (witnesses with consent ledgers, "
        "testimonies, excerpts, themes, redactions, drafts) and build the search index. "
        "For benchmarks: use a database of its own."
    )

    def add_arguments(self, parser):
        parser.add_argument("--testimonies", type=int, required=True)
        parser.add_argument("--excerpts-per", type=int, required=True)
        parser.add_argument(
            "--transcript-words",
            type=int,
            default=0,
            help="about this many words of transcript per testimony (default: none)",
        )
        parser.add_argument(
            "--transcripts",
            type=int,
            default=None,
            help="only the first N testimonies get a transcript (default: every one)",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--vocabulary", type=int, default=50_000)
        parser.add_argument(
            "--no-index",
            action="store_true",
            help="write the records, skip the search indexes (on PostgreSQL the public search "
            "index is always built: its triggers are off while writing)",
        )
        parser.add_argument(
            "--no-admin-index",
            action="store_true",
            help="build the public search index but not Wagtail's own index (the admin's "
            "search), which takes longest at millions of excerpts",
        )

    def handle(self, *args, **opts):
        for name in (
            "testimonies",
            "excerpts_per",
            "transcript_words",
            "vocabulary",
            "transcripts",
        ):
            if opts[name] is None:
                continue
            if opts[name] < 0 or (name == "vocabulary" and opts[name] < 100):
                raise CommandError(f"--{name.replace('_', '-')} is out of range: {opts[name]}")
        generator = CorpusGenerator(
            testimonies=opts["testimonies"],
            excerpts_per=opts["excerpts_per"],
            transcript_words=opts["transcript_words"],
            transcripts=opts["transcripts"],
            seed=opts["seed"],
            vocabulary=opts["vocabulary"],
            out=self.stdout.write,
        )
        try:
            stats = generator.run(
                build_index=not opts["no_index"], admin_index=not opts["no_admin_index"]
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"wrote {stats.witnesses} witnesses ({stats.consent_entries} consent entries), "
            f"{stats.testimonies} testimonies, {stats.excerpts} excerpts, "
            f"{stats.transcript_words} transcript words in {stats.write_seconds:.1f} s "
            f"({stats.excerpts_per_s:,.0f} excerpts/s)"
        )
        if not opts["no_index"]:
            self.stdout.write(f"search indexes built in {stats.index_seconds:.1f} s")

"""Rebuild the public search index from the records (see search_scale.public_index)."""

import time

from django.core.management.base import BaseCommand

from search_scale import public_index


class Command(BaseCommand):
    help = (
        "Rebuild the search indexes the database keeps (public excerpts and testimonies; "
        "excerpts and transcripts for researchers) from the records, "
        "in one transaction. Needed only after a change of SEARCH_CONFIG or a restore that "
        "skipped triggers: the database keeps the index current on every write."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        public_index.rebuild()
        counts = public_index.counts()
        self.stdout.write(
            f"search indexes rebuilt in {time.perf_counter() - started:.1f} s: "
            + ", ".join(f"{kind} {n}" for kind, n in counts.items())
        )

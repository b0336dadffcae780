"""A deterministic synthetic collection for measuring the archive at scale.

Everything is written through the archive's own models with `bulk_create`, in batches, and the
derived access columns are computed by the models' own methods (`Testimony._derive_access`,
`Excerpt.derive_columns`) and by the same rule `ConsentEntry.save()` applies to a witness (the
entry in force sets `consent_level` and `consent_embargo_lifts_on`). `tests/bench/` proves that
what is written here equals what `save()` computes.

Words come from a generated vocabulary with Zipf-distributed frequencies (a few words in
almost every excerpt, most words rare), built only from consonant-vowel syllables ending in
a, o or u so that PostgreSQL's English stemmer and stop-word list leave them alone: a query
word matches exactly the excerpts that contain it.
"""

import datetime as dt
import itertools
import random
import time
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from testimonies.countries import country_name
from testimonies.levels import Level, embargo_lifts_on
from testimonies.models import (
    ConsentEntry,
    Country,
    Excerpt,
    Sector,
    Source,
    Testimony,
    Theme,
    Witness,
    apply_redactions,
)

KEY_PREFIX = "gen-"
TEN_KEY = "gen-t-ten"  # a public testimony with exactly 10 public excerpts
LONG_KEY = "gen-t-long"  # a public testimony with exactly 500 public excerpts
SPECIAL_SIZES = {TEN_KEY: 10, LONG_KEY: 500}

POOL_WORDS = 1 << 20
COUNTRIES = ["RU", "CN", "MN", "AE", "KW", "QA", "PL", "MY", "VN", "LA", "AO", "NG"]
COUNTRY_WEIGHTS = [30, 30, 8, 5, 4, 4, 3, 3, 3, 3, 2, 2]
SECTORS = ["construction", "logging", "it", "restaurant", "factory", "garment", "fishing"]
SECTOR_WEIGHTS = [30, 15, 15, 12, 12, 10, 6]
THEMES = [
    # slug, parent slug
    ("gen-wages", None),
    ("gen-remittance-quotas", "gen-wages"),
    ("gen-loyalty-fees", "gen-wages"),
    ("gen-pay-withheld", "gen-wages"),
    ("gen-surveillance", None),
    ("gen-device-monitoring", "gen-surveillance"),
    ("gen-security-agents", "gen-surveillance"),
    ("gen-curfews", "gen-surveillance"),
    ("gen-hours", None),
    ("gen-quotas", "gen-hours"),
    ("gen-overtime", "gen-hours"),
    ("gen-housing", None),
    ("gen-health", None),
    ("gen-mental-health", "gen-health"),
    ("gen-injuries", "gen-health"),
    ("gen-recruitment", None),
    ("gen-bribes", "gen-recruitment"),
    ("gen-family-reprisals", None),
    ("gen-resistance", None),
    ("gen-escape", "gen-resistance"),
]
KOREAN = [
    "월급은 거의 다 국가에 바쳐야 했습니다.",
    "보위부 요원이 매일 우리를 감시했습니다.",
    "여권은 도착하자마자 빼앗겼습니다.",
    "하루에 열여섯 시간씩 일했습니다.",
    "가족에게 돌아갈 수 없다는 것이 가장 무서웠습니다.",
    "숙소 밖으로 혼자 나갈 수 없었습니다.",
]
CONSONANTS = "bdghjkmnprt"
VOWELS = "aou"


def make_vocabulary(size, seed):
    """`size` distinct pseudo-words, shortest first (the most frequent words are short)."""
    rng = random.Random(f"vocabulary-{seed}")
    syllables = [c + v for c in CONSONANTS for v in VOWELS]
    words, seen = [], set()
    n_syllables = 2
    while len(words) < size:
        # Short words run out first; move to longer words when they get hard to find.
        for _ in range(size * 4):
            word = "".join(rng.choice(syllables) for _ in range(n_syllables))
            if word not in seen:
                seen.add(word)
                words.append(word)
                if len(words) >= size or len(words) >= len(syllables) ** n_syllables * 0.6:
                    break
        n_syllables += 1
    return words[:size]


def zipf_cum_weights(size, exponent=1.0):
    return list(itertools.accumulate(1.0 / (rank**exponent) for rank in range(1, size + 1)))


class PublicIds:
    """Deterministic, distinct, opaque 10-character public identifiers for one table: an
    affine bijection of the counter over the 27**10 identifiers, written in the same alphabet
    as `testimonies.levels.new_public_id`."""

    ALPHABET = "bcdfghjkmnpqrstvwxz23456789"
    SPACE = 27**10

    def __init__(self, seed, table):
        rng = random.Random(f"public-id-{seed}-{table}")
        self.a = rng.randrange(10**12, 10**13) * 3 + 1  # not a multiple of 3: coprime to 27**10
        self.b = rng.randrange(self.SPACE)
        self.n = 0

    def next(self):
        self.n += 1
        value = (self.a * self.n + self.b) % self.SPACE
        out = []
        for _ in range(10):
            value, digit = divmod(value, 27)
            out.append(self.ALPHABET[digit])
        return "".join(out)


@dataclass
class CorpusStats:
    witnesses: int = 0
    consent_entries: int = 0
    testimonies: int = 0
    excerpts: int = 0
    transcript_words: int = 0
    write_seconds: float = 0.0
    index_seconds: float = 0.0
    by_level: dict = field(default_factory=dict)

    @property
    def excerpts_per_s(self):
        return self.excerpts / self.write_seconds if self.write_seconds else 0.0


class CorpusGenerator:
    def __init__(
        self,
        testimonies,
        excerpts_per,
        transcript_words=0,
        transcripts=None,
        seed=1,
        vocabulary=50_000,
        batch_testimonies=200,
        out=None,
    ):
        self.n_testimonies = testimonies
        self.excerpts_per = excerpts_per
        self.transcript_words = transcript_words
        # How many testimonies have a transcript (None: every one).
        self.transcripts = transcripts
        self.seed = seed
        self.rng = random.Random(seed)
        self.words = make_vocabulary(vocabulary, seed)
        self.cum = zipf_cum_weights(vocabulary)
        self.batch_testimonies = batch_testimonies
        self.out = out or (lambda message: None)
        self.ids = {
            name: PublicIds(seed, name) for name in ("witness", "testimony", "excerpt", "theme")
        }
        self.stats = CorpusStats()
        self.now = timezone.now()
        self.ledgers_made = 0
        self._pool = None
        self.testimonies_made = 0

    # --- Text --------------------------------------------------------------------------------

    def draw_words(self, n):
        return self.rng.choices(self.words, cum_weights=self.cum, k=n)

    @property
    def pool(self):
        """A long run of words drawn from the Zipf distribution, once: sentences are slices of
        it at random offsets (drawing every word anew costs more than writing it)."""
        if self._pool is None:
            self._pool = self.draw_words(POOL_WORDS)
        return self._pool

    def sentence_text(self, n_words):
        pool, rng = self.pool, self.rng
        out = []
        while n_words > 0:
            length = min(n_words, 8 + int(rng.random() * 9))
            start = int(rng.random() * (len(pool) - length))
            chunk = pool[start : start + length]
            out.append(chunk[0].capitalize() + "".join(" " + w for w in chunk[1:]) + ".")
            n_words -= length
        return " ".join(out)

    def excerpt_text(self):
        """200 to 1,500 characters, mostly shorter (a skewed length distribution)."""
        target = min(1500, max(200, int(self.rng.lognormvariate(6.3, 0.5))))
        text = self.sentence_text(target // 6 + 4)
        if self.rng.random() < 0.03:
            text = f"{self.rng.choice(KOREAN)} {text}"
        if len(text) > target:
            cut = text.rfind(" ", 0, target)
            text = text[: cut if cut > 150 else target].rstrip(" .") + "."
        while len(text) < 200:
            text += " " + self.sentence_text(10)
        return text[:1500]

    def redactions_for(self, text):
        """One redacted word (a name or place, say), at a word boundary."""
        starts = [i + 1 for i, ch in enumerate(text) if ch == " "]
        start = self.rng.choice(starts[: max(1, len(starts) - 1)])
        end = text.find(" ", start)
        end = len(text) if end == -1 else end
        return [{"start": start, "end": end, "reason": "identifying detail"}]

    # --- Records -----------------------------------------------------------------------------

    def reference_data(self):
        countries = {}
        for code in COUNTRIES:
            countries[code], _ = Country.objects.get_or_create(
                code=code, defaults={"name": country_name(code)}
            )
        sectors = {}
        for slug in SECTORS:
            sectors[slug], _ = Sector.objects.get_or_create(
                slug=slug, defaults={"name": slug.replace("-", " ").capitalize()}
            )
        themes = {}
        for slug, parent in THEMES:
            themes[slug], _ = Theme.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": slug.removeprefix("gen-").replace("-", " ").capitalize(),
                    "parent": themes.get(parent),
                    "public_id": self.ids["theme"].next(),
                },
            )
        sources = []
        for i in range(1, 21):
            source, _ = Source.objects.get_or_create(
                key=f"gen-source-{i:02d}",
                defaults={
                    "title": f"Generated report {i}",
                    "kind": "report",
                    "publisher": "Synthetic corpus",
                    "published": str(2010 + i % 15),
                },
            )
            sources.append(source)
        self.countries, self.sectors, self.themes, self.sources = (
            countries,
            sectors,
            list(themes.values()),
            sources,
        )
        # Themes are used unevenly: a few broad ones often, the rest less.
        self.theme_weights = [1.0 / (i + 1) ** 0.7 for i in range(len(self.themes))]

    LEDGER_CUTS = (0.76, 0.85, 0.89, 0.93, 0.96)

    def ledger(self):
        """A consent ledger: (level, embargo_until) entries, the last one in force."""
        self.ledgers_made += 1
        r = self.rng.random()
        cases = (0.0, *self.LEDGER_CUTS)
        if self.ledgers_made <= len(cases):  # the first witnesses cover every case
            r = cases[self.ledgers_made - 1]
        if r < 0.76:
            final = (Level.PUBLIC, "")
        elif r < 0.85:
            final = (Level.RESEARCHERS, "")
        elif r < 0.89:
            final = (Level.ARCHIVE, "")
        elif r < 0.93:
            final = (Level.WITHDRAWN, "")
        elif r < 0.96:
            final = (Level.PUBLIC, str(self.rng.randint(2030, 2045)))  # embargo in force
        else:
            final = (Level.PUBLIC, str(self.rng.randint(2010, 2020)))  # embargo lifted
        earlier = [
            (self.rng.choice([Level.ARCHIVE, Level.RESEARCHERS, Level.PUBLIC]), "")
            for _ in range(self.rng.choice([0, 0, 1, 2]))
        ]
        return [*earlier, final]

    def testimony_access(self):
        self.testimonies_made += 1
        r = self.rng.random()
        if self.testimonies_made <= 3:  # the first testimonies cover every level
            r = (0.0, 0.9, 0.97)[self.testimonies_made - 1]
        return Level.PUBLIC if r < 0.9 else Level.RESEARCHERS if r < 0.97 else Level.ARCHIVE

    def excerpt_access(self):
        r = self.rng.random()
        return Level.PUBLIC if r < 0.93 else Level.RESEARCHERS if r < 0.98 else Level.ARCHIVE

    # --- Writing -----------------------------------------------------------------------------

    def check_empty(self):
        if Testimony.objects.filter(key__startswith=KEY_PREFIX).exists():
            raise ValueError(
                "this database already holds a generated corpus (keys starting 'gen-'); "
                "generate into a fresh database"
            )

    def run(self, build_index=True, admin_index=True):
        """Write the collection, then build the public search index (and, with `admin_index`,
        Wagtail's own index, which the admin searches). While writing on PostgreSQL the public
        index's row triggers are off; the index is built in one statement afterwards."""
        from search_scale import public_index
        from testimonies.seeding import site_ensure

        self.check_empty()
        site_ensure()  # the archive's home page as the site root, as `seed_archive` makes it
        self.reference_data()
        started = time.perf_counter()
        bulk = connection.vendor == "postgresql"
        if bulk:
            with connection.cursor() as cursor:  # bulk load: do not wait for WAL flushes
                cursor.execute("SET synchronous_commit TO off")
            public_index.set_triggers(False)
        plan = [(None, self.excerpts_per)] * self.n_testimonies
        plan += [(key, size) for key, size in SPECIAL_SIZES.items()]
        try:
            for start in range(0, len(plan), self.batch_testimonies):
                self.write_batch(start, plan[start : start + self.batch_testimonies])
                done = min(start + self.batch_testimonies, len(plan))
                elapsed = time.perf_counter() - started
                self.out(
                    f"  {done}/{len(plan)} testimonies, {self.stats.excerpts} excerpts, "
                    f"{self.stats.excerpts / elapsed:,.0f} excerpts/s"
                )
        finally:
            if bulk:
                public_index.set_triggers(True)
        self.stats.write_seconds = time.perf_counter() - started
        analyze()
        started = time.perf_counter()
        if bulk or build_index:
            # Without its rows the public search would miss what was just written.
            public_index.rebuild()
            self.out(f"  public search index built in {time.perf_counter() - started:.1f} s")
        if build_index and admin_index:
            build_search_index(self.out)
            analyze()
        self.stats.index_seconds = time.perf_counter() - started
        return self.stats

    def write_batch(self, first, plan):
        rng = self.rng
        witnesses, ledgers, testimonies, m2m = [], [], [], []
        for offset, (special_key, _size) in enumerate(plan):
            n = first + offset + 1
            ledger = [(Level.PUBLIC, "")] if special_key else self.ledger()
            level, embargo_until = ledger[-1]
            witness = Witness(
                key=f"gen-w-{n:07d}",
                public_id=self.ids["witness"].next(),
                pseudonym=f"Witness {n}",
                gender=rng.choice(["female", "male", ""]),
                birth_decade=rng.choice(["1960s", "1970s", "1980s", "1990s"]),
                occupation=rng.choice(["labourer", "engineer", "cook", "seamstress", "driver"]),
                # What ConsentEntry.save() -> Witness.refresh_access() sets: the entry in force.
                consent_level=level,
                consent_embargo_lifts_on=embargo_lifts_on(embargo_until),
            )
            witnesses.append(witness)
            ledgers.append(ledger)
        with transaction.atomic():
            Witness.objects.bulk_create(witnesses)
            entries = []
            for witness, ledger in zip(witnesses, ledgers, strict=True):
                for sequence, (level, embargo_until) in enumerate(ledger, start=1):
                    entries.append(
                        ConsentEntry(
                            witness=witness,
                            sequence=sequence,
                            level=level,
                            recorded_on=str(2015 + sequence),
                            by="synthetic corpus",
                            embargo_until=embargo_until,
                            embargo_lifts_on=embargo_lifts_on(embargo_until),
                        )
                    )
            ConsentEntry.objects.bulk_create(entries, batch_size=2000)
            self.stats.consent_entries += len(entries)

            for offset, (special_key, _size) in enumerate(plan):
                n = first + offset + 1
                witness = witnesses[offset]
                year = rng.randint(1995, 2024)
                sector = rng.choices(SECTORS, SECTOR_WEIGHTS)[0]
                country = rng.choices(COUNTRIES, COUNTRY_WEIGHTS)[0]
                transcript = ""
                if self.transcript_words and (self.transcripts is None or n <= self.transcripts):
                    words = max(1, int(self.transcript_words * rng.uniform(0.8, 1.2)))
                    transcript = self.sentence_text(words)
                    self.stats.transcript_words += words
                testimony = Testimony(
                    key=special_key or f"gen-t-{n:07d}",
                    public_id=self.ids["testimony"].next(),
                    witness=witness,
                    title=f"{sector.capitalize()} work in {country_name(country)}, {year}",
                    summary=self.sentence_text(rng.randint(20, 60)),
                    recorded_on=str(rng.randint(2010, 2025)),
                    language=rng.choices(["ko", "en", "ru"], [70, 25, 5])[0],
                    interviewer="synthetic corpus",
                    period_from=year,
                    period_to=year + rng.randint(0, 6),
                    access=Level.PUBLIC if special_key else self.testimony_access(),
                    transcript=transcript,
                )
                testimony._derive_access(witness)
                testimonies.append(testimony)
                m2m.append((country, sector))
            bulk_write(Testimony, testimonies)
            self.stats.witnesses += len(witnesses)
            self.stats.testimonies += len(testimonies)

            countries, sectors, sources = [], [], []
            for testimony, (country, sector) in zip(testimonies, m2m, strict=True):
                codes = {country}
                if rng.random() < 0.1:
                    codes.add(rng.choices(COUNTRIES, COUNTRY_WEIGHTS)[0])
                for code in sorted(codes):
                    countries.append(
                        Testimony.countries.through(
                            testimony_id=testimony.pk, country_id=self.countries[code].pk
                        )
                    )
                sectors.append(
                    Testimony.sectors.through(
                        testimony_id=testimony.pk, sector_id=self.sectors[sector].pk
                    )
                )
                for source in rng.sample(self.sources, rng.choice([0, 1, 1, 2])):
                    sources.append(
                        Testimony.sources.through(testimony_id=testimony.pk, source_id=source.pk)
                    )
            Testimony.countries.through.objects.bulk_create(countries)
            Testimony.sectors.through.objects.bulk_create(sectors)
            Testimony.sources.through.objects.bulk_create(sources)

            self.write_excerpts(testimonies, plan)

    def write_excerpts(self, testimonies, plan):
        rng = self.rng
        planned, theme_choices = [], []
        for testimony, (special_key, size) in zip(testimonies, plan, strict=True):
            clock = 0
            for position in range(size):
                text = self.excerpt_text()
                duration = len(text) * 60
                live = True if special_key else rng.random() >= 0.03
                planned.append(
                    {
                        "key": f"{testimony.key}-e{position + 1:04d}",
                        "public_id": self.ids["excerpt"].next(),
                        "testimony": testimony,
                        "text": text,
                        "start_ms": clock,
                        "end_ms": clock + duration,
                        "access": Level.PUBLIC if special_key else self.excerpt_access(),
                        "embargo_until": ""
                        if special_key or rng.random() >= 0.01
                        else str(rng.randint(2030, 2040)),
                        "redactions": [] if rng.random() >= 0.04 else self.redactions_for(text),
                        "position": position,
                        "live": live,
                        "has_unpublished_changes": not live,
                        "first_published_at": self.now
                        - dt.timedelta(minutes=self.stats.excerpts + len(planned))
                        if live
                        else None,
                        "last_published_at": self.now if live else None,
                    }
                )
                clock += duration + 1000
                k = rng.choice([1, 1, 2, 2, 3])
                theme_choices.append(
                    {t.pk for t in rng.choices(self.themes, self.theme_weights, k=k)}
                )
        if connection.vendor == "postgresql":
            ids, levels = self.copy_excerpts(planned)
        else:
            excerpts = []
            for values in planned:
                excerpt = Excerpt(**values)
                excerpt.derive_columns(testimony=values["testimony"])
                excerpts.append(excerpt)
            bulk_write(Excerpt, excerpts)
            ids, levels = [e.pk for e in excerpts], [e.level for e in excerpts]
        through = Excerpt.themes.through
        copy_rows(
            through,
            ["excerpt_id", "theme_id"],
            [
                (excerpt_id, theme_id)
                for excerpt_id, chosen in zip(ids, theme_choices, strict=True)
                for theme_id in sorted(chosen)
            ],
        )
        self.stats.excerpts += len(ids)
        for level in levels:
            self.stats.by_level[level] = self.stats.by_level.get(level, 0) + 1

    def copy_excerpts(self, planned):
        """Excerpt rows straight to COPY: the columns `bulk_write` would send for a model
        instance, without building one per row (that alone costs more than the write). The
        derived columns follow `Excerpt.derive_columns()` (tests/bench proves they agree)."""
        if not hasattr(self, "_excerpt_template"):
            fields = list(Excerpt._meta.concrete_fields)
            blank = Excerpt(testimony_id=0, text="", key="", public_id="")
            self._excerpt_template = (
                fields,
                [f.get_db_prep_save(f.pre_save(blank, True), connection) for f in fields],
                {f.attname: i for i, f in enumerate(fields)},
            )
        fields, template, at = self._excerpt_template
        redactions_field = Excerpt._meta.get_field("redactions")
        ids = next_ids(Excerpt, len(planned))
        rows, levels = [], []
        for pk, values in zip(ids, planned, strict=True):
            testimony = values.pop("testimony")
            row = template[:]
            row[at["id"]] = pk
            row[at["testimony_id"]] = testimony.pk
            for name, value in values.items():
                if name != "redactions":
                    row[at[name]] = value
            if values["redactions"]:
                row[at["redactions"]] = redactions_field.get_db_prep_save(
                    values["redactions"], connection
                )
                row[at["public_text"]] = apply_redactions(values["text"], values["redactions"])
            else:
                row[at["public_text"]] = values["text"]
            own = embargo_lifts_on(values["embargo_until"])
            dates = [d for d in (own, testimony.embargo_lifts_on) if d]
            level = max(values["access"], testimony.level)
            row[at["own_embargo_lifts_on"]] = own
            row[at["level"]] = level
            row[at["embargo_lifts_on"]] = max(dates) if dates else None
            rows.append(row)
            levels.append(level)
        copy_rows(Excerpt, [f.column for f in fields], rows, with_ids=False)
        return ids, levels


def analyze():
    """Fresh planner statistics after a bulk load. Without them PostgreSQL guesses a few
    hundred rows where there are tens of thousands, and joins the search index to excerpts
    with a nested loop over text comparisons: minutes for one query at 50,000 excerpts."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def next_ids(model, n):
    """`n` primary keys drawn from the table's own sequence (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, n],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(model, columns, rows, with_ids=True):
    """Plain rows into a model's table: COPY on PostgreSQL, bulk_create elsewhere. With
    `with_ids`, keys come from the table's sequence (the rows give the other columns)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=1000
        )
        return
    if with_ids:
        ids = next_ids(model, len(rows))
        rows = [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
        columns = [model._meta.pk.column, *columns]
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def bulk_write(model, objs, batch_size=1000):
    """Write new model instances in bulk, as `bulk_create` would, and give them their keys.

    On PostgreSQL the rows go through COPY (several times faster than multi-row INSERTs):
    keys are drawn from the table's own sequence, and every value is what Django itself would
    send, each field's `pre_save()` and `get_db_prep_save()`. Elsewhere, `bulk_create`."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=batch_size)
        return
    meta = model._meta
    fields = list(meta.concrete_fields)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
        columns = ", ".join(quote(f.column) for f in fields)
        with cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(
                    [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
                )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def build_search_index(out=None, batch=2000):
    """Index witnesses, testimonies and excerpts with the default Wagtail search backend's
    bulk add (the admin's search), paging by primary key (not OFFSET, which gets slower the
    deeper it goes). Returns the seconds it took."""
    from wagtail.search.backends import get_search_backend

    out = out or (lambda message: None)
    backend = get_search_backend()
    started = time.perf_counter()
    for model in (Witness, Testimony, Excerpt):
        index = backend.get_index_for_model(model)
        if index is None:
            continue
        last, count = 0, 0
        queryset = model.objects.order_by("pk")
        if model is Testimony:
            queryset = queryset.defer("transcript")
        while True:
            objs = list(queryset.filter(pk__gt=last)[:batch])
            if not objs:
                break
            index.add_items(model, objs)
            last = objs[-1].pk
            count += len(objs)
        out(f"  indexed {count} {model._meta.verbose_name_plural} for the admin's search")
    return time.perf_counter() - started

"""`archive_bench`: the archive's numbers on the current database, in one run.

The application side goes through the real code paths: the public search view is whatever
`/search/` resolves to, called through Django's test client (results and facet counts
included), and likewise `/research/search/` and the public pages. When a path does not answer
200, the JSON says so under `missing` instead of giving a number.

The floor is the same query written by hand against the same database: on PostgreSQL a ranked
full-text query over a denormalized `tsvector` column with a GIN index and the same access
conditions; on SQLite a plain FTS5 query. Floor and application queries are interleaved in
the same run, so the ratio between them survives a noisy machine.
"""

import datetime as dt
import io
import json
import logging
import re
import resource
import time
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from testimonies.access import excerpts_visible_to, today
from testimonies.levels import Level
from testimonies.models import Country, Excerpt, Testimony, Theme

from .corpus import LONG_KEY, TEN_KEY, CorpusGenerator

BANDS = {"0_05pct": 0.0005, "0_25pct": 0.0025, "2_5pct": 0.025, "20pct": 0.20}
PAGE_BAND = "2_5pct"  # the band whose whole search page has its own target
PAGE_SIZE = 20
DEEP_PAGE = 5
WORD = re.compile(r"^[a-z]{4,}$")
DEFAULT_URLS = {
    "excerpt": "/excerpts/{public_id}/",
    "theme": "/themes/{slug}/",
    "testimony": "/testimonies/{public_id}/",
}
SEARCH_URL = "/search/"
RESEARCH_SEARCH_URL = "/research/search/"
RESEARCHER_USERNAME = "bench-researcher"


def make_client():
    """A test client that sends a Host header the settings allow."""
    hosts = [h for h in settings.ALLOWED_HOSTS if h and "*" not in h and not h.startswith(".")]
    return Client(HTTP_HOST=hosts[0] if hosts else "localhost")


def percentile(values, pct):
    """Nearest-rank percentile of a list of numbers (None for an empty list)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def summary(app, floor):
    out = {
        "p50_ms": _r(percentile(app, 50)),
        "p95_ms": _r(percentile(app, 95)),
        "floor_p50_ms": _r(percentile(floor, 50)),
        "floor_p95_ms": _r(percentile(floor, 95)),
        "queries": len(app),
    }
    out["ratio_p50"] = _ratio(out["p50_ms"], out["floor_p50_ms"])
    out["ratio_p95"] = _ratio(out["p95_ms"], out["floor_p95_ms"])
    return out


def _r(value):
    return None if value is None else round(value, 3)


def _ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


@contextmanager
def timer(sink):
    start = time.perf_counter()
    yield
    sink.append((time.perf_counter() - start) * 1000)


# --- The floor --------------------------------------------------------------------------------


class Floor:
    """Hand-written full-text SQL over a denormalized copy of the searchable text."""

    def __init__(self, rebuild=True):
        self.vendor = connection.vendor
        self.excerpt_table = Excerpt._meta.db_table
        self.themes_table = Excerpt.themes.through._meta.db_table
        self.countries_table = Testimony.countries.through._meta.db_table
        self.sectors_table = Testimony.sectors.through._meta.db_table
        self.build_seconds = None
        if rebuild or not self.exists():
            start = time.perf_counter()
            self.build()
            self.build_seconds = time.perf_counter() - start

    def exists(self):
        return "bench_floor_excerpt" in connection.introspection.table_names()

    def execute(self, sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else None

    def build(self):
        e, t = self.excerpt_table, Testimony._meta.db_table
        for table in ("bench_floor_excerpt", "bench_floor_transcript", "bench_floor_vocab"):
            self.execute(f"DROP TABLE IF EXISTS {table}")
        if self.vendor == "postgresql":
            self.execute("SET maintenance_work_mem TO '256MB'")
            self.execute(
                f"CREATE TABLE bench_floor_excerpt AS SELECT id, testimony_id, live, level, "
                f"embargo_lifts_on, to_tsvector(public_text) AS tsv FROM {e}"
            )
            self.execute("CREATE INDEX ON bench_floor_excerpt USING gin (tsv)")
            self.execute("ALTER TABLE bench_floor_excerpt ADD PRIMARY KEY (id)")
            self.execute(
                f"CREATE TABLE bench_floor_transcript AS SELECT id, level, embargo_lifts_on, "
                f"to_tsvector(transcript) AS tsv FROM {t} WHERE transcript <> ''"
            )
            self.execute("CREATE INDEX ON bench_floor_transcript USING gin (tsv)")
            self.execute("ANALYZE bench_floor_excerpt")
            self.execute("ANALYZE bench_floor_transcript")
        else:
            self.execute("CREATE VIRTUAL TABLE bench_floor_excerpt USING fts5(body, content='')")
            self.execute(
                f"INSERT INTO bench_floor_excerpt(rowid, body) SELECT id, public_text FROM {e}"
            )
            self.execute("CREATE VIRTUAL TABLE bench_floor_transcript USING fts5(body, content='')")
            self.execute(
                f"INSERT INTO bench_floor_transcript(rowid, body) "
                f"SELECT id, transcript FROM {t} WHERE transcript <> ''"
            )

    def document_frequencies(self):
        """(word, number of excerpts containing it), for words the generator makes."""
        if self.vendor == "postgresql":
            rows = self.execute(
                "SELECT word, ndoc FROM ts_stat('SELECT tsv FROM bench_floor_excerpt')"
            )
        else:
            self.execute(
                "CREATE VIRTUAL TABLE bench_floor_vocab USING fts5vocab(bench_floor_excerpt, row)"
            )
            rows = self.execute("SELECT term, doc FROM bench_floor_vocab")
        return [(w, n) for w, n in rows if WORD.match(w)]

    def unchanged_by_parser(self, words):
        """The words that the full-text parser keeps as they are (no stemming, no stop word)."""
        if self.vendor != "postgresql" or not words:
            return list(words)
        rows = self.execute(
            "SELECT w FROM unnest(%s::text[]) AS w WHERE plainto_tsquery(w)::text = quote_literal(w)",
            [list(words)],
        )
        keep = {r[0] for r in rows}
        return [w for w in words if w in keep]

    def search(self, case, rank, on, research=False):
        """The ranked top 20 (at the case's offset) that `rank` may see."""
        if research:
            return self._research(case, rank, on)
        words, phrase = case["words"], case.get("phrase", False)
        offset = (case.get("page", 1) - 1) * PAGE_SIZE
        if self.vendor == "postgresql":
            fn = "phraseto_tsquery" if phrase else "plainto_tsquery"
            sql = (
                f"SELECT f.id, ts_rank(f.tsv, q) AS r FROM bench_floor_excerpt f, {fn}(%s) q "
                "WHERE f.tsv @@ q AND f.live AND f.level <= %s "
                "AND (f.embargo_lifts_on IS NULL OR f.embargo_lifts_on <= %s)"
            )
            params = [" ".join(words), rank, on]
            id_col, test_col = "f.id", "f.testimony_id"
            order = "ORDER BY r DESC"
        else:
            match = '"' + " ".join(words) + '"' if phrase else " ".join(words)
            sql = (
                f"SELECT e.id, bm25(bench_floor_excerpt) AS r FROM bench_floor_excerpt "
                f"JOIN {self.excerpt_table} e ON e.id = bench_floor_excerpt.rowid "
                "WHERE bench_floor_excerpt MATCH %s AND e.live AND e.level <= %s "
                "AND (e.embargo_lifts_on IS NULL OR e.embargo_lifts_on <= %s)"
            )
            params = [match, rank, on]
            id_col, test_col = "e.id", "e.testimony_id"
            order = "ORDER BY r"
        if case.get("theme_ids"):
            marks = ", ".join(["%s"] * len(case["theme_ids"]))
            sql += (
                f" AND {id_col} IN (SELECT excerpt_id FROM {self.themes_table} "
                f"WHERE theme_id IN ({marks}))"
            )
            params += case["theme_ids"]
        if case.get("country_id"):
            sql += (
                f" AND {test_col} IN (SELECT testimony_id FROM {self.countries_table} "
                "WHERE country_id = %s)"
            )
            params.append(case["country_id"])
        sql += f" {order} LIMIT {PAGE_SIZE} OFFSET {offset}"
        return self.execute(sql, params)

    def page(self, case, rank, on):
        """A whole results page by hand: the ranked top 20, the total and three facet counts."""
        rows = self.search(case, rank, on)
        word = case["words"][0]
        if self.vendor == "postgresql":
            base = (
                "FROM bench_floor_excerpt f WHERE f.tsv @@ plainto_tsquery(%s) AND f.live "
                "AND f.level <= %s AND (f.embargo_lifts_on IS NULL OR f.embargo_lifts_on <= %s)"
            )
            id_col, test_col = "f.id", "f.testimony_id"
        else:
            base = (
                f"FROM bench_floor_excerpt JOIN {self.excerpt_table} e "
                "ON e.id = bench_floor_excerpt.rowid WHERE bench_floor_excerpt MATCH %s "
                "AND e.live AND e.level <= %s "
                "AND (e.embargo_lifts_on IS NULL OR e.embargo_lifts_on <= %s)"
            )
            id_col, test_col = "e.id", "e.testimony_id"
        params = [word, rank, on]
        self.execute(f"SELECT count(*) {base}", params)
        self.execute(
            f"SELECT x.theme_id, count(*) FROM {self.themes_table} x "
            f"WHERE x.excerpt_id IN (SELECT {id_col} {base}) GROUP BY x.theme_id",
            params,
        )
        for table, column in (
            (self.countries_table, "country_id"),
            (self.sectors_table, "sector_id"),
        ):
            self.execute(
                f"SELECT x.{column}, count(*) FROM (SELECT {test_col} AS tid {base}) m "
                f"JOIN {table} x ON x.testimony_id = m.tid GROUP BY x.{column}",
                params,
            )
        return rows

    def _research(self, case, rank, on):
        words, phrase = case["words"], case.get("phrase", False)
        if self.vendor == "postgresql":
            fn = "phraseto_tsquery" if phrase else "plainto_tsquery"
            sql = (
                "SELECT * FROM ("
                f"(SELECT 'e' AS kind, f.id, ts_rank(f.tsv, q) AS r FROM bench_floor_excerpt f, {fn}(%s) q "
                "WHERE f.tsv @@ q AND f.live AND f.level <= %s "
                "AND (f.embargo_lifts_on IS NULL OR f.embargo_lifts_on <= %s) ORDER BY r DESC LIMIT 20) "
                "UNION ALL "
                f"(SELECT 't', f.id, ts_rank(f.tsv, q) AS r FROM bench_floor_transcript f, {fn}(%s) q "
                "WHERE f.tsv @@ q AND f.level <= %s "
                "AND (f.embargo_lifts_on IS NULL OR f.embargo_lifts_on <= %s) ORDER BY r DESC LIMIT 20)"
                ") u ORDER BY r DESC LIMIT 20"
            )
            text = " ".join(words)
        else:
            text = '"' + " ".join(words) + '"' if phrase else " ".join(words)
            sql = (
                "SELECT * FROM ("
                "SELECT * FROM (SELECT 'e', e.id, bm25(bench_floor_excerpt) AS r FROM bench_floor_excerpt "
                f"JOIN {self.excerpt_table} e ON e.id = bench_floor_excerpt.rowid "
                "WHERE bench_floor_excerpt MATCH %s AND e.live AND e.level <= %s "
                "AND (e.embargo_lifts_on IS NULL OR e.embargo_lifts_on <= %s) ORDER BY r LIMIT 20) "
                "UNION ALL "
                "SELECT * FROM (SELECT 't', t.id, bm25(bench_floor_transcript) AS r FROM bench_floor_transcript "
                f"JOIN {Testimony._meta.db_table} t ON t.id = bench_floor_transcript.rowid "
                "WHERE bench_floor_transcript MATCH %s AND t.level <= %s "
                "AND (t.embargo_lifts_on IS NULL OR t.embargo_lifts_on <= %s) ORDER BY r LIMIT 20)"
                ") ORDER BY r LIMIT 20"
            )
        return self.execute(sql, [text, rank, on, text, rank, on])


# --- Query cases ------------------------------------------------------------------------------


def choose_words(floor, total, per_band):
    """For each band, the words whose excerpt counts are nearest its share of all excerpts,
    and a few of the most common words (to make two- and three-word queries)."""
    freqs = floor.document_frequencies()
    bands = {}
    used = set()
    for band, share in BANDS.items():
        target = share * total
        candidates = sorted(freqs, key=lambda wn: (abs(wn[1] - target), wn[0]))
        candidates = [wn for wn in candidates[: per_band * 4] if wn[0] not in used]
        keep = set(floor.unchanged_by_parser([w for w, _ in candidates]))
        chosen = [wn for wn in candidates if wn[0] in keep][:per_band]
        used.update(w for w, _ in chosen)
        bands[band] = chosen
    common = [w for w, _ in sorted(freqs, key=lambda wn: (-wn[1], wn[0]))]
    common = floor.unchanged_by_parser(common[:20])[:2]
    return bands, common


def next_word(word):
    """A word that follows `word` in some public excerpt (for a phrase query), or None."""
    pattern = re.compile(rf"\b{re.escape(word)}\s+([a-z]{{4,}})\b", re.IGNORECASE)
    qs = excerpts_visible_to(AnonymousUser()).filter(public_text__icontains=word)
    for text in qs.values_list("public_text", flat=True)[:20]:
        match = pattern.search(text)
        if match:
            return match.group(1).lower()
    return None


def build_cases(words, common, theme, country):
    """One list of query cases for a band: every query shape the issue names."""
    cases = []
    for word, _n in words:
        cases.append({"shape": "one_word", "words": [word]})
        cases.append({"shape": "two_words", "words": [word, *common[:1]]})
        cases.append({"shape": "three_words", "words": [word, *common[:2]]})
        follower = next_word(word)
        if follower:
            cases.append({"shape": "phrase", "words": [word, follower], "phrase": True})
        if theme is not None:
            cases.append(
                {
                    "shape": "theme_filter",
                    "words": [word],
                    "theme": theme.slug,
                    "theme_ids": theme.descendant_ids(),
                }
            )
        if country is not None:
            cases.append(
                {
                    "shape": "country_filter",
                    "words": [word],
                    "country": country.code,
                    "country_id": country.pk,
                }
            )
        cases.append({"shape": "deep_page", "words": [word], "page": DEEP_PAGE})
    return cases


def query_params(case):
    text = " ".join(case["words"])
    params = {"q": f'"{text}"' if case.get("phrase") else text}
    for name in ("theme", "country", "page"):
        if case.get(name):
            params[name] = case[name]
    return params


# --- The benchmark ----------------------------------------------------------------------------


class Bench:
    def __init__(
        self,
        queries=100,
        warmup=3,
        page_requests=50,
        words_per_band=8,
        saves=20,
        import_excerpts=500,
        backend_queries=30,
        backend_seconds=60,
        reindex=True,
        rebuild_floor=True,
        urls=None,
        out=None,
    ):
        self.queries = queries
        self.warmup = warmup
        self.page_requests = page_requests
        self.words_per_band = words_per_band
        self.saves = saves
        self.import_excerpts = import_excerpts
        self.backend_queries = backend_queries
        self.backend_seconds = backend_seconds
        self.reindex = reindex
        self.rebuild_floor = rebuild_floor
        self.urls = {**DEFAULT_URLS, **(urls or {})}
        self.out = out or (lambda message: None)
        self.missing = {}
        self.on = today()

    def run(self):
        # A missing page is reported once in the JSON, not logged on every request.
        logging.getLogger("django.request").setLevel(logging.ERROR)
        result = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        result["corpus"] = self.corpus()
        self.out(f"corpus: {result['corpus']}")
        self.floor = Floor(rebuild=self.rebuild_floor)
        if self.floor.build_seconds is not None:
            result["floor_build_seconds"] = round(self.floor.build_seconds, 2)
        self.anonymous = make_client()
        self.researcher = self.researcher_client()
        bands, common = choose_words(self.floor, result["corpus"]["excerpts"], self.words_per_band)
        result["words"] = {
            b: [{"word": w, "excerpts": n} for w, n in ws] for b, ws in bands.items()
        }
        result["common_words"] = common
        theme = (
            Theme.objects.filter(parent__isnull=True)
            .annotate(n=Count("excerpts"))
            .order_by("-n", "slug")
            .first()
        )
        country = Country.objects.annotate(n=Count("testimonies")).order_by("-n", "code").first()
        cases = {b: build_cases(ws, common, theme, country) for b, ws in bands.items()}

        self.out(f"floor built in {self.floor.build_seconds or 0:.1f} s; public search ...")
        result["search_public"] = self.search_section(
            cases, SEARCH_URL, self.anonymous, Level.PUBLIC
        )
        result["search_page"] = self.search_page(cases.get(PAGE_BAND, []))
        self.out("Wagtail search API directly ...")
        result["search_backend"] = self.backend_section(cases)
        self.out("research search ...")
        research_cases = {
            b: [c for c in cs if c["shape"] in ("one_word", "two_words", "phrase")]
            for b, cs in cases.items()
        }
        result["search_research"] = self.search_section(
            research_cases, RESEARCH_SEARCH_URL, self.researcher, Level.RESEARCHERS, research=True
        )
        self.out("pages ...")
        result["pages"] = self.pages()
        self.out("index update on save ...")
        result["index_update"] = self.index_update()
        self.out("import ...")
        result["import"] = self.import_speed()
        self.out("reindex ...")
        result["reindex"] = self.reindex_time()
        result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        result["missing"] = self.missing
        return result

    def corpus(self):
        t = Testimony._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COALESCE(SUM(length(transcript) - length(replace(transcript, ' ', '')) + 1), 0) "
                f"FROM {t} WHERE transcript <> ''"
            )
            words = int(cursor.fetchone()[0])
        return {
            "testimonies": Testimony.objects.count(),
            "excerpts": Excerpt.objects.count(),
            "public_excerpts": excerpts_visible_to(AnonymousUser()).count(),
            "transcripts": Testimony.objects.exclude(transcript="").count(),
            "transcript_words": words,
            "vendor": connection.vendor,
        }

    def researcher_client(self):
        from testimonies.services import role_grant

        User = get_user_model()
        user, created = User.objects.get_or_create(username=RESEARCHER_USERNAME)
        if created:
            user.set_unusable_password()
            user.save()
        if not user.research_grants.filter(
            revoked_at__isnull=True, expires_on__gte=self.on
        ).exists():
            role_grant(user=user, role="researcher", note="benchmark account")
        client = make_client()
        client.force_login(user)
        return client

    def probe(self, client, url, params=None):
        """None if the URL answers 200, otherwise why not."""
        try:
            response = client.get(url, params or {})
        except Exception as exc:  # a view that is not there yet may fail in any way
            return f"GET {url} raised {type(exc).__name__}: {exc}"
        if response.status_code != 200:
            return f"GET {url} answered {response.status_code}: not in this build yet"
        return None

    def search_section(self, cases, url, client, rank, research=False):
        key = "search_research" if research else "search_public"
        first = next((c for cs in cases.values() for c in cs), None)
        if first is None:
            self.missing[key] = "no query words could be chosen (empty corpus?)"
            return {"missing": self.missing[key]}
        why = self.probe(client, url, query_params(first))
        run_app = why is None
        if why:
            self.missing[key] = why
        bands, all_app, all_floor = {}, [], []
        for band, band_cases in cases.items():
            if not band_cases:
                continue
            app_times, floor_times = [], []
            for case in band_cases[: self.warmup]:
                if run_app:
                    client.get(url, query_params(case))
                self.floor.search(case, rank, self.on, research=research)
            for i in range(self.queries):
                case = band_cases[i % len(band_cases)]
                steps = [
                    lambda c=case: self.floor.search(c, rank, self.on, research=research),
                ]
                sinks = [floor_times]
                if run_app:
                    steps.append(lambda c=case: client.get(url, query_params(c)))
                    sinks.append(app_times)
                order = range(len(steps)) if i % 2 == 0 else reversed(range(len(steps)))
                for k in order:
                    with timer(sinks[k]):
                        steps[k]()
            bands[band] = summary(app_times, floor_times) | {
                "shapes": sorted({c["shape"] for c in band_cases})
            }
            all_app += app_times
            all_floor += floor_times
        section = summary(all_app, all_floor) | {"bands": bands, "url": url}
        if why:
            section["missing"] = why
        return section

    def search_page(self, cases):
        """The whole public search page for the 2.5% band, against a hand-written page."""
        cases = [c for c in cases if c["shape"] == "one_word"]
        if not cases:
            self.missing["search_page"] = "no words in the band"
            return {"p95_ms": None, "missing": self.missing["search_page"]}
        why = self.probe(self.anonymous, SEARCH_URL, query_params(cases[0]))
        if why:
            self.missing["search_page"] = why
        app, floor = [], []
        for i in range(self.queries):
            case = cases[i % len(cases)]
            with timer(floor):
                self.floor.page(case, Level.PUBLIC, self.on)
            if why is None:
                with timer(app):
                    self.anonymous.get(SEARCH_URL, query_params(case))
        out = summary(app, floor) | {"band": PAGE_BAND}
        if why:
            out["missing"] = why
        return out

    def backend_section(self, cases):
        """Wagtail's search API on the access policy's queryset (what the public search view
        is being built on), without the view: where the search backend's own time goes."""
        from wagtail.search.query import Phrase, PlainText

        from archive.search import public_backend

        backend = public_backend()
        visible = excerpts_visible_to(AnonymousUser())
        bands, all_app, all_floor = {}, [], []
        for band, band_cases in cases.items():
            band_cases = [
                c
                for c in band_cases
                if c["shape"] in ("one_word", "two_words", "three_words", "phrase", "deep_page")
            ]
            if not band_cases:
                continue
            app_times, floor_times = [], []

            def run(case):
                text = " ".join(case["words"])
                query = Phrase(text) if case.get("phrase") else PlainText(text, operator="and")
                offset = (case.get("page", 1) - 1) * PAGE_SIZE
                return list(backend.search(query, visible)[offset : offset + PAGE_SIZE])

            # The backend can take seconds a query at scale: a count and a time budget per band.
            started = time.perf_counter()
            run(band_cases[0])
            for i in range(self.backend_queries):
                if time.perf_counter() - started > self.backend_seconds and app_times:
                    break
                case = band_cases[i % len(band_cases)]
                with timer(app_times):
                    run(case)
                with timer(floor_times):
                    self.floor.search(case, Level.PUBLIC, self.on)
            bands[band] = summary(app_times, floor_times)
            if len(app_times) < self.backend_queries:
                bands[band]["stopped"] = f"time budget of {self.backend_seconds} s reached"
            all_app += app_times
            all_floor += floor_times
        return summary(all_app, all_floor) | {
            "bands": bands,
            "what": "public_backend().search(query, excerpts_visible_to(anonymous))[page]: "
            "Wagtail's search API on the public search backend and the access policy's "
            "queryset, no view",
        }

    # --- Pages ---------------------------------------------------------------------------------

    def page_urls(self):
        visible = excerpts_visible_to(AnonymousUser())
        urls = {"home": "/"}
        excerpt = visible.order_by("pk").first()
        if excerpt:
            urls["excerpt"] = self.object_url(excerpt, "excerpt")
        theme = Theme.objects.filter(excerpts__in=visible).order_by("pk").first()
        if theme:
            urls["theme"] = self.object_url(theme, "theme")
        for name, key in (("testimony_10", TEN_KEY), ("testimony_500", LONG_KEY)):
            testimony = Testimony.objects.filter(key=key).first()
            if testimony:
                urls[name] = self.object_url(testimony, "testimony")
            else:
                self.missing[f"pages.{name}"] = f"no testimony {key!r}: run generate_corpus"
        return urls

    def object_url(self, obj, kind):
        if hasattr(obj, "get_absolute_url"):
            return obj.get_absolute_url()
        return self.urls[kind].format(
            public_id=getattr(obj, "public_id", ""), slug=getattr(obj, "slug", "")
        )

    def pages(self):
        out = {}
        for name, url in self.page_urls().items():
            why = self.probe(self.anonymous, url)
            if why:
                self.missing[f"pages.{name}"] = why
                out[name] = {
                    "p95_ms": None,
                    "p50_ms": None,
                    "queries": None,
                    "url": url,
                    "missing": why,
                }
                continue
            with CaptureQueriesContext(connection) as captured:
                self.anonymous.get(url)
            # Read now: the next request's request_started signal clears the query log.
            queries = len(captured.captured_queries)
            times = []
            for _ in range(self.page_requests):
                with timer(times):
                    self.anonymous.get(url)
            out[name] = {
                "p50_ms": _r(percentile(times, 50)),
                "p95_ms": _r(percentile(times, 95)),
                "queries": queries,
                "url": url,
            }
        return out

    # --- Writes (each rolled back, so the corpus stays as it was) ------------------------------

    def index_update(self):
        """Saving one excerpt, search indexes included (Wagtail's index through its signal,
        the public index through the database's triggers, both within the save)."""
        from archive.search import public_backend

        backend = public_backend()
        candidates = list(
            excerpts_visible_to(AnonymousUser())
            .exclude(testimony__key__in=[TEN_KEY, LONG_KEY])
            .order_by("pk")[: self.saves]
        )
        times, found = [], 0
        for i, excerpt in enumerate(candidates):
            token = f"benchtoken{i}x"
            with transaction.atomic():
                excerpt.text = f"{excerpt.text} {token}"
                with timer(times):
                    excerpt.save()
                hits = backend.search(
                    token, Excerpt.objects.filter(testimony_id=excerpt.testimony_id)
                )
                found += any(hit.pk == excerpt.pk for hit in hits)
                transaction.set_rollback(True)
        return {
            "ms_per_save": _r(sum(times) / len(times)) if times else None,
            "p95_ms": _r(percentile(times, 95)),
            "saves": len(times),
            "searchable_after_save": found,
        }

    def import_speed(self):
        from testimonies.interchange import import_document

        if self.import_excerpts <= 0:
            self.missing["import"] = "skipped (--import-excerpts 0)"
            return {"excerpts_per_s": None, "missing": self.missing["import"]}
        doc = interchange_document(self.import_excerpts)
        n = sum(len(t["excerpts"]) for t in doc["testimonies"])
        start = time.perf_counter()
        with transaction.atomic():
            import_document(doc)
            elapsed = time.perf_counter() - start
            transaction.set_rollback(True)
        return {
            "excerpts_per_s": round(n / elapsed, 1),
            "excerpts": n,
            "seconds": round(elapsed, 2),
        }

    def reindex_time(self):
        if not self.reindex:
            self.missing["reindex"] = "skipped (--skip-reindex)"
            return {"seconds": None, "missing": self.missing["reindex"]}
        start = time.perf_counter()
        call_command("rebuild_public_index", stdout=io.StringIO(), stderr=io.StringIO())
        return {
            "seconds": round(time.perf_counter() - start, 2),
            "command": "rebuild_public_index",
            "what": "the public search index, from scratch (Wagtail's admin index: update_index)",
        }


def interchange_document(n_excerpts, per_testimony=25, seed=99):
    """A generated interchange file of about `n_excerpts` public excerpts with new keys."""
    gen = CorpusGenerator(testimonies=0, excerpts_per=0, seed=seed, vocabulary=5000)
    doc = {
        "format": "testimony-archive/v1",
        "witnesses": [
            {
                "key": "bench-import-w",
                "pseudonym": "Import witness",
                "consent": [{"level": "public", "recorded_on": "2024-01-01"}],
            }
        ],
        "testimonies": [],
    }
    for t in range(0, max(1, n_excerpts), per_testimony):
        size = min(per_testimony, n_excerpts - t)
        doc["testimonies"].append(
            {
                "key": f"bench-import-t{t}",
                "witness": "bench-import-w",
                "title": f"Imported testimony {t}",
                "access": "public",
                "excerpts": [
                    {
                        "key": f"bench-import-t{t}-e{i}",
                        "text": gen.excerpt_text(),
                        "access": "public",
                        "approved": True,
                    }
                    for i in range(size)
                ],
            }
        )
    return doc


def flatten(data, prefix=""):
    out = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out |= flatten(value, name + ".")
        elif isinstance(value, (int, float, str)) or value is None:
            out[name] = value
    return out


def _cell(value):
    return "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def markdown(result):
    """A compact table: one row per search band and page, then the single figures."""
    corpus = result.get("corpus", {})
    lines = [
        f"Corpus: {corpus.get('testimonies')} testimonies, {corpus.get('excerpts')} excerpts "
        f"({corpus.get('public_excerpts')} public), {corpus.get('transcript_words')} transcript "
        f"words, {corpus.get('vendor')}; {result.get('date')}",
        "",
        "| what | p50 ms | p95 ms | floor p50 ms | floor p95 ms | ratio p50 | ratio p95 | note |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for section in ("search_public", "search_backend", "search_research"):
        data = result.get(section, {})
        rows = [(section, data), *((f"{section} {b}", d) for b, d in data.get("bands", {}).items())]
        for name, d in rows:
            cells = [
                d.get(k)
                for k in (
                    "p50_ms",
                    "p95_ms",
                    "floor_p50_ms",
                    "floor_p95_ms",
                    "ratio_p50",
                    "ratio_p95",
                )
            ]
            note = d.get("missing", "") if name == section else ""
            lines.append(f"| {name} | " + " | ".join(_cell(c) for c in cells) + f" | {note} |")
    page = result.get("search_page", {})
    cells = [
        page.get(k)
        for k in ("p50_ms", "p95_ms", "floor_p50_ms", "floor_p95_ms", "ratio_p50", "ratio_p95")
    ]
    lines.append(
        f"| search_page ({page.get('band')}, whole page) | "
        + " | ".join(_cell(c) for c in cells)
        + f" | {page.get('missing', '')} |"
    )
    lines += ["", "| page | p50 ms | p95 ms | queries | note |", "| --- | --- | --- | --- | --- |"]
    for name, d in result.get("pages", {}).items():
        lines.append(
            f"| {name} | {_cell(d.get('p50_ms'))} | {_cell(d.get('p95_ms'))} | "
            f"{_cell(d.get('queries'))} | {d.get('missing', '')} |"
        )
    lines += ["", "| figure | value |", "| --- | --- |"]
    for key in (
        "index_update.ms_per_save",
        "import.excerpts_per_s",
        "reindex.seconds",
        "peak_rss_mb",
        "floor_build_seconds",
    ):
        value = result
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        lines.append(f"| `{key}` | {_cell(value)} |")
    return "\n".join(lines) + "\n"


def write(result, path):
    with open(path, "w") as fh:
        json.dump(result, fh, indent=2, ensure_ascii=False, default=str)
        fh.write("\n")
    md_path = re.sub(r"\.json$", "", str(path)) + ".md"
    with open(md_path, "w") as fh:
        fh.write(markdown(result))
    return md_path

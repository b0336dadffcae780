"""archive_bench at a tiny scale: it runs, writes every key, and every number is a number."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from bench.corpus import CorpusGenerator
from bench.measure import BANDS

SEARCH_KEYS = ("p50_ms", "p95_ms", "floor_p95_ms", "ratio_p95")
TINY = {
    "queries": 3,
    "warmup": 1,
    "page_requests": 2,
    "words_per_band": 2,
    "saves": 2,
    "import_excerpts": 10,
    "backend_queries": 2,
}


@pytest.fixture
def tiny_corpus(db):
    CorpusGenerator(testimonies=20, excerpts_per=10, transcript_words=30, seed=3).run()


def run_bench(tmp_path, **extra):
    out = tmp_path / "bench.json"
    call_command(
        "archive_bench", out=str(out), stdout=io.StringIO(), stderr=io.StringIO(), **TINY, **extra
    )
    return json.loads(out.read_text()), (tmp_path / "bench.md").read_text()


def get(result, dotted):
    value = result
    for part in dotted.split("."):
        assert isinstance(value, dict) and part in value, f"missing key {dotted}"
        value = value[part]
    return value


def check_number(result, dotted, section):
    value = get(result, dotted)
    if value is None:  # allowed only where the JSON says why it was not measured
        assert section in result["missing"], f"{dotted} is null without a note"
    else:
        assert isinstance(value, (int, float)) and value >= 0, dotted


def test_every_key_is_written(tiny_corpus, tmp_path):
    result, table = run_bench(tmp_path)
    for section in ("search_public", "search_research"):
        for key in SEARCH_KEYS:
            check_number(result, f"{section}.{key}", section)
            for band in BANDS:
                check_number(result, f"{section}.bands.{band}.{key}", section)
    check_number(result, "search_page.p95_ms", "search_page")
    for name in ("home", "excerpt", "theme", "testimony_10", "testimony_500"):
        for key in ("p95_ms", "queries"):
            check_number(result, f"pages.{name}.{key}", f"pages.{name}")
    for dotted in (
        "index_update.ms_per_save",
        "import.excerpts_per_s",
        "reindex.seconds",
        "peak_rss_mb",
    ):
        check_number(result, dotted, dotted.split(".")[0])
    corpus = get(result, "corpus")
    assert corpus["testimonies"] == 22 and corpus["excerpts"] == 20 * 10 + 510
    assert corpus["transcript_words"] > 0 and corpus["vendor"] in ("sqlite", "postgresql")
    # Measured in every build: the floor, the Wagtail search API, saves, import, reindex, home.
    assert get(result, "search_public.floor_p95_ms") > 0
    assert get(result, "search_backend.p95_ms") > 0
    assert get(result, "index_update.searchable_after_save") == TINY["saves"]
    assert get(result, "import.excerpts_per_s") > 0
    assert get(result, "reindex.seconds") > 0
    assert get(result, "pages.home.queries") > 0
    assert get(result, "peak_rss_mb") > 0
    # Through the real /search/ view, every band measured against its floor.
    assert "search_public" not in result.get("missing", {})
    for band in BANDS:
        assert get(result, f"search_public.bands.{band}.p95_ms") > 0
        assert get(result, f"search_public.bands.{band}.queries") == TINY["queries"]
    assert get(result, "search_public.ratio_p95") > 0
    assert get(result, "search_page.p95_ms") > 0
    assert "| search_public 2_5pct |" in table and "| testimony_500 |" in table


def test_bad_arguments_are_refused(db, tmp_path):
    with pytest.raises(CommandError, match="--queries"):
        call_command("archive_bench", out=str(tmp_path / "x.json"), queries=0, stdout=io.StringIO())

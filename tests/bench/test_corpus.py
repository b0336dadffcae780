"""generate_corpus: deterministic, realistic, and its derived columns equal what save() makes."""

import io
import re
from collections import Counter

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from wagtail.search.backends import get_search_backend

from bench.corpus import (
    KOREAN,
    LONG_KEY,
    TEN_KEY,
    CorpusGenerator,
    PublicIds,
    make_vocabulary,
)
from bench.measure import Floor
from testimonies.access import excerpts_visible_to, today
from testimonies.levels import Level
from testimonies.models import REDACTED, ConsentEntry, Excerpt, Testimony, Witness

WORDS = re.compile(r"[a-z]+")

EXCERPT_DERIVED = ("public_text", "own_embargo_lifts_on", "level", "embargo_lifts_on")


@pytest.fixture
def corpus(db):
    return CorpusGenerator(testimonies=20, excerpts_per=10, transcript_words=40, seed=7).run()


def snapshot():
    return (
        {w.pk: (w.consent_level, w.consent_embargo_lifts_on) for w in Witness.objects.all()},
        {t.pk: (t.level, t.embargo_lifts_on) for t in Testimony.objects.all()},
        {
            e["pk"]: tuple(e[n] for n in EXCERPT_DERIVED)
            for e in Excerpt.objects.values("pk", *EXCERPT_DERIVED)
        },
    )


def test_derived_columns_equal_what_save_computes(corpus):
    generated = snapshot()
    # Recompute everything through the models' own write paths.
    for witness in Witness.objects.all():
        witness.refresh_access()  # from the consent ledger, then down to testimonies and excerpts
    for testimony in Testimony.objects.all():
        testimony.save()
    for excerpt in Excerpt.objects.all():
        excerpt.save()
    recomputed = snapshot()
    for generated_part, recomputed_part in zip(generated, recomputed, strict=True):
        assert generated_part == recomputed_part


def test_corpus_covers_every_access_case(corpus):
    in_force = Counter(Witness.objects.values_list("consent_level", flat=True))
    assert set(in_force) == {Level.PUBLIC, Level.RESEARCHERS, Level.ARCHIVE, Level.WITHDRAWN}
    on = today()
    embargoed = Witness.objects.filter(consent_embargo_lifts_on__gt=on).count()
    lifted = Witness.objects.filter(consent_embargo_lifts_on__lte=on).count()
    assert embargoed and lifted
    assert ConsentEntry.objects.count() > Witness.objects.count()  # some ledgers have history
    assert Excerpt.objects.filter(live=False).exists()  # drafts
    assert Excerpt.objects.exclude(redactions=[]).exists()
    assert Excerpt.objects.filter(public_text__contains=REDACTED).exists()
    assert Excerpt.objects.filter(own_embargo_lifts_on__gt=on).exists()
    assert set(Testimony.objects.values_list("access", flat=True)) == {0, 1, 2}
    assert (
        Testimony.objects.filter(countries__isnull=False).values("countries").distinct().count() > 2
    )
    assert Excerpt.themes.through.objects.count() >= Excerpt.objects.count()
    assert any(k in t for t in Excerpt.objects.values_list("text", flat=True) for k in KOREAN)
    lengths = [len(t) for t in Excerpt.objects.values_list("text", flat=True)]
    assert min(lengths) >= 200 and max(lengths) <= 1500
    assert Testimony.objects.get(key=TEN_KEY).excerpts.count() == 10
    assert Testimony.objects.get(key=LONG_KEY).excerpts.count() == 500
    assert corpus.transcript_words > 0
    visible = excerpts_visible_to(AnonymousUser()).count()
    assert 0 < visible < Excerpt.objects.count()


def test_word_frequencies_are_skewed(corpus):
    document_frequency = Counter()
    for text in Excerpt.objects.values_list("public_text", flat=True):
        document_frequency.update(set(WORDS.findall(text.lower())))
    total = Excerpt.objects.count()
    counts = sorted(document_frequency.values(), reverse=True)
    assert counts[0] > total * 0.5  # a few words in most excerpts
    assert sum(1 for c in counts if c <= 2) > len(counts) / 2  # most words rare


def test_generation_is_deterministic():
    a, b, c = (CorpusGenerator(1, 1, seed=s, vocabulary=500) for s in (5, 5, 6))
    texts_a = [a.excerpt_text() for _ in range(5)]
    assert texts_a == [b.excerpt_text() for _ in range(5)]
    assert texts_a != [c.excerpt_text() for _ in range(5)]
    assert make_vocabulary(300, 1) == make_vocabulary(300, 1)
    assert len(set(make_vocabulary(3000, 1))) == 3000
    ids = PublicIds(1, "excerpt")
    drawn = [ids.next() for _ in range(20000)]
    assert len(set(drawn)) == len(drawn) and all(len(i) == 10 for i in drawn)


def test_search_index_holds_the_redacted_text_only(corpus):
    backend = get_search_backend()
    excerpt = excerpts_visible_to(AnonymousUser()).exclude(key__startswith="gen-t-long").first()
    word = WORDS.findall(excerpt.public_text.lower())[3]
    hits = backend.search(word, Excerpt.objects.filter(testimony_id=excerpt.testimony_id))
    assert excerpt.pk in {h.pk for h in hits}

    # A word that appears once in an excerpt and is redacted there is not found in it.
    for redacted in Excerpt.objects.exclude(redactions=[]):
        r = redacted.redactions[0]
        hidden = redacted.text[r["start"] : r["end"]].lower().strip(".")
        if WORDS.fullmatch(hidden) and WORDS.findall(redacted.text.lower()).count(hidden) == 1:
            hits = backend.search(
                hidden, Excerpt.objects.filter(testimony_id=redacted.testimony_id)
            )
            assert redacted.pk not in {h.pk for h in hits}
            break
    else:
        pytest.fail("no excerpt with a single redacted word to check")


def test_floor_returns_exactly_the_visible_matches(corpus):
    """The hand-written floor applies the same access rules as the policy: for a rare word,
    the floor's matches are the public excerpts whose redacted text contains it."""
    floor = Floor()
    visible = list(excerpts_visible_to(AnonymousUser()).values_list("pk", "public_text"))
    frequency = Counter()
    for _pk, text in visible:
        frequency.update(set(WORDS.findall(text.lower())))
    words = [w for w, n in frequency.items() if 3 <= n <= 15 and len(w) >= 4]
    assert words
    for word in floor.unchanged_by_parser(words)[:5]:
        expected = {pk for pk, text in visible if word in WORDS.findall(text.lower())}
        got = {row[0] for row in floor.search({"words": [word]}, Level.PUBLIC, today())}
        assert got == expected, word


def test_command_refuses_bad_arguments_and_a_second_corpus(db):
    with pytest.raises(CommandError, match="--testimonies"):
        call_command("generate_corpus", testimonies=-1, excerpts_per=1, stdout=io.StringIO())
    out = io.StringIO()
    call_command("generate_corpus", testimonies=2, excerpts_per=2, stdout=out)
    assert "excerpts/s" in out.getvalue()
    count = Excerpt.objects.count()
    with pytest.raises(CommandError, match="already holds a generated corpus"):
        call_command("generate_corpus", testimonies=2, excerpts_per=2, stdout=io.StringIO())
    assert Excerpt.objects.count() == count

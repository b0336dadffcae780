"""Public search at /search/: access rows, facets, highlighting, redaction, Korean, hostile input,
pagination, a failing backend and query counts."""

import re
import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from archive.search import (
    MAX_QUERY_LENGTH,
    PAGE_SIZE,
    SearchUnavailable,
    highlight,
    search_public,
)
from testimonies.levels import Level
from testimonies.models import Country, Excerpt, Sector, Source, Testimony, WitnessIdentity
from tests.factories import (
    FUTURE,
    make_excerpt,
    make_testimony,
    make_theme,
    make_user,
    make_witness,
    sign_in,
)

WORD = "zephyrine"  # an invented word that appears only in records the tests make


def main_of(response):
    """The page's <main> element: the part of the page that search renders."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def result_keys(outcome):
    return {(r.kind, r.obj.key) for r in outcome.results}


def facet_values(outcome):
    return {name: {v.value: v.count for v in values} for name, values in outcome.facets.items()}


@pytest.fixture
def collection(db):
    """One public excerpt and testimony carrying WORD, and restricted records carrying WORD in
    their text, each tagged with facet values nothing public has."""
    public_country = Country.objects.create(code="RU", name="Russia")
    public_sector = Sector.objects.create(slug="logging", name="Logging")
    public_source = Source.objects.create(key="src-public", title="A public report")
    public_theme = make_theme("public-theme")
    public_testimony = make_testimony(
        title=f"Logging camps and the {WORD} quota",
        summary="Workers describe the camps.",
        period_from=2012,
        period_to=2014,
    )
    public_testimony.countries.set([public_country])
    public_testimony.sectors.set([public_sector])
    public_testimony.sources.set([public_source])
    public_excerpt = make_excerpt(
        public_testimony,
        key="public",
        text=f"We met the {WORD} quota every month.",
        themes=[public_theme],
    )

    hidden_country = Country.objects.create(code="KW", name="Kuwait")
    hidden_sector = Sector.objects.create(slug="fishing", name="Fishing")
    hidden_source = Source.objects.create(key="src-hidden", title="A restricted report")
    hidden_theme = make_theme("hidden-theme")

    def tag(testimony):
        testimony.countries.set([hidden_country])
        testimony.sectors.set([hidden_sector])
        testimony.sources.set([hidden_source])
        testimony.period_from, testimony.period_to = 1975, 1978
        testimony.save()
        return testimony

    def hidden_excerpt(key, testimony=None, **fields):
        testimony = testimony or tag(make_testimony())
        return make_excerpt(
            testimony,
            key=key,
            text=f"The {WORD} ledger, as told in {key}.",
            themes=[hidden_theme],
            **fields,
        )

    # Restricted excerpts of the public testimony: their theme must count for nothing.
    hidden_excerpt("researchers-only", public_testimony, access=Level.RESEARCHERS)
    hidden_excerpt("archive-only", public_testimony, access=Level.ARCHIVE)
    hidden_excerpt("draft", public_testimony, approved=False)
    hidden_excerpt("embargoed", public_testimony, embargo_until=FUTURE)
    # Restricted testimonies, with facet values nothing public has.
    withdrawn_witness = make_witness(consent=Level.WITHDRAWN)
    hidden_excerpt(
        "withdrawn-witness",
        tag(make_testimony(witness=withdrawn_witness, title=f"The {WORD} withdrawn account")),
    )
    hidden_excerpt(
        "researchers-testimony",
        tag(make_testimony(access=Level.RESEARCHERS, title=f"The {WORD} researchers account")),
    )
    hidden_excerpt(
        "embargoed-witness",
        tag(
            make_testimony(
                witness=make_witness(embargo_until=FUTURE),
                title=f"The {WORD} embargoed account",
            )
        ),
    )
    # A legal name from the identity vault, on a public witness.
    WitnessIdentity.objects.create(
        witness=public_testimony.witness, legal_name="Quillonaxe Brannowitz"
    )
    return {"excerpt": public_excerpt, "testimony": public_testimony}


RESTRICTED_KEYS = {
    "researchers-only",
    "archive-only",
    "draft",
    "embargoed",
    "withdrawn-witness",
    "researchers-testimony",
    "embargoed-witness",
}


@pytest.mark.parametrize("role", ["anonymous", "signed_in", "researcher", "researcher_expired"])
@pytest.mark.parametrize("query", [WORD, ""])
def test_only_public_records_appear_in_results_totals_and_facets(collection, role, query):
    user = make_user(role)
    outcome = search_public(user, query, {}, 1)
    keys = result_keys(outcome)
    assert ("excerpt", "public") in keys
    assert ("testimony", collection["testimony"].key) in keys
    assert not {key for _, key in keys} & RESTRICTED_KEYS
    restricted_testimonies = set(
        Testimony.objects.exclude(pk=collection["testimony"].pk).values_list("key", flat=True)
    )
    assert not {key for kind, key in keys if kind == "testimony"} & restricted_testimonies
    assert outcome.total == 2
    facets = facet_values(outcome)
    assert facets["theme"] == {"public-theme": 2}  # the excerpt and its testimony
    assert facets["country"] == {"RU": 2}
    assert facets["sector"] == {"logging": 2}
    assert facets["source"] == {collection["testimony"].sources.get().public_id: 2}
    assert facets["period"] == {"2010s": 2}


@pytest.mark.parametrize("facet", ["theme", "country", "sector", "period", "source"])
def test_filtering_on_a_restricted_records_facet_value_finds_nothing(collection, client, facet):
    value = {
        "theme": "hidden-theme",
        "country": "KW",
        "sector": "fishing",
        "period": "1970s",
        "source": Source.objects.get(key="src-hidden").public_id,
    }[facet]
    outcome = search_public(AnonymousUser(), WORD, {facet: value}, 1)
    assert outcome.total == 0 and outcome.results == []
    assert all(not values for values in facet_values(outcome).values())
    response = client.get("/search/", {"q": WORD, facet: value})
    assert response.status_code == 200
    assert "ledger" not in main_of(response)


def test_anonymous_and_signed_in_visitors_get_identical_pages(collection, client):
    for params in ({"q": WORD}, {}, {"q": WORD, "country": "RU"}, {"theme": "public-theme"}):
        anonymous = client.get("/search/", params)
        sign_in(client, make_user("signed_in"))
        signed_in = client.get("/search/", params)
        client.logout()
        assert anonymous.status_code == signed_in.status_code == 200
        assert main_of(anonymous) == main_of(signed_in)
        assert "ledger" not in main_of(anonymous)
        assert "private" in signed_in["Cache-Control"]


def test_a_researchers_grant_adds_nothing_restricted_to_public_search(collection, client):
    researcher = make_user("researcher")
    anonymous_page = main_of(client.get("/search/", {"q": WORD}))
    sign_in(client, researcher)
    page = main_of(client.get("/search/", {"q": WORD}))
    assert page == anonymous_page
    assert "researchers-only" not in page and "researchers account" not in page
    assert search_public(researcher, "ledger", {}, 1).total == 0


def test_a_legal_name_is_never_found(collection, client):
    for query in ("Quillonaxe", "Brannowitz", "Quillonaxe Brannowitz"):
        assert search_public(AnonymousUser(), query, {}, 1).total == 0
        assert "Quillonaxe" not in main_of(client.get("/search/")).replace(query, "")


def test_the_page_shows_public_results_with_links_to_their_pages(collection, client):
    excerpt, testimony = collection["excerpt"], collection["testimony"]
    response = client.get("/search/", {"q": WORD})
    html = main_of(response)
    assert f'href="/excerpts/{excerpt.public_id}/"' in html
    assert f'href="/testimonies/{testimony.public_id}/"' in html
    assert "2 results" in html
    for key in RESTRICTED_KEYS:
        assert key not in html


# --- Facets ------------------------------------------------------------------------------------


def test_a_facet_filter_narrows_results_and_counts(seeded, client):
    everything = search_public(AnonymousUser(), "workers", {}, 1)
    china = search_public(AnonymousUser(), "workers", {"country": "CN"}, 1)
    assert 0 < china.total < everything.total
    assert facet_values(china)["country"]["CN"] == china.total
    assert facet_values(everything)["country"]["CN"] == china.total
    for result in china.results:
        testimony = result.obj if result.kind == "testimony" else result.obj.testimony
        assert testimony.countries.filter(code="CN").exists()
    response = client.get("/search/", {"q": "workers", "country": "CN"})
    assert response.status_code == 200
    assert 'aria-current="true"' in response.content.decode()


def test_facet_counts_match_the_results_a_click_gives(seeded):
    outcome = search_public(AnonymousUser(), "", {}, 1)
    for name in ("theme", "country", "sector", "period", "source"):
        for value in outcome.facets[name][:4]:
            narrowed = search_public(AnonymousUser(), "", {name: value.value}, 1)
            assert narrowed.total == value.count, (name, value.value)


def _all_results(query, filters=None):
    """Every result of a search, page after page: {(kind, pk)}."""
    first = search_public(AnonymousUser(), query, filters or {}, 1)
    found = set()
    for number in range(1, first.num_pages + 1):
        outcome = search_public(AnonymousUser(), query, filters or {}, number)
        found |= {(r.kind, r.obj.pk) for r in outcome.results}
    assert len(found) == first.total
    return first, found


@pytest.mark.parametrize("query", ["", "workers", "wages"])
def test_facet_counts_equal_counts_made_another_way(seeded, query):
    """Each facet count equals what the ORM counts over the very results the search lists
    (excerpts plus testimonies with the value), and the period counts follow the same SQL
    condition the period filter applies."""
    from archive.search import _period_condition
    from testimonies.access import excerpts_visible_to

    outcome, found = _all_results(query)
    assert outcome.total > 0
    excerpts = Excerpt.objects.filter(pk__in=[pk for kind, pk in found if kind == "excerpt"])
    testimonies = Testimony.objects.filter(pk__in=[pk for kind, pk in found if kind == "testimony"])
    visible = excerpts_visible_to(AnonymousUser())
    expected = {"theme": {}, "country": {}, "sector": {}, "source": {}, "period": {}}
    for theme in {t for e in excerpts for t in e.themes.all()}:
        expected["theme"][theme.slug] = (
            excerpts.filter(themes=theme).count()
            + testimonies.filter(pk__in=visible.filter(themes=theme).values("testimony")).count()
        )
    for testimony in testimonies:
        for theme in {t for e in visible.filter(testimony=testimony) for t in e.themes.all()}:
            expected["theme"].setdefault(
                theme.slug,
                testimonies.filter(pk__in=visible.filter(themes=theme).values("testimony")).count(),
            )
    for name, field, value in (
        ("country", "countries", "code"),
        ("sector", "sectors", "slug"),
        ("source", "sources", "public_id"),
    ):
        model = Testimony._meta.get_field(field).related_model
        for item in model.objects.all():
            n = (
                excerpts.filter(**{f"testimony__{field}": item}).count()
                + testimonies.filter(**{field: item}).count()
            )
            if n:
                expected[name][getattr(item, value)] = n
    for decade in range(1940, 2100, 10):
        n = (
            excerpts.filter(_period_condition("testimony__", f"{decade}s")).count()
            + testimonies.filter(_period_condition("", f"{decade}s")).count()
        )
        if n:
            expected["period"][f"{decade}s"] = n
    assert facet_values(outcome) == expected


def test_browsing_counts_are_kept_until_the_collection_changes(seeded):
    """Without words, the whole collection is counted once; the next visitor's page costs a
    few queries; a newly approved excerpt is counted at once."""
    first = search_public(AnonymousUser(), "", {}, 1)
    with CaptureQueriesContext(connection) as cold:
        search_public(AnonymousUser(), "", {"country": "RU"}, 1)
    with CaptureQueriesContext(connection) as warm:
        again = search_public(AnonymousUser(), "", {"country": "RU"}, 1)
    assert len(warm) < len(cold) - 5
    testimony = Testimony.objects.filter(countries__code="RU", level=Level.PUBLIC).first()
    make_excerpt(testimony, text="A newly approved excerpt.")
    after = search_public(AnonymousUser(), "", {"country": "RU"}, 1)
    assert after.total == again.total + 1
    assert facet_values(after)["country"]["RU"] == facet_values(again)["country"]["RU"] + 1
    assert search_public(AnonymousUser(), "", {}, 1).total == first.total + 1


def test_browsing_lists_every_record_once_across_pages(seeded):
    """The newest-first listing merges excerpts and testimonies page by page: no record is
    lost or repeated between pages, and the order is newest first throughout."""
    outcome, found = _all_results("")
    stamps = []
    for number in range(1, outcome.num_pages + 1):
        for r in search_public(AnonymousUser(), "", {}, number).results:
            at = (
                r.obj.created_at
                if r.kind == "testimony"
                else (r.obj.first_published_at or r.obj.created_at)
            )
            stamps.append(at)
    assert stamps == sorted(stamps, reverse=True)
    assert len(stamps) == len(found) == outcome.total


def test_an_unknown_filter_value_gets_a_friendly_message(seeded, client):
    for params in ({"theme": "no-such-theme"}, {"country": "ZZ"}, {"period": "1234s"}):
        response = client.get("/search/", params)
        assert response.status_code == 400
        assert "We could not run that search" in response.content.decode()


# --- Highlighting and redaction ----------------------------------------------------------------


def test_matches_are_marked_after_escaping(db, client):
    make_excerpt(text=f"<script>alert('x')</script> The {WORD} & the <b>quota</b>.")
    html = main_of(client.get("/search/", {"q": WORD}))
    assert f"<mark>{WORD}</mark>" in html
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    assert "&lt;b&gt;quota&lt;/b&gt;" in html


def test_highlight_marks_word_starts_but_never_the_redaction_marker():
    html = str(
        highlight("Workers were [redacted] in the workshop; coworkers too.", ["work", "redacted"])
    )
    assert html == (
        "<mark>Workers</mark> were [redacted] in the <mark>workshop</mark>; coworkers too."
    )
    assert str(highlight("a < b", ["b"])) == "a &lt; <mark>b</mark>"
    long = "word " * 200 + "needle " + "word " * 200
    snippet = str(highlight(long, ["needle"]))
    assert "<mark>needle</mark>" in snippet and len(snippet) < 400


@pytest.mark.parametrize("role", ["anonymous", "signed_in", "researcher", "archivist"])
def test_no_search_matches_a_word_inside_a_redaction(db, client, role):
    text = "The crew slept near Vostokgrad station in winter."
    start = text.index("Vostokgrad")
    excerpt = make_excerpt(
        text=text,
        redactions=[{"start": start, "end": start + len("Vostokgrad"), "reason": "place"}],
    )
    user = make_user(role)
    assert search_public(user, "Vostokgrad", {}, 1).total == 0
    assert search_public(user, "Vostok", {}, 1).total == 0
    found = search_public(user, "crew winter", {}, 1)
    assert [r.obj.pk for r in found.results] == [excerpt.pk]
    if role != "anonymous":
        sign_in(client, user)
    html = main_of(client.get("/search/", {"q": "crew"}))
    assert "[redacted]" in html and "Vostokgrad" not in html


def test_the_seed_redaction_is_neither_found_nor_shown(seeded, client):
    key = "demo-e-garment-official-death-redacted"
    excerpt = Excerpt.objects.get(key=key)
    hidden = excerpt.text[excerpt.redactions[0]["start"] : excerpt.redactions[0]["end"]]
    assert key not in {k for _, k in result_keys(search_public(AnonymousUser(), hidden, {}, 1))}
    found = search_public(AnonymousUser(), "garment factory death", {}, 1)
    assert ("excerpt", key) in result_keys(found)
    html = main_of(client.get("/search/", {"q": "garment factory death"}))
    assert "[redacted] garment factory" in html.replace("<mark>", "").replace("</mark>", "")
    assert f"{hidden} garment" not in html.replace("<mark>", "").replace("</mark>", "")


# --- Korean ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, key",
    [
        ("프로그램을", "demo-e-kim-ji-min-program-off-ko"),
        ("프로그램", "demo-e-kim-ji-min-program-off-ko"),  # a word without its particle
        ("나쁜 사람이", "demo-e-kim-ji-min-program-off-ko"),
        ("감시되어", "demo-e-kim-ji-min-monitored-ko"),
        ("끊임없이 감시되어", "demo-e-kim-ji-min-monitored-ko"),
    ],
)
def test_korean_queries_find_korean_excerpts(seeded, client, query, key):
    outcome = search_public(AnonymousUser(), query, {}, 1)
    assert ("excerpt", key) in result_keys(outcome)
    assert ("excerpt", "demo-e-kim-ji-min-program-off") not in result_keys(outcome)
    html = main_of(client.get("/search/", {"q": query}))
    assert "<mark>" + query.split()[0] in html


# --- Hostile and malformed input -----------------------------------------------------------------


@pytest.mark.parametrize(
    "params, message",
    [
        ({"q": "x" * (MAX_QUERY_LENGTH + 1)}, "at most 200 characters"),
        ({"q": "workers\x00"}, "characters"),
        ({"q": "\x01\x02 binary"}, "control characters"),
        ({"q": "!!! *** ((("}, "no words to search for"),
        ({"q": " ".join(["word"] * 13)}, "more than 12 words"),
        ({"page": "abc"}, "whole number"),
        ({"page": "-3"}, "page number"),
        ({"country": "'; DROP TABLE x; --"}, "country filter"),
        ({"theme": "<script>"}, "theme filter"),
        ({"period": "199"}, "period filter"),
    ],
)
def test_bad_input_gets_a_friendly_message(db, client, params, message):
    started = time.monotonic()
    response = client.get("/search/", params)
    assert response.status_code == 400
    html = response.content.decode()
    assert "We could not run that search" in html
    assert message in html
    assert "<script>" not in main_of(response)
    assert time.monotonic() - started < 5


def test_operator_characters_are_only_words(seeded, client):
    for query in ['"surveillance', "surveillance AND", "surveil* OR (x", "NOT surveillance", "a:b"]:
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200, query


HOSTILE = st.one_of(
    st.text(max_size=250),
    st.binary(max_size=100).map(lambda b: b.decode("latin-1")),
    st.sampled_from(
        ['"', "'", "\\", "%", "%s", "*", "(", ")", "NEAR(", "^", "-", ":", "\x00"]
    ).flatmap(
        lambda s: st.lists(st.sampled_from([s, "work", " ", "와"]), max_size=12).map("".join)
    ),
)


@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=HOSTILE,
    facet=st.sampled_from(["theme", "country", "sector", "period", "source", "page"]),
    value=HOSTILE,
)
def test_no_query_or_filter_value_causes_a_server_error(collection, client, query, facet, value):
    response = client.get("/search/", {"q": query, facet: value})
    assert response.status_code in (200, 400)
    assert "ledger" not in response.content.decode()


# --- Listing, pagination, failure ----------------------------------------------------------------


def test_an_empty_query_lists_recent_public_material(db, client):
    older = make_excerpt(text="The older excerpt.")
    newer = make_excerpt(text="The newer excerpt.")
    Excerpt.objects.filter(pk=older.pk).update(first_published_at="2020-01-01T00:00:00Z")
    Excerpt.objects.filter(pk=newer.pk).update(first_published_at="2024-01-01T00:00:00Z")
    Testimony.objects.update(created_at="2019-01-01T00:00:00Z")
    outcome = search_public(AnonymousUser(), "", {}, 1)
    assert [r.obj.pk for r in outcome.results[:2]] == [newer.pk, older.pk]
    assert outcome.total == 4  # two excerpts, two testimonies
    assert "most recent first" in main_of(client.get("/search/"))


def test_results_paginate(db, client):
    testimony = make_testimony(title="Paged testimony")
    made = [make_excerpt(testimony, text=f"The {WORD} number {n}.") for n in range(45)]
    pages = [search_public(AnonymousUser(), WORD, {}, n) for n in (1, 2, 3)]
    assert [len(p.results) for p in pages] == [PAGE_SIZE, PAGE_SIZE, 5]
    assert all(p.total == 45 and p.num_pages == 3 for p in pages)
    seen = [r.obj.pk for p in pages for r in p.results]
    assert sorted(seen) == sorted(e.pk for e in made)
    # A page past the end shows the last page.
    assert search_public(AnonymousUser(), WORD, {}, 99).page_number == 3
    html = main_of(client.get("/search/", {"q": WORD, "page": 2}))
    assert "page 2 of 3" in html
    assert f'href="?q={WORD}&amp;page=1"' in html and f'href="?q={WORD}&amp;page=3"' in html


@override_settings(
    WAGTAILSEARCH_BACKENDS={"default": {"BACKEND": "tests.archive.failing_search_backend"}}
)
def test_a_failing_backend_fails_closed(collection, client, caplog):
    with pytest.raises(SearchUnavailable):
        search_public(AnonymousUser(), WORD, {}, 1)
    with pytest.raises(SearchUnavailable):
        search_public(AnonymousUser(), WORD, {"country": "RU"}, 1)
    caplog.clear()
    response = client.get("/search/", {"q": WORD})
    assert "BackendDown" in caplog.text and WORD not in caplog.text
    assert response.status_code == 503
    html = main_of(response)
    assert "Search is unavailable right now" in html
    assert WORD not in html.replace(f'value="{WORD}"', "")
    assert "ledger" not in html and "quota every month" not in html


def _queries(client, params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/search/", params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "params", [{"q": WORD}, {}, {"q": WORD, "country": "RU"}, {"theme": "public-theme"}]
)
def test_query_count_does_not_grow_with_the_number_of_excerpts(collection, client, params):
    testimony = collection["testimony"]
    theme = collection["excerpt"].themes.get()
    for n in range(3):
        make_excerpt(testimony, text=f"More {WORD} text {n}.", themes=[theme])
    few = _queries(client, params)
    for n in range(30):
        other = make_testimony(title=f"Another testimony {n}")
        other.countries.set(testimony.countries.all())
        make_excerpt(other, text=f"Even more {WORD} text {n}.", themes=[theme])
    many = _queries(client, params)
    assert few == many
    assert many < 30


def test_search_url_is_served_before_wagtails_pages(db):
    from django.urls import resolve, reverse

    assert reverse("search") == "/search/"
    assert resolve("/search/").url_name == "search"
    assert re.search(r"search", resolve("/search/").func.__module__)


def test_period_counts_follow_the_period_filter_at_decade_edges(db):
    """A testimony counts in every decade from the one it began to the one it ended (both
    included, an end in a decade's first year too), only in its first decade with no end,
    and nowhere without a start: as the period filter selects them in the database."""
    from archive.search import _period_condition, _period_counts

    spans = [(2005, 2010), (2013, None), (None, 2015), (1999, 2000), (2020, 2020)]
    testimonies = [make_testimony(period_from=a, period_to=b) for a, b in spans]
    weight = {t.pk: 1 for t in testimonies}
    rows = [(t.pk, t.period_from, t.period_to) for t in testimonies]
    counted = {v.value: v.count for v in _period_counts(rows, weight, None)}
    assert counted == {"1990s": 1, "2000s": 2, "2010s": 2, "2020s": 1}
    ids = [t.pk for t in testimonies]
    for decade, n in counted.items():
        filtered = Testimony.objects.filter(pk__in=ids).filter(_period_condition("", decade))
        assert filtered.count() == n, decade

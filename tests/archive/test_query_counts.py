"""The number of queries a page makes does not grow with the number of excerpts."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from archive.seeding import about_page_ensure
from testimonies.models import Country, Sector, Source
from testimonies.seeding import site_ensure
from tests.factories import (
    make_excerpt,
    make_testimony,
    make_theme,
    make_user,
    make_witness,
    sign_in,
)

MAX_QUERIES = 30


def count_queries(client, url, cold=False):
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.fixture
def grow(db):
    """A collection that can grow: grow(n) adds excerpts (with themes, countries, sectors and
    sources on their testimonies) until there are n of each shape."""
    site_ensure()
    about_page_ensure()
    parent = make_theme("qc-parent")
    child = make_theme("qc-child", parent=parent)
    other = make_theme("qc-other")
    source = Source.objects.create(key="qc-src", title="Query count source")
    country = Country.objects.create(code="RU", name="Russia")
    sector = Sector.objects.create(slug="qc-logging", name="Logging")
    witness = make_witness()
    testimony = make_testimony(witness, summary="A summary.")
    testimony.sources.add(source)
    testimony.countries.add(country)
    testimony.sectors.add(sector)
    first = make_excerpt(testimony, themes=[child, other], start_ms=1000)
    made = {"n": 1}

    def to(n):
        while made["n"] < n:
            made["n"] += 1
            w = make_witness()
            t = make_testimony(w)
            t.sources.add(source)
            t.countries.add(country)
            make_excerpt(testimony, themes=[child, other], start_ms=made["n"] * 1000)
            make_excerpt(t, themes=[parent], content_warning="Mentions violence")

    return first, testimony, witness, parent, to


@pytest.mark.parametrize("role", ["anonymous", "signed_in"])
def test_page_query_counts_do_not_grow_with_the_number_of_excerpts(grow, role):
    first, testimony, witness, parent, to = grow
    client = Client()
    if role == "signed_in":
        sign_in(client, make_user("signed_in"))
    urls = [
        "/",
        f"/themes/{parent.slug}/",
        "/themes/",
        first.get_absolute_url(),
        f"{first.get_absolute_url()}cite.bib",
        testimony.get_absolute_url(),
        witness.get_absolute_url(),
        "/sources/",
    ]
    to(3)
    for url in urls:  # warm per-process caches (content types, the site root)
        client.get(url)
    small = {url: count_queries(client, url) for url in urls}
    cold_small = {url: count_queries(client, url, cold=True) for url in urls}
    to(30)
    cold_large = {url: count_queries(client, url, cold=True) for url in urls}
    for url in urls:
        client.get(url)
    large = {url: count_queries(client, url) for url in urls}
    # Warm (the collection's figures cached) and cold (computed again after a change).
    assert large == small
    assert cold_large == cold_small
    assert max(cold_large.values()) <= MAX_QUERIES, cold_large

"""Research search at scale: researchers' matches come from the research search index, which
holds only what researchers may read, best first and bounded; the page says when more matched."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from search_scale import public_index
from testimonies.levels import Level
from testimonies.models import Excerpt, Testimony
from testimonies.services import consent_withdraw
from tests.factories import make_excerpt, make_testimony, make_witness


def search(client, **params):
    return client.get(reverse("research:search"), params)


def test_the_research_index_holds_what_researchers_may_read(db):
    witness = make_witness(consent=Level.RESEARCHERS)
    testimony = make_testimony(witness, transcript="Walrus hunting on the coast.")
    shared = make_excerpt(testimony, text="Walrus tusks were sold.", access=Level.RESEARCHERS)
    archive = make_excerpt(testimony, text="Walrus meat.", access=Level.ARCHIVE)
    draft = make_excerpt(testimony, text="Walrus draft.", approved=False)
    in_index = public_index.indexed_ids("research_excerpt")
    assert shared.pk in in_index and archive.pk not in in_index and draft.pk not in in_index
    assert public_index.indexed_ids("research_transcript") == {testimony.pk}
    # None of it is public.
    assert shared.pk not in public_index.indexed_ids("excerpt")
    consent_withdraw(witness=witness, reason="asked to withdraw")
    assert public_index.indexed_ids("research_excerpt") == set()
    assert public_index.indexed_ids("research_transcript") == set()
    assert Excerpt.objects.filter(pk=shared.pk).exists() and Testimony.objects.exists()


def test_a_researchers_search_goes_through_the_index(rows, as_role):
    client, _ = as_role("researcher")
    with CaptureQueriesContext(connection) as captured:
        page = search(client, q="zebratranscript").content.decode()
    assert "<mark>zebratranscript</mark>" in page
    sqls = " ".join(q["sql"] for q in captured.captured_queries)
    assert "search_scale_research_excerpt" in sqls
    assert "search_scale_research_transcript" in sqls
    # A word matches the words it begins, as the index's prefix match does.
    assert "<mark>zebratrans</mark>cript" in search(client, q="zebratrans").content.decode()


def test_when_more_match_than_are_listed_the_page_says_so(db, as_role, monkeypatch):
    from research import views

    testimony = make_testimony(make_witness())
    for n in range(5):
        make_excerpt(testimony, text=f"Narwhal count {n}.")
    client, _ = as_role("researcher")
    page = search(client, q="narwhal").content.decode()
    assert "5 excerpts" in page and "more records contain these words" not in page
    monkeypatch.setattr(views, "EXCERPT_LIMIT", 3)
    monkeypatch.setattr("research.search.EXCERPT_LIMIT", 3)
    page = search(client, q="narwhal").content.decode()
    assert "3 excerpts" in page and "more records contain these words" in page


@pytest.mark.parametrize("role", ["archivist"])
def test_staff_search_the_unredacted_text_without_the_index(rows, as_role, role):
    client, _ = as_role(role)
    with CaptureQueriesContext(connection) as captured:
        assert search(client, q="zebra").status_code == 200
    assert "search_scale_research_excerpt" not in " ".join(
        q["sql"] for q in captured.captured_queries
    )

"""Research search: what each role finds, passages with timecodes, facets and bad input."""

import pytest
from django.urls import reverse

from testimonies.levels import Level
from testimonies.models import Country, Sector, Source
from tests.factories import make_excerpt, make_testimony, make_witness
from tests.research.conftest import HIDDEN_FROM_RESEARCHER, VISIBLE_TO_RESEARCHER


def search(client, **params):
    return client.get(reverse("research:search"), params)


@pytest.mark.parametrize("role", ["researcher", "superuser"])
def test_researcher_finds_what_they_may_see_and_nothing_else(rows, as_role, role):
    if role == "superuser":  # staff see more: see the archivist test below
        return
    client, _ = as_role(role)
    response = search(client, q="zebra")
    assert response.status_code == 200
    page = response.content.decode()
    # The word is highlighted, so look for the rest of each marker.
    for marker in VISIBLE_TO_RESEARCHER:
        assert marker.replace("zebra", "<mark>zebra</mark>") in page, marker
    for marker in HIDDEN_FROM_RESEARCHER:
        assert marker.replace("zebra", "<mark>zebra</mark>") not in page, marker
        assert marker not in page, marker
    # The redacted excerpt's only "zebra" word is inside the redaction: it is not found.
    assert "border" not in page
    for title in ("Archive testimony", "Withdrawn testimony", "Embargoed testimony"):
        assert title not in page


def test_a_word_inside_a_redaction_finds_nothing(rows, as_role):
    client, _ = as_role("researcher")
    page = search(client, q="zebrasecret").content.decode()
    assert "0 excerpts and 0 transcripts" in page
    assert "border" not in page
    # The redacted excerpt is found by its other words, shown redacted.
    page = search(client, q="border").content.decode()
    assert "[redacted] camp near the <mark>border</mark>" in page
    assert "zebrasecret" not in page


def test_archivist_sees_everything_with_redacted_words_and_levels(rows, as_role):
    client, _ = as_role("archivist")
    page = search(client, q="zebra").content.decode()
    for marker in ("zebraarchive", "zebradraft", "zebrawithdrawn", "zebrasecret"):
        assert marker.replace("zebra", "<mark>zebra</mark>") in page, marker
    assert "Level: draft" in page
    assert "Level: withdrawn" in page
    assert "embargoed until" in page
    assert "Zebralegal" not in page  # identities are not searched, even by staff


def test_transcript_hits_show_the_passage_and_the_timecode_before_it(rows, as_role):
    client, _ = as_role("researcher")
    page = search(client, q="zebratranscript").content.decode()
    assert "[00:12:34]" in page  # the WebVTT cue before the match, not the first or last one
    assert "<mark>zebratranscript</mark> forest camp" in page
    assert "Researcher testimony" in page
    page = search(client, q="zebrabracket").content.decode()
    assert "[00:05:10]" in page
    assert "<mark>zebrabracket</mark> site" in page


def test_transcripts_of_hidden_testimonies_are_never_searched(rows, as_role):
    client, _ = as_role("researcher")
    for word in ("zebraarchivetranscript", "zebrawithdrawntranscript", "zebraconsentembargo"):
        page = search(client, q=word).content.decode()
        assert "0 excerpts and 0 transcripts" in page, word


def test_every_word_must_match_and_phrases_stay_together(rows, as_role):
    client, _ = as_role("researcher")
    page = search(client, q="zebrapublic wages").content.decode()
    assert "1 excerpt and 0 transcripts" in page
    page = search(client, q='"wages were taken"').content.decode()
    assert "1 excerpt and 0 transcripts" in page
    page = search(client, q='"taken were wages"').content.decode()
    assert "0 excerpts and 0 transcripts" in page


def test_facets_and_filters_over_the_visible_set(db, as_role):
    ru = Country.objects.create(code="RU", name="Russia")
    cn = Country.objects.create(code="CN", name="China")
    logging = Sector.objects.create(slug="logging", name="Logging")
    source = Source.objects.create(key="s-1", title="A report on camps")
    seen = make_testimony(make_witness(pseudonym="Seen Witness"), period_from=2016, period_to=2017)
    seen.countries.set([ru])
    seen.sectors.set([logging])
    seen.sources.set([source])
    other = make_testimony(make_witness(pseudonym="Other Witness"))
    other.countries.set([cn])
    hidden = make_testimony(make_witness(pseudonym="Hidden Witness", consent=Level.ARCHIVE))
    hidden.countries.set([ru])
    make_excerpt(seen, text="quota in the forest")
    make_excerpt(other, text="quota in the factory")
    make_excerpt(hidden, text="quota hidden one")
    client, _ = as_role("researcher")

    page = search(client, q="quota").content.decode()
    assert "2 excerpts and 0 transcripts" in page
    assert "Russia</a> (1)" in page  # the hidden testimony's excerpt is not counted
    assert "China</a> (1)" in page
    assert "Logging</a> (1)" in page
    assert "2010s</a> (1)" in page
    assert "Hidden Witness" not in page

    page = search(client, q="quota", country="RU").content.decode()
    assert "1 excerpt and 0 transcripts" in page and "forest" in page and "factory" not in page
    page = search(client, q="quota", sector="logging").content.decode()
    assert "1 excerpt and" in page and "forest" in page
    page = search(client, q="quota", source=source.public_id).content.decode()
    assert "1 excerpt and" in page and "forest" in page
    page = search(client, q="quota", witness=other.witness.public_id).content.decode()
    assert "1 excerpt and" in page and "factory" in page
    page = search(client, q="quota", period_from=2010, period_to=2019).content.decode()
    assert "1 excerpt and" in page and "forest" in page
    page = search(client, q="quota", period_from=2018).content.decode()
    assert "0 excerpts and" in page
    # Filters alone search too (no words): every visible excerpt of that country.
    page = search(client, country="CN").content.decode()
    assert "1 excerpt and 0 transcripts" in page


def test_theme_filter_counts_only_visible_excerpts_and_narrower_themes(rows, as_role):
    from tests.factories import make_theme

    narrower = make_theme(slug="wage-theft", parent=rows.theme)
    make_excerpt(rows.public_t, text="zebranarrow kept wages", themes=[narrower])
    make_excerpt(rows.public_t, access=Level.ARCHIVE, text="zebrahidden", themes=[narrower])
    client, _ = as_role("researcher")
    page = search(client, q="zebra", theme="wages").content.decode()
    assert "<mark>zebra</mark>narrow" in page and "<mark>zebra</mark>public" in page
    assert "zebrahidden" not in page
    assert "<mark>zebra</mark>research" not in page  # no theme: filtered out
    # Transcript hits stay when the testimony has a visible excerpt on the theme.
    assert "<mark>zebra</mark>bracket" in page
    assert "<mark>zebra</mark>transcript" not in page


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 201},
        {"q": " ".join(f"w{i}" for i in range(11))},
        {"q": "zebra", "country": "ZZ"},
        {"q": "zebra", "period_from": "not a year"},
    ],
)
def test_bad_input_is_a_clear_error_not_a_500(rows, as_role, params):
    client, _ = as_role("researcher")
    response = search(client, **params)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "<mark>" not in page


def test_a_hidden_witness_cannot_be_used_as_a_filter(rows, as_role):
    client, _ = as_role("researcher")
    witness = rows.withdrawn_t.witness
    response = search(client, q="zebra", witness=witness.public_id)
    assert response.status_code == 400
    assert "Withdrawn Witness" not in response.content.decode()
    assert witness.pseudonym not in response.content.decode()


def test_revoked_access_ends_on_the_next_request(rows, as_role):
    from research.services import grant_revoke
    from testimonies.models import ResearchGrant

    client, user = as_role("researcher")
    assert search(client, q="zebra").status_code == 200
    grant_revoke(grant=ResearchGrant.objects.get(user=user))
    response = search(client, q="zebra")
    assert response.status_code == 404
    assert b"zebra" not in response.content


def test_expiry_ends_access_on_the_next_request(rows, as_role):
    from tests.research.conftest import expire

    client, user = as_role("researcher")
    assert search(client, q="zebra").status_code == 200
    expire(user)
    assert search(client, q="zebra").status_code == 404

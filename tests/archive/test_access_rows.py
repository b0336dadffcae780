"""Access rows for every public channel of the archive: a public record appears; researcher-only,
archive-only, draft, embargoed and withdrawn material, a word inside a redaction, a transcript
and a legal name never do; anonymous visitors and signed-in users without a role get the same
bytes."""

import json
import re

import pytest
from django.test import Client

from tests.factories import make_user, sign_in


def client_for(role):
    client = Client()
    if role != "anonymous":
        sign_in(client, make_user(role))
    return client


def channels(rows):
    """(name, url, what must appear) for every read path of the public pages."""
    e, t, w = rows.public, rows.testimony, rows.witness
    return [
        ("home", "/", ["qzpublicword", "Qzpublic Pseudonym", "[redacted]"]),
        ("about", "/about/", ["About and ethics"]),
        ("theme index", "/themes/", ["qz-root-theme", "qz-child-theme"]),
        ("theme", f"/themes/{rows.root.slug}/", ["qzpublicword", e.public_id]),
        ("sub-theme", f"/themes/{rows.child.slug}/", ["qzpublicword", e.public_id]),
        ("excerpt", e.get_absolute_url(), ["qzpublicword", "[redacted]", t.title, w.pseudonym]),
        ("citation csl", f"{e.get_absolute_url()}cite.json", [e.public_id, w.pseudonym]),
        ("citation bibtex", f"{e.get_absolute_url()}cite.bib", [e.public_id, w.pseudonym]),
        ("testimony", t.get_absolute_url(), ["qzpublicword", "Qzpublic summary", "00:12:34"]),
        ("witness", w.get_absolute_url(), [w.pseudonym, t.title, "logger"]),
        ("sources", "/sources/", ["Qzpublicsource", t.title]),
        ("sitemap", "/sitemap.xml", [e.public_id, t.public_id, w.public_id, "qz-child-theme"]),
        ("feed", "/feeds/excerpts/", ["qzpublicword", e.public_id, w.pseudonym]),
    ]


ROLES = ["anonymous", "signed_in", "researcher_expired"]


@pytest.mark.parametrize("role", ROLES)
def test_every_channel_shows_public_records_and_nothing_restricted(rows, role):
    client = client_for(role)
    for name, url, wanted in channels(rows):
        response = client.get(url)
        assert response.status_code == 200, (name, url)
        body = response.content.decode()
        for word in wanted:
            assert word in body, f"{name}: {word!r} missing for {role}"
        lowered = body.lower()
        for word in rows.forbidden:
            assert word.lower() not in lowered, f"{name}: {word!r} leaked to {role}"


def test_counts_count_only_public_records(rows):
    body = Client().get("/").content.decode()
    assert re.search(r"<strong>1</strong> public excerpt\b", body)
    assert re.search(r"<strong>1</strong> testimony\b", body)
    assert re.search(r"<strong>1</strong> witness\b", body)
    index = Client().get("/themes/").content.decode()
    assert index.count('<span class="count">(1)</span>') == 2  # root and child
    theme = Client().get(f"/themes/{rows.root.slug}/").content.decode()
    assert "1 public excerpt," in theme


@pytest.mark.parametrize("role", ROLES)
def test_restricted_records_answer_404(rows, role):
    client = client_for(role)
    for excerpt in rows.restricted.values():
        url = excerpt.get_absolute_url()
        for path in (url, f"{url}cite.json", f"{url}cite.bib"):
            assert client.get(path).status_code == 404, path
    for record in (*rows.hidden_testimonies, *rows.hidden_witnesses):
        assert client.get(record.get_absolute_url()).status_code == 404
    assert client.get("/excerpts/doesnotexist/").status_code == 404
    assert client.get("/themes/no-such-theme/").status_code == 404


def test_anonymous_and_signed_in_without_role_get_identical_content(rows):
    anonymous, signed_in = Client(), client_for("signed_in")
    for name, url, _ in channels(rows):
        assert anonymous.get(url).content == signed_in.get(url).content, name


def jsonld_blocks(body):
    return [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    ]


def test_structured_data_is_built_from_public_fields(rows):
    body = Client().get(rows.public.get_absolute_url()).content.decode()
    (data,) = jsonld_blocks(body)
    assert data["@type"] == "Quotation"
    assert data["text"] == rows.public.public_text
    assert data["spokenByCharacter"]["name"] == "Qzpublic Pseudonym"
    assert 'property="og:title"' in body and "noindex" not in body
    for url in ("/", rows.testimony.get_absolute_url(), rows.witness.get_absolute_url()):
        page = Client().get(url).content.decode()
        assert jsonld_blocks(page), url
        assert "<script>" not in page and " style=" not in page  # no inline script or style


def test_staff_read_the_redacted_word_but_structured_data_stays_public(rows):
    body = client_for("archivist").get(rows.public.get_absolute_url()).content.decode()
    main = body.split('<main id="main"')[1]
    assert "qzredactedword" in main  # staff read the full text (excerpt_text_for)
    (data,) = jsonld_blocks(body)
    assert "qzredactedword" not in json.dumps(data)
    assert data["text"] == rows.public.public_text


def test_a_researcher_sees_researcher_material_without_structured_data(rows):
    client = client_for("researcher")
    hidden = rows.restricted["researchers"]
    response = client.get(hidden.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "qzresearcherword" in body
    assert not jsonld_blocks(body)
    assert 'property="og:' not in body
    assert '<meta name="robots" content="noindex">' in body
    # The sitemap and the feed are public whoever asks.
    for url in ("/sitemap.xml", "/feeds/excerpts/"):
        assert hidden.public_id not in client.get(url).content.decode()
    # Archive-only material stays hidden from researchers.
    assert client.get(rows.restricted["archive"].get_absolute_url()).status_code == 404


def test_home_structured_data_counts_public_material_even_for_a_researcher(rows):
    body = client_for("researcher").get("/").content.decode()
    # The researcher's own view counts what she may read (researcher-only material too)...
    assert re.search(r"<strong>3</strong> excerpts", body)
    # ...but the structured data speaks for the public.
    (data,) = jsonld_blocks(body)
    assert "1 public excerpts from 1 testimonies" in data["description"]

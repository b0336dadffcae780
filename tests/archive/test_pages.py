"""The public pages' behaviour: citations, caching, pagination, the about page, bad input."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from archive.models import StaticContentPage
from archive.views import EXCERPTS_PER_PAGE
from tests.factories import make_excerpt, make_user, sign_in


def test_csl_json_download_cites_the_excerpt(rows):
    response = Client().get(f"{rows.public.get_absolute_url()}cite.json")
    assert response["Content-Type"].startswith("application/vnd.citationstyles.csl+json")
    assert "attachment" in response["Content-Disposition"]
    assert f"excerpt-{rows.public.public_id}.json" in response["Content-Disposition"]
    (item,) = json.loads(response.content)
    assert item["type"] == "interview"
    assert item["author"] == [{"literal": "Qzpublic Pseudonym"}]
    assert item["title"] == "Excerpt from “Qzpublic testimony title”"
    assert item["URL"] == f"http://testserver{rows.public.get_absolute_url()}"
    assert "Qzpublicsource report" in item["note"] and "00:12:34" in item["note"]
    assert set(item["accessed"]) == {"date-parts"}


def test_bibtex_download_cites_the_excerpt_and_escapes(rows):
    rows.testimony.title = "Wages & 100% of {quotas}"
    rows.testimony.save()
    response = Client().get(f"{rows.public.get_absolute_url()}cite.bib")
    assert response["Content-Type"].startswith("application/x-bibtex")
    text = response.content.decode()
    assert text.startswith(f"@misc{{testimony-archive-{rows.public.public_id},")
    assert "author = {{Qzpublic Pseudonym}}" in text
    assert r"Wages \& 100\% of \{quotas\}" in text
    assert f"url = {{http://testserver{rows.public.get_absolute_url()}}}" in text
    assert text.count("{") == text.count("}")


def test_excerpt_page_offers_the_reference_and_the_downloads(rows):
    body = Client().get(rows.public.get_absolute_url()).content.decode()
    assert (
        "Qzpublic Pseudonym (pseudonym). Excerpt from “Qzpublic testimony title”, at 00:12:34."
        in body
    )
    assert f'href="{rows.public.get_absolute_url()}cite.json"' in body
    assert f'href="{rows.public.get_absolute_url()}cite.bib"' in body


def test_content_warning_keeps_the_text_behind_a_closed_details(rows):
    excerpt = make_excerpt(
        rows.testimony, text="qzdistressingword", content_warning="Describes a death"
    )
    body = Client().get(excerpt.get_absolute_url()).content.decode()
    details = body.split('<details class="content-warning">')[1].split("</details>")[0]
    assert "Describes a death" in details and "qzdistressingword" in details
    assert '<details class="content-warning" open' not in body
    testimony = Client().get(rows.testimony.get_absolute_url()).content.decode()
    assert testimony.count('<details class="content-warning">') == 1


def test_anonymous_pages_are_publicly_cacheable(rows):
    for url in ("/", "/themes/", rows.public.get_absolute_url(), "/sitemap.xml", "/about/"):
        response = Client().get(url)
        cache = response["Cache-Control"]
        assert "public" in cache and "no-cache" in cache and "max-age" not in cache, url
        assert "Cookie" in response["Vary"], url
    missing = Client().get("/excerpts/doesnotexist/")
    assert "public" not in missing.get("Cache-Control", "")


@pytest.mark.parametrize("role", ["signed_in", "researcher", "archivist"])
def test_signed_in_responses_are_private_and_not_stored(rows, role):
    client = Client()
    sign_in(client, make_user(role))
    for url in ("/", "/themes/", rows.public.get_absolute_url(), "/sitemap.xml", "/about/"):
        cache = client.get(url)["Cache-Control"]
        assert "private" in cache and "no-store" in cache, url
        assert "public" not in cache, url
    cache = client.get("/excerpts/doesnotexist/")["Cache-Control"]
    assert "private" in cache and "no-store" in cache


def test_theme_pages_paginate_and_include_sub_themes(rows):
    for n in range(EXCERPTS_PER_PAGE + 5):
        make_excerpt(rows.testimony, text=f"qzpaged{n:02d}word", themes=[rows.child])
    first = Client().get(f"/themes/{rows.root.slug}/").content.decode()
    second = Client().get(f"/themes/{rows.root.slug}/?page=2").content.decode()
    total = EXCERPTS_PER_PAGE + 6
    assert f"{total} public excerpts, sub-themes included" in first
    assert "Page 1 of 2" in first and 'rel="next"' in first
    assert first.count('<li class="card">') == EXCERPTS_PER_PAGE
    assert second.count('<li class="card">') == 6
    assert "qzredactedword" not in first + second
    assert f"/themes/{rows.child.slug}/" in first  # the sub-theme is listed
    # Bad page numbers never fail.
    for bad in ("abc", "-1", "99999", "1" * 400):
        assert Client().get(f"/themes/{rows.root.slug}/?page={bad}").status_code == 200


def test_theme_pages_list_the_newest_excerpts_first(rows):
    from testimonies.models import Excerpt

    older = make_excerpt(rows.testimony, text="qzolderword", themes=[rows.child])
    newer = make_excerpt(rows.testimony, text="qznewerword", themes=[rows.child])
    Excerpt.objects.filter(pk=older.pk).update(first_published_at="2031-01-01T00:00:00Z")
    Excerpt.objects.filter(pk=newer.pk).update(first_published_at="2032-01-01T00:00:00Z")
    html = Client().get(f"/themes/{rows.child.slug}/").content.decode()
    assert "Newest first." in html
    assert html.index("qznewerword") < html.index("qzolderword")
    Excerpt.objects.filter(pk=older.pk).update(first_published_at="2033-01-01T00:00:00Z")
    html = Client().get(f"/themes/{rows.child.slug}/").content.decode()
    assert html.index("qzolderword") < html.index("qznewerword")


def test_about_page_is_seeded_once_and_explains_the_protections(db):
    call_command("seed_archive", stdout=io.StringIO())
    call_command("seed_archive", stdout=io.StringIO())
    assert StaticContentPage.objects.filter(slug="about").count() == 1
    body = Client().get("/about/").content.decode().lower()
    for word in ("consent", "pseudonym", "[redacted]", "embargo", "withdraw"):
        assert word in body


def test_sitemap_and_feed_are_well_formed(rows):
    from xml.etree import ElementTree

    sitemap = ElementTree.fromstring(Client().get("/sitemap.xml").content)  # noqa: S314 (our own output)
    locs = [el.text for el in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert f"http://testserver{rows.public.get_absolute_url()}" in locs
    assert "http://testserver/about/" in locs and "http://testserver/" in locs
    feed = ElementTree.fromstring(Client().get("/feeds/excerpts/").content)  # noqa: S314
    entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 1

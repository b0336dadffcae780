"""A visitor searches the archive in Chromium, narrows the results with a facet, and the
results page passes axe with zero violations."""

import re

import pytest


@pytest.fixture
def seeded_live(live_server, transactional_db):
    """The seed on the live server. An earlier transactional test may have flushed the database,
    and with it the locale and root page Wagtail's migrations made: put them back before seeding."""
    import io

    from django.core.management import call_command
    from wagtail.models import Locale, Page

    Locale.objects.get_or_create(language_code="en")
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", live=True))
    call_command("seed_archive", stdout=io.StringIO())
    return live_server


def test_search_with_a_facet(page, seeded_live, screenshot, axe_check):
    from testimonies.models import Excerpt

    page.goto(seeded_live.url + "/search/")
    page.get_by_label("Words to search for").fill("workers")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/search/\?q=workers"))
    summary = page.get_by_role("status").inner_text()
    everything = int(re.search(r"(\d+) results?", summary).group(1))
    assert everything > 0
    assert page.locator("mark").count() > 0

    facets = page.get_by_role("navigation", name="Filter results")
    facets.get_by_role("link", name=re.compile(r"^China \(\d+\)")).click()
    page.wait_for_url(re.compile(r"country=CN"))
    summary = page.get_by_role("status").inner_text()
    narrowed = int(re.search(r"(\d+) results?", summary).group(1))
    assert 0 < narrowed < everything
    assert page.get_by_label("Words to search for").input_value() == "workers"

    body = page.inner_text("body")
    # Nothing restricted: the withdrawn witness's excerpts, the embargoed and the draft ones.
    hidden = Excerpt.objects.filter(
        key__in=[
            "demo-e-logging-fear-of-detention",
            "demo-e-restaurant-better-life",
            "demo-e-fu-executive-order-draft",
            "demo-e-fu-large-city-archive",
        ]
    )
    for excerpt in hidden:
        assert excerpt.text[:40] not in body
    screenshot(page, "search")
    axe_check(page)

    # Keyboard: the facet that is selected can be removed from the keyboard.
    page.get_by_role("link", name="Any country of work").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=workers$"))

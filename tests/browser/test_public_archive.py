"""A visitor's journey through the public archive in a real Chromium, with axe checks and
screenshots of each page."""

import json

import pytest


def tab_to(page, selector, limit=80):
    """Press Tab until the element matching `selector` has the focus (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement === document.querySelector(s)", selector):
            return
    raise AssertionError(f"{selector} never received the keyboard focus")


def test_visitor_journey_home_theme_excerpt_citation(page, archive_live, screenshot, axe_check):
    from testimonies.models import Excerpt

    excerpt = Excerpt.objects.get(key="e-kim-ji-min-program-off")
    page.goto(archive_live.url + "/")
    assert "public excerpts" in page.inner_text("main")
    assert page.locator("svg.bar-chart[role=img]").count() == 1
    screenshot(page, "home")
    axe_check(page)

    page.get_by_role("link", name="Surveillance and control", exact=True).first.click()
    page.wait_for_url("**/themes/surveillance-and-control/")
    assert page.get_by_role("heading", level=1).inner_text() == "Surveillance and control"
    assert "Monitoring of devices" in page.inner_text("main")  # its sub-themes
    screenshot(page, "theme")
    axe_check(page)

    page.locator(f'a[href="{excerpt.get_absolute_url()}"]').first.click()
    page.wait_for_url(f"**{excerpt.get_absolute_url()}")
    assert "The moment you turn this program off" in page.inner_text("main")
    assert "Kim Ji-min" in page.inner_text("main")
    screenshot(page, "excerpt")
    axe_check(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="BibTeX").click()
    bibtex = open(download_info.value.path(), encoding="utf-8").read()
    assert download_info.value.suggested_filename == f"excerpt-{excerpt.public_id}.bib"
    assert bibtex.startswith(f"@misc{{testimony-archive-{excerpt.public_id},")
    assert "author = {{Kim Ji-min}}" in bibtex
    assert f"{excerpt.get_absolute_url()}}}" in bibtex

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSL-JSON").click()
    (item,) = json.loads(open(download_info.value.path(), encoding="utf-8").read())
    assert item["author"] == [{"literal": "Kim Ji-min"}]
    assert item["URL"].endswith(excerpt.get_absolute_url())

    page.get_by_role("link", name=excerpt.testimony.title).first.click()
    page.wait_for_url(f"**{excerpt.testimony.get_absolute_url()}")
    assert "The moment you turn this program off" in page.inner_text("main")
    assert "[Reconstructed interview notes" not in page.content()  # never the transcript
    screenshot(page, "testimony")
    axe_check(page)


def test_content_warning_opens_by_keyboard_alone(page, archive_live, screenshot, axe_check):
    from testimonies.models import Excerpt

    excerpt = Excerpt.objects.get(key="e-kim-ji-min-depression-suicides")
    page.goto(archive_live.url + excerpt.get_absolute_url())
    quote = page.locator("details.content-warning blockquote")
    assert "Mentions suicide" in page.locator("details.content-warning summary").inner_text()
    assert not quote.is_visible()
    tab_to(page, "details.content-warning summary")
    page.keyboard.press("Enter")
    quote.wait_for(state="visible")
    assert "Kim Ji-min, an IT expert" in quote.inner_text()
    screenshot(page, "excerpt-content-warning-open")
    axe_check(page)


def test_skip_link_is_the_first_stop_and_moves_to_the_content(page, archive_live):
    page.goto(archive_live.url + "/themes/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize(
    "name,path",
    [("about", "/about/"), ("themes", "/themes/"), ("sources", "/sources/")],
)
def test_pages_are_accessible(page, archive_live, screenshot, axe_check, name, path):
    page.goto(archive_live.url + path)
    assert page.locator("h1").count() == 1
    screenshot(page, name)
    axe_check(page)


def test_witness_page_and_phone_layout(browser, page, archive_live, screenshot, axe_check):
    from testimonies.models import Excerpt, Witness

    witness = Witness.objects.get(key="w-kim-ji-min")
    page.goto(archive_live.url + witness.get_absolute_url())
    assert "Demo Identity" not in page.content()
    screenshot(page, "witness")
    axe_check(page)

    phone = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        mobile = phone.new_page()
        excerpt = Excerpt.objects.get(key="e-russia-security-agents")
        mobile.goto(archive_live.url + excerpt.get_absolute_url())
        width = mobile.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the page scrolls sideways on a phone ({width}px)"
        screenshot(mobile, "excerpt-phone")
        axe_check(mobile)
    finally:
        phone.close()


def test_restricted_pages_are_404_in_the_browser(page, archive_live):
    from testimonies.models import Excerpt

    for key in ("demo-e-hrnk-reprisals-researchers", "demo-e-logging-soviet-period"):
        excerpt = Excerpt.objects.get(key=key)
        response = page.goto(archive_live.url + excerpt.get_absolute_url())
        assert response.status == 404

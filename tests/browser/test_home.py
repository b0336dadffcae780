import pytest


@pytest.fixture
def seeded_live(live_server, transactional_db, django_db_serialized_rollback):
    # Serialized rollback restores what migrations made (the Wagtail root page), which an
    # earlier transactional test flushed.
    import io

    from django.core.management import call_command

    call_command("seed_archive", stdout=io.StringIO())
    return live_server


def test_home_page_shows_public_material_and_nothing_restricted(
    page, seeded_live, screenshot, axe_check
):
    from testimonies.models import Excerpt

    page.goto(seeded_live.url + "/")
    body = page.inner_text("body")
    assert "you’re already a bad guy" in body or "public excerpt" in body
    withdrawn = Excerpt.objects.filter(testimony__witness__key="demo-w-logging-worker-russia")
    for excerpt in withdrawn:
        assert excerpt.text not in body
    screenshot(page, "home")
    axe_check(page)

"""A researcher applies, an archivist approves in the admin, the researcher searches a
transcript and exports the results as CSV."""

import datetime as dt
import io

import pytest

from tests.factories import make_excerpt, make_testimony, make_user, make_witness

TRANSCRIPT = (
    "WEBVTT\n\n"
    "00:00:01.000 --> 00:00:08.000\nInterviewer: How were you paid?\n\n"
    "00:14:05.000 --> 00:14:12.000\nWitness: The brigade leader kept our passports "
    "and sent the wages home through the embassy.\n"
)


def restore_migration_data():
    """What migrations made and an earlier transactional test's flush removed: Wagtail's
    locale and root page, the role groups and their permissions, the first terms of use."""
    import importlib

    from django.conf import settings
    from django.contrib.auth.models import Group
    from wagtail.models import Locale, Page

    from research.models import TermsOfUse
    from research.roles import research_permissions_ensure
    from testimonies.access import ROLE_GROUPS
    from testimonies.roles import role_permissions_ensure

    locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)
    role_permissions_ensure()
    research_permissions_ensure()
    if not TermsOfUse.objects.exists():
        first = importlib.import_module("research.migrations.0002_first_terms_of_use")
        TermsOfUse.objects.create(version="1", text=first.TERMS_V1)


@pytest.fixture
def archive_live(live_server, transactional_db):
    from django.core.management import call_command

    from testimonies.models import WitnessIdentity

    restore_migration_data()
    call_command("seed_archive", stdout=io.StringIO())
    witness = make_witness(pseudonym="Forestry worker C (demonstration)")
    WitnessIdentity.objects.create(witness=witness, legal_name="Demo Identity Birch-11")
    testimony = make_testimony(
        witness, title="Paid through the embassy", transcript=TRANSCRIPT, recorded_on="2024-05"
    )
    make_excerpt(testimony, text="The brigade leader kept our passports.")
    return live_server


from tests.browser.conftest import staff_sign_in  # noqa: E402


def sign_in(page, base, username, next_url):
    page.goto(f"{base}/admin/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_apply_approve_search_export(browser, archive_live, screenshot, axe_check):
    base = archive_live.url
    make_user("signed_in", username="mina")
    make_user("archivist", username="arch")

    # Without a grant the research area does not exist for Mina.
    researcher = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = researcher.new_page()
    sign_in(page, base, "mina", "/research/apply/")
    assert page.url.endswith("/research/apply/")
    assert page.goto(f"{base}/research/search/?q=embassy").status == 404

    page.goto(f"{base}/research/apply/")
    page.fill("#id_full_name", "Mina Park")
    page.fill("#id_institution", "University of Somewhere")
    page.fill("#id_purpose", "Wage confiscation among workers sent abroad.")
    page.check("#id_accept_terms")
    screenshot(page, "research-apply")
    axe_check(page)
    page.click("button:has-text('Apply')")
    assert "waiting for an archivist" in page.inner_text("main")

    # The archivist approves in the admin.
    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    admin = staff.new_page()
    staff_sign_in(admin, base, "arch", "/admin/snippets/research/researchapplication/")
    assert "Mina Park" in admin.inner_text("body")
    admin.click("a:has-text('Approve')")
    until = dt.date.today() + dt.timedelta(days=60)
    admin.fill("#id_expires_on", until.isoformat())
    screenshot(admin, "research-approve")
    admin.click("button:has-text('Approve')")
    admin.wait_for_load_state()
    assert "has research access until" in admin.inner_text("body")
    screenshot(admin, "research-applications-approved")
    staff.close()

    # Mina searches a transcript: the passage and its timecode.
    page.goto(f"{base}/research/")
    page.fill("#home-q", "embassy")
    page.click("button:has-text('Search')")
    page.wait_for_load_state()
    body = page.inner_text("main")
    assert "Paid through the embassy" in body
    assert "[00:14:05]" in body
    assert "sent the wages home through the embassy" in body
    assert "Birch-11" not in page.content()
    screenshot(page, "research-search-transcript")
    axe_check(page)

    with page.expect_download() as download_info:
        page.click("a:has-text('CSV')")
    path = download_info.value.path()
    with open(path, encoding="utf-8") as handle:
        exported = handle.read()
    assert "00:14:05" in exported
    assert "through the embassy" in exported
    assert "Testimony Archive" in exported  # the citation column
    assert "Birch-11" not in exported
    researcher.close()

    from testimonies.models import AccessRecord

    actions = set(AccessRecord.objects.values_list("action", flat=True))
    assert {"research.search", "research.export.search"} <= actions

import io

import pytest


@pytest.fixture
def seeded(db):
    """The seed collection, loaded through the real seed command."""
    from django.core.management import call_command

    call_command("seed_archive", stdout=io.StringIO())


def migration_data_restore():
    """Transactional tests (live servers among them) empty the database when they end, and with
    it what data migrations made. Put it back, idempotently: Wagtail's locale, collection and
    root page, the role groups and their permissions, the excerpt approval workflow and the
    first terms of use."""
    import importlib

    from django.apps import apps
    from django.conf import settings
    from wagtail.models import Collection, Locale, Page

    from research.models import TermsOfUse
    from research.roles import research_permissions_ensure
    from testimonies.roles import role_permissions_ensure

    locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    importlib.import_module("testimonies.migrations.0002_role_groups").create_groups(apps, None)
    role_permissions_ensure()
    research_permissions_ensure()
    importlib.import_module("curation.migrations.0001_excerpt_approval_workflow").create_workflow(
        apps, None
    )
    if not TermsOfUse.objects.exists():
        first = importlib.import_module("research.migrations.0002_first_terms_of_use")
        TermsOfUse.objects.create(version="1", text=first.TERMS_V1)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: figures cached by one test's collection never
    answer for another's (the database is rolled back, the cache is not)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def migration_data(request):
    """Before every transactional test: what an earlier one's flush removed (see above)."""
    if not {"live_server", "transactional_db"} & set(request.fixturenames):
        return
    request.getfixturevalue("transactional_db")
    migration_data_restore()

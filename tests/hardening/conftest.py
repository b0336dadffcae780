import pytest


@pytest.fixture
def migration_data(transactional_db):
    """Transactional tests flush the database when they end, and with it what migrations made
    (Wagtail's locale and root page, the role groups). Put back whatever is missing."""
    from django.contrib.auth.models import Group
    from wagtail.models import Locale, Page

    from testimonies.access import ROLE_GROUPS
    from testimonies.roles import role_permissions_ensure

    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)
    role_permissions_ensure()
    locale = Locale.objects.first() or Locale.objects.create(language_code="en")
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))

import io

import pytest


@pytest.fixture
def seeded(db):
    """The seed collection, loaded through the real seed command."""
    from django.core.management import call_command

    call_command("seed_archive", stdout=io.StringIO())

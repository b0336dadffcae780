import pytest


@pytest.fixture
def migration_data(transactional_db):
    """Kept for the tests that name it: tests/conftest.py restores migration data for every
    transactional test."""
    from tests.conftest import migration_data_restore

    migration_data_restore()

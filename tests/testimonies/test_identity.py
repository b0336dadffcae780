import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from testimonies.interchange import import_document
from testimonies.models import WitnessIdentity
from tests.testimonies.test_interchange import SEEDS

LEGAL_NAMES = ["Demo Identity Kestrel-41", "Demo Identity Juniper-73", "Demo Identity Quartz-58"]


def every_stored_text():
    """Every text value in every table of the database, read with plain SQL."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                values.extend(str(v) for v in row if isinstance(v, (str, bytes, memoryview)))
    return "\n".join(values)


@pytest.mark.django_db
def test_plain_legal_name_is_nowhere_in_the_database():
    import_document(SEEDS.read_text())
    assert WitnessIdentity.objects.count() == 3
    assert sorted(i.legal_name for i in WitnessIdentity.objects.all()) == sorted(LEGAL_NAMES)
    stored = every_stored_text()
    for name in LEGAL_NAMES:
        assert name not in stored
        assert "Kestrel" not in stored and "Juniper" not in stored and "Quartz-58" not in stored
    assert "demo-only: field office" not in stored


@pytest.mark.django_db
def test_identity_label_never_shows_the_name():
    import_document(SEEDS.read_text())
    for identity in WitnessIdentity.objects.all():
        assert identity.legal_name not in str(identity)


@pytest.mark.django_db
def test_key_rotation(settings):
    import_document(SEEDS.read_text())
    old_keys = list(settings.IDENTITY_KEYS)
    new_key = Fernet.generate_key().decode()
    settings.IDENTITY_KEYS = [new_key, *old_keys]
    call_command("rotate_identity_key", stdout=io.StringIO())
    settings.IDENTITY_KEYS = [new_key]  # the old key is gone: every identity still reads
    assert sorted(i.legal_name for i in WitnessIdentity.objects.all()) == sorted(LEGAL_NAMES)
    settings.IDENTITY_KEYS = old_keys  # and the old key alone no longer can
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        list(WitnessIdentity.objects.all())

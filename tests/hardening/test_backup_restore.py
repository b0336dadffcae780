"""A backup restores into a fresh database with everything in it: records, the consent ledger,
revisions and the access record; withdrawn witnesses stay withdrawn; identities stay encrypted
and are readable with the key."""

import io
import os
import secrets
import subprocess

import pytest
from django.db import connection

from testimonies.levels import Level

pytestmark = pytest.mark.django_db(transaction=True)

LEGAL_NAME = "Ri Chol-su (invented for the restore test)"
CONTACT = "restore-test-contact@example.invalid"

TABLES = [
    "testimonies_witness",
    "testimonies_witnessidentity",
    "testimonies_consententry",
    "testimonies_testimony",
    "testimonies_excerpt",
    "testimonies_excerpt_themes",
    "testimonies_theme",
    "testimonies_source",
    "testimonies_accessrecord",
    "testimonies_researchgrant",
    "wagtailcore_revision",
    "wagtailcore_page",
    "auth_user",
    "auth_group",
]


def pg_only():
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump/pg_restore need PostgreSQL; the SQLite variant is tested below")


def snapshot(cursor):
    counts = {}
    for table in TABLES:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
        counts[table] = cursor.fetchone()[0]
    cursor.execute("SELECT witness_id, sequence, level FROM testimonies_consententry ORDER BY 1, 2")
    counts["ledger"] = cursor.fetchall()
    cursor.execute("SELECT id, object_id, content::text FROM wagtailcore_revision ORDER BY id")
    counts["revisions"] = [(r[0], r[1], str(r[2])) for r in cursor.fetchall()]
    cursor.execute("SELECT username, action, object_ref FROM testimonies_accessrecord ORDER BY id")
    counts["access_record"] = cursor.fetchall()
    cursor.execute("SELECT key, consent_level FROM testimonies_witness ORDER BY key")
    counts["witness_levels"] = cursor.fetchall()
    cursor.execute("SELECT key, level, live, public_text FROM testimonies_excerpt ORDER BY key")
    counts["excerpts"] = cursor.fetchall()
    return counts


def make_changes():
    from testimonies.models import ConsentEntry, Excerpt, Witness, WitnessIdentity
    from testimonies.services import access_record_add
    from tests.factories import make_user

    witness = Witness.objects.get(key="demo-w-logging-worker-russia")
    public_witness = Witness.objects.filter(consent_level=Level.PUBLIC).first()
    ConsentEntry(
        witness=public_witness, level=Level.WITHDRAWN, recorded_on="2026-11-23", note="withdrew"
    ).save()
    excerpt = Excerpt.objects.filter(testimony__witness=public_witness).first()
    excerpt.text = "A revision made before the backup."
    excerpt.save_revision()
    identity, _ = WitnessIdentity.objects.update_or_create(
        witness=public_witness, defaults={"legal_name": LEGAL_NAME, "contact": CONTACT}
    )
    custodian = make_user("custodian")
    access_record_add(user=custodian, action="identity.view", obj=identity)
    return witness, public_witness


@pytest.fixture
def fresh_database():
    name = f"test_restore_{secrets.token_hex(6)}"
    db = connection.settings_dict
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    env = {"PGPASSWORD": str(db["PASSWORD"])} if db.get("PASSWORD") else {}
    env = {**os.environ, **env}
    subprocess.run(["createdb", *args, name], check=True, env=env)  # noqa: S603, S607
    user = f"{db['USER']}@" if db.get("USER") else ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    if password:
        user = f"{db['USER']}{password}@"
    url = f"postgres://{user}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"
    try:
        yield url
    finally:
        subprocess.run(  # noqa: S603
            ["dropdb", "--if-exists", "--force", *args, name], check=False, env=env
        )


def test_backup_restores_everything_into_a_fresh_database(
    migration_data, seeded, fresh_database, tmp_path
):
    pg_only()
    import psycopg
    from django.core.management import call_command

    from testimonies.crypto import decrypt

    withdrawn_before, withdrawn_now = make_changes()
    with connection.cursor() as cursor:
        before = snapshot(cursor)

    dump = tmp_path / "archive.dump"
    call_command("backup_database", output=str(dump), stdout=io.StringIO())
    assert dump.stat().st_size > 0
    assert oct(dump.stat().st_mode)[-3:] == "600"
    call_command(
        "restore_database", str(dump), database_url=fresh_database, yes=True, stdout=io.StringIO()
    )

    with psycopg.connect(fresh_database.replace("postgres://", "postgresql://")) as restored:
        with restored.cursor() as cursor:
            after = snapshot(cursor)
            assert after == before
            for table in TABLES[:6]:
                assert after[table] > 0, table
            assert after["testimonies_accessrecord"] >= 1
            assert ("identity.view",) in [(a,) for _, a, _ in after["access_record"]]
            levels = dict(after["witness_levels"])
            assert levels[withdrawn_before.key] == Level.WITHDRAWN
            assert levels[withdrawn_now.key] == Level.WITHDRAWN
            assert "A revision made before the backup." in "".join(r[2] for r in after["revisions"])
            # Identities: ciphertext only in the database, readable with the key.
            cursor.execute(
                "SELECT legal_name, contact FROM testimonies_witnessidentity WHERE witness_id = %s",
                [withdrawn_now.pk],
            )
            legal_name, contact = cursor.fetchone()
            cursor.execute(
                "SELECT string_agg(legal_name || contact || notes, '') FROM "
                "testimonies_witnessidentity"
            )
            everything = cursor.fetchone()[0]
    assert LEGAL_NAME not in everything and "Ri Chol-su" not in everything
    assert CONTACT not in everything
    assert decrypt(legal_name) == LEGAL_NAME
    assert decrypt(contact) == CONTACT


def test_sqlite_backup_and_restore_round_trip(tmp_path, settings):
    """The SQLite variant: a file copy through SQLite's backup API, restored into another
    file (run on a file database of its own, whatever the suite's database is)."""
    import sqlite3

    from archive.backup import backup, restore

    source = tmp_path / "source.sqlite3"
    with sqlite3.connect(source) as db:
        db.execute("CREATE TABLE ledger (witness TEXT, level INTEGER)")
        db.executemany("INSERT INTO ledger VALUES (?, ?)", [("w-1", 0), ("w-1", 3)])
    out = backup(tmp_path / "backup.sqlite3", database_url=f"sqlite:///{source}")
    assert oct(out.stat().st_mode)[-3:] == "600"
    target = tmp_path / "restored.sqlite3"
    restore(out, database_url=f"sqlite:///{target}")
    with sqlite3.connect(target) as db:
        assert db.execute("SELECT witness, level FROM ledger ORDER BY rowid").fetchall() == [
            ("w-1", 0),
            ("w-1", 3),
        ]


def test_restore_refuses_a_missing_file(tmp_path):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="no such backup file"):
        call_command("restore_database", str(tmp_path / "nope.dump"), yes=True)

"""Backup and restore of the archive's database (PostgreSQL custom-format dumps, or a copy of a
SQLite file). The identity keys (IDENTITY_KEYS) are NOT in a backup: the dump holds identities
only as ciphertext, so keep the keys in a separate, safe place; without them a restored archive
cannot read any identity, and with them anyone holding the dump could.
"""

import datetime as dt
import os
import shutil
import sqlite3

# pg_dump/pg_restore with fixed arguments, no shell (SECURITY-NOTES.md)
import subprocess  # noqa: S404  # nosec B404
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.db import connections


class BackupError(Exception):
    pass


def default_backup_path(vendor):
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = "dump" if vendor == "postgresql" else "sqlite3"
    return Path(settings.BASE_DIR) / "var" / "backups" / f"archive-{stamp}.{suffix}"


def _pg_args(db):
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return args


def _pg_env(db):
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _tool(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (PostgreSQL client tools are needed)")
    return path


def _run(args, env):
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip()[-2000:]}")


def database_settings(database_url=None, alias="default"):
    if database_url:
        return dj_database_url.parse(database_url)
    return connections[alias].settings_dict


def vendor_of(db):
    engine = db["ENGINE"]
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite3" in engine:
        return "sqlite"
    raise BackupError(f"backups of {engine} are not supported")


def backup(output=None, *, database_url=None, alias="default"):
    """Write a backup of the database; return its path. The file is readable by its owner only."""
    db = database_settings(database_url, alias)
    vendor = vendor_of(db)
    output = Path(output) if output else default_backup_path(vendor)
    output.parent.mkdir(parents=True, exist_ok=True)
    if vendor == "postgresql":
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(output),
                *_pg_args(db),
                "--dbname",
                str(db["NAME"]),
            ],
            _pg_env(db),
        )
    else:
        if database_url is None:
            connections[alias].ensure_connection()
            source = connections[alias].connection
            _sqlite_copy(source, output)
        else:
            with sqlite3.connect(db["NAME"]) as source:
                _sqlite_copy(source, output)
    output.chmod(0o600)
    return output


def _sqlite_copy(source, output):
    if output.exists():
        output.unlink()
    target = sqlite3.connect(output)
    try:
        source.backup(target)
    finally:
        target.close()


def restore(path, *, database_url=None, alias="default"):
    """Restore a backup into the database (by default the configured one), replacing what is
    there. Restore into a new, empty database where you can, then point DATABASE_URL at it."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    db = database_settings(database_url, alias)
    if vendor_of(db) == "postgresql":
        if database_url is None:
            connections[alias].close()
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                *_pg_args(db),
                "--dbname",
                str(db["NAME"]),
                str(path),
            ],
            _pg_env(db),
        )
    else:
        with sqlite3.connect(path) as source:
            if database_url is None:
                connections[alias].ensure_connection()
                source.backup(connections[alias].connection)
            else:
                target = sqlite3.connect(db["NAME"])
                try:
                    source.backup(target)
                finally:
                    target.close()

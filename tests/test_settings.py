"""Production settings refuse to start half-configured, and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, env_extra):
    env = {
        k: v
        for k, v in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser tests' conftest, never in production.
        if k
        not in (
            "DATABASE_URL",
            "IDENTITY_KEYS",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        )
    }
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production", **env_extra)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 60 + "-not-a-real-key-but-long-and-random-enough-Zq8",
    "ALLOWED_HOSTS": "archive.example.org",
    "DATABASE_URL": "sqlite:////tmp/never-created.sqlite3",
    "IDENTITY_KEYS": Fernet.generate_key().decode(),
}


def test_production_refuses_to_start_without_its_environment():
    for missing in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "IDENTITY_KEYS"):
        env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
        result = run_manage("check", env_extra=env)
        assert result.returncode != 0
        assert missing in result.stderr


def test_production_passes_the_deployment_checks():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_extra=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr

"""Production settings refuse to start half-configured, and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, env_extra):
    # DJANGO_ALLOW_ASYNC_UNSAFE is set for browser tests only; production never has it.
    unset = (
        "DATABASE_URL",
        "IDENTITY_KEYS",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    )
    env = {k: v for k, v in os.environ.items() if k not in unset}
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


def _redis_reachable(host="127.0.0.1", port=6379):
    import socket

    try:
        socket.create_connection((host, port), 1).close()
    except OSError:
        return False
    return True


def test_production_shares_its_cache_between_processes_through_redis():
    """With CACHE_URL, a value one web process caches is read by another (the collection's
    figures are computed once, not once per gunicorn worker)."""
    import pytest

    if not _redis_reachable():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI needs Redis at 127.0.0.1:6379 for the shared-cache test")
        pytest.skip("no Redis at 127.0.0.1:6379: the shared-cache test needs one")
    import secrets

    env = {**PRODUCTION_ENV, "CACHE_URL": "redis://127.0.0.1:6379/15"}
    key, value = f"settings-test-{secrets.token_hex(8)}", secrets.token_hex(8)
    script = (
        "from django.conf import settings; from django.core.cache import cache; "
        "print(settings.CACHES['default']['BACKEND']); "
        f"cache.set({key!r}, {value!r}, 30)"
    )
    written = run_manage("shell", "-c", script, env_extra=env)
    assert written.returncode == 0, written.stderr
    assert written.stdout.strip().splitlines()[-1] == "django.core.cache.backends.redis.RedisCache"
    read = run_manage(
        "shell",
        "-c",
        f"from django.core.cache import cache; print(cache.get({key!r}))",
        env_extra=env,
    )
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip().splitlines()[-1] == value


def test_production_without_cache_url_keeps_a_cache_per_process():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        env_extra=PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "django.core.cache.backends.locmem.LocMemCache"


def test_production_keeps_database_connections_between_requests():
    script = "from django.conf import settings; d = settings.DATABASES['default']; "
    script += "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    result = run_manage("shell", "-c", script, env_extra=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "60 True"
    shorter = run_manage(
        "shell", "-c", script, env_extra={**PRODUCTION_ENV, "DATABASE_CONN_MAX_AGE": "0"}
    )
    assert shorter.stdout.strip().splitlines()[-1] == "0 True"


def test_production_refuses_a_cache_url_it_cannot_use():
    result = run_manage("check", env_extra={**PRODUCTION_ENV, "CACHE_URL": "memcached://x:11211"})
    assert result.returncode != 0
    assert "CACHE_URL must name a Redis server" in result.stderr
    assert "'memcached'" in result.stderr

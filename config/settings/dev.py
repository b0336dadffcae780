"""Development: SQLite under var/, a generated key, console email. Never for production."""

import os

from cryptography.fernet import Fernet

from .base import *  # noqa: F403
from .base import VAR_DIR, env_list

DEBUG = True
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
VAR_DIR.mkdir(exist_ok=True)


def _local_secret(name, make):
    """A per-checkout secret kept in var/, made on first use."""
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret(
    "dev-secret-key", lambda: Fernet.generate_key().decode()
)
if not IDENTITY_KEYS:  # noqa: F405
    IDENTITY_KEYS = [_local_secret("dev-identity.key", lambda: Fernet.generate_key().decode())]

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEMO_ACCOUNTS_ALLOWED = True

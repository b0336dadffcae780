"""Test settings: SQLite in memory unless DATABASE_URL names another database."""

import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-any-real-deployment"  # noqa: S105  # nosec B105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
if not os.environ.get("DATABASE_URL"):
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
# A fixed key for tests only; the real keys come from IDENTITY_KEYS.
IDENTITY_KEYS = ["kq9wq8h3yQ5cWJ0mM9a2b7Vn0xYyX3o8rTt4uU1pP0s="]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEMO_ACCOUNTS_ALLOWED = True
# django-axes is off for tests unless a test turns it on (tests/accounts/test_throttling.py):
# Django's test client signs in without a request, which axes refuses.
AXES_ENABLED = False

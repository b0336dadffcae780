"""Encryption at rest for witness identities (Fernet, with MultiFernet for key rotation)."""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=4)
def _fernet_for(keys):
    if not keys:
        raise ImproperlyConfigured("IDENTITY_KEYS is empty: identities cannot be read or written.")
    try:
        return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(f"IDENTITY_KEYS holds an invalid Fernet key: {exc}") from exc


def identity_cipher():
    return _fernet_for(tuple(settings.IDENTITY_KEYS))


def encrypt(text):
    return identity_cipher().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token):
    try:
        return identity_cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An identity could not be decrypted with any key in IDENTITY_KEYS."
        ) from exc


def rotate(token):
    return identity_cipher().rotate(token.encode("ascii")).decode("ascii")


class EncryptedTextField(models.TextField):
    """Stores a Fernet token; Python code sees plain text. Empty stays empty."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value)

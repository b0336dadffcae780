"""Personal API tokens, and the record of what OAI-PMH has ever exposed."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "ta_"  # noqa: S105  # nosec B105 - a marker, not a secret


def token_digest(raw):
    """Tokens are long random strings, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal token for the JSON API. Only its SHA-256 is stored; the token itself is
    shown once, when it is made. The token carries no access of its own: every request is
    answered with the access its user has at that moment."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="archive_api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user, name):
        """Make a token for `user`; returns (token, the raw token string to show once)."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name.strip() or "API token", prefix=raw[:10], digest=token_digest(raw)
        )
        return token, raw

    @classmethod
    def user_for(cls, raw):
        """The active user a raw token belongs to, or None (unknown, revoked, inactive user)."""
        if not raw or len(raw) > 200:
            return None
        token = cls.objects.active().select_related("user").filter(digest=token_digest(raw)).first()
        if token is None or not token.user.is_active:
            return None
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user

    def revoke(self):
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            ApiToken.objects.filter(pk=self.pk).update(revoked_at=self.revoked_at)


class OaiRecord(models.Model):
    """One record OAI-PMH has ever exposed. Rows are never deleted: a record that stops being
    public is marked deleted (header only), so harvesters learn of it. Kept in step with the
    access policy by `interop.oai.sync_records()` at the start of every OAI-PMH request."""

    KINDS = [("excerpt", "excerpt"), ("testimony", "testimony")]

    identifier = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=KINDS)
    public_id = models.CharField(max_length=16)
    datestamp = models.DateTimeField(db_index=True)
    deleted = models.BooleanField(default=False)
    # setSpecs, each between newlines ("\nspec\nother\n") so one can be matched exactly.
    sets = models.TextField(blank=True, default="")
    # SHA-256 of the metadata last exposed: a change moves the datestamp.
    fingerprint = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["pk"]
        verbose_name = "OAI-PMH record"
        constraints = [
            models.UniqueConstraint(fields=["kind", "public_id"], name="oai_record_kind_public_id")
        ]

    def __str__(self):
        return self.identifier

    @property
    def set_specs(self):
        return [s for s in self.sets.split("\n") if s]

    @staticmethod
    def join_sets(specs):
        specs = sorted(set(specs))
        return "\n" + "\n".join(specs) + "\n" if specs else ""

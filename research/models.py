"""Applications for research access and the versioned terms of use they accept.

Approval creates a `testimonies.models.ResearchGrant` (through `testimonies.services.role_grant`);
what a researcher may see is decided by `testimonies.access` alone.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class TermsOfUse(models.Model):
    """One version of the archive's terms of use. Versions are added, never changed: an
    application keeps the exact version its applicant accepted."""

    version = models.CharField(max_length=50, unique=True)
    text = models.TextField()
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = "terms of use"
        verbose_name_plural = "terms of use"

    def __str__(self):
        return f"Terms of use, version {self.version}"

    @classmethod
    def current(cls):
        return cls.objects.filter(published_at__lte=timezone.now()).first()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Terms of use are never changed: publish a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Terms of use are never deleted: applications refer to them.")


class ResearchApplication(models.Model):
    PENDING, APPROVED, DECLINED = "pending", "approved", "declined"
    STATUSES = [(PENDING, "pending"), (APPROVED, "approved"), (DECLINED, "declined")]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="research_applications"
    )
    full_name = models.CharField("name", max_length=200)
    institution = models.CharField(max_length=300)
    purpose = models.TextField(help_text="What the research is and what it needs from the archive.")
    terms = models.ForeignKey(TermsOfUse, on_delete=models.PROTECT, related_name="applications")
    terms_accepted_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_note = models.TextField(blank=True)
    grant = models.OneToOneField(
        "testimonies.ResearchGrant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="application",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="research_one_pending_application_per_user",
            )
        ]

    def __str__(self):
        return f"{self.full_name} ({self.institution}), {self.status}"

    @property
    def grant_state(self):
        """The state of the grant this application led to: current, expired, revoked or none."""
        grant = self.grant
        if grant is None:
            return "none"
        if grant.revoked_at:
            return "revoked"
        today = timezone.localdate()
        if grant.expires_on < today:
            return "expired"
        if grant.starts_on > today:
            return "not yet started"
        return "current"

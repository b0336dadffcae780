"""Decisions on research applications: kept out of views so commands and tests share them."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from testimonies.models import ResearchGrant
from testimonies.services import role_grant, role_revoke

from .models import ResearchApplication, TermsOfUse


def application_submit(*, user, full_name, institution, purpose, terms):
    """A signed-in user's application; `terms` is the version they accepted."""
    if ResearchApplication.objects.filter(user=user, status=ResearchApplication.PENDING).exists():
        raise ValidationError("You already have an application waiting for a decision.")
    if terms != TermsOfUse.current():
        raise ValidationError(
            "The terms of use changed while you were applying: read and accept the new version."
        )
    return ResearchApplication.objects.create(
        user=user,
        full_name=full_name,
        institution=institution,
        purpose=purpose,
        terms=terms,
        terms_accepted_at=timezone.now(),
    )


def _decidable(application):
    application = ResearchApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != ResearchApplication.PENDING:
        raise ValidationError(f"This application was already {application.status}.")
    return application


@transaction.atomic
def application_approve(*, application, expires_on, by, note=""):
    """Approve: the applicant joins the Researchers group with a grant ending on `expires_on`."""
    application = _decidable(application)
    if expires_on < timezone.localdate():
        raise ValidationError("The grant would already have expired: choose a later date.")
    grant = role_grant(
        user=application.user,
        role="researcher",
        until=expires_on,
        granted_by=by,
        note=note or f"Research application {application.pk}: {application.institution}",
    )
    application.status = ResearchApplication.APPROVED
    application.grant = grant
    application.decided_at = timezone.now()
    application.decided_by = by
    application.decision_note = note
    application.save()
    return application


@transaction.atomic
def application_decline(*, application, by, note):
    application = _decidable(application)
    application.status = ResearchApplication.DECLINED
    application.decided_at = timezone.now()
    application.decided_by = by
    application.decision_note = note
    application.save()
    return application


@transaction.atomic
def grant_revoke(*, grant):
    """Revoke a researcher's access at once: this grant, any other current grant, and the
    Researchers group. The next request sees what the public sees."""
    grant = ResearchGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
    role_revoke(user=grant.user, role="researcher")
    return grant

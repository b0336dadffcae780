"""Writes that touch several records, kept out of views, hooks and commands."""

import datetime as dt

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from .access import ARCHIVISTS_GROUP, CUSTODIANS_GROUP, RESEARCHERS_GROUP
from .levels import Level
from .models import AccessRecord, ConsentEntry, ResearchGrant

ROLE_TO_GROUP = {
    "researcher": RESEARCHERS_GROUP,
    "archivist": ARCHIVISTS_GROUP,
    "custodian": CUSTODIANS_GROUP,
}


def client_ip(request):
    return request.META.get("REMOTE_ADDR") if request is not None else None


def access_record_add(*, user, action, obj=None, query=None, request=None):
    """Append one restricted read to the access record."""
    return AccessRecord.objects.create(
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "get_username", lambda: "")() or "anonymous",
        action=action,
        object_type=obj._meta.model_name if obj is not None else "",
        object_ref=(getattr(obj, "public_id", None) or str(obj.pk)) if obj is not None else "",
        query=query or {},
        ip_address=client_ip(request),
    )


@transaction.atomic
def consent_record(*, witness, level, by="", note="", embargo_until="", user=None, on=None):
    """Append a consent entry; it is in force from the next request in every channel."""
    entry = ConsentEntry(
        witness=witness,
        level=level,
        recorded_on=(on or timezone.localdate()).isoformat(),
        by=by or (user.get_username() if user else ""),
        note=note,
        embargo_until=embargo_until or "",
        created_by=user,
    )
    entry.full_clean(exclude=["witness", "sequence"])
    entry.save()
    return entry


def consent_withdraw(*, witness, reason, user=None):
    return consent_record(witness=witness, level=Level.WITHDRAWN, note=reason, user=user)


@transaction.atomic
def role_grant(*, user, role, until=None, granted_by=None, note=""):
    """Give a user a role. Researchers also get a grant that ends on `until` (default: a year)."""
    group = Group.objects.get(name=ROLE_TO_GROUP[role])
    user.groups.add(group)
    if role == "researcher":
        today = timezone.localdate()
        return ResearchGrant.objects.create(
            user=user,
            starts_on=today,
            expires_on=until or today + dt.timedelta(days=365),
            granted_by=granted_by,
            note=note,
        )
    return None


@transaction.atomic
def role_revoke(*, user, role):
    """Take a role away at once; a researcher's current grants are revoked too."""
    user.groups.remove(Group.objects.get(name=ROLE_TO_GROUP[role]))
    if role == "researcher":
        ResearchGrant.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )

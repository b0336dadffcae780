"""Small builders for tests: each makes only what a test needs, through the real models."""

import datetime as dt
import itertools

from django.contrib.auth import get_user_model

from testimonies.levels import Level
from testimonies.models import ConsentEntry, Excerpt, Testimony, Theme, Witness
from testimonies.services import role_grant

_seq = itertools.count(1)

PAST = "2001-01-01"
FUTURE = "2099-12-31"

ROLES = ["anonymous", "signed_in", "researcher", "researcher_expired", "archivist", "custodian"]


def make_user(role, username=None):
    """A user of the given role; None for anonymous."""
    from django.contrib.auth.models import AnonymousUser

    if role == "anonymous":
        return AnonymousUser()
    user = get_user_model().objects.create_user(
        username=username or f"{role}-{next(_seq)}", password="pw-for-tests"
    )
    if role == "researcher":
        role_grant(user=user, role="researcher")
    elif role == "researcher_expired":
        role_grant(user=user, role="researcher", until=dt.date.today() - dt.timedelta(days=1))
    elif role in ("archivist", "custodian"):
        role_grant(user=user, role=role)
    elif role == "superuser":
        user.is_superuser = user.is_staff = True
        user.save()
    return user


def make_witness(consent=Level.PUBLIC, embargo_until="", **fields):
    n = next(_seq)
    witness = Witness.objects.create(
        key=fields.pop("key", f"w-{n}"), pseudonym=fields.pop("pseudonym", f"Witness {n}"), **fields
    )
    ConsentEntry(
        witness=witness, level=consent, recorded_on="2024-01-01", embargo_until=embargo_until
    ).save()
    witness.refresh_from_db()
    return witness


def make_testimony(witness=None, access=Level.PUBLIC, **fields):
    n = next(_seq)
    return Testimony.objects.create(
        key=fields.pop("key", f"t-{n}"),
        witness=witness or make_witness(),
        title=fields.pop("title", f"Testimony {n}"),
        access=access,
        **fields,
    )


def make_excerpt(testimony=None, access=Level.PUBLIC, approved=True, themes=(), **fields):
    n = next(_seq)
    excerpt = Excerpt(
        key=fields.pop("key", f"e-{n}"),
        testimony=testimony or make_testimony(),
        text=fields.pop("text", f"Excerpt number {n} about the work."),
        access=access,
        live=approved,
        **fields,
    )
    excerpt.save()
    if themes:
        excerpt.themes.set(themes)
        excerpt.save()
    return excerpt


def make_theme(slug=None, parent=None):
    n = next(_seq)
    return Theme.objects.create(slug=slug or f"theme-{n}", name=f"Theme {n}", parent=parent)


def sign_in(client, user, two_factor=None):
    """Sign `user` in on a test client. Archive staff also get a TOTP device and a session that
    has given its code (the admin and staff views require it); `two_factor=False` leaves the
    second factor out, `True` adds it for anyone."""
    from accounts.twofactor import device_for_tests_ensure, is_archive_staff_user

    client.force_login(user)
    if two_factor is None:
        two_factor = is_archive_staff_user(user)
    if two_factor:
        device = device_for_tests_ensure(user)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client

"""Records for the research area's access-row tests: one of each kind a researcher may and
may not see, all containing the word "zebra" so that one search reaches every one of them."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from testimonies.levels import Level
from testimonies.models import ResearchGrant, WitnessIdentity
from testimonies.services import role_revoke
from tests.factories import (
    FUTURE,
    make_excerpt,
    make_testimony,
    make_theme,
    make_user,
    make_witness,
    sign_in,
)

RESEARCH_ROLES = [
    "anonymous",
    "signed_in",
    "researcher",
    "researcher_expired",
    "researcher_revoked",
    "archivist",
    "custodian",
    "superuser",
]
ALLOWED = {"researcher", "archivist", "custodian", "superuser"}

TRANSCRIPT = (
    "WEBVTT\n\n"
    "00:00:01.000 --> 00:00:09.000\nInterviewer: Where did you work?\n\n"
    "00:12:34.000 --> 00:12:40.000\nWitness: In the zebratranscript forest camp, far north.\n\n"
    "00:20:00.000 --> 00:20:05.000\nWitness: We slept in containers.\n"
)
BRACKETED = (
    "[00:01:02] The brigade leader kept the passports. "
    "[00:05:10] Nobody could leave the zebrabracket site without a pass. "
    "The wages went to the embassy."
)


def make_role_user(role):
    """A user of any role of the research matrix (None for anonymous)."""
    if role == "researcher_revoked":
        user = make_user("researcher")
        role_revoke(user=user, role="researcher")
        return user
    if role == "anonymous":
        return None
    return make_user(role)


@pytest.fixture
def as_role(client):
    def sign_in_as(role):
        user = make_role_user(role)
        if user is not None:
            sign_in(client, user)
        return client, user

    return sign_in_as


@pytest.fixture
def rows(db):
    theme = make_theme(slug="wages")
    public_witness = make_witness(pseudonym="Public Witness Zeta")
    WitnessIdentity.objects.create(
        witness=public_witness, legal_name="Zebralegal Realname", contact="zebra@example.org"
    )
    public_t = make_testimony(public_witness, title="Public testimony", transcript=BRACKETED)
    researcher_t = make_testimony(
        make_witness(pseudonym="Consented For Research", consent=Level.RESEARCHERS),
        title="Researcher testimony",
        transcript=TRANSCRIPT,
    )
    archive_t = make_testimony(
        public_witness,
        title="Archive testimony",
        access=Level.ARCHIVE,
        transcript="Only staff: zebraarchivetranscript.",
    )
    withdrawn_witness = make_witness(pseudonym="Withdrawn Witness", consent=Level.WITHDRAWN)
    withdrawn_t = make_testimony(
        withdrawn_witness, title="Withdrawn testimony", transcript="zebrawithdrawntranscript"
    )
    embargoed_t = make_testimony(
        make_witness(pseudonym="Embargoed Witness", embargo_until=FUTURE),
        title="Embargoed testimony",
        transcript="zebraconsentembargo transcript",
    )
    secret_text = "We were taken to the zebrasecret camp near the border."
    start = secret_text.index("zebrasecret")
    return SimpleNamespace(
        theme=theme,
        public_witness=public_witness,
        public_t=public_t,
        researcher_t=researcher_t,
        archive_t=archive_t,
        withdrawn_t=withdrawn_t,
        embargoed_t=embargoed_t,
        public=make_excerpt(public_t, text="zebrapublic wages were taken", themes=[theme]),
        researcher=make_excerpt(
            public_t, access=Level.RESEARCHERS, text="zebraresearch passports held"
        ),
        researcher_by_consent=make_excerpt(researcher_t, text="zebraconsent only researchers"),
        archive=make_excerpt(public_t, access=Level.ARCHIVE, text="zebraarchive staff only"),
        archive_by_testimony=make_excerpt(archive_t, text="zebraarchivetestimony"),
        draft=make_excerpt(public_t, approved=False, text="zebradraft not approved"),
        embargoed=make_excerpt(public_t, embargo_until=FUTURE, text="zebraembargo later"),
        withdrawn=make_excerpt(withdrawn_t, text="zebrawithdrawn consent"),
        consent_embargoed=make_excerpt(embargoed_t, text="zebraconsentembargo excerpt"),
        redacted=make_excerpt(
            public_t,
            text=secret_text,
            redactions=[{"start": start, "end": start + len("zebrasecret"), "reason": "place"}],
        ),
    )


VISIBLE_TO_RESEARCHER = [
    "zebrapublic",
    "zebraresearch",
    "zebraconsent only",
    "zebratranscript",
    "zebrabracket",
]
HIDDEN_FROM_RESEARCHER = [
    "zebraarchive",
    "zebradraft",
    "zebraembargo",
    "zebrawithdrawn",
    "zebraconsentembargo",
    "zebrasecret",
    "Zebralegal",
    "Realname",
    "zebra@example.org",
]


def expire(user):
    ResearchGrant.objects.filter(user=user).update(
        starts_on=timezone.localdate() - dt.timedelta(days=30),
        expires_on=timezone.localdate() - dt.timedelta(days=1),
    )

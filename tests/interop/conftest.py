"""A small collection where every record carries a word that says what it is, so a test can
look for the word anywhere in an answer: a public record that must appear, and restricted ones
(researcher-only, archive-only, draft, embargoed, withdrawn witness, a word inside a
redaction, a legal name from the identity vault) that must not."""

from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import AnonymousUser

from testimonies.levels import Level
from testimonies.models import Country, Sector, Source, WitnessIdentity
from testimonies.services import consent_withdraw
from tests.factories import (
    FUTURE,
    make_excerpt,
    make_testimony,
    make_theme,
    make_user,
    make_witness,
)

# Words that appear only in the record they name.
PUBLIC = "Publicword"
RESEARCHERS = "Researcherword"
RESEARCH_TESTIMONY = "Researchtestimonyword"
ARCHIVE = "Archiveword"
DRAFT = "Draftword"
EMBARGOED = "Embargoword"
WITHDRAWN = "Withdrawnword"
REDACTED = "Redactedword"
LEGAL_NAME = "Legalnamezyx"
TRANSCRIPT = "Transcriptword"
RESEARCH_TRANSCRIPT = "Researchtranscriptword"
WITHDRAWN_PSEUDONYM = "Withdrawnwitnessname"

RESTRICTED_WORDS = {
    RESEARCHERS,
    RESEARCH_TESTIMONY,
    ARCHIVE,
    DRAFT,
    EMBARGOED,
    WITHDRAWN,
    REDACTED,
    RESEARCH_TRANSCRIPT,
    TRANSCRIPT,
    WITHDRAWN_PSEUDONYM,
}

# What each role may see of the restricted words (never the legal name).
SEES = {
    "anonymous": set(),
    "signed_in": set(),
    "researcher_expired": set(),
    "researcher": {RESEARCHERS, RESEARCH_TESTIMONY, TRANSCRIPT, RESEARCH_TRANSCRIPT},
    "archivist": RESTRICTED_WORDS,
    "custodian": RESTRICTED_WORDS,
}


@dataclass
class Collection:
    public: object = None
    redacted: object = None
    restricted: dict = field(default_factory=dict)  # name -> excerpt
    public_testimony: object = None
    research_testimony: object = None
    withdrawn_testimony: object = None
    withdrawn_witness: object = None
    public_witness: object = None
    theme: object = None
    parent_theme: object = None
    source: object = None


@pytest.fixture
def collection(db):
    c = Collection()
    c.parent_theme = make_theme(slug="conditions")
    c.theme = make_theme(slug="wages-withheld", parent=c.parent_theme)
    c.public_witness = make_witness(pseudonym="Alder")
    WitnessIdentity.objects.create(witness=c.public_witness, legal_name=LEGAL_NAME)
    russia, _ = Country.objects.get_or_create(code="RU", defaults={"name": "Russia"})
    construction, _ = Sector.objects.get_or_create(
        slug="construction", defaults={"name": "Construction"}
    )
    c.source = Source.objects.create(key="src-report", title="A report on wages")
    c.public_testimony = make_testimony(
        c.public_witness,
        title="Building sites in Russia",
        transcript=f"The whole interview. {TRANSCRIPT}",
        period_from=2015,
        period_to=2017,
    )
    c.public_testimony.countries.add(russia)
    c.public_testimony.sectors.add(construction)
    c.public_testimony.sources.add(c.source)
    c.public = make_excerpt(
        c.public_testimony, text=f"{PUBLIC} the wages were taken every month", themes=[c.theme]
    )
    text = f"We worked near {REDACTED} all winter"
    start = text.index(REDACTED)
    c.redacted = make_excerpt(
        c.public_testimony,
        text=text,
        translation_of=f"원문 {REDACTED}",
        redactions=[{"start": start, "end": start + len(REDACTED), "reason": "place"}],
        themes=[c.theme],
    )
    c.restricted["researchers"] = make_excerpt(
        c.public_testimony,
        access=Level.RESEARCHERS,
        text=f"{RESEARCHERS} reprisals",
        themes=[c.theme],
    )
    c.restricted["archive"] = make_excerpt(
        c.public_testimony, access=Level.ARCHIVE, text=f"{ARCHIVE} in the city", themes=[c.theme]
    )
    c.restricted["draft"] = make_excerpt(
        c.public_testimony, approved=False, text=f"{DRAFT} not yet approved", themes=[c.theme]
    )
    c.restricted["embargoed"] = make_excerpt(
        c.public_testimony, embargo_until=FUTURE, text=f"{EMBARGOED} later", themes=[c.theme]
    )
    c.research_testimony = make_testimony(
        make_witness(pseudonym="Birchwood"),
        access=Level.RESEARCHERS,
        title=f"{RESEARCH_TESTIMONY} findings",
        transcript=f"{RESEARCH_TRANSCRIPT} in full",
    )
    c.restricted["research_testimony"] = make_excerpt(
        c.research_testimony, text=f"{RESEARCH_TESTIMONY} conditions", themes=[c.theme]
    )
    c.withdrawn_witness = make_witness(pseudonym=WITHDRAWN_PSEUDONYM)
    c.withdrawn_testimony = make_testimony(c.withdrawn_witness, title=f"{WITHDRAWN} logging camp")
    c.restricted["withdrawn"] = make_excerpt(
        c.withdrawn_testimony, text=f"{WITHDRAWN} security men", themes=[c.theme]
    )
    consent_withdraw(witness=c.withdrawn_witness, reason="asked to withdraw")
    return c


@pytest.fixture
def role_users(db):
    return {role: make_user(role) for role in SEES if role != "anonymous"} | {
        "anonymous": AnonymousUser()
    }

"""A small collection with one public record per kind and every kind of restricted record,
each carrying a distinctive word, for the access rows of the public pages."""

from types import SimpleNamespace

import pytest

from testimonies.levels import Level
from testimonies.models import Source, WitnessIdentity
from tests.factories import FUTURE, make_excerpt, make_testimony, make_theme, make_witness

SECRET = "qzredactedword"


def _redacted_excerpt(testimony, themes):
    text = f"The qzpublicword wages were taken at {SECRET} by the minders."
    start = text.index(SECRET)
    return make_excerpt(
        testimony,
        text=text,
        redactions=[{"start": start, "end": start + len(SECRET), "reason": "place"}],
        themes=themes,
        start_ms=754_000,
    )


@pytest.fixture
def rows(db):
    from archive.seeding import about_page_ensure
    from testimonies.seeding import site_ensure

    site_ensure()
    about_page_ensure()
    root = make_theme("qz-root-theme")
    child = make_theme("qz-child-theme", parent=root)
    themes = [child]

    public_source = Source.objects.create(key="src-public", title="Qzpublicsource report")
    hidden_source = Source.objects.create(key="src-hidden", title="Qzhiddensource report")

    witness = make_witness(pseudonym="Qzpublic Pseudonym", occupation="logger")
    WitnessIdentity.objects.create(witness=witness, legal_name="Qzlegalname Realperson")
    testimony = make_testimony(
        witness,
        title="Qzpublic testimony title",
        summary="Qzpublic summary of the account.",
        transcript="Qztranscriptword spoken in the interview.",
    )
    testimony.sources.add(public_source)
    public = _redacted_excerpt(testimony, themes)

    restricted = {
        "researchers": make_excerpt(
            testimony, access=Level.RESEARCHERS, text="qzresearcherword", themes=themes
        ),
        "archive": make_excerpt(
            testimony, access=Level.ARCHIVE, text="qzarchiveword", themes=themes
        ),
        "draft": make_excerpt(testimony, approved=False, text="qzdraftword", themes=themes),
        "embargoed": make_excerpt(
            testimony, embargo_until=FUTURE, text="qzembargoword", themes=themes
        ),
    }
    withdrawn_witness = make_witness(consent=Level.WITHDRAWN, pseudonym="Qzwithdrawn Pseudonym")
    withdrawn_testimony = make_testimony(withdrawn_witness, title="Qzwithdrawn testimony title")
    restricted["withdrawn"] = make_excerpt(
        withdrawn_testimony, text="qzwithdrawnword", themes=themes
    )
    embargoed_witness = make_witness(embargo_until=FUTURE, pseudonym="Qzembargoed Pseudonym")
    embargoed_testimony = make_testimony(embargoed_witness, title="Qzembargoed testimony title")
    restricted["consent_embargo"] = make_excerpt(
        embargoed_testimony, text="qzconsentembargoword", themes=themes
    )
    researcher_testimony = make_testimony(
        witness, access=Level.RESEARCHERS, title="Qzresearcher testimony title"
    )
    researcher_testimony.sources.add(hidden_source)
    restricted["researcher_testimony"] = make_excerpt(
        researcher_testimony, text="qzresearchertestimonyword", themes=themes
    )

    hidden_testimonies = [withdrawn_testimony, embargoed_testimony, researcher_testimony]
    hidden_witnesses = [withdrawn_witness, embargoed_witness]
    forbidden = [
        SECRET,
        "Qzlegalname",
        "Qztranscriptword",
        "Qzhiddensource",
        *(e.text for e in restricted.values()),
        *(t.title for t in hidden_testimonies),
        *(w.pseudonym for w in hidden_witnesses),
        # Hidden records' opaque identifiers: no link, sitemap entry or data may name them.
        *(e.public_id for e in restricted.values()),
        *(t.public_id for t in hidden_testimonies),
        *(w.public_id for w in hidden_witnesses),
    ]
    return SimpleNamespace(
        root=root,
        child=child,
        witness=witness,
        testimony=testimony,
        public=public,
        restricted=restricted,
        hidden_testimonies=hidden_testimonies,
        hidden_witnesses=hidden_witnesses,
        forbidden=forbidden,
    )

"""The canary crawl: every protected thing carries its own marker word; for each role, a crawl
of everything that role can reach on the running archive (links from home and the research
area, sitemap, feed, every API list and detail, OAI-PMH lists with all resumption tokens,
exports, a search for every marker on every search surface, error pages) must show no marker
above the role's level, in any body or header, and must show every marker the role may see.
Then the collection changes (a withdrawal, a consent change, an unapproval, a new redaction)
and the next crawl must reflect each change everywhere."""

import datetime as dt

import pytest
import requests
from django.test import Client

from testimonies.levels import Level
from testimonies.models import WitnessIdentity
from testimonies.services import consent_record, consent_withdraw
from tests.canary.crawler import Crawl
from tests.factories import (
    make_excerpt,
    make_testimony,
    make_theme,
    make_user,
    make_witness,
    sign_in,
)

pytestmark = pytest.mark.django_db(transaction=True)

M = {
    name: f"zq{name}canary"
    for name in (
        "public",
        "stillpublic",
        "transcript",
        "researcher",
        "archive",
        "draft",
        "embargo",
        "consentcap",
        "withdrawn",
        "redacted",
        "lateredact",
        "legalname",
        "contact",
    )
}
# Each record carries its marker and a twin: a search for the marker echoes the marker in the
# page (the query), never the twin, so the twin proves what a response really disclosed.
T = {name: f"zq{name}twin" for name in M}
W = {name: f"{M[name]} {T[name]}" for name in M}

ROLES = ["anonymous", "signed_in", "researcher", "researcher_expired", "archivist"]
NOBODY = {"legalname", "contact"}
STAFF_ONLY = {"archive", "draft", "embargo", "withdrawn", "redacted"}
RESEARCH = {"transcript", "researcher", "consentcap"}


def allowed_before(role):
    if role == "archivist":
        return set(M) - NOBODY
    if role == "researcher":
        return {"public", "stillpublic", "lateredact"} | RESEARCH
    return {"public", "stillpublic", "lateredact"}


def allowed_after(role):
    """After: the control's witness withdrew, the consent-capped witness narrowed to archive,
    the researcher-only excerpt was unapproved, and `lateredact` was redacted."""
    if role == "archivist":
        return set(M) - NOBODY
    # The transcript was the control testimony's: it went with the withdrawal.
    return {"stillpublic"}


@pytest.fixture
def canary(transactional_db):
    theme = make_theme(slug="canary-theme")
    rows = {}
    control_witness = make_witness(pseudonym="Control witness")
    control = make_testimony(
        control_witness, title="Control testimony", transcript=f"[00:01:00] words {W['transcript']}"
    )
    rows["public"] = make_excerpt(control, text=f"Control words {W['public']}.", themes=[theme])
    second = make_testimony(make_witness(pseudonym="Second witness"), title="Second testimony")
    rows["stillpublic"] = make_excerpt(
        second, text=f"Still {W['stillpublic']} and {W['lateredact']} here.", themes=[theme]
    )
    rows["researcher"] = make_excerpt(
        control, access=Level.RESEARCHERS, text=f"R {W['researcher']}."
    )
    rows["archive"] = make_excerpt(control, access=Level.ARCHIVE, text=f"A {W['archive']}.")
    rows["draft"] = make_excerpt(control, approved=False, text=f"D {W['draft']}.")
    rows["embargo"] = make_excerpt(control, embargo_until="2099-12-31", text=f"E {W['embargo']}.")
    capped = make_witness(consent=Level.RESEARCHERS, pseudonym="Capped witness")
    rows["consentcap"] = make_excerpt(make_testimony(capped), text=f"C {W['consentcap']}.")
    gone = make_witness(pseudonym="Withdrawn witness")
    rows["withdrawn"] = make_excerpt(make_testimony(gone), text=f"W {W['withdrawn']}.")
    consent_withdraw(witness=gone, reason="canary")
    text = f"Officer {W['redacted']} took phones."
    rows["redacted"] = make_excerpt(
        control, text=text, redactions=[{"start": 8, "end": 8 + len(W["redacted"])}]
    )
    WitnessIdentity.objects.create(
        witness=control_witness, legal_name=f"Legal {W['legalname']}", contact=W["contact"]
    )
    return rows


def session_for(role, live_server):
    session = requests.Session()
    if role == "anonymous":
        return session
    if role == "researcher_expired":
        user = make_user("researcher", username="canary-expired")
        user.research_grants.update(expires_on=dt.date.today() - dt.timedelta(days=1))
    else:
        user = make_user(role, username=f"canary-{role}")
    client = Client()
    sign_in(client, user)
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    return session


def starts():
    urls = [
        "/",
        "/themes/",
        "/sources/",
        "/about/",
        "/research/",
        "/sitemap.xml",
        "/feeds/excerpts/",
        "/api/v1/schema/",
        "/oai/?verb=Identify",
        "/oai/?verb=ListSets",
        "/oai/?verb=ListRecords&metadataPrefix=oai_dc",
        "/oai/?verb=ListIdentifiers&metadataPrefix=oai_dc",
        "/no-such-page-zq/",
        "/excerpts/nosuchid/",
    ]
    urls += [
        f"/api/v1/{kind}/" for kind in ("excerpts", "testimonies", "witnesses", "themes", "sources")
    ]
    for marker in M.values():
        urls += [
            f"/search/?q={marker}",
            f"/research/search/?q={marker}",
            f"/research/search/export.csv?q={marker}",
            f"/research/search/export.json?q={marker}",
            f"/api/v1/excerpts/?q={marker}",
            f"/api/v1/testimonies/?q={marker}",
        ]
    return urls


def crawl_and_check(session, role, live_server, allowed):
    crawl = Crawl(live_server.url, session)
    seen = crawl.run(starts())
    assert any(status == 200 for status, _, _ in seen.values())
    leaks, found = [], set()
    for url, (status, headers, body) in seen.items():
        assert status < 500, (role, url, status)
        for name, marker in M.items():
            twin = T[name]
            echoed = marker in url  # a search page repeats its own query
            if (
                twin in body
                or twin in headers
                or (not echoed and (marker in body or marker in headers))
            ):
                found.add(name)
                if name not in allowed:
                    leaks.append((name, url))
    assert not leaks, f"{role} saw markers above its level: {leaks[:10]}"
    assert allowed <= found, f"{role} never saw {sorted(allowed - found)} in {len(seen)} responses"
    return seen


@pytest.mark.parametrize("role", ROLES)
def test_canary_crawl(role, canary, live_server):
    session = session_for(role, live_server)
    crawl_and_check(session, role, live_server, allowed_before(role))

    consent_withdraw(witness=canary["public"].testimony.witness, reason="canary withdrawal")
    consent_record(
        witness=canary["consentcap"].testimony.witness, level=Level.ARCHIVE, note="narrowed"
    )
    canary["researcher"].unpublish()
    later = canary["stillpublic"]
    start = later.text.index(W["lateredact"])
    later.redactions = [{"start": start, "end": start + len(W["lateredact"]), "reason": "canary"}]
    later.save()

    crawl_and_check(session, role, live_server, allowed_after(role))

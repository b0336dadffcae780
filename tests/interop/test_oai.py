"""OAI-PMH by hand-built requests: every verb, every error code, the access rows (restricted
records never appear in any verb, whoever asks), deletions and datestamps."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from interop.models import OaiRecord
from interop.oai import oai_identifier
from testimonies.levels import Level
from testimonies.services import consent_record, consent_withdraw
from tests.factories import FUTURE, make_excerpt, make_user, sign_in

from .conftest import LEGAL_NAME, PUBLIC, RESTRICTED_WORDS
from .oai_helpers import DC, OAI, error_codes, parse


@pytest.fixture
def small_pages(settings):
    settings.OAI_PAGE_SIZE = 2


def oai(client=None, method="get", **params):
    client = client or Client()
    return parse(getattr(client, method)("/oai/", params))


def harvest(client=None, verb="ListRecords", **params):
    """Every page of a list, following resumption tokens; returns the pages' roots."""
    pages = [oai(client, verb=verb, **params)]
    while True:
        token = pages[-1].find(f".//{OAI}resumptionToken")
        if token is None or not token.text:
            return pages
        pages.append(oai(client, verb=verb, resumptionToken=token.text))


def records(pages):
    return [r for page in pages for r in page.iter(f"{OAI}record")]


def headers(pages):
    return [h for page in pages for h in page.iter(f"{OAI}header")]


def ident(excerpt):
    return oai_identifier("excerpt", excerpt.public_id)


def by_identifier(pages):
    return {h.find(f"{OAI}identifier").text: h for h in headers(pages)}


def text_of(pages):
    import xml.etree.ElementTree as ET

    return "\n".join(ET.tostring(p, encoding="unicode") for p in pages)


# --- Verbs ------------------------------------------------------------------------------------


def test_identify(db):
    root = oai(verb="Identify")
    identify = root.find(f"{OAI}Identify")
    assert identify.find(f"{OAI}protocolVersion").text == "2.0"
    assert identify.find(f"{OAI}deletedRecord").text == "persistent"
    assert identify.find(f"{OAI}granularity").text == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.find(f"{OAI}baseURL").text == "http://testserver/oai/"
    assert identify.find(f"{OAI}adminEmail").text


def test_list_metadata_formats(collection):
    root = oai(verb="ListMetadataFormats")
    assert [e.text for e in root.iter(f"{OAI}metadataPrefix")] == ["oai_dc"]
    root = oai(verb="ListMetadataFormats", identifier=ident(collection.public))
    assert [e.text for e in root.iter(f"{OAI}metadataPrefix")] == ["oai_dc"]


def test_list_sets_are_themes_with_hierarchy(collection):
    root = oai(verb="ListSets")
    specs = {
        s.find(f"{OAI}setSpec").text: s.find(f"{OAI}setName").text for s in root.iter(f"{OAI}set")
    }
    assert specs["conditions"] == collection.parent_theme.name
    assert specs["conditions:wages-withheld"] == collection.theme.name


def test_list_sets_pages(collection, small_pages):
    for n in range(3):
        from tests.factories import make_theme

        make_theme(slug=f"extra-{n}")
    pages = harvest(verb="ListSets")
    assert len(pages) == 3
    specs = [s.find(f"{OAI}setSpec").text for p in pages for s in p.iter(f"{OAI}set")]
    assert len(specs) == len(set(specs)) == 5


def test_list_records_across_resumption_tokens(collection, small_pages):
    extra = [make_excerpt(collection.public_testimony, text=f"{PUBLIC} more {n}") for n in range(3)]
    pages = harvest(metadataPrefix="oai_dc")
    assert len(pages) == 3  # 5 excerpts and 1 testimony, 2 a page
    found = by_identifier(pages)
    assert len(found) == 6
    for excerpt in [collection.public, collection.redacted, *extra]:
        assert ident(excerpt) in found
    assert oai_identifier("testimony", collection.public_testimony.public_id) in found
    first = pages[0].find(f".//{OAI}resumptionToken")
    assert first.get("completeListSize") == "6" and first.get("cursor") == "0"
    last = pages[-1].find(f".//{OAI}resumptionToken")
    assert last.text is None and last.get("cursor") == "4"
    # ListIdentifiers gives the same headers.
    assert (
        by_identifier(harvest(verb="ListIdentifiers", metadataPrefix="oai_dc")).keys()
        == found.keys()
    )


def test_get_record_is_dublin_core(collection):
    root = oai(verb="GetRecord", identifier=ident(collection.public), metadataPrefix="oai_dc")
    dc = root.find(f".//{OAI}metadata")
    assert PUBLIC in dc.find(f".//{DC}description").text
    assert dc.find(f".//{DC}creator").text == "Alder"
    assert collection.theme.name in [s.text for s in dc.iter(f"{DC}subject")]
    assert collection.public.public_id in dc.find(f".//{DC}identifier").text
    header = root.find(f".//{OAI}header")
    assert {s.text for s in header.iter(f"{OAI}setSpec")} == {
        "conditions",
        "conditions:wages-withheld",
    }


def test_redacted_words_never_reach_a_harvester(collection):
    root = oai(verb="GetRecord", identifier=ident(collection.redacted), metadataPrefix="oai_dc")
    assert root.find(f".//{DC}description").text == "We worked near [redacted] all winter"


def test_set_and_date_selection(collection):
    oai(verb="Identify")  # the first request publishes the records
    old = timezone.now().replace(microsecond=0) - dt.timedelta(days=400)
    OaiRecord.objects.filter(identifier=ident(collection.redacted)).update(datestamp=old)
    day = old.date().isoformat()
    found = by_identifier(harvest(metadataPrefix="oai_dc", until=day))
    assert set(found) == {ident(collection.redacted)}
    found = by_identifier(
        harvest(
            metadataPrefix="oai_dc", **{"from": (old.date() + dt.timedelta(days=1)).isoformat()}
        )
    )
    assert ident(collection.redacted) not in found and ident(collection.public) in found
    stamp = old.strftime("%Y-%m-%dT%H:%M:%SZ")
    found = by_identifier(harvest(metadataPrefix="oai_dc", **{"from": stamp, "until": stamp}))
    assert set(found) == {ident(collection.redacted)}
    in_set = by_identifier(harvest(metadataPrefix="oai_dc", set="conditions:wages-withheld"))
    assert ident(collection.public) in in_set
    # A testimony is in the sets of its public excerpts.
    assert oai_identifier("testimony", collection.public_testimony.public_id) in in_set


def test_post_requests_are_answered_too(collection):
    root = oai(
        method="post",
        verb="GetRecord",
        identifier=ident(collection.public),
        metadataPrefix="oai_dc",
    )
    assert root.find(f".//{OAI}record") is not None


# --- Errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, code",
    [
        ({}, "badVerb"),
        ({"verb": "Harvest"}, "badVerb"),
        ({"verb": ["Identify", "Identify"]}, "badVerb"),
        ({"verb": "Identify", "extra": "1"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_dc"]}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-02-30"}, "badArgument"),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2024-01-01",
                "until": "2024-06-01T00:00:00Z",
            },
            "badArgument",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2025-01-01",
                "until": "2024-01-01",
            },
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        (
            {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2099-01-01"},
            "noRecordsMatch",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "no-such-theme"},
            "noRecordsMatch",
        ),
        ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "not-a-token"}, "badResumptionToken"),
        (
            {
                "verb": "GetRecord",
                "identifier": "oai:elsewhere:excerpt:x",
                "metadataPrefix": "oai_dc",
            },
            "idDoesNotExist",
        ),
        (
            {"verb": "ListMetadataFormats", "identifier": "oai:elsewhere:excerpt:x"},
            "idDoesNotExist",
        ),
        (
            {"verb": "GetRecord", "identifier": "\x01\x00", "metadataPrefix": "oai_dc"},
            "badArgument",
        ),
    ],
)
def test_error_codes(collection, params, code):
    root = oai(**params)
    assert error_codes(root) == [code]
    request = root.find(f"{OAI}request")
    if code in ("badVerb", "badArgument"):
        assert request.attrib == {}


def test_get_record_in_an_unknown_format(collection):
    root = oai(verb="GetRecord", identifier=ident(collection.public), metadataPrefix="mods")
    assert error_codes(root) == ["cannotDisseminateFormat"]


def test_tampered_or_misused_resumption_tokens(collection, small_pages):
    make_excerpt(collection.public_testimony, text="one more")
    root = oai(verb="ListRecords", metadataPrefix="oai_dc")
    token = root.find(f".//{OAI}resumptionToken").text
    assert token
    # Any change to the token is detected.
    flipped = token[:5] + ("a" if token[5] != "a" else "b") + token[6:]
    sig_changed = token[:-3] + ("a" if token[-3] != "a" else "b") + token[-2:]
    for tampered in (flipped, sig_changed, "x" + token, token[:20]):
        assert error_codes(oai(verb="ListRecords", resumptionToken=tampered)) == [
            "badResumptionToken"
        ]
    # A token belongs to its verb.
    assert error_codes(oai(verb="ListIdentifiers", resumptionToken=token)) == ["badResumptionToken"]
    assert error_codes(oai(verb="ListSets", resumptionToken=token)) == ["badResumptionToken"]
    assert error_codes(oai(verb="ListRecords", resumptionToken=token)) == []


def test_expired_resumption_token(collection, small_pages, settings):
    make_excerpt(collection.public_testimony, text="one more")
    token = oai(verb="ListRecords", metadataPrefix="oai_dc").find(f".//{OAI}resumptionToken").text
    settings.OAI_RESUMPTION_TOKEN_MAX_AGE = -1
    assert error_codes(oai(verb="ListRecords", resumptionToken=token)) == ["badResumptionToken"]


# --- Access rows ------------------------------------------------------------------------------


def everything(client):
    pages = harvest(client, metadataPrefix="oai_dc")
    pages += harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    pages += harvest(client, verb="ListSets")
    pages.append(oai(client, verb="Identify"))
    for header in headers(pages[:]):
        identifier = header.find(f"{OAI}identifier").text
        pages.append(oai(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc"))
    return pages


@pytest.mark.parametrize("role", ["anonymous", "signed_in", "researcher", "archivist", "custodian"])
def test_restricted_records_never_appear_in_any_verb(collection, small_pages, role):
    client = Client()
    if role != "anonymous":
        sign_in(client, make_user(role))
    pages = everything(client)
    text = text_of(pages)
    assert PUBLIC in text
    assert LEGAL_NAME not in text
    for word in RESTRICTED_WORDS:
        assert word not in text, word
    for excerpt in collection.restricted.values():
        assert excerpt.public_id not in text
        root = oai(client, verb="GetRecord", identifier=ident(excerpt), metadataPrefix="oai_dc")
        assert error_codes(root) == ["idDoesNotExist"]
    for testimony in (collection.research_testimony, collection.withdrawn_testimony):
        assert testimony.public_id not in text
    assert not OaiRecord.objects.filter(
        public_id__in=[e.public_id for e in collection.restricted.values()]
    ).exists()


# --- Deletions and datestamps -----------------------------------------------------------------


def get_record(identifier):
    return oai(verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")


def stamp(root):
    return root.find(f".//{OAI}datestamp").text


def assert_deleted(identifier, before):
    root = get_record(identifier)
    header = root.find(f".//{OAI}header")
    assert header.get("status") == "deleted"
    assert root.find(f".//{OAI}metadata") is None
    assert stamp(root) > before
    return root


@pytest.mark.parametrize("change", ["withdrawal", "unapproval", "consent", "embargo", "access"])
def test_a_record_that_stops_being_public_is_reported_deleted(collection, change):
    identifier = ident(collection.public)
    before = stamp(get_record(identifier))
    excerpt = collection.public
    if change == "withdrawal":
        consent_withdraw(witness=collection.public_witness, reason="asked")
    elif change == "unapproval":
        excerpt.unpublish()
    elif change == "consent":
        consent_record(witness=collection.public_witness, level=Level.RESEARCHERS)
    elif change == "embargo":
        excerpt.embargo_until = FUTURE
        excerpt.save()
    else:
        excerpt.access = Level.ARCHIVE
        excerpt.save()
    root = assert_deleted(identifier, before)
    assert PUBLIC not in text_of([root])
    # Lists report it too, header only, with its sets; its content is gone everywhere.
    pages = harvest(metadataPrefix="oai_dc")
    assert by_identifier(pages)[identifier].get("status") == "deleted"
    assert PUBLIC not in text_of(pages)
    in_set = by_identifier(harvest(metadataPrefix="oai_dc", set="conditions"))
    assert in_set[identifier].get("status") == "deleted"
    # Once deleted, always reported (deletedRecord is persistent), with the same datestamp.
    again = get_record(identifier)
    assert again.find(f".//{OAI}header").get("status") == "deleted"
    assert stamp(again) == stamp(root)


def test_withdrawal_deletes_the_testimony_record_too(collection):
    identifier = oai_identifier("testimony", collection.public_testimony.public_id)
    before = stamp(get_record(identifier))
    consent_withdraw(witness=collection.public_witness, reason="asked")
    assert_deleted(identifier, before)


def test_a_record_made_public_again_comes_back_with_a_new_datestamp(collection):
    identifier = ident(collection.public)
    first = stamp(get_record(identifier))
    collection.public.unpublish()
    deleted = stamp(get_record(identifier))
    assert deleted > first
    collection.public.save_revision().publish()
    root = get_record(identifier)
    assert root.find(f".//{OAI}header").get("status") is None
    assert PUBLIC in root.find(f".//{DC}description").text
    assert stamp(root) > deleted


def test_a_change_to_public_metadata_moves_the_datestamp(collection):
    identifier = ident(collection.public)
    first = stamp(get_record(identifier))
    assert stamp(get_record(identifier)) == first  # nothing changed, nothing moves
    excerpt = collection.public
    excerpt.redactions = [{"start": 0, "end": len(PUBLIC), "reason": "name"}]
    excerpt.save()
    root = get_record(identifier)
    assert stamp(root) > first
    assert PUBLIC not in text_of([root])
    # An incremental harvest from the old datestamp picks the change up.
    later = by_identifier(harvest(metadataPrefix="oai_dc", **{"from": stamp(root)}))
    assert identifier in later

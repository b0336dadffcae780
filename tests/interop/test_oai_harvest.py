"""Harvesting /oai/ over HTTP with a standard OAI-PMH client (Sickle), through a live server,
as an aggregator would: full harvests across resumption tokens, sets, single records,
selective harvests by date, and a withdrawal seen as a deleted record on the next harvest."""

import datetime as dt

import pytest
from sickle import Sickle
from sickle.oaiexceptions import BadResumptionToken, IdDoesNotExist, NoRecordsMatch

from interop.models import OaiRecord
from interop.oai import oai_identifier
from testimonies.services import consent_withdraw
from tests.factories import make_excerpt

from .conftest import LEGAL_NAME, PUBLIC, RESTRICTED_WORDS


@pytest.fixture
def sickle(live_server, transactional_db, settings):
    settings.OAI_PAGE_SIZE = 2
    return Sickle(f"{live_server.url}/oai/", max_retries=0, timeout=30)


def public_identifiers(collection, extra=()):
    excerpts = [collection.public, collection.redacted, *extra]
    return {oai_identifier("excerpt", e.public_id) for e in excerpts} | {
        oai_identifier("testimony", collection.public_testimony.public_id)
    }


def test_identify(sickle, collection):
    identify = sickle.Identify()
    assert identify.protocolVersion == "2.0"
    assert identify.deletedRecord == "persistent"
    assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"


def test_list_records_across_resumption_tokens(sickle, collection):
    extra = [make_excerpt(collection.public_testimony, text=f"{PUBLIC} more {n}") for n in range(3)]
    iterator = sickle.ListRecords(metadataPrefix="oai_dc")
    records = list(iterator)
    assert {r.header.identifier for r in records} == public_identifiers(collection, extra)
    assert len(records) == 6  # three pages of two: the client followed two resumption tokens
    text = "\n".join(r.raw for r in records)
    assert PUBLIC in text and LEGAL_NAME not in text
    for word in RESTRICTED_WORDS:
        assert word not in text
    excerpt = next(r for r in records if r.header.identifier.endswith(collection.public.public_id))
    assert any(PUBLIC in d for d in excerpt.metadata["description"])
    assert excerpt.metadata["creator"] == ["Alder"]


def test_list_identifiers_and_sets(sickle, collection):
    sets = {s.setSpec: s.setName for s in sickle.ListSets()}
    assert sets["conditions:wages-withheld"] == collection.theme.name
    assert "conditions" in sets
    in_set = {
        h.identifier for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", set="conditions")
    }
    assert in_set == public_identifiers(collection)
    with pytest.raises(NoRecordsMatch):
        list(sickle.ListIdentifiers(metadataPrefix="oai_dc", set="nothing-here"))


def test_get_record(sickle, collection):
    identifier = oai_identifier("excerpt", collection.redacted.public_id)
    record = sickle.GetRecord(identifier=identifier, metadataPrefix="oai_dc")
    assert record.metadata["description"] == ["We worked near [redacted] all winter"]
    assert set(record.header.setSpecs) == {"conditions", "conditions:wages-withheld"}
    with pytest.raises(IdDoesNotExist):
        sickle.GetRecord(
            identifier=oai_identifier("excerpt", collection.restricted["draft"].public_id),
            metadataPrefix="oai_dc",
        )


def test_selective_harvest_by_date(sickle, collection):
    list(sickle.ListIdentifiers(metadataPrefix="oai_dc"))  # publishes the records
    old = dt.datetime(2020, 5, 1, 12, 0, 0, tzinfo=dt.UTC)
    redacted = oai_identifier("excerpt", collection.redacted.public_id)
    OaiRecord.objects.filter(identifier=redacted).update(datestamp=old)
    until = [
        h.identifier for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", until="2020-12-31")
    ]
    assert until == [redacted]
    since = {
        h.identifier
        for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", **{"from": "2021-01-01"})
    }
    assert since == public_identifiers(collection) - {redacted}
    exact = sickle.ListRecords(
        metadataPrefix="oai_dc", **{"from": "2020-05-01T12:00:00Z", "until": "2020-05-01T12:00:00Z"}
    )
    assert [r.header.identifier for r in exact] == [redacted]


def test_withdrawal_then_reharvest_shows_deleted_records(sickle, collection):
    first = {r.header.identifier: r for r in sickle.ListRecords(metadataPrefix="oai_dc")}
    assert not any(r.deleted for r in first.values())
    last_harvest = max(r.header.datestamp for r in first.values())
    consent_withdraw(witness=collection.public_witness, reason="asked to withdraw")
    # An incremental harvest from the last one learns of every record that went.
    again = {
        r.header.identifier: r
        for r in sickle.ListRecords(metadataPrefix="oai_dc", **{"from": last_harvest})
    }
    assert set(again) == public_identifiers(collection)
    for identifier, record in again.items():
        assert record.deleted, identifier
        assert record.header.datestamp > first[identifier].header.datestamp
        assert PUBLIC not in record.raw and "metadata" not in record.raw
    record = sickle.GetRecord(
        identifier=oai_identifier("excerpt", collection.public.public_id), metadataPrefix="oai_dc"
    )
    assert record.deleted


def test_tampered_token_over_http(sickle, collection):
    make_excerpt(collection.public_testimony, text="one more")
    response = sickle.ListRecords(metadataPrefix="oai_dc")
    token = response.resumption_token.token
    with pytest.raises(BadResumptionToken):
        sickle.ListRecords(
            resumptionToken=token[:5] + ("a" if token[5] != "a" else "b") + token[6:]
        )

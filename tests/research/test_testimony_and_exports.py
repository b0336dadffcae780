"""The research view of a testimony and every export: only what the user may see, never an
identity, researchers get redacted text, each row with a citation."""

import csv
import io
import json

import pytest
from django.urls import reverse

from testimonies.interchange import validate_document
from tests.research.conftest import HIDDEN_FROM_RESEARCHER


def get(client, name, *args, **params):
    return client.get(reverse(f"research:{name}", args=args), params)


def test_researcher_reads_transcript_and_excerpts_marked_by_level(rows, as_role):
    client, _ = as_role("researcher")
    response = get(client, "testimony", rows.public_t.public_id)
    assert response.status_code == 200
    page = response.content.decode()
    assert "[00:05:10] Nobody could leave the zebrabracket site" in page  # the transcript
    assert "Level: public" in page and "Level: researchers" in page
    assert "zebrapublic wages" in page and "zebraresearch passports" in page
    assert "[redacted] camp near the border" in page
    for marker in HIDDEN_FROM_RESEARCHER:
        assert marker not in page, marker
    assert "Cite as" in page and rows.public_t.public_id in page


def test_archivist_sees_drafts_hidden_excerpts_and_redacted_words(rows, as_role):
    client, _ = as_role("archivist")
    page = get(client, "testimony", rows.public_t.public_id).content.decode()
    for marker in ("zebraarchive", "zebradraft", "zebraembargo", "zebrasecret"):
        assert marker in page, marker
    assert "Level: draft" in page and "Level: archive" in page
    assert "Zebralegal" not in page


@pytest.mark.parametrize("which", ["archive_t", "withdrawn_t", "embargoed_t"])
def test_hidden_testimonies_answer_404_to_researchers(rows, as_role, which):
    client, _ = as_role("researcher")
    testimony = getattr(rows, which)
    for response in (
        get(client, "testimony", testimony.public_id),
        get(client, "testimony_export", testimony.public_id, "csv"),
        get(client, "testimony_export", testimony.public_id, "json"),
    ):
        assert response.status_code == 404
        assert b"zebra" not in response.content
    # Archive staff read them.
    staff, _ = as_role("archivist")
    assert get(staff, "testimony", testimony.public_id).status_code == 200


def read_csv(response):
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_search_csv_has_only_visible_rows_each_with_a_citation(rows, as_role):
    client, _ = as_role("researcher")
    records = read_csv(get(client, "search_export", "csv", q="zebra"))
    texts = "\n".join(r["text"] for r in records)
    kinds = {r["kind"] for r in records}
    assert kinds == {"excerpt", "transcript passage"}
    assert "zebraresearch passports held" in texts
    assert "zebratranscript forest camp" in texts
    passage = next(r for r in records if "zebratranscript" in r["text"])
    assert passage["timecode"] == "00:12:34"
    assert "at 00:12:34" in passage["citation"]
    body = json.dumps(records)
    for marker in HIDDEN_FROM_RESEARCHER:
        assert marker not in body, marker
    for record in records:
        assert record["citation"].startswith(record["witness"])
        assert f"testimony {record['testimony']}" in record["citation"]
        assert "/research/testimonies/" in record["citation"]


def test_search_json_rows_and_interchange_document(rows, as_role):
    client, _ = as_role("researcher")
    response = get(client, "search_export", "json", q="zebra")
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert data["query"] == {"q": "zebra", "filters": {}}
    assert all(row["citation"] for row in data["rows"])
    document = data["document"]
    assert validate_document(document) == []
    body = response.content.decode()
    for marker in HIDDEN_FROM_RESEARCHER:
        assert marker not in body, marker
    for witness in document["witnesses"]:
        assert "identity" not in witness
        assert all(set(entry) <= {"level", "recorded_on"} for entry in witness["consent"])
    # Search exports carry the matching passages, not whole transcripts.
    assert all("transcript" not in t for t in document["testimonies"])


def test_testimony_exports_for_a_researcher(rows, as_role):
    client, _ = as_role("researcher")
    records = read_csv(get(client, "testimony_export", rows.public_t.public_id, "csv"))
    assert records[0]["kind"] == "transcript"
    assert "zebrabracket" in records[0]["text"]
    texts = [r["text"] for r in records]
    assert "We were taken to the [redacted] camp near the border." in texts
    body = json.dumps(records)
    for marker in HIDDEN_FROM_RESEARCHER:
        assert marker not in body, marker

    response = get(client, "testimony_export", rows.public_t.public_id, "json")
    data = json.loads(response.content)
    assert validate_document(data["document"]) == []
    (testimony,) = data["document"]["testimonies"]
    assert "zebrabracket" in testimony["transcript"]
    redacted = next(e for e in testimony["excerpts"] if "border" in e["text"])
    assert redacted["text"] == "We were taken to the [redacted] camp near the border."
    assert "redactions" not in redacted
    body = response.content.decode()
    for marker in HIDDEN_FROM_RESEARCHER:
        assert marker not in body, marker
    assert {r["excerpt"] for r in data["rows"] if r["kind"] == "excerpt"} == {
        rows.public.public_id,
        rows.researcher.public_id,
        rows.redacted.public_id,
    }


def test_archivist_export_keeps_redactions_but_never_identities(rows, as_role):
    client, _ = as_role("custodian")
    response = get(client, "testimony_export", rows.public_t.public_id, "json")
    data = json.loads(response.content)
    (testimony,) = data["document"]["testimonies"]
    redacted = next(e for e in testimony["excerpts"] if "border" in e["text"])
    assert "zebrasecret" in redacted["text"] and redacted["redactions"]
    body = response.content.decode()
    assert "Zebralegal" not in body and "Realname" not in body and "zebra@example.org" not in body
    assert validate_document(data["document"]) == []


def test_csv_cells_that_look_like_formulas_are_written_as_text(db, as_role):
    from tests.factories import make_excerpt

    make_excerpt(text='=HYPERLINK("http://example.org") zebraformula')
    client, _ = as_role("researcher")
    records = read_csv(get(client, "search_export", "csv", q="zebraformula"))
    assert records[0]["text"].startswith("'=HYPERLINK")


def test_export_without_a_search_is_refused_clearly(rows, as_role):
    client, _ = as_role("researcher")
    response = get(client, "search_export", "csv")
    assert response.status_code == 400
    assert b"before exporting" in response.content


def test_seed_collection_researcher_material(seeded, as_role):
    """The seed's demonstration cases: a researcher finds the researcher-only excerpt and a
    transcript word of a researchers-level testimony, never the archive-only, draft,
    embargoed or withdrawn excerpts, the redacted place, or a legal name."""
    from testimonies.models import Excerpt, Testimony

    client, _ = as_role("researcher")
    reprisals = Excerpt.objects.get(key="demo-e-hrnk-reprisals-researchers")
    page = get(client, "search", q="reprisals").content.decode()
    assert reprisals.public_text.split()[3] in page
    assert "demo-t-hrnk-tip-findings-researchers" not in page  # keys never shown
    tip = Testimony.objects.get(key="demo-t-hrnk-tip-findings-researchers")
    assert tip.title in page  # the transcript hit ("reprisals against themselves")
    hidden = Excerpt.objects.filter(
        key__in=[
            "demo-e-fu-large-city-archive",
            "demo-e-fu-executive-order-draft",
            "demo-e-dailynk-reassured-officer-embargoed",
            "demo-e-logging-fear-of-detention",
        ]
    )
    everything = get(client, "search_export", "json", q="the").content.decode()
    for excerpt in hidden:
        assert excerpt.public_id not in everything
        assert excerpt.text[:40] not in everything
    redacted = Excerpt.objects.get(key="demo-e-garment-official-death-redacted")
    secret = redacted.text[redacted.redactions[0]["start"] : redacted.redactions[0]["end"]]
    assert secret not in get(client, "search_export", "json", q="official").content.decode()
    for name in ("Kestrel", "Juniper", "Quartz-58"):
        assert name not in everything

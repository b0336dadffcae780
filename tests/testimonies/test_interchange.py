import copy
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from testimonies.interchange import InterchangeError, dump, export_document, import_document
from testimonies.models import ConsentEntry, Excerpt, Testimony, Theme, Witness
from testimonies.services import consent_withdraw

EXAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "interchange-example.json"
SEEDS = Path(__file__).resolve().parent.parent.parent / "seeds" / "collection.json"


def example():
    return json.loads(EXAMPLE.read_text())


def row_counts():
    return {
        m.__name__: m.objects.count() for m in (Theme, Witness, Testimony, Excerpt, ConsentEntry)
    }


def normalise(doc):
    """Order-insensitive view of a document: lists of records sorted by key, sets sorted."""
    doc = copy.deepcopy(doc)
    doc["themes"] = sorted(
        ({**t, "parent": t.get("parent")} for t in doc.get("themes", [])), key=lambda t: t["slug"]
    )
    doc["sources"] = sorted(doc.get("sources", []), key=lambda s: s["key"])
    doc["witnesses"] = sorted(doc.get("witnesses", []), key=lambda w: w["key"])
    for t in doc.get("testimonies", []):
        for name in ("countries", "sectors", "sources"):
            if name in t:
                t[name] = sorted(t[name])
        for e in t.get("excerpts", []):
            if "themes" in e:
                e["themes"] = sorted(e["themes"])
    doc["testimonies"] = sorted(doc.get("testimonies", []), key=lambda t: t["key"])
    return doc


@pytest.mark.django_db
def test_example_imports_and_round_trips_exactly():
    report = import_document(EXAMPLE.read_text(), source="example.json")
    assert report.counts["excerpts"]["created"] == 3
    first = export_document(include_identity=True)
    # Nothing of the example is lost or changed, only put in the archive's order.
    assert normalise(first) == normalise(example())
    import_document(dump(first))
    assert export_document(include_identity=True) == first
    assert dump(export_document(include_identity=True)) == dump(first)


@pytest.mark.django_db
def test_seed_collection_round_trips_exactly():
    import_document(SEEDS.read_text())
    first = dump(export_document(include_identity=True))
    report = import_document(first)
    assert report.total("created") == 0 and report.total("updated") == 0
    assert dump(export_document(include_identity=True)) == first
    assert normalise(json.loads(first)) == normalise(json.loads(SEEDS.read_text()))


@pytest.mark.django_db
def test_import_is_idempotent_and_updates_by_key():
    import_document(example())
    counts = row_counts()
    again = import_document(example())
    assert again.total("created") == 0 and again.total("updated") == 0
    assert row_counts() == counts
    changed = example()
    changed["testimonies"][0]["excerpts"][0]["text"] = "Our phones were taken each night."
    changed["testimonies"][0]["excerpts"][0]["redactions"] = []
    report = import_document(changed)
    assert report.counts["excerpts"] == {"created": 0, "updated": 1, "unchanged": 2}
    assert Excerpt.objects.get(key="e-example-1").public_text == "Our phones were taken each night."
    assert row_counts() == counts


@pytest.mark.django_db
def test_dry_run_reports_and_writes_nothing():
    report = import_document(example(), dry_run=True)
    assert report.counts["excerpts"]["created"] == 3
    assert row_counts() == {k: 0 for k in row_counts()}


def broken(mutate):
    doc = example()
    mutate(doc)
    return doc


BAD_DOCUMENTS = [
    (lambda d: d.update(format="other"), "$.format"),
    (lambda d: d["testimonies"][0].update(witness="nobody"), "$.testimonies[0].witness"),
    (
        lambda d: d["testimonies"][0]["excerpts"][0].update(themes=["nope"]),
        "$.testimonies[0].excerpts[0].themes[0]",
    ),
    (lambda d: d["testimonies"][0].update(sources=["src-missing"]), "$.testimonies[0].sources[0]"),
    (lambda d: d["themes"][1].update(parent="missing-theme"), "$.themes[1].parent"),
    (
        lambda d: d["testimonies"][0]["excerpts"][0]["redactions"][0].update(end=500),
        "$.testimonies[0].excerpts[0].redactions[0].end",
    ),
    (
        lambda d: d["testimonies"][0]["excerpts"][0]["redactions"][0].update(start=50, end=45),
        "$.testimonies[0].excerpts[0].redactions[0]",
    ),
    (
        lambda d: d["testimonies"][0]["excerpts"][0].update(start="00:05:00", end="00:04:00"),
        "$.testimonies[0].excerpts[0].end",
    ),
    (
        lambda d: d["testimonies"][0]["excerpts"][0].update(start="4 minutes"),
        "$.testimonies[0].excerpts[0].start",
    ),
    (
        lambda d: d["testimonies"][0].update(recorded_on="2025-02-30"),
        "$.testimonies[0].recorded_on",
    ),
    (lambda d: d["testimonies"][0].update(access="secret"), "$.testimonies[0].access"),
    (
        lambda d: d["testimonies"][1]["excerpts"][0].update(key="e-example-1"),
        "$.testimonies[1].excerpts[0].key",
    ),
    (lambda d: d["witnesses"][0].update(unexpected=True), "$.witnesses[0]"),
    (lambda d: d["themes"].append({"slug": "control", "name": "Twice"}), "$.themes[3].slug"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("mutate", "path"), BAD_DOCUMENTS)
def test_bad_documents_change_nothing_and_say_where(mutate, path):
    import_document(
        {"format": "testimony-archive/v1", "themes": [{"slug": "keep", "name": "Keep"}]}
    )
    before = row_counts()
    with pytest.raises(InterchangeError) as err:
        import_document(broken(mutate))
    assert any(p.path == path for p in err.value.problems), [str(p) for p in err.value.problems]
    assert row_counts() == before


@pytest.mark.django_db
def test_error_late_in_the_file_leaves_earlier_records_unwritten():
    """A problem found only while writing (a rewritten consent history) rolls everything back."""
    import_document(example())
    doc = example()
    doc["themes"].append({"slug": "new-theme", "name": "New"})
    doc["witnesses"][1]["consent"][0]["level"] = "researchers"
    with pytest.raises(InterchangeError) as err:
        import_document(doc)
    assert err.value.problems[0].path == "$.witnesses[1].consent[0]"
    assert not Theme.objects.filter(slug="new-theme").exists()


@pytest.mark.django_db
def test_reimporting_an_old_file_never_undoes_a_withdrawal():
    import_document(example())
    witness = Witness.objects.get(key="w-example-1")
    consent_withdraw(witness=witness, reason="asked by the witness")
    import_document(example())
    witness.refresh_from_db()
    assert witness.consent_entries.count() == 3
    assert witness.current_consent().get_level_display() == "withdrawn"


@pytest.mark.django_db
def test_export_leaves_out_identities_unless_asked():
    import_document(example())
    plain = dump(export_document())
    assert "Invented Person One" not in plain and "identity" not in plain
    assert "Invented Person One" in dump(export_document(include_identity=True))


@pytest.mark.django_db
def test_commands(tmp_path):
    out = io.StringIO()
    call_command("import_archive", str(EXAMPLE), "--dry-run", stdout=out)
    assert "would be created" in out.getvalue()
    assert Excerpt.objects.count() == 0
    call_command("import_archive", str(EXAMPLE), stdout=io.StringIO())
    target = tmp_path / "out.json"
    call_command("export_archive", str(target), stdout=io.StringIO())
    assert json.loads(target.read_text())["format"] == "testimony-archive/v1"
    assert "Invented Person One" not in target.read_text()

    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "testimony-archive/v1", "themes": [}')
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_archive", str(bad), stderr=err, stdout=io.StringIO())
    assert "line 1, column" in err.getvalue()

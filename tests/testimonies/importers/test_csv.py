import csv
import io

import pytest
from django.core.management import CommandError, call_command

from testimonies.access import excerpts_visible_to
from testimonies.importers.common import ArchiveImportError
from testimonies.importers.csv_excerpts import COLUMNS, import_csv
from testimonies.levels import Level
from testimonies.models import Excerpt, Testimony, Theme, WitnessIdentity
from tests.factories import make_user

HEADER = ",".join(COLUMNS) + "\n"
T = "t-kang-ju-won-it-work"  # a public testimony of the seed collection


def counts():
    return {m.__name__: m.objects.count() for m in (Excerpt, Testimony, Theme)}


def write(tmp_path, text, name="excerpts.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(path, *args):
    out = io.StringIO()
    call_command("import_archive", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_new_excerpts_are_archive_level_drafts_by_default(seeded, tmp_path):
    path = write(
        tmp_path,
        HEADER
        + f'{T},csv-1,"We worked, and were not paid.",00:01:00,00:01:30,ilo-isolation,,\n'
        + f"{T},csv-2,Phones were checked.,,,,public,yes\n",
    )
    output = run(path)
    assert "excerpts: 2 were created" in output
    first, second = Excerpt.objects.get(key="csv-1"), Excerpt.objects.get(key="csv-2")
    assert first.testimony.key == T and first.text == "We worked, and were not paid."
    assert (first.start_ms, first.end_ms) == (60000, 90000)
    assert list(first.themes.values_list("slug", flat=True)) == ["ilo-isolation"]
    assert first.access == Level.ARCHIVE and not first.live
    assert second.access == Level.PUBLIC and second.live
    anonymous = make_user("anonymous")
    visible = set(excerpts_visible_to(anonymous).values_list("key", flat=True))
    assert "csv-2" in visible and "csv-1" not in visible
    # The testimony's other fields and excerpts are untouched.
    testimony = Testimony.objects.get(key=T)
    assert testimony.excerpts.filter(key="e-kang-ju-won-ten-hour-days").exists()


@pytest.mark.django_db
def test_idempotent_dry_run_and_update_by_key(seeded, tmp_path):
    rows = HEADER + f"{T},csv-1,First text.,,,,researchers,no\n"
    path = write(tmp_path, rows)
    before = counts()
    dry = run(path, "--dry-run")
    assert "Dry run" in dry and "excerpts: 1 would be created" in dry
    assert counts() == before
    run(path)
    again = run(path)
    assert "excerpts: 0 were created, 0 were updated" in again
    run(write(tmp_path, HEADER + f"{T},csv-1,Second text.,,,,,\n", "changed.csv"))
    excerpt = Excerpt.objects.get(key="csv-1")
    assert excerpt.text == "Second text."
    assert excerpt.access == Level.RESEARCHERS  # an empty cell keeps what the archive has


@pytest.mark.django_db
def test_errors_by_line_and_column_and_nothing_written(seeded, tmp_path):
    path = write(
        tmp_path,
        HEADER
        + f"{T},ok-1,Fine text.,,,,,\n"
        + "no-such-testimony,ok-2,Text.,,,,,\n"
        + f"{T},bad key!,Text.,1 minute,00:00:10,no-such-theme,secret,maybe\n"
        + f'{T},ok-3,"",00:00:20,00:00:10,,,\n'
        + f"{T},ok-1,Twice.,,,,,\n"
        + f"{T},e-garment-x,Text.,,,,,,extra\n",
    )
    before = counts()
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_archive", str(path), stderr=err, stdout=io.StringIO())
    message = err.getvalue()
    for expected in (
        "line 3, column 'testimony': no testimony with the key 'no-such-testimony'",
        "line 4, column 'excerpt': 'bad key!' is not a key",
        "line 4, column 'start': '1 minute' is not a timecode",
        "line 4, column 'access': 'secret' is not one of public, researchers, archive",
        "line 4, column 'approved': 'maybe' is not yes or no",
        "line 4, column 'themes': unknown theme 'no-such-theme'",
        "line 5, column 'text': empty",
        "line 5, column 'end': the excerpt ends (00:00:10) before it starts (00:00:20)",
        "line 6, column 'excerpt': 'ok-1' is used twice (also at line 2)",
        "line 7: 9 cells, but the header has 8 columns",
    ):
        assert f"excerpts.csv, {expected}" in message, expected
    assert counts() == before


@pytest.mark.django_db
def test_line_numbers_count_multiline_cells(seeded, tmp_path):
    path = write(tmp_path, HEADER + f'{T},m-1,"two\nlines",,,,,\n{T},m-2,x,,,,bad,\n')
    with pytest.raises(ArchiveImportError) as caught:
        import_csv(path.read_bytes(), source="m.csv")
    assert str(caught.value.problems[0]).startswith("m.csv, line 4, column 'access'")


@pytest.mark.django_db
def test_header_problems(db):
    for text, expected in [
        ("", "the file is empty"),
        ("testimony,excerpt\n", "the column 'text' is missing"),
        ("testimony,excerpt,text,colour\n", "line 1, column 4: unknown column 'colour'"),
        ("testimony,excerpt,text\n", "the file has a header but no excerpts"),
        (b"\xff\xfe", "the file is not UTF-8 text"),
    ]:
        with pytest.raises(ArchiveImportError) as caught:
            import_csv(text, source="h.csv")
        assert expected in str(caught.value), expected


@pytest.mark.django_db
def test_themes_created_only_when_asked(seeded, tmp_path):
    path = write(tmp_path, HEADER + f"{T},th-1,Text.,,,ilo-isolation;new-theme,,\n")
    before = Theme.objects.count()
    with pytest.raises(CommandError):
        call_command("import_archive", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert Theme.objects.count() == before
    output = run(path, "--create-themes")
    assert "new themes that were created: new-theme" in output
    assert Theme.objects.get(slug="new-theme").name == "New theme"
    assert set(Excerpt.objects.get(key="th-1").themes.values_list("slug", flat=True)) == {
        "ilo-isolation",
        "new-theme",
    }


@pytest.mark.django_db
def test_an_import_never_moves_an_excerpt_or_uncovers_a_redaction(seeded, tmp_path):
    redacted = Excerpt.objects.get(key="demo-e-garment-official-death-redacted")
    moved = write(tmp_path, HEADER + f"{T},{redacted.key},Text.,,,,,\n")
    with pytest.raises(ArchiveImportError, match="belongs to testimony"):
        import_csv(moved.read_text(), source="moved.csv")
    owner = redacted.testimony.key
    changed = write(tmp_path, HEADER + f"{owner},{redacted.key},A new text.,,,,,\n", "c.csv")
    with pytest.raises(ArchiveImportError, match="has redactions made in the archive"):
        import_csv(changed.read_text(), source="c.csv")
    redacted.refresh_from_db()
    assert redacted.redactions and redacted.testimony.key == owner


@pytest.mark.django_db
def test_export_csv_round_trips_and_never_carries_identities(seeded, tmp_path):
    target = tmp_path / "all.csv"
    call_command("export_archive", str(target), stdout=io.StringIO())
    text = target.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == COLUMNS
    assert len(rows) == Excerpt.objects.count()
    row = next(r for r in rows if r["excerpt"] == "demo-e-kim-ji-min-program-off-ko")
    assert row["testimony"] == "demo-t-kim-ji-min-ko"
    assert row["access"] == "public" and row["approved"] == "yes"
    assert row["themes"] == "device-monitoring"
    for identity in WitnessIdentity.objects.all():
        assert identity.legal_name not in text
    with pytest.raises(CommandError, match="never carries identities"):
        call_command("export_archive", str(target), "--include-identity")
    before = counts()
    output = run(target)
    assert "0 were created, 0 were updated" in output
    assert counts() == before

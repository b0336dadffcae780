import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from testimonies.access import excerpts_visible_to, witnesses_visible_to
from testimonies.access import testimonies_visible_to as visible_testimonies
from testimonies.access import testimonies_with_transcripts_for as readable_transcripts
from testimonies.importers.common import ArchiveImportError, ThemeMap
from testimonies.importers.ohms import import_ohms
from testimonies.interchange import dump, export_document
from testimonies.levels import Level
from testimonies.models import (
    ConsentEntry,
    Country,
    Excerpt,
    Testimony,
    Theme,
    Witness,
    WitnessIdentity,
)
from tests.factories import make_theme, make_user

from .helpers import INTERVIEWEE, ohms, point

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ohms"


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_archive", str(path), *args, stdout=out, stderr=err)
    return out.getvalue()


def counts():
    return {
        m.__name__: m.objects.count()
        for m in (Theme, Witness, WitnessIdentity, ConsentEntry, Testimony, Excerpt)
    }


def write(tmp_path, data, name="record.xml"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- Every real fixture -------------------------------------------------------------------

# file, testimony key, excerpts, interviewee's name (given or taken from the title)
REAL = [
    ("duarte_OH0344.xml", "ohms-00083325", 7, "Ronald Duarte"),
    ("alyea_OH0010.xml", "ohms-00089280", 15, "Hubert N. Alyea"),
    ("various_gaps.xml", "ohms-00089981", 0, "Miss Piggy"),
    ("chappelear-ohmsvtt-example.xml", "ohms-41421", 0, "Patsy Stallings Chappelear"),
    ("small-sample-vtt-ohms.xml", "ohms-36809", 0, None),
    ("index_hyperlinks_example.xml", "ohms-00089262", 2, "Roy J. Plunkett"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("name,key,n_excerpts,person", REAL)
def test_every_fixture_imports_as_archive_level_drafts(name, key, n_excerpts, person):
    output = run(FIXTURES / name)
    assert "testimonies: 1 were created" in output
    testimony = Testimony.objects.get(key=key)
    assert testimony.excerpts.count() == n_excerpts
    assert testimony.access == Level.ARCHIVE and testimony.level == Level.ARCHIVE
    assert not testimony.excerpts.filter(live=True).exists()
    assert testimony.witness.pseudonym.startswith("Unreviewed interviewee ")
    for role in ("anonymous", "signed_in", "researcher"):
        user = make_user(role)
        assert not visible_testimonies(user).filter(pk=testimony.pk).exists()
        assert not excerpts_visible_to(user).filter(testimony=testimony).exists()
        assert not readable_transcripts(user).filter(pk=testimony.pk).exists()
    if person:
        assert WitnessIdentity.objects.get(witness=testimony.witness).legal_name == person
        surname = person.split()[-1]
        assert surname.casefold() not in testimony.title.casefold()
        assert surname.casefold() not in testimony.witness.pseudonym.casefold()
        assert surname.casefold() not in testimony.transcript.casefold()
        for excerpt in testimony.excerpts.all():
            assert surname.casefold() not in excerpt.text.casefold()


@pytest.mark.django_db
def test_duarte_fields_points_and_legacy_transcript():
    output = run(FIXTURES / "duarte_OH0344.xml")
    t = Testimony.objects.get(key="ohms-00083325")
    assert t.recorded_on == "2006-06-13"
    assert t.language == "en"
    assert t.interviewer == "David C. Brock"
    assert t.title == "Oral history interview with Unreviewed interviewee 00083325"
    assert t.summary.startswith("Unreviewed interviewee 00083325 begins the interview")
    assert "Duarte" not in t.summary
    # <sync> gives one timecode per minute, before the line where it falls.
    assert "\n[00:01:00] property also." in t.transcript
    # The transcript names the interviewee: held at archive level, with a warning.
    assert "held at archive level" in output
    excerpts = list(t.excerpts.order_by("start_ms"))
    assert all(e.start_ms is not None for e in excerpts)
    for current, following in zip(excerpts, excerpts[1:], strict=False):
        assert current.end_ms == following.start_ms
    assert excerpts[-1].end_ms == (28 * 60 + 6) * 1000  # the duration, 0:28:06
    # Each point: its title, then its synopsis and partial transcript, the name replaced.
    assert excerpts[0].text.startswith(
        "Early childhood and Unreviewed interviewee 00083325 family history\n\n"
    )
    assert all("Duarte" not in e.text for e in excerpts)
    assert "Ron Unreviewed interviewee 00083325 taking place" in t.transcript
    identity = WitnessIdentity.objects.get(witness=t.witness)
    assert identity.legal_name == "Ronald Duarte"
    assert "Original title: Oral history interview with Ronald Duarte" in identity.notes
    # The subject naming the interviewee never becomes a theme term, even unmapped.
    assert "/subject: a term naming the interviewee was not made a theme" in output
    # The import's report (which may end up in logs) never spells out the interviewee's name.
    assert "Ronald" not in output and "Duarte" not in output
    assert "'Duarte, Ronald, 1930-' (" not in output


@pytest.mark.django_db
def test_ohms6_vtt_transcript_keeps_cue_times_and_speakers():
    run(FIXTURES / "chappelear-ohmsvtt-example.xml")
    transcript = Testimony.objects.get(key="ohms-41421").transcript
    assert transcript.startswith("[00:00:04] SCHNEIDER: Okay. So today is Wednesday")
    assert "\n\n[00:00:29] Unreviewed interviewee 41421: Burnet." in transcript
    run(FIXTURES / "small-sample-vtt-ohms.xml")
    small = Testimony.objects.get(key="ohms-36809").transcript
    assert small.startswith("[01:00:03] SCHNEIDER: Today is December 16, 2024.")
    # <br> inside a cue is read as a space; a last cue ending at 00:00:00 (unknown) is kept.
    assert "interest in learning. One day" in small
    assert small.endswith("moved into the suburbs in Maryland.")


@pytest.mark.django_db
def test_nearly_empty_record_fails_saying_what_is_missing(tmp_path):
    before = counts()
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_archive", str(FIXTURES / "empty_ohms.xml"), stdout=io.StringIO(), stderr=err
        )
    message = err.getvalue()
    assert "empty_ohms.xml: record[1] (id 00089280): nothing to import" in message
    for missing in ("no index <point>", "'No transcript.'", "no <vtt_transcript>", "description"):
        assert missing in message
    assert counts() == before


# --- Dry run, idempotence, re-import -------------------------------------------------------


@pytest.mark.django_db
def test_dry_run_reports_and_writes_nothing():
    output = run(FIXTURES / "duarte_OH0344.xml", "--dry-run")
    assert "Dry run: nothing was written." in output
    assert "excerpts: 7 would be created" in output
    assert counts() == {k: 0 for k in counts()}


@pytest.mark.django_db
def test_reimport_changes_nothing_and_keeps_what_archivists_curated():
    run(FIXTURES / "duarte_OH0344.xml")
    before = counts()
    again = run(FIXTURES / "duarte_OH0344.xml")
    assert "0 were created, 0 were updated" in again
    assert "were updated, 1 left alone" in again and "7 left alone" in again
    assert counts() == before
    # An archivist reviews: new pseudonym, approval, a country, an extra theme.
    t = Testimony.objects.get(key="ohms-00083325")
    witness = t.witness
    witness.pseudonym = "Reviewed pseudonym"
    witness.save()
    t.countries.add(Country.objects.create(code="RU", name="Russia"))
    excerpt = t.excerpts.order_by("start_ms").first()
    extra = make_theme(slug="curated-theme")
    excerpt.live = True
    excerpt.themes.add(extra)
    excerpt.save()
    run(FIXTURES / "duarte_OH0344.xml")
    t.refresh_from_db()
    witness.refresh_from_db()
    excerpt.refresh_from_db()
    assert witness.pseudonym == "Reviewed pseudonym"
    assert list(t.countries.values_list("code", flat=True)) == ["RU"]
    assert excerpt.live and extra in excerpt.themes.all()
    # The replaced name now reads with the reviewed pseudonym.
    assert t.title == "Oral history interview with Reviewed pseudonym"
    assert counts() == before | {"Theme": before["Theme"] + 1}


@pytest.mark.django_db
def test_keys_are_derived_from_the_record_id(tmp_path):
    data = ohms(record_id="box 7/tape 2", points=[point(0, "Start"), point(60, "More")])
    import_ohms(data, source="a.xml")
    t = Testimony.objects.get()
    assert t.key.startswith("ohms-box-7-tape-2-")
    assert t.witness.key == t.key + "-interviewee"
    assert sorted(t.excerpts.values_list("key", flat=True)) == [f"{t.key}-at-0", f"{t.key}-at-60"]
    import_ohms(data, source="a.xml")
    assert Testimony.objects.count() == 1 and Excerpt.objects.count() == 2


# --- Themes ---------------------------------------------------------------------------------

TERMS = dict(keywords="Passports;Unpaid wages;Weather", subjects="Surveillance")


@pytest.mark.django_db
def test_theme_map_maps_terms_and_lists_the_unmapped(tmp_path):
    passports = make_theme(slug="confiscated-documents")
    wages = make_theme(slug="withheld-wages")
    theme_map = tmp_path / "map.json"
    theme_map.write_text(
        json.dumps(
            {"passports": "confiscated-documents", "Unpaid  wages": "withheld-wages", "X": None}
        )
    )
    path = write(tmp_path, ohms(points=[point(5, "Documents", **TERMS)]))
    before = Theme.objects.count()
    output = run(path, "--theme-map", str(theme_map))
    excerpt = Excerpt.objects.get()
    assert set(excerpt.themes.all()) == {passports, wages}
    assert Theme.objects.count() == before
    assert "2 term(s) not mapped to any theme" in output
    assert "'Surveillance' (1×, first at " in output and "point[1]/subjects" in output
    assert "'Weather' (1×" in output


@pytest.mark.django_db
def test_theme_map_as_csv_and_its_errors_by_line(tmp_path):
    make_theme(slug="withheld-wages")
    good = tmp_path / "map.csv"
    good.write_text("term,theme\nUnpaid wages,withheld-wages\nWeather,\n")
    path = write(tmp_path, ohms(points=[point(5, "Wages", **TERMS)]))
    output = run(path, "--theme-map", str(good), "--dry-run")
    assert "'Weather'" not in output  # mapped to nothing on purpose: not reported
    assert "'Passports'" in output
    bad = tmp_path / "bad.csv"
    bad.write_text("term,theme\nUnpaid wages,Not A Slug\n,x\nWeather,no-such-theme\n")
    with pytest.raises(ArchiveImportError) as caught:
        ThemeMap.load(bad)
    messages = [str(p) for p in caught.value.problems]
    assert any("bad.csv, line 2: 'Not A Slug' is not a theme slug" in m for m in messages)
    assert any("bad.csv, line 3: the term is empty" in m for m in messages)
    # A slug that does not exist is caught when importing, at its line in the map.
    missing = tmp_path / "missing.csv"
    missing.write_text("term,theme\nWeather,no-such-theme\n")
    err = io.StringIO()
    before = counts()
    with pytest.raises(CommandError):
        call_command(
            "import_archive",
            str(path),
            "--theme-map",
            str(missing),
            stderr=err,
            stdout=io.StringIO(),
        )
    assert "missing.csv, line 2: theme 'no-such-theme' (for the term 'Weather') does not exist" in (
        err.getvalue()
    )
    assert counts() == before


@pytest.mark.django_db
def test_create_themes_only_when_asked(tmp_path):
    path = write(tmp_path, ohms(points=[point(5, "Docs", **TERMS)]))
    run(path)
    assert Theme.objects.count() == 0
    output = run(path, "--create-themes")
    assert set(Theme.objects.values_list("slug", flat=True)) == {
        "passports",
        "unpaid-wages",
        "weather",
        "surveillance",
    }
    assert "new themes that were created: passports, surveillance, unpaid-wages, weather" in output
    assert Theme.objects.get(slug="unpaid-wages").name == "Unpaid wages"
    assert Excerpt.objects.get().themes.count() == 4


@pytest.mark.django_db
def test_terms_naming_the_interviewee_never_become_themes(tmp_path):
    path = write(
        tmp_path,
        ohms(points=[point(5, "Family", keywords=f"Sun-hee, Ri;Family;{INTERVIEWEE}")]),
    )
    run(path, "--create-themes")
    names = " ".join(Theme.objects.values_list("name", flat=True)).casefold()
    slugs = " ".join(Theme.objects.values_list("slug", flat=True))
    assert "sun-hee" not in names and "sun-hee" not in slugs
    assert list(Theme.objects.values_list("slug", flat=True)) == ["family"]


# --- Access: options, userestrict, the interviewee's name ----------------------------------

PLAIN = dict(
    points=[point(0, "Arrival", partial="We arrived in winter."), point(120, "Wages")],
    transcript="Q: When did you arrive?\nA: In winter.",
)
SENSITIVE = dict(
    title=f"Interview with {INTERVIEWEE}",
    description=f"{INTERVIEWEE} describes the logging camp. Ri tells of the guards.",
    points=[
        point(0, "Arrival", partial="RI SUN-HEE: We arrived in winter.", keywords="Camp"),
        point(120, "Wages", synopsis="About wages never paid."),
    ],
    transcript="INTERVIEWER: When did you arrive?\nANSWER: In winter.",
)


@pytest.mark.django_db
def test_access_and_approve_options_publish(tmp_path):
    path = write(tmp_path, ohms(**PLAIN))
    run(path, "--access", "public", "--approve", "--pseudonym", "Worker from the camp")
    t = Testimony.objects.get()
    assert t.access == Level.PUBLIC and t.witness.pseudonym == "Worker from the camp"
    anonymous = make_user("anonymous")
    assert visible_testimonies(anonymous).filter(pk=t.pk).exists()
    assert excerpts_visible_to(anonymous).count() == 2
    assert witnesses_visible_to(anonymous).filter(pk=t.witness.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("options", [[], ["--access", "public", "--approve"]])
def test_userestrict_always_means_archive(tmp_path, options):
    path = write(tmp_path, ohms(**SENSITIVE, userestrict="1"))
    run(path, *options)
    t = Testimony.objects.get()
    assert t.access == Level.ARCHIVE and t.level == Level.ARCHIVE
    assert set(Excerpt.objects.values_list("access", flat=True)) == {Level.ARCHIVE}
    for role in ("anonymous", "signed_in", "researcher"):
        assert not excerpts_visible_to(make_user(role)).exists()
        assert not visible_testimonies(make_user(role)).exists()


@pytest.mark.django_db
def test_reimport_with_userestrict_closes_what_was_public(tmp_path):
    run(write(tmp_path, ohms(**PLAIN)), "--access", "public", "--approve")
    assert excerpts_visible_to(None).count() == 2
    run(write(tmp_path, ohms(**PLAIN, userestrict="1")))
    assert excerpts_visible_to(None).count() == 0
    assert not visible_testimonies(None).exists()


@pytest.mark.django_db
def test_interviewee_name_never_in_a_public_field_or_export(tmp_path):
    path = write(tmp_path, ohms(**SENSITIVE))
    output = run(path, "--access", "public", "--approve", "--create-themes")
    assert "the interviewee's name occurs in the title and description" in output
    assert "point[1]: the interviewee's name occurs 1× in the text" in output
    assert "sun-hee" not in output.casefold()  # the report may end up in logs
    t = Testimony.objects.get()
    # The excerpt that named the interviewee waits for review; the other is published.
    assert excerpts_visible_to(None).count() == 1
    # An archivist reviews and approves it: still nothing public names the interviewee.
    held = Excerpt.objects.get(live=False)
    assert held.text == "Arrival\n\nUnreviewed interviewee T-100: We arrived in winter."
    held.live = True
    held.save()
    anonymous, visitor = make_user("anonymous"), make_user("signed_in")
    assert excerpts_visible_to(anonymous).count() == 2
    public_text = " ".join(
        [t.title, t.summary, t.witness.pseudonym, t.interviewer, t.transcript]
        + [e.public_text for e in excerpts_visible_to(anonymous)]
        + [e.text for e in excerpts_visible_to(visitor)]
        + list(Theme.objects.values_list("name", flat=True))
        + list(Theme.objects.values_list("slug", flat=True))
    )
    assert t.title == "Interview with Unreviewed interviewee T-100"
    for part in ("Sun-hee", "sun-hee", "SUN-HEE"):
        assert part not in public_text
    assert t.summary == (
        "Unreviewed interviewee T-100 describes the logging camp. "
        "Unreviewed interviewee T-100 tells of the guards."
    )
    exported = dump(export_document())
    assert "sun-hee" not in exported.casefold()
    csv_path = tmp_path / "out.csv"
    call_command("export_archive", str(csv_path), stdout=io.StringIO())
    assert "sun-hee" not in csv_path.read_text().casefold()
    # The name is in the vault, and only there.
    assert WitnessIdentity.objects.get().legal_name == INTERVIEWEE
    assert "Sun-hee" in dump(export_document(include_identity=True))


@pytest.mark.django_db
def test_name_in_transcript_holds_the_testimony_at_archive(tmp_path):
    data = ohms(**{**SENSITIVE, "transcript": f"Q: Your name?\nA: {INTERVIEWEE}."})
    output = run(write(tmp_path, data), "--access", "public", "--approve")
    t = Testimony.objects.get()
    assert t.access == Level.ARCHIVE
    assert "the interviewee's name occurs in the transcript" in output
    researcher = make_user("researcher")
    assert not readable_transcripts(researcher).exists()


@pytest.mark.django_db
def test_pseudonym_naming_the_interviewee_is_refused(tmp_path):
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_archive",
            str(write(tmp_path, ohms(**SENSITIVE))),
            "--pseudonym",
            "Sun-hee from the camp",
            stderr=err,
            stdout=io.StringIO(),
        )
    assert "--pseudonym contains the interviewee's name" in err.getvalue()
    assert Witness.objects.count() == 0


# --- Errors say where; hostile XML is refused ---------------------------------------------


@pytest.mark.django_db
def test_errors_name_the_element(tmp_path):
    data = ohms(title="", points=[point(0, "ok"), point("ten", "bad"), point(30, "")])
    with pytest.raises(ArchiveImportError) as caught:
        import_ohms(data, source="x.xml")
    messages = [str(p) for p in caught.value.problems]
    assert "x.xml: record[1] (id T-100)/title: missing or empty" in messages[0]
    assert any("point[2]/time: 'ten' is not a number of seconds" in m for m in messages)
    assert counts() == {k: 0 for k in counts()}


@pytest.mark.django_db
def test_malformed_xml_says_line_and_column(tmp_path):
    err = io.StringIO()
    path = write(tmp_path, b"<ROOT>\n<record id='1'>\n<title>x</titel></record></ROOT>")
    with pytest.raises(CommandError):
        call_command("import_archive", str(path), stderr=err, stdout=io.StringIO())
    assert "line 3, column" in err.getvalue() and "not well-formed XML" in err.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<ROOT><record id="1"><title>&lol9;</title><description>x</description></record></ROOT>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<ROOT><record id="1"><title>&secret;</title><description>x</description></record></ROOT>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE ROOT SYSTEM "http://127.0.0.1:9/evil.dtd">
<ROOT><record id="1"><title>t</title><description>x</description></record></ROOT>"""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data,expected",
    [
        (BILLION_LAUGHS, "DTDs are refused for safety"),
        (EXTERNAL_ENTITY, "DTDs are refused for safety"),
        (EXTERNAL_DTD, "DTDs are refused for safety"),
    ],
)
def test_xml_attacks_are_refused(tmp_path, data, expected):
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_archive", str(write(tmp_path, data)), stderr=err, stdout=io.StringIO())
    assert expected in err.getvalue()
    assert counts() == {k: 0 for k in counts()}
    assert "root:" not in err.getvalue()  # nothing of /etc/passwd was read


def test_entities_are_refused_even_without_the_dtd_check():
    """Defence in depth: the parser itself refuses entity declarations and external refs."""
    from defusedxml import ElementTree as SafeET
    from defusedxml import EntitiesForbidden

    with pytest.raises(EntitiesForbidden):
        SafeET.fromstring(BILLION_LAUGHS, forbid_dtd=False)
    with pytest.raises(EntitiesForbidden):
        SafeET.fromstring(EXTERNAL_ENTITY, forbid_dtd=False)


@pytest.mark.django_db
def test_options_for_other_formats_are_refused(tmp_path):
    with pytest.raises(CommandError, match="--testimony applies to WebVTT files only"):
        call_command("import_archive", str(FIXTURES / "duarte_OH0344.xml"), "--testimony", "x")
    with pytest.raises(CommandError, match="unknown kind of file"):
        call_command("import_archive", str(tmp_path / "x.txt"))


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.django_db
def test_progress_bar_only_on_a_terminal(capsys):
    call_command("import_archive", str(FIXTURES / "alyea_OH0010.xml"), stdout=io.StringIO())
    assert "Importing OHMS" not in capsys.readouterr().err
    call_command("import_archive", str(FIXTURES / "duarte_OH0344.xml"), stdout=Terminal())
    err = capsys.readouterr().err
    assert "Importing OHMS" in err and "records" in err


@pytest.mark.django_db
def test_sync_with_gaps_and_index_without_duration():
    run(FIXTURES / "various_gaps.xml")
    gaps = Testimony.objects.get(key="ohms-00089981")
    assert gaps.interviewer == "Kermit the Frog"
    lines = gaps.transcript.split("\n")
    assert (
        lines[0]
        == "[00:01:00] Yes, my father was a petrologist. He graduated from Columbia in 1888."
    )
    # Several minutes on one line keep the first; minutes with no line of their own are skipped.
    stamps = [line.split("]")[0] + "]" for line in lines if line.startswith("[")]
    assert stamps[:4] == ["[00:01:00]", "[00:02:00]", "[00:04:00]", "[00:08:00]"]
    assert len(stamps) == len(set(stamps))
    run(FIXTURES / "index_hyperlinks_example.xml")
    first, last = Excerpt.objects.filter(testimony__key="ohms-00089262").order_by("start_ms")
    assert first.text.startswith("Pre-Interview Remarks\n\nBOHNING: [inaudible]")
    assert (first.start_ms, first.end_ms) == (1000, 3473000)
    assert last.end_ms is None  # no duration: the last point's end is unknown

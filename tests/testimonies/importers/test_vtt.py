import io

import pytest
from django.core.management import CommandError, call_command

from testimonies.access import testimonies_with_transcripts_for as readable_transcripts
from testimonies.importers.common import ArchiveImportError
from testimonies.importers.vtt import import_vtt, parse_vtt
from testimonies.models import Testimony
from tests.factories import make_user

T = "t-kang-ju-won-it-work"

VTT = """WEBVTT

NOTE invented interview

1
00:00:01.000 --> 00:00:04.500
<v Interviewer>When did you leave?

2
00:01:02.250 --> 00:01:09.000
<v Witness>In the spring.
We went by train.
"""


def run(path, *args):
    out = io.StringIO()
    call_command("import_archive", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_transcript_keeps_cue_times_readably(seeded, tmp_path):
    path = tmp_path / "session.vtt"
    path.write_text(VTT)
    testimony = Testimony.objects.get(key=T)
    countries = set(testimony.countries.all())
    output = run(path, "--testimony", T)
    assert "testimonies: 0 were created, 1 were updated" in output
    testimony.refresh_from_db()
    assert testimony.transcript == (
        "[00:00:01] Interviewer: When did you leave?\n\n"
        "[00:01:02] Witness: In the spring. We went by train."
    )
    assert set(testimony.countries.all()) == countries
    assert "0 were updated" in run(path, "--testimony", T)
    # Transcripts are never public: the access policy still decides who reads it.
    assert not readable_transcripts(make_user("anonymous")).filter(pk=testimony.pk).exists()
    assert not readable_transcripts(make_user("signed_in")).filter(pk=testimony.pk).exists()
    assert readable_transcripts(make_user("researcher")).filter(pk=testimony.pk).exists()


@pytest.mark.django_db
def test_dry_run_writes_nothing(seeded, tmp_path):
    path = tmp_path / "session.vtt"
    path.write_text(VTT)
    before = Testimony.objects.get(key=T).transcript
    assert "Dry run" in run(path, "--testimony", T, "--dry-run")
    assert Testimony.objects.get(key=T).transcript == before


@pytest.mark.parametrize(
    "text,where,what",
    [
        ("WEBVT\n\n00:00:01.000 --> 00:00:02.000\nhi\n", "line 1", "starts with the line WEBVTT"),
        ("WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nhi\n", "line 3", "is not a cue timing"),
        ("WEBVTT\n\nid\n00:00:01 --> 00:00:02.000\nhi\n", "line 4", "is not a cue timing"),
        (
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nok\n\n00:00:09.000 --> 00:00:05.000\nx\n",
            "line 6",
            "the cue ends (00:00:05) before it starts (00:00:09)",
        ),
        (
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000 colour:red\nhi\n",
            "line 3",
            "malformed WebVTT",
        ),
    ],
)
def test_malformed_files_say_where(text, where, what):
    with pytest.raises(ArchiveImportError) as caught:
        parse_vtt(text)
    problem = caught.value.problems[0]
    assert problem.where == where and what in problem.message


@pytest.mark.django_db
def test_command_errors(seeded, tmp_path):
    path = tmp_path / "bad.vtt"
    path.write_text("WEBVTT\n\n00:00:01.000 --> nonsense\nhi\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_archive", str(path), "--testimony", T, stderr=err, stdout=io.StringIO()
        )
    assert "bad.vtt, line 3: '00:00:01.000 --> nonsense' is not a cue timing" in err.getvalue()
    with pytest.raises(CommandError, match="name its testimony with --testimony"):
        call_command("import_archive", str(path))
    path.write_text(VTT)
    with pytest.raises(ArchiveImportError, match="no testimony with this key"):
        import_vtt(VTT, source="x.vtt", testimony_key="missing")
    with pytest.raises(ArchiveImportError, match="no cue with text"):
        import_vtt("WEBVTT\n", source="x.vtt", testimony_key=T)

"""Hostile and random input: the parsers never raise anything but a reported problem, and a
file with a problem never writes anything."""

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from testimonies.importers.common import ArchiveImportError
from testimonies.importers.csv_excerpts import COLUMNS, import_csv
from testimonies.importers.ohms import import_ohms
from testimonies.importers.vtt import Cue, VttError, import_vtt, parse_vtt
from testimonies.models import (
    ConsentEntry,
    Excerpt,
    Testimony,
    Theme,
    Witness,
    WitnessIdentity,
)
from tests.factories import make_excerpt, make_testimony, make_theme

from .helpers import ohms, point

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ohms"
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def snapshot():
    return (
        {
            m.__name__: m.objects.count()
            for m in (Theme, Witness, WitnessIdentity, ConsentEntry, Testimony, Excerpt)
        },
        sorted(Excerpt.objects.values_list("key", "text", "live", "access")),
        sorted(Testimony.objects.values_list("key", "title", "transcript", "access")),
    )


def attempt(action):
    """Run an import: it succeeds, or fails with ArchiveImportError having changed nothing."""
    before = snapshot()
    try:
        action()
    except ArchiveImportError as exc:
        assert exc.problems and all(str(p) for p in exc.problems)
        assert snapshot() == before
        return False
    return True


# --- CSV ------------------------------------------------------------------------------------

cells = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["t-fuzz", "e-fuzz-1", "00:00:10", "00:01:00.5", "public", "archive", "yes", "no", "x"]
    ),
    st.just(""),
)
rows = st.lists(st.lists(cells, min_size=0, max_size=10), max_size=6)
headers = st.one_of(
    st.just(COLUMNS), st.permutations(COLUMNS), st.lists(st.sampled_from(COLUMNS + ["x"]))
)


def render(header, body):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(body)
    return out.getvalue()


@pytest.mark.django_db
@FUZZ
@given(header=headers, body=rows)
def test_csv_import_never_crashes_or_writes_partially(header, body):
    if not Testimony.objects.filter(key="t-fuzz").exists():
        make_excerpt(make_testimony(key="t-fuzz"), key="e-fuzz-1")
        make_theme(slug="x")
    attempt(lambda: import_csv(render(header, body), source="fuzz.csv"))


@pytest.mark.django_db
@FUZZ
@given(raw=st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_csv_import_of_arbitrary_text(raw):
    attempt(lambda: import_csv(raw, source="fuzz.csv"))


@pytest.mark.django_db
def test_csv_file_with_a_bad_row_after_good_ones_writes_nothing():
    make_testimony(key="t-fuzz")
    text = render(COLUMNS, [["t-fuzz", f"ok-{i}", "Text", "", "", "", "", ""] for i in range(50)])
    text += "t-fuzz,bad,Text,,,,nonsense,\n"
    assert not attempt(lambda: import_csv(text, source="f.csv"))
    assert Excerpt.objects.count() == 0


# --- WebVTT ---------------------------------------------------------------------------------

timestamps = st.builds(
    lambda h, m, s, ms: f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}",
    st.integers(0, 99),
    st.integers(0, 59),
    st.integers(0, 59),
    st.integers(0, 999),
)
vtt_lines = st.one_of(
    st.builds(lambda a, b: f"{a} --> {b}", timestamps, timestamps),
    st.builds(lambda a, b: f"{a} --> {b} line:0", timestamps, timestamps),
    st.sampled_from(["", "NOTE a note", "<v Speaker>words", "-->", "STYLE", "::cue {}"]),
    st.text(max_size=40),
)
vtt_texts = st.builds(lambda lines: "WEBVTT\n\n" + "\n".join(lines), st.lists(vtt_lines))


@FUZZ
@given(text=st.one_of(vtt_texts, st.text(max_size=200), st.binary(max_size=200)))
def test_vtt_parser_never_crashes(text):
    try:
        cues = parse_vtt(text)
    except VttError as exc:
        assert exc.problems and all(p.where for p in exc.problems)
    else:
        assert all(isinstance(c, Cue) and c.start_ms >= 0 for c in cues)


@pytest.mark.django_db
@FUZZ
@given(text=vtt_texts)
def test_vtt_import_never_crashes_or_writes_partially(text):
    if not Testimony.objects.filter(key="t-fuzz").exists():
        make_testimony(key="t-fuzz")
    attempt(lambda: import_vtt(text, source="fuzz.vtt", testimony_key="t-fuzz"))


# --- OHMS-like XML --------------------------------------------------------------------------

field_text = st.one_of(st.text(max_size=40), st.sampled_from(["", "Ri Sun-hee", "x" * 301]))
times = st.one_of(
    st.integers(-5, 10_000).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=5),
)
points = st.lists(
    st.builds(
        point,
        times,
        field_text,
        synopsis=field_text,
        partial=field_text,
        keywords=field_text,
        subjects=field_text,
    ),
    max_size=4,
)
records = st.builds(
    ohms,
    record_id=st.one_of(st.text(max_size=20), st.just("R-1")),
    title=field_text,
    interviewee=field_text,
    interviewer=field_text,
    description=field_text,
    duration=st.one_of(st.text(max_size=8), st.just("0:10:00")),
    language=st.sampled_from(["", "English", "Korean", "Klingon"]),
    date=st.sampled_from(["", "2019-02-30", "2019-05-02", "May 2019"]),
    points=points,
    transcript=field_text,
    vtt=st.one_of(st.none(), vtt_texts),
    userestrict=st.sampled_from(["0", "1", ""]),
)


@pytest.mark.django_db
@FUZZ
@given(data=records, create=st.booleans(), approve=st.booleans())
def test_ohms_like_xml_never_crashes_or_writes_partially(data, create, approve):
    from testimonies.importers.ohms import Options

    options = Options(create_themes=create, approve=approve, access="public")
    attempt(lambda: import_ohms(data, source="fuzz.xml", options=options))


@pytest.mark.django_db
@FUZZ
@given(
    name=st.sampled_from(sorted(p.name for p in FIXTURES.glob("*.xml"))),
    cut=st.integers(0, 30_000),
    length=st.integers(0, 200),
    insert=st.binary(max_size=20),
)
def test_damaged_real_files_never_crash(name, cut, length, insert):
    data = (FIXTURES / name).read_bytes()
    cut = cut % (len(data) + 1)
    damaged = data[:cut] + insert + data[cut + length :]
    attempt(lambda: import_ohms(damaged, source=name))

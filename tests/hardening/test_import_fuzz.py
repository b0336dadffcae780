"""Hostile interchange documents: random, malformed, very long, binary, mixed-script. The
import either succeeds or raises InterchangeError; on failure nothing at all was written."""

import copy
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.models import Revision

from testimonies.interchange import InterchangeError, import_document
from testimonies.models import (
    AccessRecord,
    ConsentEntry,
    Country,
    Excerpt,
    Sector,
    Source,
    Testimony,
    Theme,
    Witness,
    WitnessIdentity,
)

pytestmark = pytest.mark.django_db

EXAMPLE = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "interchange-example.json").read_text()
)
MODELS = [
    Theme,
    Source,
    Witness,
    WitnessIdentity,
    ConsentEntry,
    Country,
    Sector,
    Testimony,
    Excerpt,
    AccessRecord,
    Revision,
]
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def state():
    """Row counts, and every excerpt's text and level: any partial write changes these."""
    counts = {m.__name__: m.objects.count() for m in MODELS}
    counts["excerpts"] = sorted(Excerpt.objects.values_list("key", "text", "level", "live"))
    counts["witnesses"] = sorted(Witness.objects.values_list("key", "pseudonym", "consent_level"))
    return counts


def attempt(document):
    before = state()
    try:
        import_document(document, source="fuzz.json")
    except InterchangeError as exc:
        assert exc.problems, "an error says what and where"
        assert state() == before, "a refused document wrote something"
        return False
    return True


@pytest.fixture
def loaded(db):
    import_document(copy.deepcopy(EXAMPLE))


mixed_script = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),
        whitelist_categories=("L", "M", "N", "P", "S", "Z", "Cc", "Cf"),
    ),
    max_size=50,
)
long_text = st.builds(lambda s, n: (s or "가") * n, mixed_script, st.integers(300, 20000))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    mixed_script,
    long_text,
    st.sampled_from(["", "\x00", "public", "withdrawn", "2031", "2024-13-45", "00:61:00", "e-1"]),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(mixed_script, children, max_size=4)
    ),
    max_leaves=12,
)


def paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from paths(child, (*prefix, i))


ALL_PATHS = list(paths(EXAMPLE))[1:]


def set_at(document, path, value):
    node = document
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value


@FUZZ
@given(st.one_of(st.binary(max_size=3000), st.text(max_size=3000)))
def test_random_bytes_and_text_are_refused_cleanly(loaded, data):
    assert attempt(data) is False or isinstance(data, str | bytes)


@FUZZ
@given(json_values)
def test_random_json_values_are_refused_cleanly(loaded, value):
    attempt(value)


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(ALL_PATHS), json_values), min_size=1, max_size=4))
def test_mutated_documents_import_fully_or_not_at_all(loaded, mutations):
    document = copy.deepcopy(EXAMPLE)
    for path, value in mutations:
        try:
            set_at(document, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation replaced this path's parent
    attempt(document)


@FUZZ
@given(st.sampled_from([p for p in ALL_PATHS if isinstance(p[-1], str)]), long_text)
def test_very_long_strings_anywhere(loaded, path, text):
    document = copy.deepcopy(EXAMPLE)
    set_at(document, path, text)
    attempt(document)


@FUZZ
@given(st.integers(min_value=1, max_value=len(json.dumps(EXAMPLE)) - 1))
def test_truncated_files_say_where(loaded, cut):
    text = json.dumps(EXAMPLE)[:cut]
    before = state()
    with pytest.raises(InterchangeError) as info:
        import_document(text, source="cut.json")
    assert "line" in str(info.value) or "$" in str(info.value)
    assert state() == before


def _value_at(document, path):
    node = document
    for step in path:
        node = node[step]
    return node


@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_nul_characters_in_every_string_are_refused_with_their_path(loaded, where):
    """PostgreSQL text cannot hold NUL: found by the fuzzing above; a clear error instead."""
    string_paths = [p for p in ALL_PATHS if isinstance(_value_at(EXAMPLE, p), str)]
    assert string_paths
    for path in string_paths:
        document = copy.deepcopy(EXAMPLE)
        text = _value_at(EXAMPLE, path)
        text = {
            "start": "\x00" + text,
            "middle": text[:1] + "\x00" + text[1:],
            "end": text + "\x00",
        }[where]
        set_at(document, path, text)
        before = state()
        with pytest.raises(InterchangeError) as info:
            import_document(document)
        assert "NUL" in str(info.value)
        assert state() == before


@pytest.mark.parametrize("depth", [50, 5000, 200000])
def test_deeply_nested_documents_are_refused(loaded, depth):
    before = state()
    with pytest.raises(InterchangeError):
        import_document("[" * depth + "]" * depth)
    nested = current = {}
    for _ in range(min(depth, 5000)):
        current["x"] = {}
        current = current["x"]
    with pytest.raises(InterchangeError):
        import_document({**copy.deepcopy(EXAMPLE), "themes": [nested]})
    assert state() == before

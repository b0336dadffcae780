"""Query parsing, passages and timecodes, without the database."""

import pytest

from research.search import QueryError, highlight, parse_query, passages, timecodes_in


def test_parse_query_words_and_phrases():
    assert parse_query('Wages  "forest camp"  wages ') == ["wages", "forest camp"]
    assert parse_query("") == []
    with pytest.raises(QueryError, match="at most 200"):
        parse_query("x" * 201)


def test_timecodes_in_both_notations():
    text = "[00:00:05] a\n00:01:02.500 --> 00:01:09.000\nb\n12:34.000 --> 12:40.000\nc [1:02:03]"
    assert [ms for _, ms in timecodes_in(text)] == [5000, 62500, 754000, 3723000]


def test_passage_takes_the_nearest_timecode_before_the_match():
    text = "[00:00:01] start. [00:10:00] the quota was high. [00:20:00] later words."
    (passage,) = passages(text, ["quota"], radius=5)
    assert passage.timecode == "00:10:00"
    assert "quota" in passage.text


def test_no_timecode_before_the_match_means_none():
    (passage,) = passages("the quota came first [00:10:00] then time", ["quota"], radius=5)
    assert passage.timecode is None


def test_nearby_matches_merge_and_passages_are_limited():
    text = " ".join(["filler"] * 100 + ["quota"] + ["filler"] * 100 + ["quota", "quota"])
    found = passages(text, ["quota"], radius=20)
    assert len(found) == 2


def test_highlight_escapes_everything_else():
    html = highlight("<b>quota</b> & more", ["quota"])
    assert str(html) == "&lt;b&gt;<mark>quota</mark>&lt;/b&gt; &amp; more"

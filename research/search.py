"""Full-text search of what a researcher may see: excerpts and transcripts.

The querysets come from `testimonies.access`; this module only matches words inside them.
A query is a list of words and "quoted phrases"; a record matches when it contains every one,
ignoring case. Excerpts are matched on their redacted text (`public_text`) for everyone but
archive staff, so no search by a researcher matches a word inside a redaction.
"""

import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import mark_safe

from testimonies.access import (
    excerpts_visible_to,
    testimonies_with_transcripts_for,
    today,
    viewer_for,
)
from testimonies.levels import format_timecode

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
PASSAGE_RADIUS = 160  # characters of context either side of a match
MAX_PASSAGES = 3  # per transcript

_TERM = re.compile(r'"([^"]+)"|(\S+)')
# `[00:12:34]`, `[1:02:03.5]`, and WebVTT cue timings `00:12:34.000 --> 00:12:40.000`
# (hours optional in WebVTT: `12:34.000 --> ...`).
_BRACKETED = re.compile(r"\[(\d{1,3}:[0-5]\d:[0-5]\d(?:\.\d{1,3})?)\]")
_CUE = re.compile(r"^[ \t]*((?:\d{1,3}:)?[0-5]\d:[0-5]\d\.\d{3})[ \t]+-->[ \t]+\S+", re.MULTILINE)


class QueryError(ValueError):
    pass


def parse_query(text):
    """The words and phrases of a query, lower-cased, in order, without repeats."""
    text = (text or "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"The search is {len(text)} characters long; at most {MAX_QUERY_LENGTH} are allowed."
        )
    terms = []
    for phrase, word in _TERM.findall(text):
        term = " ".join((phrase or word).split()).casefold()
        if term and term not in terms:
            terms.append(term)
    if len(terms) > MAX_TERMS:
        raise QueryError(f"The search has {len(terms)} words; at most {MAX_TERMS} are allowed.")
    return terms


def excerpt_text_field(user):
    return "text" if viewer_for(user).is_staff else "public_text"


# With words to search, a researcher's matches come from the research search index, best first
# and at most this many of each kind; the page says when there were more.
EXCERPT_LIMIT = 200
TRANSCRIPT_LIMIT = 50


def indexed_matches(kind, user, terms, limit):
    """Ids from the research index (`kind`: "research_excerpt" or "research_transcript")
    matching every term as the start of a word, or every phrase, best first, at most
    `limit + 1`; None where the index cannot answer (staff, who search the unredacted text;
    a term with no letters or digits; a database without the index)."""
    from search_scale import public_index

    viewer = viewer_for(user)
    if viewer.is_staff or not viewer.is_researcher or not terms or not public_index.supported():
        return None
    words, phrases = [], []
    for term in terms:
        tokens = public_index.terms_of(term)
        if not tokens:
            return None
        if " " in term:
            phrases.append(tokens)
        else:
            words.extend(tokens)
    return public_index.search(
        kind, prefix_words=words, phrases=phrases, on=today(), limit=limit + 1
    )


def matching_excerpts(user, terms, queryset=None, ids=None):
    """Visible excerpts containing every term (all visible excerpts when there is none).
    `ids`, from `indexed_matches`, narrows them to the index's best matches first."""
    visible = excerpts_visible_to(user, queryset)
    if ids is not None:
        visible = visible.filter(pk__any_of=set(ids[:EXCERPT_LIMIT]))
    field_name = excerpt_text_field(user)
    for term in terms:
        visible = visible.filter(Q(**{f"{field_name}__icontains": term}))
    return visible


def matching_transcripts(user, terms, queryset=None, ids=None):
    """Testimonies whose transcript the user may read and which contains every term.
    No terms, no transcript hits: a transcript is a hit only for what was searched."""
    if not terms:
        return testimonies_with_transcripts_for(user).none()
    visible = testimonies_with_transcripts_for(user, queryset)
    if ids is not None:
        visible = visible.filter(pk__any_of=set(ids[:TRANSCRIPT_LIMIT]))
    for term in terms:
        visible = visible.filter(transcript__icontains=term)
    return visible


# --- Timecodes and passages -------------------------------------------------------------------


def _to_ms(raw):
    main, _, fraction = raw.partition(".")
    parts = [int(p) for p in main.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    hours, minutes, seconds = parts
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + int(fraction.ljust(3, "0")[:3])


def timecodes_in(text):
    """[(position, milliseconds)] for every timecode written in a transcript, in order."""
    found = [
        (match.start(), _to_ms(match.group(1)))
        for pattern in (_BRACKETED, _CUE)
        for match in pattern.finditer(text)
    ]
    return sorted(found)


def timecode_before(timecodes, position):
    """The last timecode written at or before `position`, or None."""
    best = None
    for at, millis in timecodes:
        if at > position:
            break
        best = millis
    return best


@dataclass
class Passage:
    start: int
    end: int
    text: str
    timecode_ms: int | None
    terms: list = field(default_factory=list)

    @property
    def timecode(self):
        return format_timecode(self.timecode_ms)

    @property
    def html(self):
        return highlight(self.text, self.terms)

    @property
    def leading(self):
        return self.start > 0

    trailing: bool = False


def _spans(text, terms):
    folded = text.casefold()
    spans = []
    for term in terms:
        start = folded.find(term)
        while start != -1:
            spans.append((start, start + len(term)))
            start = folded.find(term, start + 1)
    return sorted(spans)


def passages(text, terms, radius=PASSAGE_RADIUS, limit=MAX_PASSAGES):
    """Windows of `text` around the matches of `terms`, overlapping windows merged, each with
    the nearest timecode written before its first match.

    Matching is on `str.casefold()`, which keeps positions for the scripts the archive holds
    (Latin, Hangul, Cyrillic); a term whose folded form changes length is still found in
    the database but may be shown without its window.
    """
    if not text or not terms:
        return []
    windows = []
    for start, end in _spans(text, terms):
        lo, hi = max(0, start - radius), min(len(text), end + radius)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], hi)
        else:
            windows.append([lo, hi, start])
    stamps = timecodes_in(text)
    out = []
    for lo, hi, first_match in windows[:limit]:
        # Start and end on a word boundary where one is near.
        if lo > 0:
            space = text.find(" ", lo, first_match)
            lo = space + 1 if space != -1 else lo
        if hi < len(text):
            space = text.rfind(" ", hi - 30, hi)
            hi = space if space > lo else hi
        out.append(
            Passage(
                start=lo,
                end=hi,
                text=text[lo:hi],
                timecode_ms=timecode_before(stamps, first_match),
                terms=terms,
                trailing=hi < len(text),
            )
        )
    return out


def highlight(text, terms):
    """`text` escaped, with every match of `terms` wrapped in <mark>."""
    spans = _spans(text, terms or [])
    merged = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, pos = [], 0
    for start, end in merged:
        out.append(escape(text[pos:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    out.append(escape(text[pos:]))
    # Every piece is escaped above.
    return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703

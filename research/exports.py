"""Exports of what a user may see: rows with citations (CSV and JSON) and a filtered
interchange document.

Only records the access policy lets the user see go in; excerpt text is what
`excerpt_text_for` gives (redacted for everyone but archive staff, whose exports keep the
redaction ranges); identities never; a witness's consent ledger is reduced to the entry in
force without its notes.
"""

import csv
import io

from django.conf import settings
from django.utils import timezone

from testimonies.access import (
    can_view_transcript,
    excerpt_text_for,
    is_archive_staff,
)
from testimonies.interchange import FORMAT, _drop_empty, _export_excerpt, testimony_record
from testimonies.levels import format_timecode, level_name

COLUMNS = [
    "kind",
    "level",
    "testimony",
    "testimony_title",
    "witness",
    "excerpt",
    "timecode",
    "end",
    "text",
    "themes",
    "countries",
    "sectors",
    "period",
    "sources",
    "citation",
]


def _site():
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")


def citation(testimony, *, excerpt=None, timecode_ms=None, on=None):
    """A citation a researcher can paste: archive, testimony, witness pseudonym, date, the
    excerpt or passage, its timecode, a stable address and the date of access."""
    on = on or timezone.localdate()
    parts = [f"{testimony.witness.pseudonym}, “{testimony.title}”"]
    if testimony.recorded_on:
        parts.append(f"recorded {testimony.recorded_on}")
    where = f"testimony {testimony.public_id}"
    if excerpt is not None:
        where += f", excerpt {excerpt.public_id}"
    if timecode_ms is not None:
        where += f", at {format_timecode(timecode_ms)}"
    parts.append(where)
    parts.append(f"Testimony Archive, {_site()}/research/testimonies/{testimony.public_id}/")
    parts.append(f"accessed {on.isoformat()}")
    return ", ".join(parts) + "."


def _testimony_columns(testimony):
    period = ""
    if testimony.period_from or testimony.period_to:
        period = f"{testimony.period_from or ''}–{testimony.period_to or ''}"
    return {
        "testimony": testimony.public_id,
        "testimony_title": testimony.title,
        "witness": testimony.witness.pseudonym,
        "countries": "; ".join(c.code for c in testimony.countries.all()),
        "sectors": "; ".join(s.slug for s in testimony.sectors.all()),
        "period": period,
        "sources": "; ".join(s.title for s in testimony.sources.all()),
    }


def _ordered(row):
    return {column: row.get(column, "") for column in COLUMNS}


def excerpt_row(user, excerpt):
    testimony = excerpt.testimony
    level = "draft" if not excerpt.live else level_name(excerpt.level)
    return _ordered(
        {
            "kind": "excerpt",
            "level": level,
            **_testimony_columns(testimony),
            "excerpt": excerpt.public_id,
            "timecode": format_timecode(excerpt.start_ms) or "",
            "end": format_timecode(excerpt.end_ms) or "",
            "text": excerpt_text_for(user, excerpt),
            "themes": "; ".join(t.slug for t in excerpt.themes.all()),
            "citation": citation(testimony, excerpt=excerpt, timecode_ms=excerpt.start_ms),
        }
    )


def passage_row(testimony, passage):
    return _ordered(
        {
            "kind": "transcript passage",
            "level": level_name(testimony.level),
            **_testimony_columns(testimony),
            "excerpt": "",
            "timecode": passage.timecode or "",
            "end": "",
            "text": passage.text,
            "themes": "",
            "citation": citation(testimony, timecode_ms=passage.timecode_ms),
        }
    )


def transcript_row(testimony):
    return _ordered(
        {
            "kind": "transcript",
            "level": level_name(testimony.level),
            **_testimony_columns(testimony),
            "excerpt": "",
            "timecode": "",
            "end": "",
            "text": testimony.transcript,
            "themes": "",
            "citation": citation(testimony),
        }
    )


def csv_text(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        # A cell that a spreadsheet would run as a formula is written as text.
        writer.writerow(
            {
                k: ("'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v)
                for k, v in row.items()
            }
        )
    return out.getvalue()


def interchange_document(user, testimonies, excerpts, *, with_transcripts):
    """An interchange document (`testimony-archive/v1`) holding only these records, which the
    caller has taken from the access policy's querysets; never identities."""
    staff = is_archive_staff(user)
    testimonies = list(testimonies)
    excerpts = list(excerpts)
    by_testimony = {}
    for excerpt in excerpts:
        by_testimony.setdefault(excerpt.testimony_id, []).append(excerpt)
    known = {t.pk: t for t in testimonies}
    for excerpt in excerpts:
        known.setdefault(excerpt.testimony_id, excerpt.testimony)
    testimonies = sorted(known.values(), key=lambda t: t.key)

    themes, sources, witnesses = {}, {}, {}
    for excerpt in excerpts:
        for theme in excerpt.themes.all():
            while theme is not None and theme.slug not in themes:
                themes[theme.slug] = theme
                theme = theme.parent
    records = []
    for testimony in testimonies:
        witnesses.setdefault(testimony.witness.key, testimony.witness)
        for source in testimony.sources.all():
            sources.setdefault(source.key, source)
        record = testimony_record(
            testimony,
            transcript=(
                testimony.transcript
                if with_transcripts and can_view_transcript(user, testimony)
                else ""
            ),
        )
        items = []
        for excerpt in sorted(by_testimony.get(testimony.pk, []), key=lambda e: e.position):
            item = _export_excerpt(excerpt)
            if not staff:
                item["text"] = excerpt.public_text
                item.pop("redactions", None)
                item.pop("translation_of", None)  # may repeat redacted words untouched
            items.append(item)
        if items:
            record["excerpts"] = items
        records.append(record)

    def theme_record(theme):
        return _drop_empty(
            {"slug": theme.slug, "name": theme.name, "description": theme.description}
        ) | {"parent": theme.parent.slug if theme.parent else None}

    ordered_themes, seen = [], set()

    def add_theme(theme):  # parents first
        if theme.slug in seen:
            return
        if theme.parent is not None and theme.parent.slug in themes:
            add_theme(theme.parent)
        seen.add(theme.slug)
        ordered_themes.append(theme_record(theme))

    for slug in sorted(themes):
        add_theme(themes[slug])

    witness_records = []
    for key in sorted(witnesses):
        witness = witnesses[key]
        entry = witness.current_consent()
        record = {"key": witness.key, "pseudonym": witness.pseudonym}
        record |= _drop_empty(
            {
                n: getattr(witness, n)
                for n in ("gender", "birth_decade", "home_region", "occupation")
            }
        )
        # The entry in force only, without who recorded it or why.
        record["consent"] = [
            {"level": level_name(entry.level), "recorded_on": entry.recorded_on}
            if entry
            else {"level": "archive", "recorded_on": timezone.localdate().isoformat()}
        ]
        witness_records.append(record)

    return {
        "format": FORMAT,
        "themes": ordered_themes,
        "sources": [
            _drop_empty(
                {
                    "key": s.key,
                    "title": s.title,
                    "kind": s.kind,
                    "publisher": s.publisher,
                    "author": s.author,
                    "published": s.published,
                    "url": s.url,
                }
            )
            for _, s in sorted(sources.items())
        ],
        "witnesses": witness_records,
        "testimonies": records,
    }

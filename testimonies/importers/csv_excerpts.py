"""Excerpts as CSV: import into existing testimonies, and export in the same columns.

Columns (a header row is required; names are case-insensitive, order free):

| column | required | meaning |
| --- | --- | --- |
| `testimony` | yes | key of an existing testimony |
| `excerpt` | yes | key of the excerpt (created, or updated if it exists in that testimony) |
| `text` | yes | the excerpt's text |
| `start`, `end` | no | timecodes `HH:MM:SS` or `HH:MM:SS.mmm` |
| `themes` | no | theme slugs separated by `;` |
| `access` | no | `public`, `researchers` or `archive` (empty: kept, or `archive` when new) |
| `approved` | no | `yes`/`no` (also `true`/`false`, `1`/`0`; empty: kept, or `no` when new) |
"""

import csv
import io

from django.db import transaction

from ..levels import format_timecode, level_name, parse_timecode
from ..models import Excerpt, Testimony
from .common import (
    FORMAT,
    KEY,
    LEVELS,
    SLUG,
    ArchiveImportError,
    Outcome,
    Problem,
    ThemeResolver,
    merge_excerpt,
    run_document,
    testimony_record,
)

COLUMNS = ["testimony", "excerpt", "text", "start", "end", "themes", "access", "approved"]
REQUIRED = ("testimony", "excerpt", "text")
YES = {"yes", "true", "1", "y"}
NO = {"no", "false", "0", "n"}
MAX_FIELD = 1_000_000


def read_rows(data, source):
    """([(line number, {column: value}) for every well-formed row], [problems of the others]).

    A header or CSV syntax that cannot be read raises ArchiveImportError at once."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ArchiveImportError(
                [Problem(f"{source}, byte {exc.start}", "the file is not UTF-8 text")]
            ) from exc
    data = data.lstrip("\ufeff")
    if "\x00" in data:
        raise ArchiveImportError([Problem(source, "the file contains NUL bytes: not CSV text")])
    reader = csv.reader(io.StringIO(data, newline=""), strict=True)
    rows, problems = [], []
    try:
        header = next(reader, None)
        if header is None:
            raise ArchiveImportError([Problem(source, "the file is empty")])
        names = [h.strip().lower() for h in header]
        for i, name in enumerate(names):
            if name not in COLUMNS:
                problems.append(
                    Problem(
                        f"{source}, line 1, column {i + 1}",
                        f"unknown column {header[i]!r}; the columns are {', '.join(COLUMNS)}",
                    )
                )
            elif names.index(name) != i:
                problems.append(
                    Problem(f"{source}, line 1, column {i + 1}", f"column {name!r} appears twice")
                )
        for name in REQUIRED:
            if name not in names:
                problems.append(Problem(f"{source}, line 1", f"the column {name!r} is missing"))
        if problems:
            raise ArchiveImportError(problems)
        line = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                if len(row) > len(names):
                    problems.append(
                        Problem(
                            f"{source}, line {line}",
                            f"{len(row)} cells, but the header has {len(names)} columns",
                        )
                    )
                else:
                    rows.append(
                        (line, {n: row[i] if i < len(row) else "" for i, n in enumerate(names)})
                    )
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ArchiveImportError(
            [Problem(f"{source}, line {reader.line_num}", f"not valid CSV: {exc}")]
        ) from exc
    if not rows and not problems:
        raise ArchiveImportError([Problem(source, "the file has a header but no excerpts")])
    return rows, problems


def import_csv(data, *, source, create_themes=False, dry_run=False, user=None, progress=None):
    rows, problems = read_rows(data, source)
    with transaction.atomic():
        themes = ThemeResolver(create_themes=create_themes)
        records, excerpt_owner, seen = {}, {}, {}
        wanted_keys = {row["excerpt"].strip() for _, row in rows}
        for key, testimony_key in Excerpt.objects.filter(key__in=wanted_keys).values_list(
            "key", "testimony__key"
        ):
            excerpt_owner[key] = testimony_key
        for line, row in rows:
            where = f"{source}, line {line}"

            def problem(column, message, where=where):
                problems.append(Problem(f"{where}, column {column!r}", message))

            testimony_key = row["testimony"].strip()
            key = row["excerpt"].strip()
            text = row["text"]
            ok = True
            if not testimony_key:
                problem("testimony", "empty")
                ok = False
            elif testimony_key not in records:
                testimony = (
                    Testimony.objects.select_related("witness").filter(key=testimony_key).first()
                )
                if testimony is None:
                    problem("testimony", f"no testimony with the key {testimony_key!r}")
                    ok = False
                else:
                    records[testimony_key] = testimony_record(testimony)
            if not KEY.match(key):
                problem(
                    "excerpt",
                    f"{key!r} is not a key (letters, digits and . _ : -, at most 128)",
                )
                ok = False
            elif key in seen:
                problem("excerpt", f"{key!r} is used twice (also at line {seen[key]})")
                ok = False
            else:
                seen[key] = line
                owner = excerpt_owner.get(key)
                if owner and owner != testimony_key:
                    problem(
                        "excerpt",
                        f"{key!r} belongs to testimony {owner!r}; an import never moves an excerpt",
                    )
                    ok = False
            if not text.strip():
                problem("text", "empty")
                ok = False
            elif len(text) > MAX_FIELD:
                problem("text", f"{len(text)} characters; at most {MAX_FIELD}")
                ok = False
            item = {"key": key, "text": text}
            times = {}
            for column in ("start", "end"):
                value = (row.get(column) or "").strip()
                if value:
                    try:
                        times[column] = parse_timecode(value)
                        item[column] = format_timecode(times[column]) or "00:00:00"
                    except ValueError:
                        problem(column, f"{value!r} is not a timecode HH:MM:SS or HH:MM:SS.mmm")
                        ok = False
            if "start" in times and "end" in times and times["end"] < times["start"]:
                problem(
                    "end", f"the excerpt ends ({item['end']}) before it starts ({item['start']})"
                )
                ok = False
            access = (row.get("access") or "").strip().lower()
            if access:
                if access not in LEVELS:
                    problem("access", f"{access!r} is not one of {', '.join(LEVELS)}")
                    ok = False
                else:
                    item["access"] = access
            approved = (row.get("approved") or "").strip().lower()
            if approved:
                if approved in YES:
                    item["approved"] = True
                elif approved in NO:
                    item["approved"] = False
                else:
                    problem("approved", f"{approved!r} is not yes or no")
                    ok = False
            slugs = []
            for slug in (row.get("themes") or "").split(";"):
                slug = slug.strip()
                if not slug:
                    continue
                if not SLUG.match(slug) or len(slug) > 100:
                    problem("themes", f"{slug!r} is not a theme slug (lowercase words and hyphens)")
                    ok = False
                    continue
                before = len(themes.problems)
                resolved = themes.slug(slug, f"{where}, column 'themes'")
                if len(themes.problems) > before:
                    ok = False
                elif resolved and resolved not in slugs:
                    slugs.append(resolved)
            if slugs:
                item["themes"] = sorted(slugs)
            if not ok:
                continue
            record = records[testimony_key]
            old = next((e for e in record["excerpts"] if e["key"] == key), None)
            if old is None:
                item.setdefault("access", "archive")
                item.setdefault("approved", False)
            merged, trouble = merge_excerpt(old, item, f"{where}, column 'text'")
            if trouble:
                problems.append(trouble)
                continue
            if old is None:
                record["excerpts"].append(merged)
            else:
                record["excerpts"][record["excerpts"].index(old)] = merged
        problems.extend(themes.problems)
        if problems:
            raise ArchiveImportError(problems)
        doc = {
            "format": FORMAT,
            "themes": themes.theme_records(),
            "testimonies": list(records.values()),
        }
        report = run_document(doc, source=source, dry_run=dry_run, user=user, progress=progress)
    outcome = Outcome(report=report)
    outcome.created_themes = sorted(themes.new_themes)
    return outcome


def export_csv(stream):
    """Every excerpt in the CSV columns above. Identities are never in it."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS)
    excerpts = (
        Excerpt.objects.select_related("testimony")
        .prefetch_related("themes")
        .order_by("testimony__key", "position", "key")
    )
    count = 0
    for e in excerpts.iterator(chunk_size=500):
        writer.writerow(
            [
                e.testimony.key,
                e.key,
                e.text,
                format_timecode(e.start_ms) or "",
                format_timecode(e.end_ms) or "",
                ";".join(sorted(t.slug for t in e.themes.all())),
                level_name(e.access),
                "yes" if e.live else "no",
            ]
        )
        count += 1
    return count

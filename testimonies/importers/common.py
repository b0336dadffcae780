"""What the OHMS, WebVTT and CSV imports share: problems with their place, the outcome report,
the theme map, and the way into the interchange import.

Every importer turns its file into a `testimony-archive/v1` document and hands it to
`testimonies.interchange.import_document`, which validates it again, writes in one
transaction (or, in a dry run, rolls back) and is idempotent by key. Records that already
exist are read back first (`testimony_record`) and the file's values laid over them, so that
what archivists curated since (countries, sources, embargoes, content warnings, extra themes,
redactions) is never wiped by a re-import.
"""

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.text import slugify

from ..interchange import (
    ImportReport,
    InterchangeError,
    _export_excerpt,
    import_document,
)
from ..interchange import testimony_record as interchange_testimony_record
from ..models import Testimony, Theme

FORMAT = "testimony-archive/v1"
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
LEVELS = ("public", "researchers", "archive")


@dataclass
class Problem:
    """One thing wrong with an input file: where (file, line or element, field) and what."""

    where: str
    message: str

    def __str__(self):
        return f"{self.where}: {self.message}"


class ArchiveImportError(Exception):
    """The file cannot be imported; nothing was written. `problems` says what and where."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(
            f"{len(self.problems)} problem(s):\n" + "\n".join(f"  {p}" for p in self.problems)
        )


@dataclass
class Outcome:
    """What an import did (or, in a dry run, would do), with warnings and unmapped terms."""

    report: ImportReport
    warnings: list = field(default_factory=list)
    unmapped: dict = field(default_factory=dict)  # term -> [where it occurs]
    created_themes: list = field(default_factory=list)

    def lines(self):
        out = list(self.report.lines())
        if self.created_themes:
            verb = "would be" if self.report.dry_run else "were"
            out.append(f"new themes that {verb} created: {', '.join(self.created_themes)}")
        for warning in self.warnings:
            out.append(f"warning: {warning}")
        if self.unmapped:
            out.append(
                f"{len(self.unmapped)} term(s) not mapped to any theme "
                "(add them to the theme map, or use --create-themes):"
            )
            for term, places in sorted(self.unmapped.items(), key=lambda kv: kv[0].casefold()):
                out.append(f"  {term!r} ({len(places)}×, first at {places[0]})")
        return out


def normalise_term(term):
    return " ".join(term.split()).casefold()


def safe_key(prefix, raw, suffix=""):
    """A deterministic interchange key from an outside identifier."""
    import hashlib

    cleaned = re.sub(r"[^A-Za-z0-9._:-]+", "-", raw.strip()).strip("-._:")
    key = f"{prefix}{cleaned}"
    if cleaned != raw.strip() or len(key) + len(suffix) > 128:
        digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()[:10]
        key = f"{prefix}{cleaned[: 100 - len(prefix)]}-{digest}".replace("--", "-")
    return key + suffix


def theme_slug_for(term):
    import hashlib

    slug = re.sub(r"-+", "-", slugify(term).replace("_", "-")).strip("-")[:90].strip("-")
    if not slug:
        slug = "term-" + hashlib.sha256(term.encode("utf-8")).hexdigest()[:10]
    return slug


# --- The theme map -------------------------------------------------------------------------


class ThemeMap:
    """Outside terms (OHMS keywords and subjects) → the archive's theme slugs.

    Two formats, chosen by the file's extension:

    * `.json`: one object, `{"Forced labour": "forced-labour", "Passports": null}`;
    * `.csv`: a header `term,theme` and one row per term.

    Terms match case-insensitively, spaces normalised. An empty theme (`null` or an empty
    cell) means "known, deliberately not mapped": such terms are not reported as unmapped.
    """

    def __init__(self, entries=None, source="theme map"):
        self.entries = entries or {}  # normalised term -> (slug or None, where)
        self.source = source

    @classmethod
    def load(cls, path):
        path = Path(path)
        problems, entries = [], {}
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ArchiveImportError([Problem(str(path), f"cannot be read: {exc}")]) from exc

        def add(term, slug, where):
            if not isinstance(term, str) or not term.strip():
                problems.append(Problem(where, "the term is empty"))
                return
            if slug is not None and not isinstance(slug, str):
                problems.append(Problem(where, f"the theme must be a slug or empty, not {slug!r}"))
                return
            slug = (slug or "").strip() or None
            if slug is not None and not SLUG.match(slug):
                problems.append(
                    Problem(where, f"{slug!r} is not a theme slug (lowercase words and hyphens)")
                )
                return
            norm = normalise_term(term)
            if norm in entries and entries[norm][0] != slug:
                problems.append(
                    Problem(
                        where, f"the term {term!r} is mapped twice (also at {entries[norm][1]})"
                    )
                )
                return
            entries.setdefault(norm, (slug, where))

        if path.suffix.lower() == ".json":
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ArchiveImportError(
                    [Problem(f"{path}, line {exc.lineno}, column {exc.colno}", exc.msg)]
                ) from exc
            if not isinstance(data, dict):
                raise ArchiveImportError(
                    [Problem(str(path), 'must be one JSON object {"term": "theme-slug", …}')]
                )
            for term, slug in data.items():
                add(term, slug, f"{path}, entry {term!r}")
        elif path.suffix.lower() == ".csv":
            reader = csv.reader(io.StringIO(text, newline=""))
            try:
                header = [h.strip().lower() for h in next(reader, [])]
                if header[:2] != ["term", "theme"]:
                    raise ArchiveImportError(
                        [Problem(f"{path}, line 1", "the header must be: term,theme")]
                    )
                line = reader.line_num + 1
                for row in reader:
                    if any(cell.strip() for cell in row):
                        if len(row) > 2 and any(c.strip() for c in row[2:]):
                            problems.append(
                                Problem(f"{path}, line {line}", "more than two columns")
                            )
                        else:
                            add(row[0], (row + [""])[1], f"{path}, line {line}")
                    line = reader.line_num + 1
            except csv.Error as exc:
                raise ArchiveImportError(
                    [Problem(f"{path}, line {reader.line_num}", f"not valid CSV: {exc}")]
                ) from exc
        else:
            raise ArchiveImportError([Problem(str(path), "a theme map is a .json or a .csv file")])
        if problems:
            raise ArchiveImportError(problems)
        return cls(entries, str(path))


class ThemeResolver:
    """Turns terms into theme slugs, collecting the themes to create and the unmapped terms."""

    def __init__(self, theme_map=None, create_themes=False):
        self.map = theme_map or ThemeMap()
        self.create = create_themes
        self.existing = set(Theme.objects.values_list("slug", flat=True))
        self.new_themes = {}  # slug -> interchange theme record
        self.unmapped = {}
        self.problems = []
        self._reported = set()

    def _new(self, slug, name):
        if slug not in self.existing and slug not in self.new_themes:
            self.new_themes[slug] = {
                "slug": slug,
                "name": name.strip()[:200] or slug,
                "description": "Created by an import from another archive's vocabulary; "
                "review its name and place in the hierarchy.",
            }

    def resolve(self, term, where):
        entry = self.map.entries.get(normalise_term(term))
        if entry is not None:
            slug, map_where = entry
            if slug is None:
                return None
            if slug in self.existing or slug in self.new_themes:
                return slug
            if self.create:
                self._new(slug, term)
                return slug
            if slug not in self._reported:
                self._reported.add(slug)
                self.problems.append(
                    Problem(
                        map_where,
                        f"theme {slug!r} (for the term {term!r}) does not exist in the archive; "
                        "create it first or import with --create-themes",
                    )
                )
            return None
        if self.create:
            slug = theme_slug_for(term)
            self._new(slug, term)
            return slug
        self.unmapped.setdefault(" ".join(term.split()), []).append(where)
        return None

    def slug(self, slug, where):
        """A theme named directly by its slug (CSV)."""
        if slug in self.existing or slug in self.new_themes:
            return slug
        if self.create:
            self._new(slug, slug.replace("-", " ").capitalize())
            return slug
        self.problems.append(
            Problem(
                where, f"unknown theme {slug!r}; create it first or import with --create-themes"
            )
        )
        return None

    def theme_records(self):
        return list(self.new_themes.values())


# --- Existing records, read back for merging -----------------------------------------------


def testimony_record(testimony):
    """An existing testimony as an interchange record, with all its excerpts."""
    record = interchange_testimony_record(testimony)
    record["excerpts"] = [
        _export_excerpt(e)
        for e in testimony.excerpts.order_by("position", "key").prefetch_related("themes")
    ]
    return record


def existing_testimony(key):
    return Testimony.objects.select_related("witness").filter(key=key).first()


def merge_excerpt(existing, new, where):
    """Lay a file's excerpt over the archive's. Returns (record, problem or None).

    Curated fields the file does not carry stay (redactions, embargo, content warning,
    translation); themes are the union. A change of text under redactions is refused: the
    ranges would no longer cover the same words."""
    if existing is None:
        return new, None
    merged = dict(existing)
    for name in ("text", "start", "end", "access", "approved"):
        if name in new:
            merged[name] = new[name]
    merged["themes"] = sorted(set(existing.get("themes", [])) | set(new.get("themes", [])))
    if not merged["themes"]:
        del merged["themes"]
    if merged["text"] != existing["text"] and existing.get("redactions"):
        return merged, Problem(
            where,
            f"excerpt {existing['key']!r} has redactions made in the archive; changing its "
            "text here would uncover them. Change the text in the admin instead.",
        )
    return merged, None


def run_document(doc, *, source, dry_run=False, user=None, progress=None):
    """Pass a built document through the interchange import; report its problems as ours."""
    try:
        return import_document(doc, dry_run=dry_run, user=user, source=source, progress=progress)
    except InterchangeError as exc:
        raise ArchiveImportError(
            Problem(f"{source} (as interchange {p.path})", p.message) for p in exc.problems
        ) from exc

"""Import and export of the `testimony-archive/v1` interchange format.

`import_document()` validates a whole document (JSON Schema, then references, ranges and
dates), reports every problem with its JSON path, and only then writes, in one transaction:
a document with any error changes nothing. Records are matched by key, so importing the same
document twice changes nothing. `export_document()` writes the same format; identities only
when asked.
"""

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.db import DataError, transaction
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker
from wagtail.search.backends import get_search_backends

from .countries import country_name
from .levels import (
    Level,
    format_timecode,
    level_name,
    level_value,
    parse_partial_date,
    parse_timecode,
)
from .models import (
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

FORMAT = "testimony-archive/v1"
SCHEMA_PATH = Path(__file__).parent / "schema" / "testimony-archive-v1.schema.json"


@lru_cache(maxsize=1)
def schema_validator():
    schema = json.loads(SCHEMA_PATH.read_text())
    return Draft202012Validator(schema, format_checker=FormatChecker())


@dataclass
class Problem:
    path: str
    message: str

    def __str__(self):
        return f"{self.path}: {self.message}"


class InterchangeError(Exception):
    """The document cannot be imported; `problems` says what and where. Nothing was written."""

    def __init__(self, problems, source=None):
        self.problems = problems
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(
            f"{where}{len(problems)} problem(s):\n" + "\n".join(f"  {p}" for p in problems)
        )


@dataclass
class ImportReport:
    dry_run: bool = False
    counts: dict = field(default_factory=dict)

    def add(self, kind, outcome):
        self.counts.setdefault(kind, {"created": 0, "updated": 0, "unchanged": 0})
        self.counts[kind][outcome] += 1

    def total(self, outcome):
        return sum(c[outcome] for c in self.counts.values())

    def lines(self):
        verb = "would be" if self.dry_run else "were"
        out = []
        for kind, c in self.counts.items():
            out.append(
                f"{kind}: {c['created']} {verb} created, {c['updated']} {verb} updated, "
                f"{c['unchanged']} left alone"
            )
        return out


def _json_path(parts):
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


# --- Reading --------------------------------------------------------------------------------


def parse_json(text, source=None):
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InterchangeError(
            [Problem(f"line {exc.lineno}, column {exc.colno}", f"not valid JSON: {exc.msg}")],
            source,
        ) from exc
    except UnicodeDecodeError as exc:
        raise InterchangeError([Problem("$", "the file is not UTF-8 text")], source) from exc
    except RecursionError as exc:
        raise InterchangeError([Problem("$", TOO_DEEP)], source) from exc


TOO_DEEP = "the document is nested too deeply to be an interchange document"


def validate_document(data):
    """Every problem in the document, as a list (empty when it can be imported)."""
    try:
        return _validate_document(data)
    except RecursionError:
        return [Problem("$", TOO_DEEP)]


def _validate_document(data):
    problems = [
        Problem(_json_path(err.absolute_path), err.message)
        for err in sorted(schema_validator().iter_errors(data), key=lambda e: list(e.path))
    ]
    problems += _nul_problems(data)
    if problems:  # the checks below assume the document has the schema's shape
        return problems
    return _check_references(data)


def _nul_problems(value, parts=()):
    """NUL characters: valid JSON, but no database text column can hold them."""
    if isinstance(value, str):
        if "\x00" in value:
            return [Problem(_json_path(parts), "contains a NUL character (\\u0000)")]
        return []
    found = []
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(key, str) and "\x00" in key:
                found.append(Problem(_json_path(parts), "a key contains a NUL character"))
            found += _nul_problems(child, (*parts, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            found += _nul_problems(child, (*parts, i))
    return found


def _check_references(data):
    problems = []

    def problem(path, message):
        problems.append(Problem(_json_path(path), message))

    def check_date(path, value):
        if value:
            try:
                parse_partial_date(value)
            except ValueError:
                problem(path, f"{value!r} is not a real date")

    def check_unique(items, key, path):
        seen = {}
        for i, item in enumerate(items):
            if item[key] in seen:
                problem(
                    [*path, i, key],
                    f"{item[key]!r} is used twice (first at index {seen[item[key]]})",
                )
            seen.setdefault(item[key], i)
        return set(seen)

    themes = data.get("themes", [])
    theme_slugs = check_unique(themes, "slug", ["themes"])
    known_themes = theme_slugs | set(Theme.objects.values_list("slug", flat=True))
    parents = {t["slug"]: t.get("parent") for t in themes}
    for i, theme in enumerate(themes):
        parent = theme.get("parent")
        if parent and parent not in known_themes:
            problem(["themes", i, "parent"], f"unknown theme {parent!r}")
        seen, node = set(), theme["slug"]
        while node in parents and parents[node]:
            if node in seen:
                problem(["themes", i, "parent"], f"theme {theme['slug']!r} is its own ancestor")
                break
            seen.add(node)
            node = parents[node]

    sources = data.get("sources", [])
    source_keys = check_unique(sources, "key", ["sources"]) | set(
        Source.objects.values_list("key", flat=True)
    )
    for i, source in enumerate(sources):
        check_date(["sources", i, "published"], source.get("published"))

    witnesses = data.get("witnesses", [])
    witness_keys = check_unique(witnesses, "key", ["witnesses"]) | set(
        Witness.objects.values_list("key", flat=True)
    )
    for i, witness in enumerate(witnesses):
        for j, entry in enumerate(witness["consent"]):
            check_date(["witnesses", i, "consent", j, "recorded_on"], entry["recorded_on"])
            check_date(["witnesses", i, "consent", j, "embargo_until"], entry.get("embargo_until"))

    testimonies = data.get("testimonies", [])
    check_unique(testimonies, "key", ["testimonies"])
    excerpt_seen = {}
    for i, testimony in enumerate(testimonies):
        base = ["testimonies", i]
        if testimony["witness"] not in witness_keys:
            problem([*base, "witness"], f"unknown witness {testimony['witness']!r}")
        for j, key in enumerate(testimony.get("sources", [])):
            if key not in source_keys:
                problem([*base, "sources", j], f"unknown source {key!r}")
        check_date([*base, "recorded_on"], testimony.get("recorded_on"))
        period = testimony.get("period", {})
        if "from" in period and "to" in period and period["to"] < period["from"]:
            problem(
                [*base, "period", "to"],
                f"the period ends ({period['to']}) before it starts ({period['from']})",
            )
        for j, excerpt in enumerate(testimony.get("excerpts", [])):
            path = [*base, "excerpts", j]
            if excerpt["key"] in excerpt_seen:
                problem(
                    [*path, "key"],
                    f"excerpt key {excerpt['key']!r} is used twice "
                    f"(also at {excerpt_seen[excerpt['key']]})",
                )
            excerpt_seen.setdefault(excerpt["key"], _json_path(path))
            for k, slug in enumerate(excerpt.get("themes", [])):
                if slug not in known_themes:
                    problem([*path, "themes", k], f"unknown theme {slug!r}")
            start, end = excerpt.get("start"), excerpt.get("end")
            if start and end and parse_timecode(end) < parse_timecode(start):
                problem([*path, "end"], f"the excerpt ends ({end}) before it starts ({start})")
            check_date([*path, "embargo_until"], excerpt.get("embargo_until"))
            length = len(excerpt["text"])
            for k, redaction in enumerate(excerpt.get("redactions", [])):
                if redaction["end"] <= redaction["start"]:
                    problem(
                        [*path, "redactions", k],
                        f"the redaction ends ({redaction['end']}) at or before its start "
                        f"({redaction['start']})",
                    )
                elif redaction["end"] > length:
                    problem(
                        [*path, "redactions", k, "end"],
                        f"the redaction ends at {redaction['end']}, past the end of the text "
                        f"({length} characters)",
                    )
    return problems


# --- Writing --------------------------------------------------------------------------------


def _upsert(model, lookup, values):
    """Create or update one row by its key. Returns (obj, created, changed)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.save()
        return obj, True, True
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save()
    return obj, False, bool(changed)


def _outcome(created, changed):
    return "created" if created else "updated" if changed else "unchanged"


# Sector slugs whose name is not simply the capitalised slug.
SECTOR_NAMES = {"it": "IT"}


def sector_name(slug):
    return SECTOR_NAMES.get(slug, slug.replace("-", " ").capitalize())


def _set_m2m(manager, wanted):
    current = set(manager.values_list("pk", flat=True))
    if current != {obj.pk for obj in wanted}:
        manager.set(wanted)
        return True
    return False


def import_document(data, *, dry_run=False, user=None, source=None, progress=None):
    """Validate and import one interchange document (a dict or JSON text).

    `progress`, when given, is called once per testimony and excerpt written (progress bars)."""
    if isinstance(data, (str, bytes)):
        data = parse_json(data, source)
    problems = validate_document(data)
    if problems:
        raise InterchangeError(problems, source)
    report = ImportReport(dry_run=dry_run)
    try:
        with transaction.atomic():
            _write(data, report, user, progress)
            if dry_run:
                transaction.set_rollback(True)
    except DataError as exc:
        # E.g. a text longer than its column (PostgreSQL refuses; found by the fuzz tests). The
        # transaction is rolled back: nothing was written.
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid value"
        raise InterchangeError(
            [Problem("$", f"a value does not fit the archive's database ({reason})")], source
        ) from exc
    return report


def _write(data, report, user, progress=None):
    themes = {}
    for item in data.get("themes", []):
        themes[item["slug"]] = _upsert(
            Theme,
            {"slug": item["slug"]},
            {"name": item["name"], "description": item.get("description", "")},
        )
    for item in data.get("themes", []):  # parents once every theme of the file exists
        obj, created, changed = themes[item["slug"]]
        parent_id = Theme.objects.get(slug=item["parent"]).pk if item.get("parent") else None
        if obj.parent_id != parent_id:
            obj.parent_id = parent_id
            obj.save()
            changed = True
        report.add("themes", _outcome(created, changed))

    for item in data.get("sources", []):
        _, created, changed = _upsert(
            Source,
            {"key": item["key"]},
            {
                name: item.get(name, "")
                for name in ("title", "kind", "publisher", "author", "published", "url")
            },
        )
        report.add("sources", _outcome(created, changed))

    for position, item in enumerate(data.get("witnesses", [])):
        _write_witness(item, position, report, user)

    pending = _NewExcerpts()
    for item in data.get("testimonies", []):
        _write_testimony(item, report, progress, pending)
    pending.write()


def _write_witness(item, position, report, user):
    values = {
        "pseudonym": item["pseudonym"],
        **{n: item.get(n, "") for n in ("gender", "birth_decade", "home_region", "occupation")},
    }
    witness, created, changed = _upsert(Witness, {"key": item["key"]}, values)

    ledger = list(witness.consent_entries.order_by("sequence"))
    for j, entry in enumerate(item["consent"]):
        wanted = (
            level_value(entry["level"]),
            entry["recorded_on"],
            entry.get("by", ""),
            entry.get("note", ""),
            entry.get("embargo_until") or "",
        )
        if j < len(ledger):
            have = ledger[j]
            if (have.level, have.recorded_on, have.by, have.note, have.embargo_until) != wanted:
                raise InterchangeError(
                    [
                        Problem(
                            _json_path(["witnesses", position, "consent", j]),
                            f"differs from entry {j + 1} of the archive's consent ledger for "
                            f"witness {item['key']!r}; the ledger is append-only, so a change "
                            "of consent is a new entry after the existing ones",
                        )
                    ]
                )
            continue
        ConsentEntry(
            witness=witness,
            level=wanted[0],
            recorded_on=wanted[1],
            by=wanted[2],
            note=wanted[3],
            embargo_until=wanted[4],
            created_by=user,
        ).save()
        changed = True

    identity = item.get("identity")
    if identity is not None:
        wanted = {n: identity.get(n, "") for n in ("legal_name", "contact", "notes")}
        record = WitnessIdentity.objects.filter(witness=witness).first()
        if record is None:
            WitnessIdentity.objects.create(witness=witness, **wanted)
            changed = True
        elif any(getattr(record, n) != v for n, v in wanted.items()):
            for n, v in wanted.items():
                setattr(record, n, v)
            record.save()
            changed = True
    report.add("witnesses", _outcome(created, changed))


def _write_testimony(item, report, progress, pending):
    period = item.get("period", {})
    values = {
        "witness": Witness.objects.get(key=item["witness"]),
        "title": item["title"],
        "summary": item.get("summary", ""),
        "recorded_on": item.get("recorded_on", ""),
        "language": item.get("language", ""),
        "interviewer": item.get("interviewer", ""),
        "period_from": period.get("from"),
        "period_to": period.get("to"),
        "access": level_value(item["access"]),
        "transcript": item.get("transcript", ""),
    }
    testimony, created, changed = _upsert(Testimony, {"key": item["key"]}, values)
    countries = [
        Country.objects.get_or_create(code=code, defaults={"name": country_name(code)})[0]
        for code in item.get("countries", [])
    ]
    sectors = [
        Sector.objects.get_or_create(slug=slug, defaults={"name": sector_name(slug)})[0]
        for slug in item.get("sectors", [])
    ]
    sources = list(Source.objects.filter(key__in=item.get("sources", [])))
    changed |= _set_m2m(testimony.countries, countries)
    changed |= _set_m2m(testimony.sectors, sectors)
    changed |= _set_m2m(testimony.sources, sources)
    report.add("testimonies", _outcome(created, changed))

    if progress is not None:
        progress(item)
    _write_excerpts(item.get("excerpts", []), testimony, report, progress, pending)


class _NewExcerpts:
    """New excerpts of the whole document, written together once every testimony is: one
    INSERT per few hundred, their themes likewise, then one search-index call per backend."""

    def __init__(self):
        self.themes = {t.slug: t for t in Theme.objects.all()}
        self.now = timezone.now()
        self.excerpts, self.chosen = [], []

    def add(self, item, testimony, position):
        excerpt = Excerpt(key=item["key"], **_excerpt_values(item, testimony, position))
        excerpt.derive_columns(testimony=testimony)
        if excerpt.live:  # as Excerpt.save() dates an approval that skipped publish()
            excerpt.first_published_at = self.now
        self.excerpts.append(excerpt)
        self.chosen.append([self.themes[s] for s in item.get("themes", []) if s in self.themes])

    def write(self):
        if not self.excerpts:
            return
        Excerpt.objects.bulk_create(self.excerpts, batch_size=500)
        through = Excerpt.themes.through
        through.objects.bulk_create(
            [
                through(excerpt_id=excerpt.pk, theme_id=theme.pk)
                for excerpt, chosen in zip(self.excerpts, self.chosen, strict=True)
                for theme in {t.pk: t for t in chosen}.values()
            ],
            batch_size=1000,
        )
        # bulk_create sends no post_save signal: index them as the signal would have.
        for backend in get_search_backends(with_auto_update=True):
            for start in range(0, len(self.excerpts), 1000):
                backend.add_bulk(Excerpt, self.excerpts[start : start + 1000])


def _write_excerpts(items, testimony, report, progress, pending):
    """New excerpts wait in `pending` to be written in bulk; excerpts the archive already
    holds go one by one through `_write_excerpt`, as an edit would."""
    existing = set(
        Excerpt.objects.filter(key__in=[i["key"] for i in items]).values_list("key", flat=True)
    )
    for position, item in enumerate(items):
        if item["key"] in existing:
            _write_excerpt(item, testimony, position, report)
        else:
            pending.add(item, testimony, position)
            report.add("excerpts", "created")
        if progress is not None:
            progress(item)


def _excerpt_values(item, testimony, position):
    return {
        "testimony": testimony,
        "text": item["text"],
        "translation_of": item.get("translation_of", ""),
        "start_ms": parse_timecode(item["start"]) if item.get("start") else None,
        "end_ms": parse_timecode(item["end"]) if item.get("end") else None,
        "access": level_value(item["access"]),
        "live": bool(item["approved"]),
        "embargo_until": item.get("embargo_until") or "",
        "content_warning": item.get("content_warning", ""),
        "redactions": [
            {k: r[k] for k in ("start", "end", "reason") if k in r}
            for r in item.get("redactions", [])
        ],
        "position": position,
    }


def _write_excerpt(item, testimony, position, report):
    values = _excerpt_values(item, testimony, position)
    excerpt, created, changed = _upsert(Excerpt, {"key": item["key"]}, values)
    themes = list(Theme.objects.filter(slug__in=item.get("themes", [])))
    if _set_m2m(excerpt.themes, themes):
        excerpt.save()  # a parental many-to-many relation is written when its owner is saved
        changed = True
    report.add("excerpts", _outcome(created, changed))


# --- Export ---------------------------------------------------------------------------------


def _drop_empty(mapping):
    return {k: v for k, v in mapping.items() if v not in ("", None, [], {})}


def export_document(*, include_identity=False):
    """The whole archive as an interchange document. Identities only with include_identity."""
    themes = list(Theme.objects.select_related("parent").order_by("slug"))
    by_parent = {}
    for theme in themes:
        by_parent.setdefault(theme.parent.slug if theme.parent else None, []).append(theme)
    ordered, todo = [], list(reversed(by_parent.get(None, [])))
    while todo:  # parents before children, siblings by slug
        theme = todo.pop()
        ordered.append(theme)
        todo.extend(reversed(by_parent.get(theme.slug, [])))

    doc = {"format": FORMAT}
    doc["themes"] = [
        _drop_empty(
            {
                "slug": t.slug,
                "name": t.name,
                "parent": t.parent.slug if t.parent else None,
                "description": t.description,
            }
        )
        | ({"parent": None} if t.parent is None else {})
        for t in ordered
    ]
    doc["sources"] = [
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
        for s in Source.objects.order_by("key")
    ]
    witnesses = Witness.objects.order_by("key").prefetch_related("consent_entries")
    if include_identity:
        witnesses = witnesses.select_related("identity")
    doc["witnesses"] = []
    for w in witnesses:
        record = {"key": w.key, "pseudonym": w.pseudonym}
        if include_identity and hasattr(w, "identity"):
            record["identity"] = _drop_empty(
                {n: getattr(w.identity, n) for n in ("legal_name", "contact", "notes")}
            )
        record |= _drop_empty(
            {n: getattr(w, n) for n in ("gender", "birth_decade", "home_region", "occupation")}
        )
        record["consent"] = [
            _drop_empty(
                {
                    "level": level_name(e.level),
                    "recorded_on": e.recorded_on,
                    "by": e.by,
                    "note": e.note,
                    "embargo_until": e.embargo_until,
                }
            )
            for e in sorted(w.consent_entries.all(), key=lambda e: e.sequence)
        ]
        doc["witnesses"].append(record)

    testimonies = (
        Testimony.objects.order_by("key")
        .select_related("witness")
        .prefetch_related("countries", "sectors", "sources")
    )
    excerpts_by_testimony = {}
    for e in Excerpt.objects.order_by("position", "key").prefetch_related("themes"):
        excerpts_by_testimony.setdefault(e.testimony_id, []).append(e)
    doc["testimonies"] = []
    for t in testimonies:
        record = testimony_record(t)
        record["excerpts"] = [_export_excerpt(e) for e in excerpts_by_testimony.get(t.pk, [])]
        if not record["excerpts"]:
            del record["excerpts"]
        doc["testimonies"].append(record)
    return doc


def testimony_record(t, transcript=None):
    """A testimony's interchange record, without its excerpts. `transcript` replaces the stored
    transcript (exports for readers who may not see it pass "")."""
    return _drop_empty(
        {
            "key": t.key,
            "witness": t.witness.key,
            "title": t.title,
            "summary": t.summary,
            "recorded_on": t.recorded_on,
            "language": t.language,
            "interviewer": t.interviewer,
            "countries": sorted(c.code for c in t.countries.all()),
            "sectors": sorted(s.slug for s in t.sectors.all()),
            "period": _drop_empty({"from": t.period_from, "to": t.period_to}),
            "access": level_name(t.access),
            "sources": sorted(s.key for s in t.sources.all()),
            "transcript": t.transcript if transcript is None else transcript,
        }
    )


def _export_excerpt(e):
    record = _drop_empty(
        {
            "key": e.key,
            "text": e.text,
            "translation_of": e.translation_of,
            "start": format_timecode(e.start_ms),
            "end": format_timecode(e.end_ms),
            "themes": sorted(t.slug for t in e.themes.all()),
        }
    )
    record["access"] = level_name(e.access)
    record["approved"] = bool(e.live)
    record |= _drop_empty(
        {
            "embargo_until": e.embargo_until,
            "content_warning": e.content_warning,
            "redactions": e.redactions,
        }
    )
    return record


def dump(doc):
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


__all__ = [
    "FORMAT",
    "ImportReport",
    "InterchangeError",
    "Level",
    "Problem",
    "dump",
    "export_document",
    "import_document",
    "parse_json",
    "validate_document",
]

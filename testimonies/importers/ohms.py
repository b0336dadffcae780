"""Import of OHMS XML (Oral History Metadata Synchronizer), legacy and OHMS 6.

One testimony per `<record>`, one excerpt per index `<point>`. Keys derive from the record's
id, so the same file imported twice changes nothing. The interviewee becomes a witness under a
pseudonym (given, or a placeholder archivists must review); their name goes to the identity
vault only, and wherever it recurs in what could become public it is replaced (title,
description), redacted (excerpt texts) or holds the record at `archive` level (transcript).

XML is parsed with defusedxml: documents that declare entities or refer to external ones are
refused, so no entity expansion ("billion laughs") and no external entity is ever resolved.
"""

import datetime as dt
import re
from xml.etree.ElementTree import ParseError  # nosec B405 - the error type; defusedxml parses

from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml import ElementTree as SafeET
from django.conf.locale import LANG_INFO
from django.db import transaction

from ..levels import format_timecode, parse_partial_date
from ..models import Witness
from .common import (
    FORMAT,
    ArchiveImportError,
    Outcome,
    Problem,
    ThemeResolver,
    existing_testimony,
    merge_excerpt,
    run_document,
    safe_key,
    testimony_record,
)
from .names import NameFinder
from .vtt import VttError, parse_vtt, render_cues

INTERVIEW_WITH = re.compile(r"^(?:an? )?(?:oral[- ]history )?interview with (.+?)\.?$", re.I)
NO_TRANSCRIPT = {"", "no transcript.", "no transcript"}
DATE_FORMATS = ("%d %B %Y", "%B %d, %Y", "%B %d %Y", "%d %b %Y", "%b %d, %Y", "%m/%d/%Y")
MONTH_FORMATS = ("%B %Y", "%b %Y")


def _local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element, name):
    return [child for child in element if _local(child.tag) == name]


def _child(element, name):
    found = _children(element, name)
    return found[0] if found else None


def _text(element, name):
    child = _child(element, name)
    return (child.text or "").strip() if child is not None else ""


def _terms(text):
    return [t.strip() for t in (text or "").split(";") if t.strip()]


def parse_xml(data, source):
    """The root element of an XML document, refusing entities, DTD tricks and external refs."""
    try:
        # OHMS exports have no DTD; refusing any makes entity tricks impossible outright.
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DTDForbidden as exc:
        raise ArchiveImportError(
            [
                Problem(
                    source,
                    "the document has a DTD (<!DOCTYPE …>), which can declare entities (entity "
                    'expansion, "billion laughs") or pull in external files; DTDs are refused '
                    "for safety and OHMS exports have none. Remove it and import again.",
                )
            ]
        ) from exc
    except EntitiesForbidden as exc:
        raise ArchiveImportError(
            [
                Problem(
                    source,
                    "the document declares XML entities; they are refused for safety "
                    f"(entity expansion attacks). Remove the DTD and import again. ({exc})",
                )
            ]
        ) from exc
    except ExternalReferenceForbidden as exc:
        raise ArchiveImportError(
            [
                Problem(
                    source,
                    "the document refers to an external entity or DTD; external references "
                    f"are never fetched or read. ({exc})",
                )
            ]
        ) from exc
    except DefusedXmlException as exc:
        raise ArchiveImportError([Problem(source, f"refused for safety: {exc}")]) from exc
    except ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        raise ArchiveImportError(
            [Problem(f"{source}, line {line}, column {column}", f"not well-formed XML: {exc}")]
        ) from exc
    except ValueError as exc:  # e.g. text that is not in the declared encoding
        raise ArchiveImportError([Problem(source, f"cannot be read as XML: {exc}")]) from exc


def language_code(name):
    """An IETF language tag for a language name ("English" → "en"), or None."""
    wanted = name.strip().casefold()
    if not wanted:
        return None
    for code, info in LANG_INFO.items():
        if "name" not in info:
            continue
        if wanted in (code.casefold(), info["name"].casefold(), info["name_local"].casefold()):
            return code
    return None


def parse_seconds(text):
    value = float(text)
    if not (value >= 0 and value < 100 * 3600):  # also refuses NaN and infinity
        raise ValueError(text)
    return round(value * 1000)


def parse_duration(text):
    """ "0:28:06", "01:02:03", "28:06" or seconds → milliseconds; None when unknown (0)."""
    text = text.strip()
    if not text:
        return None
    parts = text.split(":")
    if len(parts) > 3 or not all(re.fullmatch(r"\d+(\.\d+)?", p) for p in parts):
        raise ValueError(text)
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return round(seconds * 1000) or None


def parse_date(record, where, warnings):
    element = _child(record, "date")
    value = (element.get("value") or "").strip() if element is not None else ""
    if value:
        try:
            parse_partial_date(value)
            return value
        except ValueError:
            warnings.append(f"{where}/date: {value!r} is not a date; recorded date left empty")
    other = _text(record, "date_nonpreferred_format")
    if not other or other.casefold() in ("unknown date", "unknown", "n.d.", "undated"):
        return ""
    if re.fullmatch(r"\d{4}", other):
        return other
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(other, fmt).date().isoformat()  # noqa: DTZ007
        except ValueError:
            pass
    for fmt in MONTH_FORMATS:
        try:
            return dt.datetime.strptime(other, fmt).strftime("%Y-%m")  # noqa: DTZ007
        except ValueError:
            pass
    warnings.append(
        f"{where}/date_nonpreferred_format: {other!r} is not a date this import understands; "
        "recorded date left empty"
    )
    return ""


def legacy_transcript(text, sync):
    """The transcript with `[HH:MM:SS]` before each line the `<sync>` data times."""
    if not text:
        return ""
    marks = {}
    if sync and ":" in sync:
        interval, _, stamps = sync.partition(":")
        try:
            minutes = int(interval.strip() or "1")
        except ValueError:
            minutes = 0
        if minutes > 0:
            for index, stamp in enumerate(stamps.split("|")):
                match = re.fullmatch(r"\s*(\d+)\((\d+)\)\s*", stamp)
                if match and index:
                    marks.setdefault(int(match.group(1)), index * minutes * 60 * 1000)
    lines = text.replace("\r\n", "\n").split("\n")
    out = []
    for number, line in enumerate(lines, start=1):
        if number in marks:
            out.append(f"[{format_timecode(marks[number]) or '00:00:00'}] {line}".rstrip())
        else:
            out.append(line.rstrip())
    return "\n".join(out).strip()


class Options:
    def __init__(
        self,
        theme_map=None,
        create_themes=False,
        pseudonym=None,
        access=None,
        approve=False,
    ):
        self.theme_map = theme_map
        self.create_themes = create_themes
        self.pseudonym = pseudonym
        self.access = access
        self.approve = approve


def build_document(root, source, options, themes, warnings):
    """The interchange document for every record of the file, or ArchiveImportError."""
    problems = []
    if _local(root.tag) == "record":
        records = [root]
    else:
        records = _children(root, "record")
    if not records:
        raise ArchiveImportError(
            [Problem(source, f"no OHMS <record> element (the root is <{_local(root.tag)}>)")]
        )
    if options.pseudonym and len(records) > 1:
        raise ArchiveImportError(
            [
                Problem(
                    source,
                    f"--pseudonym names one interviewee, but the file has {len(records)} records",
                )
            ]
        )
    doc = {"format": FORMAT, "themes": [], "witnesses": [], "testimonies": []}
    seen = {}
    for number, record in enumerate(records, start=1):
        built = _build_record(record, number, source, options, themes, warnings, problems)
        if built is None:
            continue
        witness, testimony = built
        if testimony["key"] in seen:
            problems.append(
                Problem(
                    f"{source}: record[{number}]",
                    f"the record id gives the key {testimony['key']!r}, "
                    f"as record[{seen[testimony['key']]}] does",
                )
            )
            continue
        seen[testimony["key"]] = number
        if witness is not None:
            doc["witnesses"].append(witness)
        doc["testimonies"].append(testimony)
    problems.extend(themes.problems)
    if problems:
        raise ArchiveImportError(problems)
    doc["themes"] = themes.theme_records()
    return doc


def _build_record(record, number, source, options, themes, warnings, problems):
    record_id = (record.get("id") or "").strip() or _text(record, "accession")
    where = f"{source}: record[{number}]" + (f" (id {record_id})" if record_id else "")
    before = len(problems)
    if not record_id:
        problems.append(
            Problem(where, "has no id attribute and no <accession>: no stable key can be derived")
        )
        return None
    title = " ".join(_text(record, "title").split())
    if not title:
        problems.append(
            Problem(f"{where}/title", "missing or empty: every testimony needs a title")
        )
    elif len(title) > 300:
        problems.append(Problem(f"{where}/title", f"{len(title)} characters; at most 300"))

    interviewees = [
        " ".join((e.text or "").split()) for e in _children(record, "interviewee") if e.text
    ]
    interviewees = [n for n in interviewees if n]
    inferred = False
    if not interviewees:
        match = INTERVIEW_WITH.match(title)
        if match:
            interviewees, inferred = [match.group(1).strip()], True
    finder = NameFinder(interviewees)
    testimony_key = safe_key("ohms-", record_id)
    existing = existing_testimony(testimony_key)

    # The witness: an existing one is left as archivists have reviewed it.
    witness_key = existing.witness.key if existing else safe_key("ohms-", record_id, "-interviewee")
    witness_obj = Witness.objects.filter(key=witness_key).first()
    pseudonym = options.pseudonym or (
        witness_obj.pseudonym if witness_obj else f"Unreviewed interviewee {record_id}"[:200]
    )
    if options.pseudonym and len(options.pseudonym) > 200:
        problems.append(Problem(where, "--pseudonym is longer than 200 characters"))
    interviewer = "; ".join(
        " ".join(e.text.split()) for e in _children(record, "interviewer") if (e.text or "").strip()
    )
    if len(interviewer) > 200:
        problems.append(
            Problem(f"{where}/interviewer", f"{len(interviewer)} characters; at most 200")
        )
    if options.pseudonym and finder.occurs_in(options.pseudonym):
        problems.append(
            Problem(
                where,
                "--pseudonym contains the interviewee's name; a pseudonym must not identify them",
            )
        )
    if inferred:
        warnings.append(
            f"{where}: no <interviewee>; the name in the title was taken as the interviewee's "
            "(kept in the identity vault); check it"
        )
    elif not interviewees:
        warnings.append(
            f"{where}: no <interviewee>, so the title, description and transcript could not be "
            "checked for the interviewee's name; review them before approving anything"
        )

    # Dates, language, duration.
    warn = []
    recorded_on = parse_date(record, where, warn)
    language_name = _text(record, "language")
    language = language_code(language_name) if language_name else None
    if language_name and not language:
        warn.append(f"{where}/language: {language_name!r} is not a language this import knows")
    try:
        duration = parse_duration(_text(record, "duration"))
    except ValueError:
        duration = None
        problems.append(
            Problem(
                f"{where}/duration",
                f"{_text(record, 'duration')!r} is not a duration (H:MM:SS or seconds)",
            )
        )

    # The transcript: OHMS 6 carries WebVTT, the legacy format text with <sync>.
    transcript = ""
    vtt = _child(record, "vtt_transcript")
    if vtt is not None and (vtt.text or "").strip():
        try:
            transcript = render_cues(parse_vtt(vtt.text))
        except VttError as exc:
            problems.extend(
                Problem(f"{where}/vtt_transcript, {p.where}", p.message) for p in exc.problems
            )
    else:
        raw = (_text(record, "transcript") or "").strip()
        if raw.casefold() not in NO_TRANSCRIPT:
            transcript = legacy_transcript(raw, _text(record, "sync"))

    restricted = _text(record, "userestrict") == "1"
    summary = _text(record, "description")

    # Index points → excerpts.
    index = _child(record, "index")
    points = _children(index, "point") if index is not None else []
    record_terms = [(e.text or "").strip() for e in _children(record, "subject")] + [
        t for e in _children(record, "keyword") for t in _terms(e.text)
    ]
    record_slugs = []
    for term in record_terms:
        if not term:
            continue
        if finder.occurs_in(term):
            # The term itself is not echoed: reports end up in logs.
            warn.append(f"{where}/subject: a term naming the interviewee was not made a theme")
            continue
        slug = themes.resolve(term, f"{where}/subject")
        if slug and slug not in record_slugs:
            record_slugs.append(slug)

    starts = []
    for p_number, point in enumerate(points, start=1):
        p_where = f"{where}/index/point[{p_number}]"
        raw_time = _text(point, "time")
        try:
            starts.append(parse_seconds(raw_time))
        except ValueError:
            starts.append(None)
            problems.append(Problem(f"{p_where}/time", f"{raw_time!r} is not a number of seconds"))

    if not points and not transcript and not summary and len(problems) == before:
        missing = [
            "no index <point>",
            "no transcript"
            + (
                f" (<transcript> says {_text(record, 'transcript')!r})"
                if _text(record, "transcript")
                else ""
            ),
            "no <vtt_transcript>",
            "no <description>",
        ]
        problems.append(
            Problem(
                where,
                "nothing to import: " + ", ".join(missing) + ". A testimony needs at least one "
                "of an index, a transcript or a description.",
            )
        )
    if len(problems) > before:
        return None

    access_given = options.access
    held = []
    if finder.occurs_in(title):
        held.append("title")
        title = finder.replace(title, pseudonym)[:300]
    if finder.occurs_in(summary):
        held.append("description")
        summary = finder.replace(summary, pseudonym)
    transcript_names = finder.occurs_in(transcript)
    if transcript_names:
        transcript = finder.replace(transcript, pseudonym)
    if held:
        warn.append(
            f"{where}: the interviewee's name occurs in the {' and '.join(held)}; "
            f"it was replaced by the pseudonym {pseudonym!r} (the original is in the identity "
            "vault)"
        )
    if transcript_names:
        warn.append(
            f"{where}: the interviewee's name occurs in the transcript; it was replaced by the "
            "pseudonym and the testimony is held at archive level until an archivist has "
            "reviewed it (other forms of the name may remain)"
        )

    existing_rec = testimony_record(existing) if existing else None
    if restricted or transcript_names:
        access = "archive"
    else:
        access = access_given or (existing_rec["access"] if existing_rec else "archive")

    excerpts = []
    old_excerpts = {e["key"]: e for e in (existing_rec or {}).get("excerpts", [])}
    used_keys = set()
    for p_number, point in enumerate(points, start=1):
        p_where = f"{where}/index/point[{p_number}]"
        start = starts[p_number - 1]
        later = [s for s in starts[p_number:] if s is not None and s > start]
        end = later[0] if later else (duration if duration and duration > start else None)
        key = safe_key("ohms-", record_id, f"-at-{start // 1000}")
        suffix = 2
        while key in used_keys:
            key = safe_key("ohms-", record_id, f"-at-{start // 1000}-{suffix}")
            suffix += 1
        used_keys.add(key)
        parts = [
            " ".join(_text(point, "title").split()),
            _text(point, "synopsis"),
            _text(point, "partial_transcript"),
        ]
        text = "\n\n".join(p for p in parts if p)
        if not text:
            problems.append(
                Problem(p_where, "has no <title>, <synopsis> or <partial_transcript>: no text")
            )
            continue
        found = len(finder.spans(text))
        if found:
            text = finder.replace(text, pseudonym)
            warn.append(
                f"{p_where}: the interviewee's name occurs {found}× in the text; replaced by the "
                "pseudonym, and the excerpt is kept unapproved until an archivist has reviewed it"
            )
        slugs = list(record_slugs)
        for field_name in ("keywords", "subjects"):
            for term in _terms(_text(point, field_name)):
                if finder.occurs_in(term):
                    warn.append(
                        f"{p_where}/{field_name}: a term naming the interviewee was not "
                        "made a theme"
                    )
                    continue
                slug = themes.resolve(term, f"{p_where}/{field_name}")
                if slug and slug not in slugs:
                    slugs.append(slug)
        old = old_excerpts.pop(key, None)
        if old:
            approved = old["approved"] or (options.approve and not found)
        else:
            approved = options.approve and not found
        item = {
            "key": key,
            "text": text,
            "start": format_timecode(start) or "00:00:00",
            "access": "archive"
            if restricted
            else (access_given or (old["access"] if old else "archive")),
            "approved": approved,
        }
        if end is not None:
            item["end"] = format_timecode(end)
        if slugs:
            item["themes"] = sorted(slugs)
        merged, problem = merge_excerpt(old, item, p_where)
        if problem:
            problems.append(problem)
            continue
        excerpts.append(merged)
    warnings.extend(warn)
    if len(problems) > before:
        return None
    # Excerpts of this testimony that the file does not carry (added in the archive) stay.
    excerpts.extend(old_excerpts.values())

    testimony = dict(existing_rec or {})
    testimony.update(
        {
            "key": testimony_key,
            "witness": witness_key,
            "title": title,
            "access": access,
        }
    )
    for name, value in (
        ("summary", summary),
        ("recorded_on", recorded_on),
        ("language", language),
        ("interviewer", interviewer),
        ("transcript", transcript),
    ):
        if value:
            testimony[name] = value
        elif not existing_rec:
            testimony.pop(name, None)
    testimony["excerpts"] = excerpts
    if not excerpts:
        del testimony["excerpts"]

    witness = None
    if witness_obj is None:
        notes = [f"Imported from OHMS record {record_id}."]
        if held:
            notes.append(f"Original title: {_text(record, 'title')}")
            if "description" in held:
                notes.append(f"Original description: {_text(record, 'description')}")
        witness = {
            "key": witness_key,
            "pseudonym": pseudonym,
            "consent": [
                {
                    "level": access,
                    "recorded_on": dt.date.today().isoformat(),
                    "by": "import_archive (OHMS)",
                    "note": "Set by the import from the level the importing archivist chose; "
                    "review against the interviewee's release.",
                }
            ],
        }
        if interviewees:
            witness["identity"] = {"legal_name": "; ".join(interviewees), "notes": "\n".join(notes)}
    elif options.pseudonym and options.pseudonym != witness_obj.pseudonym:
        ledger = [
            {
                k: v
                for k, v in {
                    "level": {0: "public", 1: "researchers", 2: "archive", 3: "withdrawn"}[e.level],
                    "recorded_on": e.recorded_on,
                    "by": e.by,
                    "note": e.note,
                    "embargo_until": e.embargo_until,
                }.items()
                if v not in ("", None)
            }
            for e in witness_obj.consent_entries.order_by("sequence")
        ]
        witness = {
            "key": witness_key,
            "pseudonym": options.pseudonym,
            **{
                n: getattr(witness_obj, n)
                for n in ("gender", "birth_decade", "home_region", "occupation")
                if getattr(witness_obj, n)
            },
            "consent": ledger,
        }
    return witness, testimony


def import_ohms(data, *, source, options=None, dry_run=False, user=None, progress=None):
    """Import an OHMS XML file (bytes or text). Returns an Outcome; raises ArchiveImportError."""
    options = options or Options()
    root = parse_xml(data, source)
    warnings = []
    with transaction.atomic():
        themes = ThemeResolver(options.theme_map, options.create_themes)
        doc = build_document(root, source, options, themes, warnings)
        report = run_document(doc, source=source, dry_run=dry_run, user=user, progress=progress)
    outcome = Outcome(report=report, warnings=warnings, unmapped=themes.unmapped)
    outcome.created_themes = sorted(themes.new_themes)
    return outcome

"""Import of a WebVTT transcript into an existing testimony.

Cues are read with webvtt-py in strict mode, after a line-by-line check of every cue timing
that says where a malformed file goes wrong. The transcript is stored as readable text, one
cue per paragraph, each starting with its time: `[00:01:02] SPEAKER: text`, so researchers
see the timecodes.
"""

import re
from dataclasses import dataclass

import webvtt
from django.db import transaction
from webvtt.errors import MalformedCaptionError, MalformedFileError

from ..levels import format_timecode
from .common import (
    FORMAT,
    ArchiveImportError,
    Outcome,
    Problem,
    existing_testimony,
    run_document,
    testimony_record,
)

_STAMP = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
TIMING = re.compile(rf"^\s*{_STAMP}\s+-->\s+{_STAMP}(?:\s+.*)?$")


class VttError(ArchiveImportError):
    pass


@dataclass
class Cue:
    start_ms: int
    end_ms: int
    text: str
    voice: str = ""


def _ms(hours, minutes, seconds, millis):
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def parse_vtt(text):
    """The cues of a WebVTT text, in order; VttError with line numbers when it is malformed."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise VttError([Problem(f"byte {exc.start}", "the file is not UTF-8 text")]) from exc
    text = text.lstrip("\ufeff")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    problems = []
    if not lines or not re.match(r"^WEBVTT(?:[ \t].*)?$", lines[0]):
        raise VttError([Problem("line 1", "a WebVTT file starts with the line WEBVTT")])
    for number, line in enumerate(lines, start=1):
        if "\x00" in line:
            problems.append(Problem(f"line {number}", "contains a NUL character: not text"))
        if "-->" not in line:
            continue
        match = TIMING.match(line)
        if not match:
            problems.append(
                Problem(
                    f"line {number}",
                    f"{line.strip()[:80]!r} is not a cue timing (HH:MM:SS.mmm --> HH:MM:SS.mmm)",
                )
            )
            continue
        start, end = _ms(*match.groups()[:4]), _ms(*match.groups()[4:])
        if end < start and end != 0:  # OHMS writes 00:00:00.000 for an end it does not know
            problems.append(
                Problem(
                    f"line {number}",
                    f"the cue ends ({format_timecode(end)}) before it starts "
                    f"({format_timecode(start)})",
                )
            )
    if problems:
        raise VttError(problems)
    try:
        # <br> is HTML, not WebVTT, but OHMS writes it inside cues: read it as a space.
        body = re.sub(r"<br\s*/?>", " ", "\n".join(lines), flags=re.IGNORECASE)
        parsed = webvtt.from_string(body, strict=True)
    except (MalformedCaptionError, MalformedFileError, ValueError) as exc:
        raise VttError([Problem(_locate(str(exc), lines), f"malformed WebVTT: {exc}")]) from exc
    cues = []
    for caption in parsed:
        cues.append(
            Cue(
                start_ms=caption.start_time.in_milliseconds(),
                end_ms=caption.end_time.in_milliseconds(),
                text=" ".join(caption.text.split()),
                voice=(caption.voice or "").strip(),
            )
        )
    return cues


def _locate(message, lines):
    """The line a webvtt-py error message quotes, when it can be found."""
    for quoted in re.findall(r"'([^'\n]+)'", message):
        for number, line in enumerate(lines, start=1):
            if quoted and quoted in line:
                return f"line {number}"
    return "the file"


def render_cues(cues):
    out = []
    for cue in cues:
        if not cue.text:
            continue
        stamp = format_timecode(cue.start_ms).split(".")[0]
        speaker = f"{cue.voice}: " if cue.voice else ""
        out.append(f"[{stamp}] {speaker}{cue.text}")
    return "\n\n".join(out)


def import_vtt(data, *, source, testimony_key, dry_run=False, user=None):
    """Store a WebVTT file as the transcript of an existing testimony."""
    try:
        cues = parse_vtt(data)
    except VttError as exc:
        raise ArchiveImportError(
            Problem(f"{source}, {p.where}", p.message) for p in exc.problems
        ) from exc
    if not cues or not render_cues(cues):
        raise ArchiveImportError([Problem(source, "the file has no cue with text")])
    with transaction.atomic():
        testimony = existing_testimony(testimony_key)
        if testimony is None:
            raise ArchiveImportError(
                [Problem(f"--testimony {testimony_key}", "no testimony with this key")]
            )
        record = testimony_record(testimony)
        record["transcript"] = render_cues(cues)
        doc = {"format": FORMAT, "testimonies": [record]}
        report = run_document(doc, source=source, dry_run=dry_run, user=user)
    return Outcome(report=report)

"""Citations of excerpts and sources: a ready-to-copy reference, CSL-JSON and BibTeX.

Built from public fields only (pseudonym, testimony title, timecode, public URL, sources), never
from an excerpt's unredacted text or anything of a witness's identity.
"""

import json

from .public import SITE_NAME, partial_date_parts, timecode


def source_reference(source):
    """A full citation of a source document, in plain text."""
    parts = []
    if source.author:
        parts.append(f"{source.author}.")
    parts.append(f"“{source.title}”.")
    tail = ", ".join(p for p in (source.publisher, source.published) if p)
    if tail:
        parts.append(f"{tail}.")
    if source.url:
        parts.append(source.url)
    return " ".join(parts)


def _excerpt_title(excerpt):
    return f"Excerpt from “{excerpt.testimony.title}”"


def excerpt_reference(excerpt, url, accessed):
    """A human-readable reference to paste into a text."""
    testimony = excerpt.testimony
    parts = [f"{testimony.witness.pseudonym} (pseudonym).", f"{_excerpt_title(excerpt)}"]
    if excerpt.start_ms is not None:
        parts[-1] += f", at {timecode(excerpt.start_ms)}"
    parts[-1] += "."
    recorded = f", recorded {testimony.recorded_on}" if testimony.recorded_on else ""
    parts.append(f"{SITE_NAME}{recorded}.")
    parts.append(f"{url} (accessed {accessed.isoformat()}).")
    return " ".join(parts)


def _note(excerpt, sources):
    notes = ["Witness named by a pseudonym."]
    if excerpt.start_ms is not None:
        notes.append(f"Timecode {timecode(excerpt.start_ms)}.")
    if sources:
        notes.append("Drawn from: " + "; ".join(source_reference(s) for s in sources))
    return " ".join(notes)


def excerpt_csl(excerpt, url, accessed, sources):
    item = {
        "id": f"testimony-archive-{excerpt.public_id}",
        "type": "interview",
        "title": _excerpt_title(excerpt),
        "container-title": excerpt.testimony.title,
        "author": [{"literal": excerpt.testimony.witness.pseudonym}],
        "publisher": SITE_NAME,
        "URL": url,
        "accessed": {"date-parts": [[accessed.year, accessed.month, accessed.day]]},
        "note": _note(excerpt, sources),
    }
    if excerpt.testimony.language:
        item["language"] = excerpt.testimony.language
    issued = partial_date_parts(excerpt.testimony.recorded_on)
    if issued:
        item["issued"] = {"date-parts": issued}
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}


def bibtex_escape(text):
    return "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in str(text))


def excerpt_bibtex(excerpt, url, accessed, sources):
    fields = [
        ("author", "{" + bibtex_escape(excerpt.testimony.witness.pseudonym) + "}"),
        ("title", "{" + bibtex_escape(_excerpt_title(excerpt)) + "}"),
        ("howpublished", bibtex_escape(SITE_NAME)),
    ]
    issued = partial_date_parts(excerpt.testimony.recorded_on)
    if issued:
        fields.append(("year", str(issued[0][0])))
    fields += [
        ("url", url),
        ("urldate", accessed.isoformat()),
        ("note", bibtex_escape(_note(excerpt, sources))),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{testimony-archive-{excerpt.public_id},\n{body}\n}}\n"

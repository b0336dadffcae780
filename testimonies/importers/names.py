"""Finding an interviewee's real name in text that may become public.

An OHMS record names its interviewee (`<interviewee>`), and the same name usually recurs in
the title ("Oral history interview with …"), the description, speaker labels ("DUARTE:") and
keywords. The name itself goes to the identity vault; these helpers find where else it occurs,
so the importer can replace it (titles, summaries), redact it (excerpt texts), hold the record
back (transcripts) and withhold it from the theme vocabulary.
"""

import re

# Honorifics and particles that are not, on their own, identifying.
_NOT_NAMES = {
    "miss",
    "mrs",
    "mr",
    "ms",
    "dr",
    "prof",
    "sir",
    "jr",
    "sr",
    "the",
    "and",
    "van",
    "von",
    "der",
    "den",
    "del",
    "de",
    "la",
    "le",
}


# Two-letter words that are also name parts ("An", "Ri", "Li") are matched only as written
# (capitalised or in capitals); these are too common in English to be matched at all.
_SHORT_WORDS = {
    "an", "as", "at", "be", "by", "do", "go", "he", "if", "in", "is", "it", "me", "my",
    "no", "of", "oh", "ok", "on", "or", "so", "to", "up", "us", "we",
}  # fmt: skip


class NameFinder:
    """Occurrences of one or more people's names (full names and distinctive parts)."""

    def __init__(self, names):
        variants, short = set(), set()
        for name in names:
            name = " ".join(name.split())
            if not name:
                continue
            variants.add(name)
            if "," in name:  # "Duarte, Ronald, 1930-" → "Ronald Duarte"
                parts = [p.strip() for p in name.split(",") if p.strip()]
                words = [p for p in parts if not re.fullmatch(r"[\d\s\-–.?]+", p)]
                if len(words) >= 2:
                    variants.add(f"{words[1]} {words[0]}")
            for part in re.split(r"[\s,;]+", name):
                part = part.strip(".()[]\"'")
                folded = part.casefold()
                if not part or part.isdigit() or folded in _NOT_NAMES:
                    continue
                if len(part) >= 3:
                    variants.add(part)
                elif len(part) == 2 and folded not in _SHORT_WORDS:
                    short.update({part, part.upper()})
        self.variants = sorted(variants, key=len, reverse=True)
        alternatives = []
        if self.variants:
            alternatives.append("(?i:" + "|".join(re.escape(v) for v in self.variants) + ")")
        alternatives.extend(re.escape(v) for v in sorted(short))
        self.pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")
            if alternatives
            else None
        )

    def __bool__(self):
        return self.pattern is not None

    def spans(self, text):
        if not self.pattern or not text:
            return []
        return [(m.start(), m.end()) for m in self.pattern.finditer(text)]

    def occurs_in(self, text):
        return bool(self.spans(text))

    def replace(self, text, replacement):
        if not self.pattern or not text:
            return text
        return self.pattern.sub(replacement, text)

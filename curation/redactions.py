"""A friendlier redaction editor than raw JSON: one range per line, as character positions
(`176-183 reason`) or as the words to hide in double quotes (`"Tumen" reason`: every place
they occur). Stored as the interchange format's list of {start, end, reason}."""

import json
import re

from django import forms
from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminModelForm

from testimonies.models import validate_redactions

RANGE_LINE = re.compile(r"^(\d+)\s*[-–]\s*(\d+)(?:\s*[:,]?\s+(.*))?$")
PHRASE_LINE = re.compile(r"^\"([^\"]+)\"(?:\s*[:,]?\s*(.*))?$")

HELP = (
    "One redaction per line: the characters to hide as START-END (counting from 0, end not "
    "included), or the exact words in double quotes to hide every place they occur; then, "
    "optionally, the reason. For example: <code>176-183 place detail</code> or "
    '<code>"Tumen" names a town</code>. The preview shows what the public will see.'
)


def redactions_to_lines(value):
    lines = []
    for r in value or []:
        reason = (r.get("reason") or "").strip()
        lines.append(f"{r.get('start')}-{r.get('end')} {reason}".rstrip())
    return "\n".join(lines)


class RedactionsField(forms.Field):
    widget = forms.Textarea(attrs={"rows": 4, "spellcheck": "false"})

    def prepare_value(self, value):
        if isinstance(value, str):
            return value
        return redactions_to_lines(value)

    def to_python(self, value):
        """A list of {start, end, reason} and {phrase, reason} items; phrases are resolved
        against the text by the form."""
        text = (value or "").strip()
        if text.startswith("["):  # the interchange format's JSON, as imports and scripts write it
            try:
                data = json.loads(text)
                validate_redactions(data)
            except (ValueError, ValidationError) as exc:
                raise forms.ValidationError(
                    "The redactions look like JSON but are not a list of "
                    '{"start": N, "end": N, "reason": "..."}.'
                ) from exc
            return [{"reason": "", **r} for r in data]
        items, errors = [], []
        for number, raw in enumerate((value or "").splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            if match := RANGE_LINE.match(line):
                start, end, reason = match.groups()
                items.append({"start": int(start), "end": int(end), "reason": reason or ""})
            elif match := PHRASE_LINE.match(line):
                phrase, reason = match.groups()
                items.append({"phrase": phrase, "reason": reason or ""})
            else:
                errors.append(
                    f"Line {number} (“{line[:40]}”) is neither START-END nor words in double "
                    "quotes."
                )
        if errors:
            raise forms.ValidationError(errors)
        return items


def resolve_phrases(items, text):
    """Turn {phrase} items into the ranges of every occurrence in `text`; errors name the
    phrases that do not occur."""
    out, errors = [], []
    for item in items:
        if "phrase" not in item:
            out.append(item)
            continue
        phrase, found = item["phrase"], False
        for match in re.finditer(re.escape(phrase), text):
            out.append({"start": match.start(), "end": match.end(), "reason": item["reason"]})
            found = True
        if not found:
            errors.append(f"“{phrase}” does not occur in the text (check spelling and case).")
    return out, errors


class ExcerptAdminForm(WagtailAdminModelForm):
    redactions = RedactionsField(required=False, help_text=HELP)

    def clean(self):
        cleaned = super().clean()
        items = cleaned.get("redactions")
        text = cleaned.get("text")
        if items is None or text is None:
            return cleaned
        ranges, errors = resolve_phrases(items, text)
        for r in ranges:
            if not (0 <= r["start"] < r["end"] <= len(text)):
                errors.append(
                    f"Redaction {r['start']}-{r['end']} is outside the text of {len(text)} "
                    "characters or ends before it starts."
                )
        if errors:
            self.add_error("redactions", errors)
        else:
            cleaned["redactions"] = [
                {
                    "start": r["start"],
                    "end": r["end"],
                    **({"reason": r["reason"]} if r["reason"] else {}),
                }
                for r in sorted(ranges, key=lambda r: (r["start"], r["end"]))
            ]
        return cleaned

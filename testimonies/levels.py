"""Access levels, partial dates and timecodes: the small vocabulary of the interchange format."""

import datetime as dt
import re
import secrets

from django.db import models


class Level(models.IntegerChoices):
    """Most open first. `WITHDRAWN` exists only as a consent level."""

    PUBLIC = 0, "public"
    RESEARCHERS = 1, "researchers"
    ARCHIVE = 2, "archive"
    WITHDRAWN = 3, "withdrawn"


ACCESS_CHOICES = [(c.value, c.label) for c in Level if c != Level.WITHDRAWN]
BY_NAME = {c.label: c.value for c in Level}
# What archive staff may see: everything, withdrawn included.
STAFF_RANK = Level.WITHDRAWN


def level_name(value):
    return Level(value).label


def level_value(name):
    return BY_NAME[name]


PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_partial_date(text):
    """`YYYY`, `YYYY-MM` or `YYYY-MM-DD` → (year, month|None, day|None); ValueError if invalid."""
    match = PARTIAL_DATE.match(text or "")
    if not match:
        raise ValueError(f"not a date of the form YYYY, YYYY-MM or YYYY-MM-DD: {text!r}")
    year, month, day = (int(g) if g else None for g in match.groups())
    dt.date(year, month or 1, day or 1)  # raises ValueError for impossible dates
    return year, month, day


def embargo_lifts_on(text):
    """The first day on which an embargo "until TEXT" no longer holds.

    An embargo covers the whole period the date names, so "2031" lifts on 2032-01-01,
    "2031-05" on 2031-06-01 and "2031-05-10" on 2031-05-11: when in doubt, protect longer.
    """
    if not text:
        return None
    year, month, day = parse_partial_date(text)
    if day:
        return dt.date(year, month, day) + dt.timedelta(days=1)
    if month:
        return dt.date(year + (month == 12), month % 12 + 1, 1)
    return dt.date(year + 1, 1, 1)


def partial_date_sort_key(text):
    """A real date for ordering partial dates (first day of the period)."""
    if not text:
        return None
    year, month, day = parse_partial_date(text)
    return dt.date(year, month or 1, day or 1)


TIMECODE = re.compile(r"^(\d{2,3}):([0-5]\d):([0-5]\d)(?:\.(\d{1,3}))?$")


def parse_timecode(text):
    """`HH:MM:SS` or `HH:MM:SS.mmm` → milliseconds."""
    match = TIMECODE.match(text or "")
    if not match:
        raise ValueError(f"not a timecode of the form HH:MM:SS or HH:MM:SS.mmm: {text!r}")
    hours, minutes, seconds, fraction = match.groups()
    millis = int((fraction or "0").ljust(3, "0"))
    return ((int(hours) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + millis


def format_timecode(millis):
    if millis is None:
        return None
    seconds, ms = divmod(int(millis), 1000)
    minutes, ss = divmod(seconds, 60)
    hh, mm = divmod(minutes, 60)
    text = f"{hh:02d}:{mm:02d}:{ss:02d}"
    return f"{text}.{ms:03d}" if ms else text


# Opaque public identifiers: no vowels (no accidental words), no look-alike characters.
_ALPHABET = "bcdfghjkmnpqrstvwxz23456789"


def new_public_id(length=10):
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))

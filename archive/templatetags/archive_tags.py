import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from testimonies.levels import format_timecode

register = template.Library()

# The same escapes as Django's json_script: no "</script>" can end the element early.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def jsonld(data):
    """A non-executable <script type="application/ld+json"> holding `data`."""
    if not data:
        return ""
    text = json.dumps(data, ensure_ascii=False, indent=1).translate(_JSON_ESCAPES)
    safe = mark_safe(text)  # noqa: S308  # nosec B308 B703 - JSON with <, >, & escaped
    return format_html('<script type="application/ld+json">{}</script>', safe)


@register.filter
def timecode(millis):
    return format_timecode(millis) if millis is not None else ""

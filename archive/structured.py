"""schema.org JSON-LD and Open Graph for public pages, from public fields only.

Views call these only for records the public may see (`public.is_public_for`): a page shown to
a researcher or to staff of a record that is not public carries no structured data at all.
"""

from django.urls import reverse

from .public import SITE_NAME, period_label, timecode


def _site(request):
    return {"@type": "WebSite", "name": SITE_NAME, "url": request.build_absolute_uri("/")}


def _short(text, length=200):
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def excerpt(item, url, request):
    testimony = item.testimony
    data = {
        "@context": "https://schema.org",
        "@type": "Quotation",
        "@id": url,
        "url": url,
        "text": item.public_text,
        "spokenByCharacter": {
            "@type": "Person",
            "name": testimony.witness.pseudonym,
            "url": request.build_absolute_uri(testimony.witness.get_absolute_url()),
        },
        "isPartOf": {
            "@type": "CreativeWork",
            "name": testimony.title,
            "url": request.build_absolute_uri(testimony.get_absolute_url()),
        },
        "about": [t.name for t in item.themes.all()],
        "publisher": _site(request),
    }
    if item.start_ms is not None:
        data["temporal"] = timecode(item.start_ms)
    if item.content_warning:
        data["contentRating"] = item.content_warning
    return data


def excerpt_og(item, url):
    return {
        "type": "article",
        "title": f"{item.testimony.witness.pseudonym}: {item.testimony.title}",
        "description": _short(item.public_text) if not item.content_warning else "",
        "url": url,
    }


def testimony(item, url, request):
    data = {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "@id": url,
        "url": url,
        "name": item.title,
        "abstract": item.summary,
        "creator": {
            "@type": "Person",
            "name": item.witness.pseudonym,
            "url": request.build_absolute_uri(item.witness.get_absolute_url()),
        },
        "publisher": _site(request),
        "spatialCoverage": [c.name for c in item.countries.all()],
    }
    if item.language:
        data["inLanguage"] = item.language
    if item.recorded_on:
        data["dateCreated"] = item.recorded_on
    if period_label(item):
        data["temporalCoverage"] = (
            f"{item.period_from or '..'}/{item.period_to or '..'}"
            if item.period_from != item.period_to
            else str(item.period_from)
        )
    return data


def testimony_og(item, url):
    return {"type": "article", "title": item.title, "description": _short(item.summary), "url": url}


def witness(item, url, request):
    data = {
        "@context": "https://schema.org",
        "@type": "Person",
        "@id": url,
        "url": url,
        "name": item.pseudonym,
        "description": "A witness of the archive, named by a pseudonym.",
    }
    if item.occupation:
        data["jobTitle"] = item.occupation
    return data


def witness_og(item, url):
    return {
        "type": "profile",
        "title": item.pseudonym,
        "description": "A witness of the archive, named by a pseudonym.",
        "url": url,
    }


def theme(item, url, request):
    return {
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "@id": url,
        "url": url,
        "name": item.name,
        "description": item.description,
        "isPartOf": _site(request),
    }


def theme_index(roots, url, request):
    return {
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "url": url,
        "name": "Themes",
        "hasPart": [
            {
                "@type": "CollectionPage",
                "name": t.name,
                "url": request.build_absolute_uri(reverse("archive:theme", args=[t.slug])),
            }
            for t in roots
        ],
    }


def home(numbers, request):
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": SITE_NAME,
        "url": request.build_absolute_uri("/"),
        "description": (
            "Testimony of North Korean workers sent abroad by their state, "
            f"{numbers['excerpts']} public excerpts from {numbers['testimonies']} testimonies."
        ),
    }

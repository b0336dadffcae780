"""What the public pages compute from the collection, always through `testimonies.access`.

Listings, counts and charts take the querysets the access policy gives for the viewer; the
sitemap, feed and structured data use the public viewer whoever asks, so nothing restricted
can reach a crawler, a feed reader or a shared cache.
"""

from django.db.models import Count, Prefetch

from testimonies.access import (
    PUBLIC_VIEWER,
    excerpts_visible_to,
    testimonies_visible_to,
    viewer_for,
    witnesses_visible_to,
)
from testimonies.countries import country_name
from testimonies.levels import format_timecode, parse_partial_date
from testimonies.models import Country, Excerpt, Source, Theme

SITE_NAME = "Testimony Archive"


def excerpt_cards(queryset):
    """Excerpts ready for a listing: witness and testimony fetched in the same query."""
    return queryset.select_related("testimony__witness")


def theme_tree():
    """All themes as (roots, children by parent id, theme by id), from one query."""
    themes = list(Theme.objects.order_by("name"))
    by_id = {t.pk: t for t in themes}
    children = {}
    for theme in themes:
        children.setdefault(theme.parent_id, []).append(theme)
    return children.get(None, []), children, by_id


def subtree_ids(theme_id, children):
    found, todo = [], [theme_id]
    while todo:
        pk = todo.pop()
        found.append(pk)
        todo.extend(t.pk for t in children.get(pk, []))
    return found


def theme_counts(user, children, by_id):
    """{theme id: number of excerpts this user may see in the theme or any theme below it}."""
    through = Excerpt.themes.through
    rows = through.objects.filter(excerpt__in=excerpts_visible_to(user)).values_list(
        "theme_id", "excerpt_id"
    )
    direct = {}
    for theme_id, excerpt_id in rows:
        direct.setdefault(theme_id, set()).add(excerpt_id)
    counts = {}
    for theme_id in by_id:
        ids = set()
        for pk in subtree_ids(theme_id, children):
            ids |= direct.get(pk, set())
        counts[theme_id] = len(ids)
    return counts


def annotated_tree(user):
    """Root themes, each with `.count` and `.subthemes` (recursively), for the index and home."""
    roots, children, by_id = theme_tree()
    counts = theme_counts(user, children, by_id)
    for theme in by_id.values():
        theme.count = counts[theme.pk]
        theme.subthemes = children.get(theme.pk, [])
    return roots


def chart_rows(roots):
    """Rows for the bar chart of public excerpts by top-level theme (largest first)."""
    rows = sorted((t for t in roots if t.count), key=lambda t: (-t.count, t.name))
    top = max((t.count for t in rows), default=0)
    bar_area = 300  # SVG units available for the longest bar
    return [
        {
            "theme": t,
            "count": t.count,
            "width": round(bar_area * t.count / top) if top else 0,
            "y": i * 34 + 5,
            "text_y": i * 34 + 19,
        }
        for i, t in enumerate(rows)
    ]


def collection_numbers(user):
    testimonies = testimonies_visible_to(user).filter(excerpts__in=excerpts_visible_to(user))
    testimony_ids = testimonies.values("pk")
    return {
        "excerpts": excerpts_visible_to(user).count(),
        "testimonies": testimonies_visible_to(user).filter(pk__in=testimony_ids).distinct().count(),
        "witnesses": witnesses_visible_to(user)
        .filter(testimonies__in=testimony_ids)
        .distinct()
        .count(),
        "countries": Country.objects.filter(testimonies__in=testimony_ids).distinct().count(),
    }


def countries_chart(user):
    """Testimonies (with at least one excerpt the user may see) per country of work."""
    testimony_ids = (
        testimonies_visible_to(user).filter(excerpts__in=excerpts_visible_to(user)).values("pk")
    )
    rows = list(
        Country.objects.filter(testimonies__in=testimony_ids)
        .annotate(n=Count("testimonies", distinct=True))
        .order_by("-n", "name")
    )
    for country in rows:
        country.label = country.name or country_name(country.code)
    return rows


def visible_sources(user):
    """Sources cited by at least one testimony the user may see, each with those testimonies."""
    visible = testimonies_visible_to(user).select_related("witness").order_by("title")
    return (
        Source.objects.filter(testimonies__in=testimonies_visible_to(user).values("pk"))
        .distinct()
        .order_by("title")
        .prefetch_related(Prefetch("testimonies", queryset=visible, to_attr="visible_testimonies"))
    )


def is_public(obj):
    """Whether the public (nobody signed in) may see this record: structured data, Open Graph
    and indexing are offered only then."""
    from testimonies.models import Testimony, Witness

    visible = {
        Excerpt: excerpts_visible_to,
        Testimony: testimonies_visible_to,
        Witness: witnesses_visible_to,
    }[type(obj)](PUBLIC_VIEWER)
    return visible.filter(pk=obj.pk).exists()


def is_public_for(user, obj):
    """`is_public(obj)`, without a query when the viewer is the public (it already saw it)."""
    if viewer_for(user) == PUBLIC_VIEWER:
        return True
    return is_public(obj)


def timecode(millis):
    return format_timecode(millis) if millis is not None else ""


def period_label(testimony):
    start, end = testimony.period_from, testimony.period_to
    if start and end:
        return str(start) if start == end else f"{start}–{end}"
    if start:
        return f"from {start}"
    if end:
        return f"until {end}"
    return ""


def partial_date_parts(text):
    """`YYYY[-MM[-DD]]` → CSL date-parts ([[2024]], [[2024, 5]], …), or None."""
    if not text:
        return None
    try:
        return [[part for part in parse_partial_date(text) if part]]
    except ValueError:
        return None

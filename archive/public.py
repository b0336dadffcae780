"""What the public pages compute from the collection, always through `testimonies.access`.

Listings, counts and charts take the querysets the access policy gives for the viewer; the
sitemap, feed and structured data use the public viewer whoever asks, so nothing restricted
can reach a crawler, a feed reader or a shared cache.
"""

import hashlib

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Prefetch, Q

from testimonies.access import (
    PUBLIC_VIEWER,
    excerpts_visible_to,
    testimonies_visible_to,
    today,
    viewer_for,
    witnesses_visible_to,
)
from testimonies.countries import country_name
from testimonies.levels import format_timecode, parse_partial_date
from testimonies.models import ConsentEntry, Country, Excerpt, Source, Testimony, Theme

# The figures are recomputed when the collection changes; this only bounds the cache's memory.
STATS_SECONDS = 24 * 3600

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
    """{theme id: number of excerpts this user may see in the theme or any theme below it}.

    Counted in the database (one GROUP BY, and one distinct count per theme with sub-themes,
    where an excerpt may sit under several of them), and kept with the collection's figures
    (`collection_stats`)."""
    return collection_stats(user, children, by_id)["themes"]


def _theme_counts(user, children, by_id):
    through = Excerpt.themes.through
    links = through.objects.filter(excerpt__in=excerpts_visible_to(user).values("pk"))
    direct = dict(
        links.values("theme_id").annotate(n=Count("excerpt_id")).values_list("theme_id", "n")
    )
    counts = {pk: direct.get(pk, 0) for pk in by_id}
    parents = [pk for pk in by_id if children.get(pk)]
    if parents:
        row = links.aggregate(
            **{
                f"t{pk}": Count(
                    "excerpt_id",
                    distinct=True,
                    filter=Q(theme_id__in=subtree_ids(pk, children)),
                )
                for pk in parents
            }
        )
        counts.update({pk: row[f"t{pk}"] for pk in parents})
    return counts


def collection_version():
    """A value that changes whenever a figure of the collection may have changed: any saved
    excerpt or testimony (approval, text, themes, level), any consent entry, any theme."""
    tables = {
        "e": Excerpt._meta.db_table,
        "t": Testimony._meta.db_table,
        "c": ConsentEntry._meta.db_table,
        "x": Excerpt.themes.through._meta.db_table,
        "h": Theme._meta.db_table,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT max(updated_at) FROM {tables['e']}), "  # noqa: S608  # nosec B608
            f"(SELECT max(updated_at) FROM {tables['t']}), (SELECT max(id) FROM {tables['c']}), "
            f"(SELECT max(id) FROM {tables['x']}), (SELECT max(id) FROM {tables['h']})"
        )
        return "|".join(str(v) for v in cursor.fetchone())


def collection_cache_key(name, user, *parts):
    """A cache key for figures of the collection as `user`'s level of access sees it: it
    changes when the collection changes (`collection_version`) or the day does (embargoes lift
    daily). `parts` tell apart what else the figures depend on."""
    version = hashlib.sha256(collection_version().encode()).hexdigest()[:32]
    key = f"archive:{name}:{viewer_for(user).rank}:{today():%Y%m%d}:{version}"
    if parts:
        key += ":" + hashlib.sha256("&".join(parts).encode()).hexdigest()[:16]
    return key


def collection_stats(user, children=None, by_id=None):
    """The figures of the home and theme pages for this user's level of access: the numbers,
    the theme counts and the countries chart. Computed in the database, and cached until the
    collection or the day changes (`collection_cache_key`)."""
    viewer = viewer_for(user)
    key = collection_cache_key("stats", viewer)
    stats = cache.get(key)
    if stats is None:
        if by_id is None:
            _roots, children, by_id = theme_tree()
        stats = {
            "numbers": _collection_numbers(viewer),
            "themes": _theme_counts(viewer, children, by_id),
            "countries": [(c.code, c.name, c.n) for c in _countries_chart(viewer)],
        }
        cache.set(key, stats, STATS_SECONDS)
    return stats


def annotated_tree(user, stats=None):
    """Root themes, each with `.count` and `.subthemes` (recursively), for the index and home.
    `stats`: the user's `collection_stats`, when the caller already holds them."""
    roots, children, by_id = theme_tree()
    counts = (stats or collection_stats(user, children, by_id))["themes"]
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
    return collection_stats(user)["numbers"]


def _collection_numbers(user):
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


def countries_chart(user, stats=None):
    """Testimonies (with at least one excerpt the user may see) per country of work."""
    rows = []
    for code, name, n in (stats or collection_stats(user))["countries"]:
        country = Country(code=code, name=name)
        country.n = n
        country.label = name or country_name(code)
        rows.append(country)
    return rows


def _countries_chart(user):
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

"""Public search: the one code path behind /search/ (and any benchmark of it).

`search_public(user, query, filters, page)` answers with the results of one page, the total and
the facet counts. It works in three steps, each limited by `testimonies.access`:

1. The candidate sets are the excerpts and testimonies the public may see (and, in case the
   policy ever narrows a signed-in user below the public, that this user may see too):
   `excerpts_visible_to(...)` and `testimonies_visible_to(...)`. A researcher's grant or an
   archivist's role adds nothing here: this is the public search, and it shows the public's view.
2. With a query, Wagtail's search API on the "public" backend of WAGTAILSEARCH_BACKENDS (the
   archive's public search index, `search_scale.backend`, by default; OpenSearch at larger
   scale) searches those querysets, best matches first, at most MAX_HITS of each kind. Only
   `Excerpt.public_text` (the redacted text) and public testimony titles and summaries are
   in that index, so no word inside a redaction, and no restricted record, can match.
   The matching ids are then filtered through the visible querysets again in the database, so a
   backend that ignored a filter could still not add a record the public may not see.
3. The facet filters (django-filter FilterSets) narrow those sets, and the facet counts are
   counted in the database over what is left: never over anything the public may not see.

Any error raised by the backend becomes `SearchUnavailable`: the page says search is
unavailable; it never falls back to an unfiltered query.
"""

import re
from dataclasses import dataclass, field

import django_filters
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils.html import escape
from django.utils.safestring import mark_safe
from wagtail.search.backends import get_search_backend
from wagtail.search.query import Phrase

from testimonies.access import (
    PUBLIC_VIEWER,
    excerpts_visible_to,
    testimonies_visible_to,
)
from testimonies.models import REDACTED, Country, Excerpt, Sector, Source, Testimony, Theme

PAGE_SIZE = 20
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
MAX_TERM_LENGTH = 60
MAX_PAGE = 500
# With a query, at most this many matches per kind are taken from the backend (best first).
MAX_HITS = 1000
SNIPPET_LENGTH = 320
# Periods are counted by decade of the years workers were abroad, within these bounds.
FIRST_DECADE, LAST_DECADE = 1940, 2090

FACETS = ("theme", "country", "sector", "period", "source")
DECADE = re.compile(r"^(\d{4})s$")
# A search term: a run of letters, digits or marks in any script (Hangul included).
TERM = re.compile(r"[^\W_]+")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


class SearchUnavailable(Exception):
    """The search backend failed; nothing was shown in its place."""


class InvalidSearch(ValueError):
    """The query or a filter could not be understood; `messages` says what and where."""

    def __init__(self, messages):
        super().__init__("; ".join(messages))
        self.messages = messages


# --- Input ------------------------------------------------------------------------------------


def _no_control_characters(value):
    if CONTROL.search(value):
        raise forms.ValidationError("contains control characters; please type words only.")


class SearchForm(forms.Form):
    """Validates the query string before anything reaches the database or the backend."""

    q = forms.CharField(
        label="Search the archive",
        required=False,
        max_length=MAX_QUERY_LENGTH,
        validators=[_no_control_characters],
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)
    theme = forms.SlugField(required=False, max_length=100)
    country = forms.RegexField(regex=r"^[A-Za-z]{2}$", required=False, max_length=2)
    sector = forms.SlugField(required=False, max_length=100)
    period = forms.RegexField(regex=DECADE, required=False, max_length=5)
    source = forms.RegexField(regex=r"^[a-z0-9]{1,16}$", required=False, max_length=16)

    def clean_period(self):
        value = self.cleaned_data["period"]
        if value and _decade_bounds(value) is None:
            raise forms.ValidationError(
                f"give a decade between {FIRST_DECADE}s and {LAST_DECADE}s, such as 2010s."
            )
        return value

    def clean_q(self):
        text = self.cleaned_data["q"]
        terms = query_terms(text)
        if text.strip() and not terms:
            raise forms.ValidationError("has no words to search for; try one or more words.")
        if len(terms) > MAX_TERMS:
            raise forms.ValidationError(f"has more than {MAX_TERMS} words; try fewer.")
        if any(len(term) > MAX_TERM_LENGTH for term in terms):
            raise forms.ValidationError(
                f"has a word longer than {MAX_TERM_LENGTH} characters; try a shorter one."
            )
        return text.strip()


FIELD_NAMES = {
    "q": "the search text",
    "page": "the page number",
    "theme": "the theme filter",
    "country": "the country filter",
    "sector": "the sector filter",
    "period": "the period filter",
    "source": "the source filter",
}


def form_messages(form):
    return [
        f"{FIELD_NAMES.get(name, name).capitalize()} {message.rstrip('.')}."
        if name == "q"
        else f"{FIELD_NAMES.get(name, name).capitalize()}: {message}"
        for name, messages in form.errors.items()
        for message in messages
    ]


def query_terms(text):
    """The words of a query, in order, without punctuation or operators of any backend."""
    return TERM.findall(text or "")


# --- Facet filters (django-filter) ------------------------------------------------------------


def _decade_bounds(value):
    match = DECADE.match(value or "")
    if not match:
        return None
    start = int(match.group(1))
    if start % 10 or not FIRST_DECADE <= start <= LAST_DECADE:
        return None
    return start, start + 9


def _period_condition(prefix, value):
    bounds = _decade_bounds(value)
    if bounds is None:
        return Q(pk__in=[])
    start, end = bounds
    return Q(**{f"{prefix}period_from__lte": end}) & (
        Q(**{f"{prefix}period_to__gte": start})
        | Q(**{f"{prefix}period_to__isnull": True, f"{prefix}period_from__gte": start})
    )


class ExcerptFacetFilter(django_filters.FilterSet):
    theme = django_filters.ModelChoiceFilter(
        field_name="themes", to_field_name="slug", queryset=Theme.objects.all()
    )
    country = django_filters.ModelChoiceFilter(
        field_name="testimony__countries", to_field_name="code", queryset=Country.objects.all()
    )
    sector = django_filters.ModelChoiceFilter(
        field_name="testimony__sectors", to_field_name="slug", queryset=Sector.objects.all()
    )
    source = django_filters.ModelChoiceFilter(
        field_name="testimony__sources", to_field_name="public_id", queryset=Source.objects.all()
    )
    period = django_filters.CharFilter(method="filter_period")

    class Meta:
        model = Excerpt
        fields = list(FACETS)

    def filter_period(self, queryset, name, value):
        return queryset.filter(_period_condition("testimony__", value))


class TestimonyFacetFilter(django_filters.FilterSet):
    """The same facets for testimonies; a testimony has the themes of its public excerpts."""

    theme = django_filters.ModelChoiceFilter(
        method="filter_theme", to_field_name="slug", queryset=Theme.objects.all()
    )
    country = django_filters.ModelChoiceFilter(
        field_name="countries", to_field_name="code", queryset=Country.objects.all()
    )
    sector = django_filters.ModelChoiceFilter(
        field_name="sectors", to_field_name="slug", queryset=Sector.objects.all()
    )
    source = django_filters.ModelChoiceFilter(
        field_name="sources", to_field_name="public_id", queryset=Source.objects.all()
    )
    period = django_filters.CharFilter(method="filter_period")

    class Meta:
        model = Testimony
        fields = list(FACETS)

    def __init__(self, *args, visible_excerpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.visible_excerpts = visible_excerpts

    def filter_theme(self, queryset, name, value):
        return queryset.filter(
            pk__in=self.visible_excerpts.filter(themes=value).values("testimony_id")
        )

    def filter_period(self, queryset, name, value):
        return queryset.filter(_period_condition("", value))


# --- Results ----------------------------------------------------------------------------------


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Result:
    kind: str  # "excerpt" or "testimony"
    obj: object
    snippet: str  # safe HTML: escaped public text with <mark> around matches
    url: str
    testimony_url: str = ""


@dataclass
class SearchOutcome:
    query: str
    filters: dict
    results: list
    total: int
    page_number: int
    num_pages: int
    facets: dict = field(default_factory=dict)
    truncated: bool = False

    @property
    def has_previous(self):
        return self.page_number > 1

    @property
    def has_next(self):
        return self.page_number < self.num_pages


def public_excerpts(user):
    """Excerpts for public search: what the public may see, and this user too."""
    return excerpts_visible_to(user, excerpts_visible_to(PUBLIC_VIEWER))


def public_testimonies(user):
    return testimonies_visible_to(user, testimonies_visible_to(PUBLIC_VIEWER))


def excerpt_url(excerpt):
    return f"/excerpts/{excerpt.public_id}/"


def testimony_url(testimony):
    return f"/testimonies/{testimony.public_id}/"


def public_backend():
    """The backend named "public" in WAGTAILSEARCH_BACKENDS (the public search index), or the
    default one where no "public" entry is configured."""
    backends = getattr(settings, "WAGTAILSEARCH_BACKENDS", {}) or {}
    return get_search_backend("public" if "public" in backends else "default")


def is_phrase(query):
    """A query in double quotes asks for the words next to each other, in that order."""
    text = (query or "").strip()
    return len(text) > 2 and text[0] == text[-1] == '"' and len(query_terms(text)) > 1


def _matching_ids(queryset, terms, phrase=False):
    """Ids matching all terms, best first, through the public search backend.

    Whole-word matches come first, then matches where the last term begins a word (the
    backend's autocomplete): Korean attaches particles to words (프로그램 → 프로그램을), and a
    visitor who types the start of a word expects to find it. A phrase matches whole words."""
    queryset = queryset.only("pk")
    text = " ".join(terms)
    try:
        backend = public_backend()
        query = Phrase(text) if phrase else text
        ids = _ids_of(backend.search(query, queryset, operator="and")[: MAX_HITS + 1])
        if not phrase and len(ids) <= MAX_HITS and queryset.model.get_autocomplete_search_fields():
            seen = set(ids)
            more = _ids_of(backend.autocomplete(text, queryset, operator="and")[: MAX_HITS + 1])
            ids.extend(pk for pk in more if pk not in seen)
        return ids
    except Exception as exc:  # noqa: BLE001 - any backend failure closes search
        raise SearchUnavailable(type(exc).__name__) from exc


def _ids_of(results):
    """The primary keys of search results, best first. The archive's own backend gives them
    without loading objects (`ids()`); any other backend's results are objects."""
    if hasattr(results, "ids"):
        return list(results.ids())
    return [obj.pk for obj in results]


def search_public(user, query="", filters=None, page=1):
    """One page of public search results with the total and facet counts.

    `query` and `filters` must have been validated (see SearchForm); `InvalidSearch` is raised
    for a filter value that names nothing, `SearchUnavailable` when the backend fails.
    """
    filters = {name: value for name, value in (filters or {}).items() if name in FACETS and value}
    terms = query_terms(query)[:MAX_TERMS]
    excerpts = public_excerpts(user)
    testimonies = public_testimonies(user)
    truncated = False
    excerpt_order = testimony_order = None
    if terms:
        phrase = is_phrase(query)
        excerpt_order = _matching_ids(excerpts, terms, phrase)
        testimony_order = _matching_ids(testimonies, terms, phrase)
        truncated = len(excerpt_order) > MAX_HITS or len(testimony_order) > MAX_HITS
        excerpt_order, testimony_order = excerpt_order[:MAX_HITS], testimony_order[:MAX_HITS]
        # Filtered again through the access policy in the database, whatever the backend did.
        excerpts = excerpts.filter(pk__any_of=set(excerpt_order))
        testimonies = testimonies.filter(pk__any_of=set(testimony_order))

    excerpt_filter = ExcerptFacetFilter(filters, queryset=excerpts)
    testimony_filter = TestimonyFacetFilter(
        filters, queryset=testimonies, visible_excerpts=public_excerpts(user)
    )
    if not excerpt_filter.is_valid():
        raise InvalidSearch(
            [
                f"{FIELD_NAMES[name].capitalize()}: no such {name} in the public archive."
                for name in excerpt_filter.errors
            ]
        )
    testimony_filter.is_valid()

    if terms:
        # At most MAX_HITS of each kind: counted from their ids (a few small queries).
        excerpt_ids = set(excerpt_filter.qs.values_list("pk", flat=True))
        testimony_ids = set(testimony_filter.qs.values_list("pk", flat=True))
        keys = [("testimony", pk) for pk in testimony_order if pk in testimony_ids] + [
            ("excerpt", pk) for pk in excerpt_order if pk in excerpt_ids
        ]
        total = len(keys)
        _counted, facets = facet_counts(
            Excerpt.objects.filter(pk__any_of=excerpt_ids),
            Testimony.objects.filter(pk__any_of=testimony_ids),
            filters,
            public_excerpts(user),
        )
    else:
        # Browsing without words counts the whole (filtered) collection: kept until the
        # collection changes, like the home page's figures.
        total, facets = _browse_counts(user, filters, excerpt_filter.qs, testimony_filter.qs)

    num_pages = max(-(-total // PAGE_SIZE), 1)
    page_number = min(max(int(page or 1), 1), num_pages)
    if not total:
        page_keys = []
    elif terms:
        page_keys = keys[(page_number - 1) * PAGE_SIZE : page_number * PAGE_SIZE]
    else:
        page_keys = _recent_keys(excerpt_filter.qs, testimony_filter.qs, page_number)
    return SearchOutcome(
        query=query,
        filters=filters,
        results=_load_results(page_keys, terms),
        total=total,
        page_number=page_number,
        num_pages=num_pages,
        facets=facets,
        truncated=truncated,
    )


def _browse_counts(user, filters, excerpts, testimonies):
    """(total, facets) of the collection narrowed by `filters` alone, cached per access level
    until the collection or the day changes (`archive.public.collection_cache_key`)."""
    from .public import STATS_SECONDS, collection_cache_key

    selected = [f"{name}={filters[name]}" for name in sorted(filters)]
    key = collection_cache_key("browse", user, *selected)
    found = cache.get(key)
    if found is None:
        found = facet_counts(excerpts, testimonies, filters, public_excerpts(user))
        cache.set(key, found, STATS_SECONDS)
    return found


def _recent_keys(excerpts, testimonies, page_number):
    """The keys of one page of the newest material: newly approved excerpts and newly added
    testimonies, newest first. Each kind gives its newest `page × PAGE_SIZE` rows (the
    excerpts from an index on the same expression), and the two are merged here."""
    wanted = page_number * PAGE_SIZE
    # The filters select through one value of a relation, which never repeats a row; a
    # repeated row would still be listed once.
    rows = [
        ("excerpt", pk, at)
        for pk, at in excerpts.annotate(at=Coalesce("first_published_at", "created_at"))
        .order_by("-at", "-pk")
        .values_list("pk", "at")[:wanted]
    ] + [
        ("testimony", pk, at)
        for pk, at in testimonies.order_by("-created_at", "-pk").values_list("pk", "created_at")[
            :wanted
        ]
    ]
    # Newest first; at the same moment excerpts before testimonies, then the higher id first.
    rows.sort(key=lambda row: -row[1])
    rows.sort(key=lambda row: row[0])
    rows.sort(key=lambda row: row[2], reverse=True)  # stable: ties keep the order above
    keys = list(dict.fromkeys((kind, pk) for kind, pk, _at in rows))
    return keys[wanted - PAGE_SIZE : wanted]


def _load_results(page_keys, terms):
    excerpt_pks = [key[1] for key in page_keys if key[0] == "excerpt"]
    testimony_pks = [key[1] for key in page_keys if key[0] == "testimony"]
    excerpts = (
        {
            e.pk: e
            for e in Excerpt.objects.filter(pk__in=excerpt_pks)
            .select_related("testimony__witness")
            .prefetch_related("themes")
        }
        if excerpt_pks
        else {}
    )
    testimonies = (
        {
            t.pk: t
            for t in Testimony.objects.filter(pk__in=testimony_pks)
            .select_related("witness")
            .prefetch_related("countries")
        }
        if testimony_pks
        else {}
    )
    results = []
    for key in page_keys:
        kind, pk = key[0], key[1]
        if kind == "excerpt" and pk in excerpts:
            excerpt = excerpts[pk]
            results.append(
                Result(
                    kind=kind,
                    obj=excerpt,
                    snippet=highlight(excerpt.public_text, terms),
                    url=excerpt_url(excerpt),
                    testimony_url=testimony_url(excerpt.testimony),
                )
            )
        elif kind == "testimony" and pk in testimonies:
            testimony = testimonies[pk]
            results.append(
                Result(
                    kind=kind,
                    obj=testimony,
                    snippet=highlight(testimony.summary, terms),
                    url=testimony_url(testimony),
                )
            )
    return results


# --- Facet counts -----------------------------------------------------------------------------


def facet_counts(excerpts, testimonies, filters, visible_excerpts):
    """(how many excerpts and testimonies there are, {facet: [FacetValue, ...]}), counted
    over the filtered, visible excerpts and testimonies.

    A fixed number of queries, whatever the number of records: excerpts are counted per
    testimony once, and each testimony facet (country, sector, source, period) adds up the
    counts of the testimonies that have that value; themes come from the excerpts' links.
    A testimony counts under each theme of its excerpts that the viewer may see."""
    per_testimony = dict(
        excerpts.order_by()
        .values("testimony_id")
        .annotate(n=Count("pk", distinct=True))
        .values_list("testimony_id", "n")
    )
    listed = set(testimonies.order_by().values_list("pk", flat=True))
    weight = {pk: per_testimony.get(pk, 0) + (pk in listed) for pk in per_testimony.keys() | listed}

    through = Excerpt.themes.through
    theme_counts = dict(
        through.objects.filter(excerpt__in=excerpts.values("pk"))
        .values("theme_id")
        .annotate(n=Count("excerpt_id", distinct=True))
        .values_list("theme_id", "n")
    )
    for theme_id, n in (
        visible_excerpts.filter(testimony__in=testimonies.values("pk"), themes__isnull=False)
        .values("themes__id")
        .annotate(n=Count("testimony_id", distinct=True))
        .values_list("themes__id", "n")
    ):
        theme_counts[theme_id] = theme_counts.get(theme_id, 0) + n
    facets = {
        "theme": _facet_values(
            theme_counts, Theme.objects.values_list("pk", "slug", "name"), filters.get("theme")
        )
    }
    for name, relation, target, value, label in (
        ("country", Testimony.countries, Country, "code", "name"),
        ("sector", Testimony.sectors, Sector, "slug", "name"),
        ("source", Testimony.sources, Source, "public_id", "title"),
    ):
        column = f"{target._meta.model_name}_id"
        counts = {}
        for testimony_id, target_id in _rows_of(relation.through.objects, weight, column):
            counts[target_id] = counts.get(target_id, 0) + weight[testimony_id]
        facets[name] = _facet_values(
            counts,
            target.objects.filter(pk__any_of=counts.keys()).values_list("pk", value, label),
            filters.get(name),
        )
    periods = _rows_of(Testimony.objects, weight, "period_from", "period_to", key="pk")
    facets["period"] = _period_counts(periods, weight, filters.get("period"))
    return sum(weight.values()), facets


def _rows_of(manager, weight, *columns, key="testimony_id"):
    """(testimony id, *columns) for the testimonies in `weight`: by their ids when they are
    few, else every row of the table, kept here (one pass, no list of 50,000 parameters)."""
    queryset = manager.all()
    if len(weight) <= MAX_HITS * 2:
        queryset = queryset.filter(**{f"{key}__any_of": weight.keys()})
    return [row for row in queryset.values_list(key, *columns) if row[0] in weight]


def _facet_values(counts, rows, selected):
    values = [
        FacetValue(value, label, counts[pk], selected == value)
        for pk, value, label in rows
        if counts.get(pk)
    ]
    return sorted(values, key=lambda f: (-f.count, f.label.lower()))


def _period_counts(periods, weight, selected):
    """Counts by decade of the years workers were abroad (decades between FIRST_DECADE and
    LAST_DECADE), as `_period_condition` decides for each testimony."""
    totals = {}
    for testimony_id, start, end in periods:
        if start is None:
            continue
        # From the decade it began to the decade it ended (or only the first, with no end).
        last = start if end is None else end
        for decade in range(
            max(start // 10 * 10, FIRST_DECADE), min(last, LAST_DECADE + 9) + 1, 10
        ):
            totals[decade] = totals.get(decade, 0) + weight[testimony_id]
    return [
        FacetValue(f"{decade}s", f"{decade}s", count, selected == f"{decade}s")
        for decade, count in sorted(totals.items())
        if count
    ]


# --- Highlighting -----------------------------------------------------------------------------


ENGLISH_SUFFIXES = ("ing", "ed", "es", "s")


def _highlight_stems(terms):
    """Each term, and its English stem, so "monitored" also marks "monitoring" as the
    backend's stemming matches it. Longest first, so the regex prefers the longer match."""
    stems = set()
    for term in terms:
        stems.add(term)
        for suffix in ENGLISH_SUFFIXES:
            if term.lower().endswith(suffix) and len(term) - len(suffix) >= 4:
                stems.add(term[: -len(suffix)])
                break
    return sorted(stems, key=len, reverse=True)


def highlight(text, terms, length=SNIPPET_LENGTH):
    """A snippet of `text` (public text only), HTML-escaped, with matches wrapped in <mark>.

    A match is a word that starts with a query term, case-insensitively (so "work" marks
    "workers", as the backend's stemming would match it). The `[redacted]` marker is never
    marked. Returns safe HTML."""
    text = text or ""
    spans = []
    if terms:
        pattern = re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(t) for t in _highlight_stems(terms)) + r")\w*",
            re.IGNORECASE,
        )
        redacted = [(m.start(), m.end()) for m in re.finditer(re.escape(REDACTED), text)]
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in redacted):
                continue
            spans.append((match.start(), match.end()))
    start, end = 0, len(text)
    if len(text) > length:
        first = spans[0][0] if spans else 0
        start = max(0, min(first - length // 4, len(text) - length))
        # Begin and end at word boundaries where possible.
        if start:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < first else start
        end = min(len(text), start + length)
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start else end
    out = ["…" if start else ""]
    pos = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(escape(text[pos:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(escape(text[pos:end]))
    if end < len(text):
        out.append("…")
    # Every piece of text above is escaped.
    return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703

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
from django.core.paginator import EmptyPage, Paginator
from django.db.models import CharField, Count, F, Max, Min, Q, Value
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
        ids = [obj.pk for obj in backend.search(query, queryset, operator="and")[: MAX_HITS + 1]]
        if not phrase and len(ids) <= MAX_HITS and queryset.model.get_autocomplete_search_fields():
            seen = set(ids)
            more = backend.autocomplete(text, queryset, operator="and")[: MAX_HITS + 1]
            ids.extend(obj.pk for obj in more if obj.pk not in seen)
        return ids
    except Exception as exc:  # noqa: BLE001 - any backend failure closes search
        raise SearchUnavailable(type(exc).__name__) from exc


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
        excerpts = excerpts.filter(pk__in=excerpt_order)
        testimonies = testimonies.filter(pk__in=testimony_order)

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
    # Filters on many-to-many relations may repeat rows: keep each id once.
    excerpt_ids_qs = Excerpt.objects.filter(pk__in=excerpt_filter.qs.values("pk"))
    testimony_ids_qs = Testimony.objects.filter(pk__in=testimony_filter.qs.values("pk"))

    if terms:
        excerpt_ids = set(excerpt_ids_qs.values_list("pk", flat=True))
        testimony_ids = set(testimony_ids_qs.values_list("pk", flat=True))
        keys = [("testimony", pk) for pk in testimony_order if pk in testimony_ids] + [
            ("excerpt", pk) for pk in excerpt_order if pk in excerpt_ids
        ]
    else:
        # Recent material first: newly approved excerpts and newly added testimonies.
        keys = (
            excerpt_ids_qs.order_by()
            .annotate(
                kind=Value("excerpt", CharField()),
                at=Coalesce("first_published_at", "created_at"),
            )
            .values_list("kind", "pk", "at")
            .union(
                testimony_ids_qs.order_by()
                .annotate(kind=Value("testimony", CharField()), at=F("created_at"))
                .values_list("kind", "pk", "at"),
                all=True,
            )
            .order_by("-at", "kind", "-pk")
        )

    paginator = Paginator(keys, PAGE_SIZE)
    total = paginator.count
    page_number = min(max(int(page or 1), 1), max(paginator.num_pages, 1))
    try:
        page_keys = list(paginator.page(page_number).object_list) if total else []
    except EmptyPage:
        page_keys = []
    results = _load_results(page_keys, terms)
    facets = facet_counts(excerpt_ids_qs, testimony_ids_qs, filters, public_excerpts(user))
    return SearchOutcome(
        query=query,
        filters=filters,
        results=results,
        total=total,
        page_number=page_number,
        num_pages=max(paginator.num_pages, 1),
        facets=facets,
        truncated=truncated,
    )


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


def _merge_counts(*rows_lists):
    counts, labels = {}, {}
    for rows in rows_lists:
        for value, label, count in rows:
            if value is None:
                continue
            counts[value] = counts.get(value, 0) + count
            labels[value] = label
    return counts, labels


def _value_counts(queryset, value_field, label_field):
    return [
        (row["v"], row["l"], row["n"])
        for row in queryset.values(v=F(value_field), l=F(label_field))
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    ]


def facet_counts(excerpts, testimonies, filters, visible_excerpts):
    """{facet: [FacetValue, ...]} counted over the filtered, visible excerpts and testimonies.

    A fixed number of queries, whatever the number of records."""
    facets = {}
    # A testimony counts under each theme of its public excerpts (never a restricted one's).
    testimony_themes = [
        (row["v"], row["l"], row["n"])
        for row in visible_excerpts.filter(testimony__in=testimonies)
        .values(v=F("themes__slug"), l=F("themes__name"))
        .annotate(n=Count("testimony", distinct=True))
        .order_by()
    ]
    for name, rows in (
        ("theme", [_value_counts(excerpts, "themes__slug", "themes__name"), testimony_themes]),
        (
            "country",
            [
                _value_counts(excerpts, "testimony__countries__code", "testimony__countries__name"),
                _value_counts(testimonies, "countries__code", "countries__name"),
            ],
        ),
        (
            "sector",
            [
                _value_counts(excerpts, "testimony__sectors__slug", "testimony__sectors__name"),
                _value_counts(testimonies, "sectors__slug", "sectors__name"),
            ],
        ),
        (
            "source",
            [
                _value_counts(
                    excerpts, "testimony__sources__public_id", "testimony__sources__title"
                ),
                _value_counts(testimonies, "sources__public_id", "sources__title"),
            ],
        ),
    ):
        counts, labels = _merge_counts(*rows)
        facets[name] = sorted(
            (
                FacetValue(value, labels[value], count, filters.get(name) == value)
                for value, count in counts.items()
            ),
            key=lambda f: (-f.count, f.label.lower()),
        )
    facets["period"] = _period_counts(excerpts, testimonies, filters.get("period"))
    return facets


def _period_counts(excerpts, testimonies, selected):
    """Counts by decade of the years workers were abroad: 2 aggregate queries per kind."""
    span = {}
    for queryset, prefix in ((excerpts, "testimony__"), (testimonies, "")):
        bounds = queryset.aggregate(lo=Min(f"{prefix}period_from"), hi=Max(f"{prefix}period_to"))
        span[prefix] = bounds
    los = [b["lo"] for b in span.values() if b["lo"] is not None]
    his = [b["hi"] or b["lo"] for b in span.values() if (b["hi"] or b["lo"]) is not None]
    if not los:
        return []
    first = max(FIRST_DECADE, min(los) // 10 * 10)
    last = min(LAST_DECADE, max(his + los) // 10 * 10)
    decades = [f"{start}s" for start in range(first, last + 1, 10)]
    totals = dict.fromkeys(decades, 0)
    for queryset, prefix in ((excerpts, "testimony__"), (testimonies, "")):
        if not decades:
            break
        row = queryset.aggregate(
            **{
                f"d{decade[:4]}": Count(
                    "pk", distinct=True, filter=_period_condition(prefix, decade)
                )
                for decade in decades
            }
        )
        for decade in decades:
            totals[decade] += row[f"d{decade[:4]}"]
    return [
        FacetValue(decade, decade, count, selected == decade)
        for decade, count in totals.items()
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

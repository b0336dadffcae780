"""Wagtail search backends for the archive at scale.

`search_scale.backend` (configured as the "public" backend) answers Wagtail's search API
(`backend.search(query, queryset)`, `backend.autocomplete(...)`) from the public search index
(`search_scale.public_index`): only public excerpts and testimonies are in it, so it serves the
public search and nothing else. Results are the index's matches, best first, that are also in
the queryset given, so the access policy's queryset still decides what comes back.

Moving the public search to OpenSearch is a settings change: point the "public" entry of
WAGTAILSEARCH_BACKENDS at `wagtail.search.backends.opensearch2` (see the README).

`search_scale.backend.DatabaseSearchBackend` (the "default" backend, used by the admin) is
Wagtail's database backend without the per-save refresh of title norms over the whole index
on PostgreSQL (an unindexed UPDATE that costs about a second per save at two million entries;
SEARCH-NOTES). Norms are refreshed once, over everything, when the index is rebuilt.
"""

from modelsearch.backends.base import (
    BaseIndex,
    BaseSearchBackend,
    BaseSearchQueryCompiler,
    BaseSearchResults,
    EmptySearchResults,
)
from wagtail.search.backends.database import SearchBackend as database_backend
from wagtail.search.query import Phrase, PlainText

from . import public_index


class PublicQueryCompiler(BaseSearchQueryCompiler):
    DEFAULT_OPERATOR = "and"
    prefix = False

    def check(self):
        # The index holds only public records and filters nothing but the embargo date; the
        # queryset's own filters are applied in the database to the ranked ids.
        pass

    def terms(self):
        """(terms, phrase) for the index, or NotImplementedError for a query it cannot do."""
        query = self.query
        if isinstance(query, Phrase):
            return public_index.terms_of(query.query_string), True
        if isinstance(query, PlainText):
            terms = public_index.terms_of(query.query_string)
            if query.operator != "and" and len(terms) > 1:
                raise NotImplementedError("the public index answers all-words queries only")
            return terms, False
        raise NotImplementedError(f"the public index cannot answer {type(query).__name__}")


class PublicAutocompleteCompiler(PublicQueryCompiler):
    prefix = True


KINDS = {"testimonies.excerpt": "excerpt", "testimonies.testimony": "testimony"}


def kind_of(model):
    return KINDS.get(model._meta.label_lower)


class PublicSearchResults(BaseSearchResults):
    def ids(self):
        """The primary keys of these results, best first, without loading the objects (what
        search lists use when they load one page of objects themselves)."""
        return self._ranked_ids()[self.start : self.stop]

    def _ranked_ids(self):
        from testimonies.access import today

        compiler = self.query_compiler
        terms, phrase = compiler.terms()
        wanted = public_index.CANDIDATES if self.stop is None else self.stop
        while True:
            ids = public_index.match(
                kind_of(compiler.queryset.model),
                terms,
                phrase=phrase,
                prefix=compiler.prefix and not phrase,
                on=today(),
                limit=wanted,
            )
            if not ids:
                return []
            found = set(
                compiler.queryset.filter(pk__any_of=ids).order_by().values_list("pk", flat=True)
            )
            ranked = [pk for pk in ids if pk in found]
            # A queryset narrower than the index may have dropped some: ask for all the
            # candidates before giving fewer results than the slice wants.
            if len(ranked) >= wanted or len(ids) < wanted or wanted >= public_index.CANDIDATES:
                return ranked
            wanted = public_index.CANDIDATES

    def _do_search(self):
        ids = self.ids()
        queryset = self.query_compiler.queryset.filter(pk__any_of=ids).order_by()
        found = {obj.pk: obj for obj in queryset}
        return [found[pk] for pk in ids if pk in found]

    def _do_count(self):
        return len(self._do_search())


class PublicIndex(BaseIndex):
    def add_model(self, model):
        public_index.install()

    def add_item(self, item):
        self.add_items(type(item), [item])

    def add_items(self, model, items):
        kind = kind_of(model)
        if kind is not None:
            public_index.fill_records(kind, [item.pk for item in items])

    def delete_item(self, item):
        # A deleted row leaves the index through the triggers; nothing else to do.
        self.add_items(type(item), [item])

    def reset(self):
        public_index.rebuild()


class PublicRebuilder:
    """`update_index` on this backend rebuilds the index with one statement per table."""

    def __init__(self, index):
        self.index = index

    def start(self):
        return _NoOpIndex(self.index.backend)

    def finish(self):
        public_index.rebuild()


class _NoOpIndex(BaseIndex):
    pass


class PublicIndexSearchBackend(BaseSearchBackend):
    query_compiler_class = PublicQueryCompiler
    autocomplete_query_compiler_class = PublicAutocompleteCompiler
    results_class = PublicSearchResults
    index_class = PublicIndex
    rebuilder_class = PublicRebuilder

    def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
        model = getattr(model_or_queryset, "model", model_or_queryset)
        if kind_of(model) is None:
            return EmptySearchResults()
        return super()._search(query_compiler_class, query, model_or_queryset, **kwargs)


SearchBackend = PublicIndexSearchBackend


def DatabaseSearchBackend(params):
    """Wagtail's database backend for the current database, without the per-save title-norm
    refresh on PostgreSQL."""
    backend = database_backend(params)
    index_class = getattr(backend, "index_class", None)
    if index_class is not None and hasattr(index_class, "_refresh_title_norms"):
        backend.index_class = _without_partial_norm_refresh(index_class)
    return backend


_classes = {}


def _without_partial_norm_refresh(index_class):
    if index_class not in _classes:

        def _refresh_title_norms(self, full=False):
            if full:
                index_class._refresh_title_norms(self, full=True)

        _classes[index_class] = type(
            f"Archive{index_class.__name__}",
            (index_class,),
            {"_refresh_title_norms": _refresh_title_norms},
        )
    return _classes[index_class]

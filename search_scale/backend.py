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
            allowed = compiler.queryset.filter(pk__any_of=set(ids)).order_by()
            found = set(allowed.values_list("pk", flat=True))
            ranked = [pk for pk in ids if pk in found]
            # A queryset narrower than the index may have dropped some: ask for all the
            # candidates before giving fewer results than the slice wants.
            if len(ranked) >= wanted or len(ids) < wanted or wanted >= public_index.CANDIDATES:
                return ranked
            wanted = public_index.CANDIDATES

    def _do_search(self):
        ids = self.ids()
        queryset = self.query_compiler.queryset.filter(pk__any_of=set(ids)).order_by()
        found = {obj.pk: obj for obj in queryset}
        return [found[pk] for pk in ids if pk in found]

    def _do_count(self):
        return len(self.ids())


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

        attributes = {"_refresh_title_norms": _refresh_title_norms}
        if _is_postgres_index(index_class):
            attributes["add_items"] = _add_items_in_bulk
        _classes[index_class] = type(f"Archive{index_class.__name__}", (index_class,), attributes)
    return _classes[index_class]


def _is_postgres_index(index_class):
    from modelsearch.backends.database.postgres.postgres import PostgresIndex

    return issubclass(index_class, PostgresIndex)


def _add_items_in_bulk(self, model, objs):
    """Wagtail's PostgreSQL `add_items`, written as one statement for any number of objects.

    The stock method compiles a Django expression for every text of every object (about a
    millisecond an object: the larger part of an import's time). Here the texts are gathered
    the same way (modelsearch's `ObjectIndexer`: which fields, their weights, stripped, empty
    ones left out) and sent as arrays; the database builds each vector as the stock statement
    would: `setweight(to_tsvector(config, text), weight)`, joined with `||` in field order.
    tests/search_scale/test_admin_index.py compares the rows with the stock method's."""
    from modelsearch.backends.database.postgres.postgres import IndexEntry, ObjectIndexer
    from modelsearch.index import AutocompleteField, SearchField
    from modelsearch.utils import get_content_type_pk

    if not model.get_search_fields() or not objs:
        return
    rows = []  # (object id, {kind: [(text, weight)]}, title text, body text)
    for obj in objs:
        indexer = ObjectIndexer(obj, self.backend)
        pieces = {"title": [], "autocomplete": [], "body": []}
        for field in indexer.search_fields:
            for current, weight, value in indexer.prepare_field(obj, field):
                if isinstance(current, AutocompleteField):
                    kind = "autocomplete"
                elif isinstance(current, SearchField):
                    kind = "title" if current.field_name == "title" else "body"
                else:
                    continue
                text = value.strip()
                if text:
                    pieces[kind].append((text, weight))
        rows.append((indexer.id, pieces, indexer.title_text, indexer.body_text))

    # Parameters in the statement's order: the configurations inside the vectors, then the
    # arrays that unnest() turns into one row per object.
    arrays = [[r[0] for r in rows], [r[2] for r in rows], [r[3] for r in rows]]
    columns, configs, vectors = [], [], {}
    for kind, config in (
        ("title", self.backend.config),
        ("autocomplete", self.backend.autocomplete_config),
        ("body", self.backend.config),
    ):
        parts = []
        for i in range(max(len(r[1][kind]) for r in rows)):
            taken = [r[1][kind][i] if i < len(r[1][kind]) else (None, None) for r in rows]
            arrays += [[text for text, _w in taken], [weight for _t, weight in taken]]
            columns += [f"{kind}_t{i}", f"{kind}_w{i}"]
            if config:
                configs.append(config)
            config_sql = "%s::regconfig, " if config else ""
            parts.append(
                f"COALESCE(setweight(to_tsvector({config_sql}u.{kind}_t{i}), "
                f"u.{kind}_w{i}::\"char\"), ''::tsvector)"
            )
        vectors[kind] = " || ".join(parts) if parts else "''::tsvector"
    names = ["object_id", "title_text", "body_text", *columns]
    sql = f"""
        INSERT INTO {IndexEntry._meta.db_table}
            (content_type_id, object_id, title, autocomplete, body, title_norm, title_text,
             body_text)
        SELECT %s, u.object_id, {vectors["title"]}, {vectors["autocomplete"]}, {vectors["body"]},
               1.0, u.title_text, u.body_text
        FROM unnest({", ".join(["%s::text[]"] * len(arrays))}) AS u({", ".join(names)})
        ON CONFLICT (content_type_id, object_id)
        DO UPDATE SET title = EXCLUDED.title, title_norm = 1.0,
                      autocomplete = EXCLUDED.autocomplete, body = EXCLUDED.body,
                      title_text = EXCLUDED.title_text, body_text = EXCLUDED.body_text
    """  # nosec B608 - names are the module's own; every value is a parameter
    with self.write_connection.cursor() as cursor:
        cursor.execute(sql, [get_content_type_pk(model), *configs, *arrays])

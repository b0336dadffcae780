"""The admin's search index (Wagtail's database backend) written in bulk: the same rows as
Wagtail's own `add_items`, for every kind of record the admin searches."""

import pytest
from django.db import connection
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from testimonies.models import Excerpt, Testimony, Witness
from tests.factories import make_excerpt, make_testimony

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the bulk statement is PostgreSQL's"
)


def _rows(model, objs):
    from modelsearch.backends.database.postgres.postgres import IndexEntry
    from modelsearch.utils import get_content_type_pk

    return {
        row["object_id"]: row
        for row in IndexEntry.objects.filter(
            content_type_id=get_content_type_pk(model), object_id__in=[str(o.pk) for o in objs]
        )
        .extra(
            select={"t": "title::text", "a": "autocomplete::text", "b": "body::text"}  # noqa: S610
        )
        .values("object_id", "t", "a", "b", "title_text", "body_text", "title_norm")
    }


def test_bulk_rows_equal_the_stock_rows(db):
    from modelsearch.backends.database.postgres.postgres import IndexEntry

    testimony = make_testimony(title="  Logging camp in Tynda  ", summary="")
    records = {
        Excerpt: [
            make_excerpt(testimony, text="Wages were taken; 임금은 압수되었다."),
            make_excerpt(testimony, text="   "),
            make_excerpt(testimony, text="The overseer read our letters, every one."),
        ],
        Testimony: [testimony, make_testimony(title="Construction", summary="A summary.")],
        Witness: list(Witness.objects.all()),
        Page: list(Page.objects.filter(depth__gt=1)),
    }
    backend = get_search_backend("default")
    for model, objs in records.items():
        assert objs, model
        index = backend.get_index_for_model(model)
        stock = type(index).__mro__[1]
        assert stock.add_items is not type(index).add_items  # the archive's own is in use
        IndexEntry.objects.all().delete()
        stock.add_items(index, model, objs)
        expected = _rows(model, objs)
        IndexEntry.objects.all().delete()
        index.add_items(model, objs)
        assert _rows(model, objs) == expected, model
        assert len(expected) == len(objs)
        # Written again, the rows are replaced, not added.
        index.add_items(model, objs)
        assert _rows(model, objs) == expected


def test_bulk_rows_are_found_by_the_admin_search(db):
    excerpt = make_excerpt(text="The quota of qzbulkword was never met.")
    backend = get_search_backend("default")
    backend.get_index_for_model(Excerpt).add_items(Excerpt, [excerpt])
    assert list(backend.search("qzbulkword", Excerpt)) == [excerpt]
    assert list(backend.autocomplete("qzbulk", Excerpt)) == [excerpt]

"""The expression index that lets Wagtail's PostgreSQL search backend use GIN for a search."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.search.backends import get_search_backend

from testimonies.access import excerpts_visible_to
from tests.factories import make_excerpt

INDEX = "search_scale_indexentry_title_body_gin"

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the index exists on PostgreSQL only"
)


def test_the_backends_own_search_query_can_use_the_expression_index(db):
    make_excerpt(text="The foreman took our passports at the border.")
    make_excerpt(text="Wages were paid to the state.")
    with CaptureQueriesContext(connection) as captured:
        results = list(
            get_search_backend().search("passports", excerpts_visible_to(AnonymousUser()))[:20]
        )
    assert [e.text for e in results] == ["The foreman took our passports at the border."]
    search_sql = next(q["sql"] for q in captured.captured_queries if "@@" in q["sql"])
    # The backend matches on exactly the indexed expression ...
    assert '("wagtailsearch_indexentry"."title" || "wagtailsearch_indexentry"."body") @@' in (
        search_sql
    )
    with connection.cursor() as cursor:
        # ... and the planner can answer that match through the index (the test table is
        # tiny, so it would scan it anyway: ask whether it *can*).
        cursor.execute("SET LOCAL enable_seqscan TO off")
        cursor.execute(
            "EXPLAIN SELECT object_id FROM wagtailsearch_indexentry "
            "WHERE (title || body) @@ to_tsquery('passports')"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert INDEX in plan, plan

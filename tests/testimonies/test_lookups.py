"""`any_of`: the same rows as `in`, one array parameter on PostgreSQL."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from testimonies.models import Excerpt
from tests.factories import make_excerpt, make_testimony


def test_any_of_selects_the_rows_in_selects(db):
    testimony = make_testimony()
    made = [make_excerpt(testimony, text=f"Excerpt {n}.") for n in range(5)]
    wanted = [made[0].pk, made[3].pk, 10**9]
    assert set(Excerpt.objects.filter(pk__any_of=wanted)) == set(
        Excerpt.objects.filter(pk__in=wanted)
    )
    assert not Excerpt.objects.filter(pk__any_of=[]).exists()
    assert Excerpt.objects.filter(testimony_id__any_of=[testimony.pk]).count() == 5
    assert Excerpt.objects.filter(testimony__any_of=[testimony.pk]).count() == 5


def test_any_of_sends_one_parameter_on_postgresql(db):
    make_excerpt(text="One.")
    ids = list(range(1, 1001))
    with CaptureQueriesContext(connection) as queries:
        list(Excerpt.objects.filter(pk__any_of=ids).values_list("pk", flat=True))
    sql = queries[-1]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and " IN (" not in sql
    else:
        assert " IN (" in sql

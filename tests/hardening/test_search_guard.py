"""A failing search backend gives no results and a message, never an unfiltered answer."""

import logging

import pytest
from django.db import OperationalError, connection

from testimonies.access import excerpts_visible_to
from testimonies.models import Excerpt
from testimonies.search_guard import SEARCH_UNAVAILABLE, guarded_search

pytestmark = pytest.mark.django_db


def search_visible(user, query):
    from wagtail.search.backends import get_search_backend

    return lambda: get_search_backend().search(query, excerpts_visible_to(user))


def test_a_working_search_returns_only_visible_results(seeded):
    results, error = guarded_search(search_visible(None, "wages"))
    assert error is None
    assert isinstance(results, list)
    visible = set(excerpts_visible_to(None).values_list("pk", flat=True))
    assert results and {e.pk for e in results} <= visible


def _refuse_every_query(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


def test_a_failing_backend_fails_closed_with_a_message(seeded, caplog):
    hidden = Excerpt.objects.exclude(pk__in=excerpts_visible_to(None).values("pk"))
    assert hidden.exists()
    with caplog.at_level(logging.ERROR, logger="testimonies.search"):
        with connection.execute_wrapper(_refuse_every_query):
            # Lazy results are evaluated inside the guard, so the failure is caught there.
            results, error = guarded_search(search_visible(None, "secret-name Kim"))
    assert list(results) == []
    assert error == SEARCH_UNAVAILABLE
    assert "secret-name" not in caplog.text and "Kim" not in caplog.text  # no query in logs
    # The connection still works for the rest of the request (the failure was in a savepoint).
    assert Excerpt.objects.exists()


class BrokenBackend(Exception):
    pass


def test_any_backend_exception_fails_closed():
    def search():
        raise BrokenBackend("connection to search cluster refused")

    results, error = guarded_search(search)
    assert list(results) == [] and error == SEARCH_UNAVAILABLE


def test_it_never_retries_without_the_filter(seeded):
    calls = []

    def search():
        calls.append(1)
        raise BrokenBackend("down")

    guarded_search(search)
    assert calls == [1]

"""Search fails closed.

Every search surface runs its search through `guarded_search()`:

    results, error = guarded_search(
        lambda: list(backend.search(query, excerpts_visible_to(request.user))[offset:offset + 20])
    )

The callable does the whole search against the already-filtered queryset, *including* the
evaluation (slice and list() inside it, or count()), so a failing backend fails inside the
guard. If anything in it raises, the answer is no results and a plain message for the page,
never a retry without the access filter and never a fallback to an unfiltered query. The
failure is logged by exception class only: the query, which may name a person, is not logged.
Database work happens in a savepoint, so a failed search does not break the rest of the
request's transaction.
"""

import logging

from django.db import DatabaseError, transaction
from django.db.models.query import QuerySet

logger = logging.getLogger("testimonies.search")

SEARCH_UNAVAILABLE = "Search is unavailable at the moment. Please try again later."


def _evaluate(results):
    """Lazy results (a queryset or Wagtail search results) are evaluated here, in the guard."""
    if isinstance(results, QuerySet):
        return list(results)
    try:
        from wagtail.search.backends.base import BaseSearchResults
    except ImportError:  # pragma: no cover
        return results
    if isinstance(results, BaseSearchResults):
        return list(results)
    return results


def guarded_search(search, *, empty=()):
    """(results, None) on success; (`empty`, message) if the search failed in any way."""
    try:
        with transaction.atomic():
            return _evaluate(search()), None
    except DatabaseError as exc:
        logger.error("Search failed closed: database error %s", type(exc).__name__)
    except Exception as exc:  # noqa: BLE001 - every backend failure fails closed
        logger.error("Search failed closed: %s", type(exc).__name__)
    return (list(empty) if isinstance(empty, tuple) else empty), SEARCH_UNAVAILABLE

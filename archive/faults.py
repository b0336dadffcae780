"""When the database is unavailable, every page answers 503 with a plain message.

Django turns an exception raised anywhere (a view, Wagtail's page catch-all, a middleware) into
a call of `handler500` while the exception is being handled; `server_error` below answers 503
for database connection failures and a plain 500 for anything else. Neither shows details:
no exception text, no stack, no host or port (those go to the server's log only). The response
is a static file rendered without the database, never cached.

Recovery needs no restart: Django drops a connection that raised an error at the end of the
request (`close_old_connections`), so the next request connects afresh.
"""

import logging
import sys
from functools import lru_cache
from pathlib import Path

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control

logger = logging.getLogger("archive.faults")
TEMPLATES = Path(__file__).resolve().parent / "templates" / "archive" / "errors"
DATABASE_FAILURES = (OperationalError, InterfaceError)


@lru_cache(maxsize=4)
def _static_page(name):
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _plain(name, status):
    response = HttpResponse(_static_page(name), status=status, content_type="text/html")
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    return response


def is_database_failure(exc):
    """The exception, or one it was raised from, is a lost or refused database connection."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DATABASE_FAILURES):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def service_unavailable():
    response = _plain("503.html", 503)
    response["Retry-After"] = "60"
    return response


def server_error(request, *args, **kwargs):
    """handler500: 503 when the database is unreachable, otherwise a plain 500."""
    exc = sys.exc_info()[1]
    if is_database_failure(exc):
        logger.error("Database unavailable: answered 503 (%s)", type(exc).__name__)
        return service_unavailable()
    return _plain("500.html", 500)

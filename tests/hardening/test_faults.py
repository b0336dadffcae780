"""With the database unreachable every page answers 503, plainly; when it is back, the same
process answers again without a restart."""

import contextlib
import socket

import pytest
from django.db import connection
from django.test import Client

# Anonymous visitors to /admin/ are sent to the login page without asking the database.
PATHS = ["/", "/some/page/under/wagtail/", "/admin/login/"]
SIGNED_IN_PATHS = [*PATHS, "/admin/", "/admin/snippets/testimonies/excerpt/"]
DETAILS = [
    "OperationalError",
    "InterfaceError",
    "Traceback",
    "connection",
    "refused",
    "127.0.0.1",
    "unable to open",
    "psycopg",
    "sqlite",
    "Exception",
]


def closed_port():
    """A local TCP port nothing listens on: connecting to it is refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def database_unreachable():
    """Make the default connection's next connect fail for real, then put it back."""
    settings = connection.settings_dict
    saved = dict(settings)
    if connection.vendor == "postgresql":
        connection.close()
        settings["HOST"], settings["PORT"] = "127.0.0.1", str(closed_port())
        try:
            yield
        finally:
            connection.close()
            settings.update(saved)
    elif connection.vendor == "sqlite":
        # The in-memory test database lives as long as its connection: keep it aside and make
        # Django open a file that cannot be opened.
        kept = connection.connection
        connection.connection = None
        settings["NAME"] = "/nonexistent-directory-for-this-test/archive.sqlite3"
        try:
            yield
        finally:
            connection.connection = None
            settings.update(saved)
            connection.connection = kept
    else:  # pragma: no cover
        pytest.skip(f"no way to make {connection.vendor} unreachable here")


def assert_plain_503(response, path):
    assert response.status_code == 503, (path, response.status_code)
    body = response.content.decode()
    assert "temporarily unavailable" in body
    for word in DETAILS:
        assert word.lower() not in body.lower(), (path, word)
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Retry-After"]


# Transactional: the test drops and reopens real connections.
@pytest.mark.django_db(transaction=True)
def test_pages_answer_503_while_the_database_is_down_and_recover(migration_data, seeded):
    from tests.factories import make_user, sign_in

    user = make_user("archivist")
    anonymous = Client(raise_request_exception=False)
    signed_in = Client(raise_request_exception=False)
    sign_in(signed_in, user)
    assert anonymous.get("/").status_code == 200

    with database_unreachable():
        for client, paths in ((anonymous, PATHS), (signed_in, SIGNED_IN_PATHS)):
            for path in paths:
                assert_plain_503(client.get(path), path)
        response = anonymous.post("/admin/login/", {"username": "x", "password": "y"})
        assert response.status_code in (403, 503)  # CSRF refuses first, or the database
        assert "Traceback" not in response.content.decode()

    # Back: the very next requests succeed, in the same process, on the same connection alias.
    recovered = anonymous.get("/")
    assert recovered.status_code == 200
    assert signed_in.get("/admin/").status_code == 200
    assert anonymous.get("/admin/login/").status_code == 200


@pytest.mark.django_db
def test_other_errors_answer_a_plain_500(settings):
    """Not every failure is the database's: other exceptions get a plain 500, no details."""
    from django.urls import path

    from archive.faults import server_error

    def broken(request):
        raise RuntimeError("secret detail: legal name Kim")

    import types

    urls = types.ModuleType("broken_urls")
    urls.urlpatterns = [path("broken/", broken)]
    urls.handler500 = "archive.faults.server_error"
    import sys

    sys.modules["broken_urls"] = urls
    settings.ROOT_URLCONF = "broken_urls"
    try:
        response = Client(raise_request_exception=False).get("/broken/")
    finally:
        del sys.modules["broken_urls"]
    assert response.status_code == 500
    assert "secret detail" not in response.content.decode()
    assert "Kim" not in response.content.decode()
    assert "Something went wrong" in response.content.decode()
    assert server_error  # the project's handler answered


def test_database_failure_is_recognised_through_wrapping():
    from django.db import OperationalError

    from archive.faults import is_database_failure

    try:
        try:
            raise OperationalError("connection refused")
        except OperationalError as exc:
            raise RuntimeError("template failed") from exc
    except RuntimeError as wrapped:
        assert is_database_failure(wrapped)
    assert not is_database_failure(ValueError("no"))

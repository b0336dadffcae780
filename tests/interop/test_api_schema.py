"""Property-based tests of the JSON API against its own OpenAPI schema: Schemathesis, in
process through the WSGI application, over the small collection of tests/interop/conftest.py.
Whatever the parameters, for anonymous callers, a researcher's token and an archivist's token,
no answer is a server error and every answer conforms to the schema (status codes, content
type, body)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from interop.models import ApiToken
from tests.factories import make_user

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# The schema view reads no database, so it can be loaded when the tests are collected.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())


@pytest.fixture
def keep_connection():
    """Schemathesis calls the WSGI application itself, which closes the database connection at
    the end of each request; Django's own test client prevents that the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def auth_headers(collection, keep_connection):
    headers = [{}]
    for role in ("researcher", "archivist"):
        _, raw = ApiToken.issue(make_user(role), "schemathesis")
        headers.append({"Authorization": f"Bearer {raw}"})
    return headers


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_schema(case, auth_headers):
    for headers in auth_headers:
        case.call_and_validate(headers=headers, checks=CHECKS)

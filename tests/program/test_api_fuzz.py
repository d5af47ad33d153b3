"""Schema-driven fuzzing of the JSON API (schemathesis): requests generated from the OpenAPI
schema, valid and invalid, against the real program, every answer checked against the schema:
no 5xx, only declared statuses, declared content types, bodies that match.

Bounded (a fixed number of examples per operation, derandomized) to stay well under two minutes;
marked `fuzz` so that CI's PostgreSQL pass runs it too, where NUL bytes and offsets bite."""

from contextlib import contextmanager

import hypothesis
import hypothesis.errors
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

EXAMPLES_PER_OPERATION = 40
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@contextmanager
def inside_the_test_transaction():
    """Requests to the site as a WSGI app must not close the test's database connection (which
    holds its transaction), as Django's test client ensures for its own requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(opml20, settings):
    """The schema as served, bound to the site as a WSGI app (one client, so its rate is lifted;
    tests/test_client_address.py checks the rate)."""
    settings.API_REQUESTS_PER_MINUTE = 100_000
    with inside_the_test_transaction():
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())


def operations(api_schema):
    return [result.ok() for result in api_schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_answers_as_its_schema_says(api_schema, mode):
    """Valid requests, then invalid ones (wrong types, empty and out-of-range values, unknown
    ids), for every operation in the schema."""
    checked = []
    for operation in operations(api_schema):

        @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis.settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            # The WSGI client does not decode gzip, which the site would otherwise send.
            case.call_and_validate(headers={"Accept-Encoding": "identity"}, checks=CHECKS)

        try:
            check()
        except hypothesis.errors.Unsatisfiable:
            # No invalid request can be made for it (an id path parameter takes any string).
            assert mode == GenerationMode.NEGATIVE, operation.label
        checked.append(operation.label)
    assert len(checked) == 12, checked  # six endpoints, each a list and a detail

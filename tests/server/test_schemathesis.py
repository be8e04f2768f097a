"""Property-based run of the whole OpenAPI schema, in-process, with a real admin token: no 5xx anywhere and
responses that match the documented schemas and status codes."""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.python.asgi import get_client

from sync_server.app import create_app
from sync_server.settings import Settings

from .conftest import TEST_SECRET, Api

MAX_EXAMPLES = int(os.environ.get("ST_MAX_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# Loaded at import time: schemathesis' from_fixture crashes on pytest 9.2. Only the schema comes from this app;
# the requests go to the per-backend app of each test.
SCHEMA = schemathesis.openapi.from_asgi(
    "/openapi.json",
    create_app(Settings(environment="test", database_url="sqlite://", secret_key=TEST_SECRET)),
)


def _runner(operation, session, headers):
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case):
        response = case.call(session=session, headers=headers)
        case.validate_response(response, checks=CHECKS)

    return run


def test_whole_api_has_no_server_errors(make_client, clean_database):
    client = make_client()
    api = Api(client, clean_database)
    admin = api.admin("fuzzer")
    failures = []
    session = get_client(client.app)  # one in-process client for every call
    for result in SCHEMA.get_all_operations():
        operation = result.ok()
        try:
            _runner(operation, session, admin.headers)()
        except (Exception, BaseExceptionGroup) as exc:  # collect every operation's failure, not only the first
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)

"""Schemathesis over the OAuth endpoints with both providers configured against the fake provider."""

from __future__ import annotations

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

from ..conftest import server_settings

OAUTH_SCHEMA = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(server_settings("sqlite://", google_client_id="x", google_client_secret="y"))
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def fuzzer(operation, session):
    @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case):
        case.validate_response(case.call(session=session), checks=CHECKS)

    return run


def test_oauth_endpoints_have_no_server_errors(client):
    """Providers configured against the fake: fuzzed logins, callbacks and code exchanges never answer 5xx."""
    session = get_client(client.app)
    failures, fuzzed = [], []
    for result in OAUTH_SCHEMA.get_all_operations():
        operation = result.ok()
        name = operation.path.removeprefix("/api/v1/auth/").split("/")[0]
        if not operation.path.startswith("/api/v1/auth/") or name in {
            "register",
            "login",
            "refresh",
            "logout",
            "admin",
        }:
            continue
        fuzzed.append(operation.path)
        try:
            fuzzer(operation, session)()
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert len(fuzzed) == 5
    assert not failures, "\n\n".join(failures)

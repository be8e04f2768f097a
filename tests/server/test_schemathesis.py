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


EDGE_DATETIMES = [
    "0001-01-01T00:00:00+05:00", "0001-01-01T00:00:00-12:00", "9999-12-31T23:59:59+14:00",
    "9999-12-31T23:30:00-05:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
]
EDGE_NAMES = ["鈴鹿サーキット 2026.csv", "Nürburgring \u00a0Nordschleife", "x" * 255, "\u202eevil.csv", "💥.csv"]


def _edge_sessions() -> list[dict]:
    from .records import session

    sessions = [session(recorded_at=moment) for moment in EDGE_DATETIMES]
    sessions += [session(file_name=name, file_content=name.encode()) for name in EDGE_NAMES]
    sessions += [session(recorded_at="2026-02-29T10:00:00+01:00"), session(recorded_at_local="9999-12-31T23:59:59")]
    return sessions


def test_edge_values_through_the_schema_checks_are_never_a_server_error(make_client, clean_database):
    """The generated run rarely reaches the calendar's ends or non-Latin file names: send them explicitly, with
    the same checks, then read everything back (pull, file download)."""
    client = make_client()
    api = Api(client, clean_database)
    alice = api.account("edgy")
    session_client = get_client(client.app)
    push = SCHEMA["/api/v1/sync/push"]["POST"]
    pull = SCHEMA["/api/v1/sync/pull"]["GET"]
    download = SCHEMA["/api/v1/sync/sessions/{session_id}/file"]["GET"]
    sessions = _edge_sessions()
    for record in sessions:
        case = push.Case(body={"records": [record]}, media_type="application/json")
        case.validate_response(case.call(session=session_client, headers=alice.headers), checks=CHECKS)
    for cursor in (0, 1, 2**62):
        case = pull.Case(query={"cursor": cursor})
        case.validate_response(case.call(session=session_client, headers=alice.headers), checks=CHECKS)
    for record, name in zip(sessions[len(EDGE_DATETIMES) :], EDGE_NAMES, strict=False):
        url = f"/api/v1/sync/sessions/{record['id']}/file"
        headers = {**alice.headers, "Content-Type": "application/octet-stream"}
        assert client.put(url, content=name.encode(), headers=headers).status_code == 200
        case = download.Case(path_parameters={"session_id": record["id"]})
        case.validate_response(case.call(session=session_client, headers=alice.headers), checks=CHECKS)

"""Every wait is bounded: a writer that cannot get the lock in time is answered 503 with Retry-After (nothing
written), never left hanging; the server answers normally once the lock is free."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url

from sync_server.app import create_app
from sync_server.db import Database

from .conftest import Api, server_settings
from .live_server import serve
from .records import car

SHORT_LOCK_WAIT_MS = 300


@contextmanager
def _revision_counter_held(database: Database) -> Iterator[None]:
    """Another writer holding the revision-counter lock (PostgreSQL) or the write lock (SQLite)."""
    if database.dialect == "postgresql":
        with database.engine.connect() as connection:
            connection.execute(text("SELECT id FROM sync_state FOR UPDATE"))
            yield
            connection.rollback()
        return
    holder = sqlite3.connect(make_url(database.url).database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_push_blocked_by_another_writer_is_answered_503_then_succeeds(api: Api, database_url: str) -> None:
    alice = api.account("alice")
    impatient = Database(database_url, lock_wait_ms=SHORT_LOCK_WAIT_MS)
    app = create_app(server_settings(database_url), database=impatient)
    record = car()
    try:
        with serve(app) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
            with _revision_counter_held(api.database):
                blocked = client.post("/api/v1/sync/push", json={"records": [record]}, headers=alice.headers)
                health = client.get("/health")
            retried = client.post("/api/v1/sync/push", json={"records": [record]}, headers=alice.headers)
    finally:
        impatient.dispose()
    assert blocked.status_code == 503
    assert blocked.headers["retry-after"] == "2"
    assert blocked.json()["code"] == "busy"
    assert health.status_code == 200
    assert retried.status_code == 200
    assert [r["status"] for r in retried.json()["results"]] == ["created"]  # the 503 wrote nothing

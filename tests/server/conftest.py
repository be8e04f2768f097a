"""Server fixtures: every test runs once on a SQLite file and once on the throwaway PostgreSQL cluster.

The schema is built once per backend with the Alembic migrations; each test starts from empty tables.
`DATABASE_URL_PG` comes from packaging/with-postgres.sh; without it the postgresql tests are skipped on a clone and
fail in CI (tests/prerequisites.py).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text, update

from sync_server.app import create_app
from sync_server.db import Base, Database
from sync_server.migrate import upgrade
from sync_server.models import User
from sync_server.settings import Settings
from tests.prerequisites import missing

BACKENDS = ("sqlite", "postgresql")
PASSWORD = "correct horse battery"
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('server-db') / 'server.sqlite'}"
    url = os.environ.get("DATABASE_URL_PG")
    if not url:
        missing(
            "PostgreSQL not available (DATABASE_URL_PG is not set): run the tests with packaging/tasks.sh test, "
            "which starts a throwaway cluster"
        )
    return _worker_database(url)


def _worker_database(url: str) -> str:
    """Under pytest-xdist each worker process gets a database of its own in the same cluster (tests empty the
    tables between them, which two workers on one database would do under each other's feet)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    import psycopg

    name = f"racetrace_test_{worker}"
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + f"/{name}"


def reset_schema(database: Database) -> None:
    """An empty database: the PostgreSQL cluster is reused across runs of the same wrapper."""
    if database.dialect == "postgresql":
        with database.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    reset_schema(db)
    upgrade(db.engine)
    yield db
    db.dispose()


def empty_all_tables(database: Database) -> None:
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name != "sync_state"]
    with database.engine.begin() as connection:
        if database.dialect == "postgresql":
            names = ", ".join(t.name for t in tables)
            connection.execute(text(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())
        connection.execute(text("UPDATE sync_state SET current_rev = 0, min_cursor = 0"))


@pytest.fixture
def clean_database(database: Database) -> Database:
    empty_all_tables(database)
    return database


def server_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "secret_key": TEST_SECRET,
        "fast_password_hash": True,
        **overrides,
    }
    return Settings(**values)


@pytest.fixture
def make_client(clean_database: Database, database_url: str) -> Iterator[Callable[..., TestClient]]:
    """Build a TestClient on the shared database with settings overrides (https base URL: Secure cookies)."""
    clients: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        app = create_app(server_settings(database_url, **overrides), database=clean_database)
        client = TestClient(app, base_url="https://testserver")
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


@dataclass
class Account:
    """A registered user signed in as a desktop client."""

    username: str
    id: uuid.UUID
    access_token: str
    refresh_token: str
    headers: dict[str, str] = field(default_factory=dict)


class Api:
    """Small helpers over the real HTTP API, so tests read like what a client does."""

    def __init__(self, client: TestClient, database: Database) -> None:
        self.client = client
        self.database = database

    def register(self, username: str, password: str = PASSWORD, email: str | None = None) -> dict[str, Any]:
        response = self.client.post(
            "/api/v1/auth/register",
            json={"username": username, "email": email or f"{username}@example.com", "password": password},
        )
        assert response.status_code == 201, response.text
        return response.json()

    def login(self, username: str, password: str = PASSWORD, desktop: bool = True) -> Any:
        data = {"username": username, "password": password}
        if desktop:
            data["client"] = "desktop"
        return self.client.post("/api/v1/auth/login", data=data)

    def account(self, username: str) -> Account:
        profile = self.register(username)
        tokens = self.login(username).json()
        return Account(
            username=username,
            id=uuid.UUID(profile["id"]),
            access_token=tokens["access_token"],
            refresh_token=tokens["refresh_token"],
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        )

    def make_admin(self, username: str) -> None:
        with self.database.engine.begin() as connection:
            connection.execute(update(User).where(User.username == username).values(is_admin=True))

    def admin(self, username: str = "boss") -> Account:
        account = self.account(username)
        self.make_admin(username)
        response = self.client.post("/api/v1/auth/admin/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
        account.access_token = token
        account.headers = {"Authorization": f"Bearer {token}"}
        return account


@pytest.fixture
def api(client: TestClient, clean_database: Database) -> Api:
    return Api(client, clean_database)

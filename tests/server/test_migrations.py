"""The Alembic migrations produce exactly the models' schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import make_url

from sync_server.db import Base, Database
from sync_server.migrate import downgrade, upgrade


def _fresh_database(database_url: str, tmp_path) -> tuple[Database, callable]:
    if database_url.startswith("sqlite"):
        return Database(f"sqlite:///{tmp_path / 'migrations.sqlite'}"), lambda: None
    name = f"migcheck_{uuid.uuid4().hex[:8]}"
    admin = Database(database_url)
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    fresh = Database(make_url(database_url).set(database=name).render_as_string(hide_password=False))

    def drop() -> None:
        fresh.dispose()
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f"DROP DATABASE {name}"))
        admin.dispose()

    return fresh, drop


def _differences(database: Database) -> list:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_migrations_match_the_models(database_url, tmp_path):
    database, drop = _fresh_database(database_url, tmp_path)
    try:
        upgrade(database.engine)
        assert _differences(database) == []
    finally:
        database.dispose()
        drop()


def test_migrations_downgrade_to_nothing_and_up_again(database_url, tmp_path):
    database, drop = _fresh_database(database_url, tmp_path)
    try:
        upgrade(database.engine)
        downgrade(database.engine, "base")
        with database.engine.connect() as connection:
            remaining = set(connection.dialect.get_table_names(connection)) - {"alembic_version"}
        assert remaining == set()
        upgrade(database.engine)
        assert _differences(database) == []
    finally:
        database.dispose()
        drop()


def test_the_test_database_is_at_head(database):
    assert _differences(database) == []

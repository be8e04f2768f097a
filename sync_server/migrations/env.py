"""Alembic environment: always online, on the engine handed over by sync_server.migrate."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection, Engine, text

import sync_server.models  # noqa: F401 - registers every table on Base.metadata
from sync_server.db import Base


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write our portable types as plain SQLAlchemy types so generated revisions import cleanly."""
    if type_ != "type":
        return False
    name = type(obj).__name__
    if name == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    if name == "JSON" and getattr(obj, "_variant_mapping", None):
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return "sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')"
    return False


def configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )


def run_sqlite(engine: Engine) -> None:
    # Batch migrations copy and DROP tables; with foreign keys ON that DROP cascades and empties child tables.
    # The pragma is a no-op inside a transaction, so it is set on the raw connection before BEGIN.
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None  # a fresh pooled connection always has its DBAPI connection
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            configure(connection)
            with context.begin_transaction():
                context.run_migrations()
                broken = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows with broken foreign keys: {broken[:5]}")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def run() -> None:
    engine: Engine = context.config.attributes["engine"]
    if engine.dialect.name == "sqlite":
        run_sqlite(engine)
        return
    with engine.connect() as connection:
        configure(connection)
        with context.begin_transaction():
            context.run_migrations()


run()

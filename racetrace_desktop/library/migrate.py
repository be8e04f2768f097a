"""Alembic migrations of the library, run programmatically (no alembic.ini at run time).

Two SQLite traps are handled here:
* Batch migrations copy a table, DROP the old one and rename; with foreign_keys=ON the DROP fires
  ON DELETE CASCADE and empties every child table. Foreign keys are switched off on the raw connection
  *before* the transaction (the pragma is a no-op inside one), checked with foreign_key_check, then restored.
* DDL is only transactional because db.py puts pysqlite in autocommit mode and emits BEGIN itself, so a
  migration failing halfway leaves the file exactly at the previous revision.

Developers create a revision with `python -m racetrace_desktop.library.migrate "message"`: it autogenerates
against a scratch database upgraded to head.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from racetrace_desktop.library.base import Base, UTCDateTime
from racetrace_desktop.library.errors import MigrationError

__all__ = ["MigrationError", "current_revision", "head_revision", "schema_differences", "upgrade"]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Autogenerate would write `racetrace_desktop...UTCDateTime()` without an import; the column is a DateTime.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def context_options() -> dict[str, Any]:
    """Options shared by env.py and the model/migration comparison."""
    from racetrace_desktop.library import models, sync_models  # noqa: F401 - registers every table on Base.metadata

    return {
        "target_metadata": Base.metadata,
        "render_as_batch": True,
        "compare_type": True,
        "render_item": _render_item,
    }


def alembic_config(connection: sa.Connection | None = None, script_location: Path = MIGRATIONS_DIR) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["connection"] = connection
    return config


def head_revision(script_location: Path = MIGRATIONS_DIR) -> str:
    head = ScriptDirectory.from_config(alembic_config(script_location=script_location)).get_current_head()
    assert head is not None, "the library has no migrations"
    return head


def current_revision(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: sa.Engine, revision: str = "head", script_location: Path = MIGRATIONS_DIR) -> None:
    """Bring the file to `revision` in one transaction; foreign keys off during the copy-and-rename dance."""
    target = head_revision(script_location) if revision == "head" else revision
    with engine.connect() as connection:
        if current_revision(connection) == target:
            connection.rollback()
            return
        connection.rollback()
        raw = connection.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                command.upgrade(alembic_config(connection, script_location), target)
                _check_foreign_keys(connection)
        except CommandError as error:
            raise MigrationError(f"cannot upgrade the library to {target}: {error}") from error
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def _check_foreign_keys(connection: sa.Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({row[0] for row in broken})
        raise MigrationError(f"migration left {len(broken)} rows with broken references in {', '.join(tables)}")


def schema_differences(connection: sa.Connection) -> list[Any]:
    """What autogenerate would change: empty when the migrations produce exactly the models."""
    options = context_options()
    context = MigrationContext.configure(connection, opts={k: v for k, v in options.items() if k != "target_metadata"})
    return list(compare_metadata(context, options["target_metadata"]))


def _autogenerate(message: str) -> None:
    from racetrace_desktop.library.db import create_engine

    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(Path(scratch) / "scratch.sqlite")
        upgrade(engine)
        with engine.begin() as connection:
            next_id = f"{int(head_revision()) + 1:04d}"
            command.revision(alembic_config(connection), message=message, autogenerate=True, rev_id=next_id)
        engine.dispose()


if __name__ == "__main__":
    _autogenerate(" ".join(sys.argv[1:]) or "schema change")

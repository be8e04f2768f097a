"""Opening the library file: engine set-up, migrations, and the single-writer unit of work."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from racetrace_desktop import paths
from racetrace_desktop.library.errors import LibraryError
from racetrace_desktop.library.migrations import HEAD_REVISION

LIBRARY_FILE_NAME = "library.sqlite"
BUSY_TIMEOUT_MS = 5000


class LibraryBusyError(RuntimeError):
    """A write was started while this thread already holds the writer."""


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Autocommit at the driver level so that our own BEGIN (below) makes DDL transactional on Python 3.11.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: never corrupt, at worst loses the last commit
    cursor.close()


def _on_begin(connection: sa.Connection) -> None:
    # Writers take the write lock up front so two writers never deadlock on a lock upgrade.
    immediate = connection.get_execution_options().get("sqlite_begin") == "IMMEDIATE"
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_engine(path: Path) -> sa.Engine:
    engine = sa.create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


class Library:
    """An open library file. Reads may run on any thread at once; writes are serialised by one lock."""

    def __init__(self, path: Path, engine: sa.Engine) -> None:
        self.path = path
        self.engine = engine
        self._write_lock = threading.Lock()
        self._writing = threading.local()
        self._reader = sessionmaker(engine, expire_on_commit=False, autoflush=False)
        self._writer = sessionmaker(
            engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False, autoflush=True
        )

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only snapshot (WAL): consistent even while an import is being written."""
        with self._reader() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back entirely if it raises."""
        if getattr(self._writing, "active", False):
            raise LibraryBusyError("a library write is already open on this thread; nest the work instead")
        with self._write_lock:
            self._writing.active = True
            try:
                with self._writer() as session, session.begin():
                    yield session
            finally:
                self._writing.active = False

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def default_library_path() -> Path:
    return paths.data_dir() / LIBRARY_FILE_NAME


def open_library(path: Path | None = None, revision: str = "head") -> Library:
    """Open (creating if needed) the library file and bring its schema to `revision` (normally head)."""
    path = Path(path) if path is not None else default_library_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(path)
    try:
        if revision != "head" or schema_revision(engine) != HEAD_REVISION:
            from racetrace_desktop.library import migrate  # Alembic loads only when the file needs migrating

            migrate.upgrade(engine, revision)
    except sa.exc.DBAPIError as error:
        engine.dispose()
        raise LibraryError(f"cannot open the library {path}: {error.orig}") from error
    except Exception:
        engine.dispose()
        raise
    return Library(path, engine)


def schema_revision(engine: sa.Engine) -> str | None:
    """The migration the file is at (read without Alembic, which takes a noticeable part of a CLI command's
    start-up); None for a new file."""
    with engine.connect() as connection:
        try:
            return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        except sa.exc.OperationalError:  # no such table: a new, empty file
            return None

"""Engine, declarative base and the column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import weakref
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import Pool, StaticPool
from sqlalchemy.types import TypeDecorator

from sync_server.errors import AppError, ServiceUnavailableError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both databases (SQLite would hand back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSONType}


READ_ONLY = "racetrace_read_only"  # execution option: this transaction only reads (SQLite: no write lock)
SQLITE_BUSY_TIMEOUT_MS = 20_000  # writers queue this long for the one write lock, then 503 (never a hang)
PG_STATEMENT_TIMEOUT_MS = 20_000
PG_LOCK_TIMEOUT_MS = 10_000
PG_IDLE_IN_TRANSACTION_TIMEOUT_MS = 30_000
POOL_TIMEOUT_S = 10
WRITER_QUEUE_TIMEOUT_MS = 20_000  # PostgreSQL writers queue this long in their process (no lock held), then 503
SQLITE_POOL_SIZE = 40  # one per FastAPI worker thread: writers wait in the writers' queue holding a connection


class WriterQueue:
    """First come, first served turns to write, within one server process.

    Without it the writers of a process race for the database's write lock: SQLite's busy handler polls with
    growing sleeps (a writer that arrives later often wins) and on PostgreSQL every waiter holds a pooled
    connection and a transaction while it waits on the revision-counter row. Here a waiter holds neither a
    database lock nor a transaction and is served in arrival order; the wait is bounded (then 503)."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._mutex = threading.Lock()
        self._waiting: deque[threading.Event] = deque()
        self._held = False

    def acquire(self) -> None:
        with self._mutex:
            if not self._held and not self._waiting:
                self._held = True
                return
            turn = threading.Event()
            self._waiting.append(turn)
        if turn.wait(self.timeout_s):
            return
        with self._mutex:
            if turn.is_set():  # handed over while timing out
                return
            self._waiting.remove(turn)
        raise ServiceUnavailableError()

    @property
    def waiting(self) -> int:
        with self._mutex:
            return len(self._waiting)

    def release(self) -> None:
        with self._mutex:
            if self._waiting:
                self._waiting.popleft().set()  # handed straight to the next writer: nobody can jump the queue
            else:
                self._held = False


_WRITER_QUEUES: weakref.WeakKeyDictionary[Pool, WriterQueue] = weakref.WeakKeyDictionary()
_TURN = "racetrace_writer_turn"  # connection info key: this connection's transaction holds the writers' turn


def writer_queue(engine: Engine) -> WriterQueue | None:
    """The writers' queue of this process for the engine's database (None for an in-memory SQLite)."""
    return _WRITER_QUEUES.get(engine.pool)


def take_writer_turn(db: Session) -> None:
    """Wait for this process's turn to write (PostgreSQL: before the revision-counter lock), kept until the
    session's transaction ends. Idempotent. A waiter holds no pooled connection unless its transaction had
    already begun. On SQLite every write transaction took its turn when it began."""
    engine = db.get_bind().engine
    queue = _WRITER_QUEUES.get(engine.pool)
    if queue is None or engine.dialect.name == "sqlite":
        return
    if db.in_transaction() and db.connection().info.get(_TURN):
        return
    queue.acquire()
    try:
        connection = db.connection()
    except BaseException:
        queue.release()
        raise
    connection.info[_TURN] = queue


def _take_turn_on_begin(connection: Any) -> None:
    queue = _WRITER_QUEUES.get(connection.engine.pool)
    if queue is not None and not connection.info.get(_TURN):
        queue.acquire()
        connection.info[_TURN] = queue


def _release_writer_turn(info: dict[Any, Any]) -> None:
    queue = info.pop(_TURN, None)
    if queue is not None:
        queue.release()


def _install_writer_queue(engine: Engine, timeout_s: float) -> None:
    _WRITER_QUEUES[engine.pool] = WriterQueue(timeout_s)

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(conn: Any) -> None:
        _release_writer_turn(conn.info)

    @event.listens_for(engine, "reset")
    def _on_reset(_dbapi_conn: Any, record: Any, _reset_state: Any) -> None:
        _release_writer_turn(record.info)  # a connection returned mid-transaction (e.g. a dropped request)

    @event.listens_for(engine, "close")
    def _on_close(_dbapi_conn: Any, record: Any) -> None:
        _release_writer_turn(record.info)


def _configure_sqlite(engine: Engine, *, own_transactions: bool, busy_timeout_ms: int) -> None:
    """Foreign keys on, WAL, and real transactional DDL/BEGIN (pysqlite's own handling defers BEGIN)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        if own_transactions:
            dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        if own_transactions:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at checkpoints, safe on crash
        cursor.close()

    if not own_transactions:
        return

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A transaction that will write takes the one write lock up front (IMMEDIATE): upgrading a read
        # transaction later fails at once with "database is locked" whenever another writer committed meanwhile.
        # Read-only transactions (WAL readers never block nor wait) begin DEFERRED. Writers of this process
        # first queue for their turn (WriterQueue); the busy timeout then only covers other processes.
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
            return
        _take_turn_on_begin(conn)
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release_writer_turn(conn.info)
            raise


def make_engine(url: str, lock_wait_ms: int | None = None, *, bounded: bool = False) -> Engine:
    """`bounded`: PostgreSQL statement, lock and idle-in-transaction timeouts for serving requests (off for
    maintenance: migrations, bulk loads, a leaderboard rebuild may rightly take minutes). `lock_wait_ms`: how
    long a writer waits for a lock (SQLite busy timeout; PostgreSQL lock_timeout, implies bounded)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # Kept connections cover a worker's usual concurrency: connections above pool_size are closed on return,
        # and under load that meant a new PostgreSQL backend every few requests (measured in bench_server).
        # Every wait is bounded: a pool checkout (-> 503), a lock, a statement, and a transaction left idle.
        options = (
            f"-c statement_timeout={PG_STATEMENT_TIMEOUT_MS} -c lock_timeout={lock_wait_ms or PG_LOCK_TIMEOUT_MS} "
            f"-c idle_in_transaction_session_timeout={PG_IDLE_IN_TRANSACTION_TIMEOUT_MS}"
        )
        bounded = bounded or lock_wait_ms is not None
        engine = create_engine(
            url,
            pool_pre_ping=True,
            pool_size=20,
            max_overflow=20,
            pool_timeout=POOL_TIMEOUT_S,
            connect_args={"options": options} if bounded else {},
        )
        _install_writer_queue(engine, (lock_wait_ms or WRITER_QUEUE_TIMEOUT_MS) / 1000)  # see lock_counter
        return engine
    if parsed.database in (None, "", ":memory:"):
        # One shared connection, or each thread would see its own empty database.
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
        _configure_sqlite(engine, own_transactions=False, busy_timeout_ms=lock_wait_ms or SQLITE_BUSY_TIMEOUT_MS)
        return engine
    Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": (lock_wait_ms or SQLITE_BUSY_TIMEOUT_MS) / 1000},
        pool_size=SQLITE_POOL_SIZE,
        max_overflow=0,
        pool_timeout=POOL_TIMEOUT_S,
    )
    _install_writer_queue(engine, (lock_wait_ms or SQLITE_BUSY_TIMEOUT_MS) / 1000)
    _configure_sqlite(engine, own_transactions=True, busy_timeout_ms=lock_wait_ms or SQLITE_BUSY_TIMEOUT_MS)
    return engine


@contextmanager
def reading(db: Session) -> Iterator[Session]:
    """A read-only stretch at the start of a unit of work, ended on leaving: the slow work that follows
    (hashing, decoding, another thread-pool hop) then holds neither a pooled connection nor, on SQLite, the
    write lock. The next statement begins the unit of work's write transaction."""
    db.connection(execution_options={READ_ONLY: True})
    yield db
    db.commit()


class Database:
    """One engine and its session factory; the app keeps one per process."""

    def __init__(self, url: str, lock_wait_ms: int | None = None, *, bounded: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, lock_wait_ms, bounded=bounded)
        # `sessions` read (a write in them still works, but on SQLite it may meet "database is locked" under
        # concurrent writers); `write_sessions` begin every transaction ready to write (SQLite: BEGIN IMMEDIATE).
        self.sessions = sessionmaker(self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False,
                                     autoflush=False)
        self.write_sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self, *, write: bool = True) -> Iterator[Session]:
        """Unit of work for one request: commit when the endpoint returns, roll back on any error except one
        that asks to keep what was written (`AppError(keep_writes=True)`, e.g. a revoked token family)."""
        with (self.write_sessions if write else self.sessions)() as db:
            try:
                yield db
                db.commit()
            except AppError as exc:
                db.commit() if exc.keep_writes else db.rollback()
                raise
            except BaseException:
                db.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()

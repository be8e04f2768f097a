"""Opening the library file, migrations (revision 1 -> head, FK-cascade guard, transactional DDL), datetimes."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from library_fakes import fake_analyser, fake_file, fake_reader, table_dump

from racetrace_desktop.library import LibraryBusyError, LibraryError, MigrationError, migrate, open_library
from racetrace_desktop.library.db import create_engine
from racetrace_desktop.library.migrations import HEAD_REVISION
from racetrace_desktop.library.models import Car, SessionRow
from racetrace_desktop.services import importer, library_service

BATCH_REVISION = '''
import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sessions", recreate="always") as batch_op:  # copy, drop, rename
        batch_op.add_column(sa.Column("weather", sa.String(50), nullable=True))


def downgrade():
    pass
'''

FAILING_REVISION = '''
import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))
    op.add_column("laps", sa.Column("note", sa.Text))
    raise RuntimeError("migration bug halfway")


def downgrade():
    pass
'''


def _scripts_with(tmp_path: Path, revision_source: str) -> Path:
    """A copy of the library's migrations plus one extra revision."""
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9001_test.py").write_text(revision_source.replace("{head}", migrate.head_revision()))
    return scripts


def _import_two_sessions(path: Path, tmp_path: Path, revision: str = "head") -> None:
    """Two sessions imported by today's code, then the file taken back to `revision` (as an older app left it)."""
    library = open_library(path)
    files = [fake_file(tmp_path / "a.csv", seed=1), fake_file(tmp_path / "b.csv", seed=2)]
    report = importer.import_files(library, files, reader=fake_reader, analyser=fake_analyser)
    assert [r.status for r in report.results] == ["imported", "imported"]
    library.close()
    if revision != "head":
        downgrade(path, revision)


def downgrade(path: Path, revision: str) -> None:
    """Foreign keys off around the batch copy-and-rename, as migrate.upgrade does."""
    engine = create_engine(path)
    try:
        with engine.connect() as connection:
            connection.rollback()
            raw = connection.connection.driver_connection
            assert raw is not None
            raw.execute("PRAGMA foreign_keys=OFF")
            with connection.begin():
                command.downgrade(migrate.alembic_config(connection), revision)
            raw.execute("PRAGMA foreign_keys=ON")
    finally:
        engine.dispose()


def test_open_library_creates_the_file_in_the_data_folder_with_wal_and_foreign_keys(racetrace_home: Path) -> None:
    library = open_library()
    with library.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert migrate.current_revision(connection) == migrate.head_revision() == "0005_corners"
    library.close()
    assert library.path == racetrace_home / "library.sqlite" and library.path.is_file()


def test_head_revision_constant_is_the_newest_migration() -> None:
    """Opening a file at HEAD_REVISION skips Alembic: the constant must name Alembic's head (update it with each
    new migration)."""
    assert migrate.head_revision() == HEAD_REVISION


def test_models_match_the_migrations(racetrace_home: Path) -> None:
    library = open_library()
    with library.engine.connect() as connection:
        assert migrate.schema_differences(connection) == []
    library.close()


def test_models_differing_from_the_migrations_are_detected(racetrace_home: Path) -> None:
    library = open_library()
    with library.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE cars ADD COLUMN colour VARCHAR(20)")
        differences = migrate.schema_differences(connection)
    library.close()
    assert [(d[0], d[3].name) for d in differences] == [("remove_column", "colour")]


def test_library_at_revision_1_with_data_opens_unchanged_under_head(racetrace_home: Path, tmp_path: Path) -> None:
    path = racetrace_home / "library.sqlite"
    _import_two_sessions(path, tmp_path, revision="0001")
    before = _data_rows(path)

    library = open_library(path)

    with library.engine.connect() as connection:
        assert migrate.current_revision(connection) == migrate.head_revision()
    assert len(library_service.list_sessions(library)) == 2
    library.close()
    assert _data_rows(path, like=before) == before


def _data_rows(path: Path, like: dict[str, tuple[list[str], list[tuple]]] | None = None) -> dict:
    """{table: (columns, rows)} of every non-empty table; with `like`, only its tables and columns (a newer
    revision may add columns, and the backfill fills them)."""
    connection = sqlite3.connect(path)
    try:
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        found = {}
        for table in tables:
            if table.startswith(("alembic", "sqlite")):
                continue
            columns = [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
            if like is not None:
                columns = [c for c in columns if c in like.get(table, ([], []))[0]]
            query = f"SELECT {', '.join(columns) or 1} FROM {table} ORDER BY rowid"  # noqa: S608 - names from the file
            rows = connection.execute(query).fetchall()
            if rows and columns:
                found[table] = (columns, rows)
        return found
    finally:
        connection.close()


def test_batch_migration_keeps_child_rows(racetrace_home: Path, tmp_path: Path) -> None:
    path = racetrace_home / "library.sqlite"
    _import_two_sessions(path, tmp_path)
    counts = _counts(path)
    assert counts["laps"] > 0 and counts["lap_channels"] > 0

    migrate.upgrade(create_engine(path), script_location=_scripts_with(tmp_path, BATCH_REVISION))

    assert _counts(path) == counts
    connection = sqlite3.connect(path)
    assert "weather" in [row[1] for row in connection.execute("PRAGMA table_info(sessions)")]
    connection.close()


def test_without_the_guard_the_same_batch_migration_empties_child_tables(racetrace_home: Path, tmp_path: Path) -> None:
    """Proves the guard above is needed: the plain Alembic run with foreign keys on cascades the table copy."""
    path = racetrace_home / "library.sqlite"
    _import_two_sessions(path, tmp_path)
    engine = create_engine(path)
    with engine.begin() as connection:
        command.upgrade(migrate.alembic_config(connection, _scripts_with(tmp_path, BATCH_REVISION)), "head")
    engine.dispose()
    assert _counts(path)["laps"] == 0


def _counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        tables = ("sessions", "laps", "lap_channels", "source_files")
        return {t: connection.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}  # noqa: S608
    finally:
        connection.close()


def test_failing_migration_leaves_the_file_at_the_previous_revision(racetrace_home: Path, tmp_path: Path) -> None:
    path = racetrace_home / "library.sqlite"
    _import_two_sessions(path, tmp_path)
    connection = sqlite3.connect(path)
    before = list(connection.iterdump())
    connection.close()

    with pytest.raises(RuntimeError, match="migration bug halfway"):
        migrate.upgrade(create_engine(path), script_location=_scripts_with(tmp_path, FAILING_REVISION))

    connection = sqlite3.connect(path)
    assert list(connection.iterdump()) == before  # no half_done table, no laps.note column, still at head
    connection.close()


def test_a_library_from_a_newer_program_is_refused_clearly(racetrace_home: Path, tmp_path: Path) -> None:
    path = racetrace_home / "library.sqlite"
    migrate.upgrade(create_engine(path), script_location=_scripts_with(tmp_path, BATCH_REVISION))
    with pytest.raises(MigrationError, match="cannot upgrade the library"):
        open_library(path)


def test_a_file_that_is_not_a_library_is_refused_clearly(racetrace_home: Path) -> None:
    path = racetrace_home / "library.sqlite"
    path.write_bytes(b"this is a spreadsheet, not a database" * 200)
    with pytest.raises(LibraryError, match=r"cannot open the library .*library.sqlite: file is not a database"):
        open_library()
    assert path.read_bytes().startswith(b"this is a spreadsheet")


def test_aware_datetimes_round_trip_as_utc_and_naive_ones_are_refused(library, tmp_path: Path) -> None:
    plus_two = timezone(timedelta(hours=2))
    with library.write() as db:
        db.add(Car(make="Mazda", model="RX-8", created_at=datetime(2024, 6, 1, 11, 0, tzinfo=plus_two)))
    with library.read() as db:
        stored = db.scalars(sa.select(Car.created_at)).one()
    assert stored == datetime(2024, 6, 1, 9, 0, tzinfo=UTC) and stored.tzinfo == UTC

    with pytest.raises(sa.exc.StatementError, match="naive datetime"), library.write() as db:
        db.add(Car(make="Naive", model="Clock", created_at=datetime(2024, 6, 1, 11, 0)))
        db.flush()
    assert [car.make for car in library_service.list_cars(library)] == ["Mazda"]


def test_foreign_keys_are_enforced(library) -> None:
    with pytest.raises(sa.exc.IntegrityError, match="FOREIGN KEY"), library.write() as db:
        db.add(SessionRow(car_id=999, source_sha256="x", source_name="x.csv", format_name="x"))
        db.flush()


def test_a_nested_write_on_the_same_thread_is_refused(library) -> None:
    with library.write(), pytest.raises(LibraryBusyError), library.write():
        pass


def test_writes_from_two_threads_are_serialised(library) -> None:
    errors: list[BaseException] = []

    def add_cars(prefix: str) -> None:
        try:
            for index in range(20):
                library_service.create_car(library, make=prefix, model=str(index))
        except BaseException as error:  # reported to the main thread
            errors.append(error)

    threads = [threading.Thread(target=add_cars, args=(name,)) for name in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(library_service.list_cars(library)) == 40


def test_a_reader_sees_a_consistent_snapshot_while_a_write_is_open(library, tmp_path: Path) -> None:
    importer.import_files(library, [fake_file(tmp_path / "a.csv")], reader=fake_reader, analyser=fake_analyser)
    with library.write() as db:
        db.execute(sa.delete(SessionRow))
        assert len(library_service.list_sessions(library)) == 1  # other connection: committed state only
    assert library_service.list_sessions(library) == []
    assert table_dump(library)  # file still readable by a plain sqlite3 connection

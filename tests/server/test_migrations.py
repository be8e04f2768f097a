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


BATCH_REVISION = '''"""test only: rebuild the users table in batch mode"""
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def _recreate():
    # Force SQLite's copy-drop-rename, the dangerous path; PostgreSQL alters in place.
    return "always" if op.get_context().dialect.name == "sqlite" else "auto"


def upgrade():
    with op.batch_alter_table("users", recreate=_recreate()) as batch:
        batch.add_column(sa.Column("nickname", sa.String(32), nullable=True))


def downgrade():
    with op.batch_alter_table("users", recreate=_recreate()) as batch:
        batch.drop_column("nickname")
'''


def test_a_batch_migration_of_a_parent_table_keeps_the_child_rows(database_url, tmp_path):
    """SQLite rebuilds the table (copy, DROP, rename); with foreign keys on, the DROP would cascade and empty
    refresh_tokens, sessions, laps... The migration environment turns them off around the migration."""
    import shutil

    from alembic import command
    from alembic.script import ScriptDirectory

    from sync_server.migrate import MIGRATIONS_DIR, alembic_config

    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, scripts)
    database, drop = _fresh_database(database_url, tmp_path)
    try:
        config = alembic_config(database.engine)
        config.set_main_option("script_location", str(scripts))
        head = ScriptDirectory.from_config(config).get_current_head()
        (scripts / "versions" / "9999_batch_users.py").write_text(BATCH_REVISION.replace("{head}", head))
        upgrade(database.engine)
        with database.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO users (id, username, email, display_name, is_active, is_admin, failed_login_attempts,"
                " created_at, updated_at) VALUES (:id, 'u', 'u@example.com', 'U', true, false, 0, :now, :now)"
            ), {"id": _uuid_param(database), "now": "2026-01-01T00:00:00+00:00"})
            connection.execute(text(
                "INSERT INTO refresh_tokens (user_id, family_id, token_hash, client, issued_at, expires_at) "
                "SELECT id, id, 'h', 'desktop', created_at, created_at FROM users"
            ))
        command.upgrade(config, "9999")
        command.downgrade(config, head)
        with database.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM refresh_tokens")).scalar_one() == 1
    finally:
        database.dispose()
        drop()


def _uuid_param(database: Database) -> str:
    value = uuid.uuid4()
    return value.hex if database.dialect == "sqlite" else str(value)


FAILING_REVISION = '''"""test only: creates a table, then fails"""
import sqlalchemy as sa
from alembic import op

revision = "9998"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))
    raise RuntimeError("migration failed halfway")


def downgrade():
    pass
'''


def test_a_failing_migration_leaves_no_half_applied_schema(database_url, tmp_path):
    import shutil

    import pytest
    from alembic import command
    from alembic.script import ScriptDirectory

    from sync_server.migrate import MIGRATIONS_DIR, alembic_config

    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, scripts)
    database, drop = _fresh_database(database_url, tmp_path)
    try:
        config = alembic_config(database.engine)
        config.set_main_option("script_location", str(scripts))
        head = ScriptDirectory.from_config(config).get_current_head()
        upgrade(database.engine)
        (scripts / "versions" / "9998_fails.py").write_text(FAILING_REVISION.replace("{head}", head))
        with pytest.raises(RuntimeError, match="halfway"):
            command.upgrade(config, "9998")
        with database.engine.connect() as connection:
            assert "half_done" not in connection.dialect.get_table_names(connection)
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head
    finally:
        database.dispose()
        drop()

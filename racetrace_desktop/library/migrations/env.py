"""Alembic environment of the local library. Runs only on a connection handed in by library.migrate."""

from __future__ import annotations

from alembic import context

from racetrace_desktop.library.migrate import context_options

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run library migrations through racetrace_desktop.library.migrate, not the alembic CLI")

context.configure(connection=connection, **context_options())
with context.begin_transaction():
    context.run_migrations()

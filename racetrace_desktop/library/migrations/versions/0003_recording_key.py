"""sessions.recording_key: duplicates recognised by the recording, not the raw bytes

Revision ID: 0003_recording_key
Revises: 0002
Create Date: 2026-12-04

Backfilled from the originals already stored, so a library made before this revision recognises a re-saved
copy (CRLF, BOM) of a file it holds. An original that cannot be decompressed leaves the key empty: that
session is then matched by its SHA-256 only, as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from racetrace_desktop.library.codec import decompress
from racetrace_desktop.library.session_store_repo import recording_key

revision: str = "0003_recording_key"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recording_key", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_sessions_recording_key"), ["recording_key"], unique=False)
    _backfill(op.get_bind())


def _backfill(connection: sa.Connection) -> None:
    sources = sa.table(
        "source_files", sa.column("session_id"), sa.column("compression"), sa.column("data")
    )
    sessions = sa.table("sessions", sa.column("id"), sa.column("recording_key"))
    ids = connection.execute(sa.select(sources.c.session_id)).scalars().all()
    for session_id in ids:  # one original in memory at a time
        compression, blob = connection.execute(
            sa.select(sources.c.compression, sources.c.data).where(sources.c.session_id == session_id)
        ).one()
        try:
            key = recording_key(decompress(blob, compression))
        except (ValueError, OSError):  # a damaged or unreadable original: SHA-256 matching only
            continue
        connection.execute(sa.update(sessions).where(sessions.c.id == session_id).values(recording_key=key))


def downgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_recording_key"))
        batch_op.drop_column("recording_key")

"""sync state: pull cursor, server copies (merge bases), leaderboard cache, downloaded laps

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:

    op.create_table(
        "leaderboard_cache",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("configuration_server_id", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_leaderboard_cache")),
    )
    with op.batch_alter_table("leaderboard_cache", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_leaderboard_cache_configuration_server_id"), ["configuration_server_id"], unique=False
        )

    op.create_table(
        "sync_records",
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("server_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("pending", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "uuid", name=op.f("pk_sync_records")),
    )
    with op.batch_alter_table("sync_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_records_pending"), ["pending"], unique=False)

    op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("server_url", sa.String(length=500), nullable=True),
        sa.Column("account_id", sa.String(length=64), nullable=True),
        sa.Column("username", sa.String(length=254), nullable=True),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_state")),
    )
    op.create_table(
        "downloaded_laps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("lap_uuid", sa.Uuid(), nullable=False),
        sa.Column("driver_id", sa.String(length=64), nullable=False),
        sa.Column("driver_name", sa.String(length=200), nullable=False),
        sa.Column("configuration_server_id", sa.String(length=64), nullable=False),
        sa.Column("entry", sa.JSON(), nullable=False),
        sa.Column("downloaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_downloaded_laps_session_id_sessions"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_downloaded_laps")),
        sa.UniqueConstraint("lap_uuid", name=op.f("uq_downloaded_laps_lap_uuid")),
        sa.UniqueConstraint("session_id", name=op.f("uq_downloaded_laps_session_id")),
    )
    with op.batch_alter_table("downloaded_laps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_downloaded_laps_configuration_server_id"), ["configuration_server_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("downloaded_laps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_downloaded_laps_configuration_server_id"))

    op.drop_table("downloaded_laps")
    op.drop_table("sync_state")
    with op.batch_alter_table("sync_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_records_pending"))

    op.drop_table("sync_records")
    with op.batch_alter_table("leaderboard_cache", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leaderboard_cache_configuration_server_id"))

    op.drop_table("leaderboard_cache")

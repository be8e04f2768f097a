"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26 02:31:10.709662
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    sync_state = op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("current_rev", sa.BigInteger(), nullable=False),
        sa.Column("min_cursor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_state")),
    )
    op.bulk_insert(sync_state, [{"id": 1, "current_rev": 0, "min_cursor": 0}])
    op.create_table(
        "teams",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("name", name=op.f("uq_teams_name")),
    )
    op.create_table(
        "tracks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("country", sa.String(length=64), nullable=True),
        sa.Column("city", sa.String(length=64), nullable=True),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracks")),
    )
    with op.batch_alter_table("tracks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracks_rev"), ["rev"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("hashed_password", sa.String(length=255), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("failed_login_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "cars",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("make", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("drivetrain", sa.String(length=16), nullable=True),
        sa.Column("power_hp", sa.Double(), nullable=True),
        sa.Column("weight_kg", sa.Double(), nullable=True),
        sa.Column("engine_cc", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_cars_owner_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cars")),
    )
    with op.batch_alter_table("cars", schema=None) as batch_op:
        batch_op.create_index("ix_cars_owner_rev", ["owner_id", "rev"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column("location", sa.String(length=128), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_events_owner_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_owner_rev", ["owner_id", "rev"], unique=False)

    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_refresh_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_tokens_token_hash")),
    )
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refresh_tokens_family_id"), ["family_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_refresh_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "team_members",
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_team_members_team_id_teams"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_team_members_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_team_members")),
    )
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "track_configurations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("track_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("start_finish_lat", sa.Double(), nullable=False),
        sa.Column("start_finish_lon", sa.Double(), nullable=False),
        sa.Column("start_finish_heading_deg", sa.Double(), nullable=True),
        sa.Column("gate_width_m", sa.Double(), nullable=False),
        sa.Column("num_sectors", sa.Integer(), nullable=False),
        sa.Column("sector_gates", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("length_m", sa.Double(), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["track_id"], ["tracks.id"], name=op.f("fk_track_configurations_track_id_tracks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_track_configurations")),
    )
    with op.batch_alter_table("track_configurations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_track_configurations_rev"), ["rev"], unique=False)
        batch_op.create_index(batch_op.f("ix_track_configurations_track_id"), ["track_id"], unique=False)

    op.create_table(
        "sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("track_configuration_id", sa.Uuid(), nullable=True),
        sa.Column("track_configuration_version", sa.Integer(), nullable=True),
        sa.Column("car_id", sa.Uuid(), nullable=True),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column("session_type", sa.String(length=32), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_at_local", sa.String(length=32), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("file_size", sa.BigInteger(), nullable=True),
        sa.Column("format_name", sa.String(length=64), nullable=True),
        sa.Column("app_version", sa.String(length=64), nullable=True),
        sa.Column("device", sa.String(length=128), nullable=True),
        sa.Column("os_name", sa.String(length=64), nullable=True),
        sa.Column("os_version", sa.String(length=64), nullable=True),
        sa.Column("gps_source", sa.String(length=128), nullable=True),
        sa.Column("obd_adapter", sa.String(length=128), nullable=True),
        sa.Column("vehicle_hint", sa.String(length=128), nullable=True),
        sa.Column("gps_rate_hz", sa.Double(), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=True),
        sa.Column("duration_s", sa.Double(), nullable=True),
        sa.Column("theoretical_best_ms", sa.Integer(), nullable=True),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["car_id"], ["cars.id"], name=op.f("fk_sessions_car_id_cars"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_sessions_event_id_events"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_sessions_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["track_configuration_id"],
            ["track_configurations.id"],
            name=op.f("fk_sessions_track_configuration_id_track_configurations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("owner_id", "file_sha256", name="uq_sessions_owner_file"),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_car_id"), ["car_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sessions_event_id"), ["event_id"], unique=False)
        batch_op.create_index("ix_sessions_owner_rev", ["owner_id", "rev"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sessions_track_configuration_id"), ["track_configuration_id"], unique=False
        )

    op.create_table(
        "laps",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("lap_number", sa.Integer(), nullable=False),
        sa.Column("lap_time_ms", sa.Integer(), nullable=True),
        sa.Column("time_source", sa.String(length=16), nullable=True),
        sa.Column("gps_time_ms", sa.Integer(), nullable=True),
        sa.Column("is_outlap", sa.Boolean(), nullable=False),
        sa.Column("is_inlap", sa.Boolean(), nullable=False),
        sa.Column("is_pit", sa.Boolean(), nullable=False),
        sa.Column("is_valid", sa.Boolean(), nullable=False),
        sa.Column("invalid_reason", sa.String(length=200), nullable=True),
        sa.Column("length_m", sa.Double(), nullable=True),
        sa.Column("sector_times_ms", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("stats", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_laps_owner_id_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_laps_session_id_sessions"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_laps")),
    )
    with op.batch_alter_table("laps", schema=None) as batch_op:
        batch_op.create_index("ix_laps_owner_rev", ["owner_id", "rev"], unique=False)
        batch_op.create_index(batch_op.f("ix_laps_session_id"), ["session_id"], unique=False)

    op.create_table(
        "session_files",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("compressed", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_session_files_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_session_files_session_id_sessions"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_session_files")),
    )
    with op.batch_alter_table("session_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_session_files_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "best_laps",
        sa.Column("track_configuration_id", sa.Uuid(), nullable=False),
        sa.Column("category_key", sa.String(length=64), nullable=False),
        sa.Column("event_key", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("lap_id", sa.Uuid(), nullable=False),
        sa.Column("lap_time_ms", sa.Integer(), nullable=False),
        sa.Column("achieved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lap_id"], ["laps.id"], name=op.f("fk_best_laps_lap_id_laps"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["track_configuration_id"],
            ["track_configurations.id"],
            name=op.f("fk_best_laps_track_configuration_id_track_configurations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_best_laps_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(
            "track_configuration_id", "category_key", "event_key", "user_id", name=op.f("pk_best_laps")
        ),
    )
    with op.batch_alter_table("best_laps", schema=None) as batch_op:
        batch_op.create_index(
            "ix_best_laps_board",
            ["track_configuration_id", "category_key", "event_key", "lap_time_ms", "achieved_at"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_best_laps_lap_id"), ["lap_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_best_laps_user_id"), ["user_id"], unique=False)

    op.create_table(
        "lap_telemetry",
        sa.Column("lap_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("sample_count", sa.Integer(), nullable=False),
        sa.Column("channel_keys", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lap_id"], ["laps.id"], name=op.f("fk_lap_telemetry_lap_id_laps"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_lap_telemetry_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("lap_id", name=op.f("pk_lap_telemetry")),
    )
    with op.batch_alter_table("lap_telemetry", schema=None) as batch_op:
        batch_op.create_index("ix_lap_telemetry_owner_rev", ["owner_id", "rev"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lap_telemetry", schema=None) as batch_op:
        batch_op.drop_index("ix_lap_telemetry_owner_rev")

    op.drop_table("lap_telemetry")
    with op.batch_alter_table("best_laps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_best_laps_user_id"))
        batch_op.drop_index(batch_op.f("ix_best_laps_lap_id"))
        batch_op.drop_index("ix_best_laps_board")

    op.drop_table("best_laps")
    with op.batch_alter_table("session_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_files_owner_id"))

    op.drop_table("session_files")
    with op.batch_alter_table("laps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_laps_session_id"))
        batch_op.drop_index("ix_laps_owner_rev")

    op.drop_table("laps")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_track_configuration_id"))
        batch_op.drop_index("ix_sessions_owner_rev")
        batch_op.drop_index(batch_op.f("ix_sessions_event_id"))
        batch_op.drop_index(batch_op.f("ix_sessions_car_id"))

    op.drop_table("sessions")
    with op.batch_alter_table("track_configurations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_track_configurations_track_id"))
        batch_op.drop_index(batch_op.f("ix_track_configurations_rev"))

    op.drop_table("track_configurations")
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_members_user_id"))

    op.drop_table("team_members")
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_tokens_user_id"))
        batch_op.drop_index(batch_op.f("ix_refresh_tokens_family_id"))

    op.drop_table("refresh_tokens")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_owner_rev")

    op.drop_table("events")
    with op.batch_alter_table("cars", schema=None) as batch_op:
        batch_op.drop_index("ix_cars_owner_rev")

    op.drop_table("cars")
    op.drop_table("users")
    with op.batch_alter_table("tracks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracks_rev"))

    op.drop_table("tracks")
    op.drop_table("teams")
    op.drop_table("sync_state")

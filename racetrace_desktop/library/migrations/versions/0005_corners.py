"""corners of a track configuration (detected from a reference lap, editable, synced)

Revision ID: 0005_corners
Revises: 0004_time_source
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005_corners"
down_revision: str | None = "0004_time_source"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "configuration_corners",
        sa.Column("configuration_id", sa.Integer(), nullable=False),
        sa.Column("corners", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["configuration_id"], ["track_configurations.id"],
            name=op.f("fk_configuration_corners_configuration_id_track_configurations"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("configuration_id", name=op.f("pk_configuration_corners")),
    )


def downgrade() -> None:
    op.drop_table("configuration_corners")

"""corners of a track configuration, shared with every driver of the track

Revision ID: 0003_corners
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_corners"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("track_configurations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("corners", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                                      nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("track_configurations", schema=None) as batch_op:
        batch_op.drop_column("corners")

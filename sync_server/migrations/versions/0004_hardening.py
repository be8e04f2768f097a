"""Hardening (issue 13): per-user access-token generation, lap plausibility flag

Revision ID: 0004_hardening
Revises: 0003_corners
Create Date: 2026-12-04 20:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_hardening"
down_revision: str | None = "0003_corners"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch table copy): safe with SQLite foreign keys on.
    op.add_column("users", sa.Column("token_generation", sa.Integer(), server_default="0", nullable=False))
    op.add_column("laps", sa.Column("implausible_reason", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("laps") as batch:
        batch.drop_column("implausible_reason")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("token_generation")

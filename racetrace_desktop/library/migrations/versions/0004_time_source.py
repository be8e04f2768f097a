"""lap time sources of the new readers: beacon (AiM), lap_column (RaceBox, Lap Legend, RaceChrono)

Revision ID: 0004_time_source
Revises: 0003_recording_key
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004_time_source"
down_revision: str | None = "0003_recording_key"
branch_labels: str | None = None
depends_on: str | None = None

_OLD = ("stated", "gps", "none")
_NEW = ("stated", "beacon", "lap_column", "gps", "none")


def _enum(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name="time_source", native_enum=False, create_constraint=True, length=16)


def upgrade() -> None:
    with op.batch_alter_table("laps", schema=None) as batch_op:
        batch_op.alter_column("time_source", existing_type=_enum(_OLD), type_=_enum(_NEW), existing_nullable=False)


def downgrade() -> None:
    op.execute("UPDATE laps SET time_source = 'stated' WHERE time_source IN ('beacon', 'lap_column')")
    with op.batch_alter_table("laps", schema=None) as batch_op:
        batch_op.alter_column("time_source", existing_type=_enum(_NEW), type_=_enum(_OLD), existing_nullable=False)

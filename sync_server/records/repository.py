"""SQL of the synced records' REST reads (every write goes through the sync engine)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session


def live_rows_of(db: Session, model: Any, owner_id: uuid.UUID) -> list[Any]:
    """The owner's rows of one synced kind that are not deleted, oldest first."""
    statement = select(model).where(model.owner_id == owner_id, model.deleted_at.is_(None))
    return list(db.scalars(statement.order_by(model.created_at, model.id)))

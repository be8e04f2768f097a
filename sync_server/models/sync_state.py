"""The server-wide revision counter (one row). Every accepted write takes the next value."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from sync_server.db import Base

SYNC_STATE_ID = 1


class SyncState(Base):
    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    current_rev: Mapped[int] = mapped_column(BigInteger, default=0)
    # Cursors below this (other than 0) may have missed purged tombstones: they get "resync required".
    min_cursor: Mapped[int] = mapped_column(BigInteger, default=0)

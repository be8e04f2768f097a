"""Tables the sync engine keeps beside the library's own records (see racetrace_desktop/sync/SYNC.md)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from racetrace_desktop.library.base import Base, utcnow

__all__ = ["DownloadedLap", "LeaderboardCache", "SyncRecord", "SyncState"]

SYNC_STATE_ID = 1


class SyncState(Base):
    """One row: which server account this library syncs with, the pull cursor, and the last outcome."""

    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    server_url: Mapped[str | None] = mapped_column(sa.String(500))
    account_id: Mapped[str | None] = mapped_column(sa.String(64))
    username: Mapped[str | None] = mapped_column(sa.String(254))
    cursor: Mapped[int] = mapped_column(default=0)
    last_attempt_at: Mapped[datetime | None]
    last_sync_at: Mapped[datetime | None]  # last sync that finished without an error
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    last_counts: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SyncRecord(Base):
    """The server's copy of a record as last seen (the base of three-way merges), or a marker.

    kinds: car, event, session, lap (base copies), track, track_configuration (shared data), lap_telemetry
    (the server holds a lap's arrays), session_file (the original was uploaded). `pending` = pulled but not
    applied yet because a record it points at has not arrived; applied once it has.
    """

    __tablename__ = "sync_records"

    kind: Mapped[str] = mapped_column(sa.String(24), primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    rev: Mapped[int | None]
    deleted: Mapped[bool] = mapped_column(default=False)
    server_updated_at: Mapped[datetime | None]
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    pending: Mapped[bool] = mapped_column(default=False, index=True)


class LeaderboardCache(Base):
    """A leaderboard page as the server last answered it, for offline viewing."""

    __tablename__ = "leaderboard_cache"

    key: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    configuration_server_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)


class DownloadedLap(Base):
    """A public lap of another driver downloaded from the leaderboard: a read-only session with one lap.

    Such sessions never travel back to the server; deleting one only removes the local copy.
    """

    __tablename__ = "downloaded_laps"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"), unique=True)
    lap_uuid: Mapped[uuid.UUID] = mapped_column(unique=True)
    driver_id: Mapped[str] = mapped_column(sa.String(64))
    driver_name: Mapped[str] = mapped_column(sa.String(200))
    configuration_server_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    entry: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the leaderboard entry (rank, car, provenance)
    downloaded_at: Mapped[datetime] = mapped_column(default=utcnow)

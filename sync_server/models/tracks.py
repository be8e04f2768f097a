"""Tracks and their configurations: shared data, written by admins, pulled by every client."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from sync_server.db import Base, JSONType, utcnow


class Track(Base):
    __tablename__ = "tracks"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(128))
    country: Mapped[str | None] = mapped_column(String(64))
    city: Mapped[str | None] = mapped_column(String(64))
    rev: Mapped[int] = mapped_column(BigInteger, index=True)
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TrackConfiguration(Base):
    """A layout of a track. `version` counts edits so laps can say which definition timed them."""

    __tablename__ = "track_configurations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    track_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    start_finish_lat: Mapped[float]
    start_finish_lon: Mapped[float]
    start_finish_heading_deg: Mapped[float | None]
    gate_width_m: Mapped[float] = mapped_column(default=60.0)
    num_sectors: Mapped[int] = mapped_column(default=3)
    sector_gates: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    length_m: Mapped[float | None]
    # Numbered in driving order, distances along the lap they were found on (racetrace_desktop.telemetry.corners).
    corners: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list, server_default="[]")
    is_default: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    rev: Mapped[int] = mapped_column(BigInteger, index=True)
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

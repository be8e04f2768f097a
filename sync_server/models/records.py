"""A driver's own synced records. Ids are the client's UUIDs; `rev` is the server revision of the last write."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sync_server.db import Base, JSONType, utcnow


class Car(Base):
    __tablename__ = "cars"
    __table_args__ = (Index("ix_cars_owner_rev", "owner_id", "rev"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    make: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(64))
    year: Mapped[int | None]
    category: Mapped[str | None] = mapped_column(String(64))
    drivetrain: Mapped[str | None] = mapped_column(String(16))
    power_hp: Mapped[float | None]
    weight_kg: Mapped[float | None]
    engine_cc: Mapped[int | None]
    notes: Mapped[str | None] = mapped_column(Text)
    rev: Mapped[int] = mapped_column(BigInteger)
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_owner_rev", "owner_id", "rev"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    event_date: Mapped[date | None]
    location: Mapped[str | None] = mapped_column(String(128))
    notes: Mapped[str | None] = mapped_column(Text)
    rev: Mapped[int] = mapped_column(BigInteger)
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DrivingSession(Base):
    """A recording (one logger file). Same file (SHA-256) for the same owner = the same session."""

    __tablename__ = "sessions"
    __table_args__ = (
        Index("ix_sessions_owner_rev", "owner_id", "rev"),
        UniqueConstraint("owner_id", "file_sha256", name="uq_sessions_owner_file"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    track_configuration_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("track_configurations.id", ondelete="SET NULL"), index=True
    )
    track_configuration_version: Mapped[int | None]  # the configuration version the laps were timed with
    car_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cars.id", ondelete="SET NULL"), index=True)
    event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    session_type: Mapped[str | None] = mapped_column(String(32))
    notes: Mapped[str | None] = mapped_column(Text)
    is_public: Mapped[bool] = mapped_column(default=False)
    recorded_at: Mapped[datetime | None]
    recorded_at_local: Mapped[str | None] = mapped_column(String(32))  # naive wall-clock ISO text
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    format_name: Mapped[str | None] = mapped_column(String(64))
    app_version: Mapped[str | None] = mapped_column(String(64))
    device: Mapped[str | None] = mapped_column(String(128))
    os_name: Mapped[str | None] = mapped_column(String(64))
    os_version: Mapped[str | None] = mapped_column(String(64))
    gps_source: Mapped[str | None] = mapped_column(String(128))
    obd_adapter: Mapped[str | None] = mapped_column(String(128))
    vehicle_hint: Mapped[str | None] = mapped_column(String(128))
    gps_rate_hz: Mapped[float | None]
    row_count: Mapped[int | None]
    duration_s: Mapped[float | None]
    theoretical_best_ms: Mapped[int | None]
    rev: Mapped[int] = mapped_column(BigInteger)
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Lap(Base):
    __tablename__ = "laps"
    __table_args__ = (Index("ix_laps_owner_rev", "owner_id", "rev"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lap_number: Mapped[int]
    lap_time_ms: Mapped[int | None]
    time_source: Mapped[str | None] = mapped_column(String(16))
    gps_time_ms: Mapped[int | None]
    is_outlap: Mapped[bool] = mapped_column(default=False)
    is_inlap: Mapped[bool] = mapped_column(default=False)
    is_pit: Mapped[bool] = mapped_column(default=False)
    is_valid: Mapped[bool] = mapped_column(default=True)
    invalid_reason: Mapped[str | None] = mapped_column(String(200))
    length_m: Mapped[float | None]
    sector_times_ms: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    stats: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    is_public: Mapped[bool] = mapped_column(default=False)
    # Why the lap cannot be real (e.g. faster than the configuration's length allows): stored, kept off the board.
    implausible_reason: Mapped[str | None] = mapped_column(String(200))
    rev: Mapped[int] = mapped_column(BigInteger)
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

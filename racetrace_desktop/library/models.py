"""The tables of the local library. Only racetrace_desktop.library imports this module's SQL side."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from racetrace_desktop.library.base import (
    Base,
    Origin,
    SessionType,
    SyncMixin,
    TimeSource,
    TimestampMixin,
    enum_column,
    utcnow,
)

__all__ = [
    "Car", "ConfigurationCorners", "Event", "Lap", "LapChannel", "SessionRow", "SourceFile", "Track",
    "TrackConfiguration",
]


class Track(TimestampMixin, Base):
    """A circuit. Local tracks are created by imports; server tracks are cached copies (read-only here)."""

    __tablename__ = "tracks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    country: Mapped[str | None] = mapped_column(sa.String(100))
    city: Mapped[str | None] = mapped_column(sa.String(100))
    origin: Mapped[Origin] = mapped_column(enum_column(Origin, "origin"), default=Origin.LOCAL)
    server_id: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    configurations: Mapped[list[TrackConfiguration]] = relationship(
        back_populates="track", cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )


class TrackConfiguration(TimestampMixin, Base):
    """One layout of a track: the start/finish gate and sectors that analysis uses."""

    __tablename__ = "track_configurations"

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(sa.ForeignKey("tracks.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    start_lat: Mapped[float]
    start_lon: Mapped[float]
    start_heading_deg: Mapped[float | None]  # None = direction unknown, analysis derives it from the GPS path
    gate_width_m: Mapped[float] = mapped_column(default=60.0)
    num_sectors: Mapped[int] = mapped_column(default=3)
    sector_gates: Mapped[list[Any]] = mapped_column(default=list)  # [[lat, lon, heading|null], ...]
    length_m: Mapped[float | None]
    version: Mapped[int] = mapped_column(default=1)  # bumped on every edit of the gate or sectors
    origin: Mapped[Origin] = mapped_column(enum_column(Origin, "origin"), default=Origin.LOCAL)
    server_id: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    track: Mapped[Track] = relationship(back_populates="configurations", lazy="raise")


class ConfigurationCorners(Base):
    """The corners of a configuration, once detected or given by the server (one row per configuration)."""

    __tablename__ = "configuration_corners"

    configuration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("track_configurations.id", ondelete="CASCADE"), primary_key=True
    )
    # [{number, name, direction, start_m, apex_m, end_m, apex_lat, apex_lon, lap_length_m}] (telemetry.corners)
    corners: Mapped[list[Any]] = mapped_column(default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Car(SyncMixin, Base):
    __tablename__ = "cars"

    id: Mapped[int] = mapped_column(primary_key=True)
    make: Mapped[str] = mapped_column(sa.String(100), default="")
    model: Mapped[str] = mapped_column(sa.String(100), default="")
    year: Mapped[int | None]
    category: Mapped[str | None] = mapped_column(sa.String(100))
    drivetrain: Mapped[str | None] = mapped_column(sa.String(20))
    power_hp: Mapped[float | None]
    weight_kg: Mapped[float | None]
    engine_cc: Mapped[int | None]
    notes: Mapped[str] = mapped_column(sa.Text, default="")


class Event(SyncMixin, Base):
    """A day or meeting that groups sessions (a track day, a race weekend)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    event_date: Mapped[date | None]
    notes: Mapped[str] = mapped_column(sa.Text, default="")


class SessionRow(SyncMixin, Base):
    """One imported recording (one original file). Named SessionRow to keep it apart from the ORM Session."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    track_configuration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("track_configurations.id", ondelete="SET NULL"), index=True
    )
    car_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cars.id", ondelete="SET NULL"), index=True)
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id", ondelete="SET NULL"), index=True)
    session_type: Mapped[SessionType] = mapped_column(
        enum_column(SessionType, "session_type"), default=SessionType.PRACTICE
    )
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    is_public: Mapped[bool] = mapped_column(default=False)
    recorded_at_utc: Mapped[datetime | None] = mapped_column(index=True)
    recorded_at_local: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=False))  # wall clock, naive
    # The same file imported on two devices is one session: the SHA-256 of the original is an identity too.
    source_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The recording whatever its bytes (store.recording_key: BOM and line endings normalised), so the same file
    # saved again with CRLF is a duplicate. Not unique: older libraries may already hold such copies.
    recording_key: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    source_name: Mapped[str] = mapped_column(sa.String(500))
    format_name: Mapped[str] = mapped_column(sa.String(50))
    app_version: Mapped[str | None] = mapped_column(sa.String(50))
    os_name: Mapped[str | None] = mapped_column(sa.String(50))
    os_version: Mapped[str | None] = mapped_column(sa.String(50))
    device: Mapped[str | None] = mapped_column(sa.String(200))
    vehicle: Mapped[str | None] = mapped_column(sa.String(200))
    vehicle_tune: Mapped[str | None] = mapped_column(sa.String(500))
    gps_source: Mapped[str | None] = mapped_column(sa.String(100))
    obd_adapter: Mapped[str | None] = mapped_column(sa.String(200))
    units: Mapped[str] = mapped_column(sa.String(10), default="metric")
    file_metadata: Mapped[dict[str, Any]] = mapped_column(default=dict)  # start/finish, split points, extra lines
    row_count: Mapped[int] = mapped_column(default=0)
    duration_s: Mapped[float] = mapped_column(default=0.0)
    gps_rate_hz: Mapped[float | None]
    theoretical_best_ms: Mapped[int | None]
    sector_boundaries_m: Mapped[list[Any]] = mapped_column(default=list)
    analysis_warnings: Mapped[list[Any]] = mapped_column(default=list)
    configuration_version: Mapped[int | None]  # the configuration version the laps were computed with

    laps: Mapped[list[Lap]] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )


class Lap(SyncMixin, Base):
    __tablename__ = "laps"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Not unique with `number`: a synced lap that a re-lap dropped stays as a tombstone beside its successor.
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    lap_time_ms: Mapped[int | None]
    time_source: Mapped[TimeSource] = mapped_column(enum_column(TimeSource, "time_source"))
    gps_time_ms: Mapped[int | None]
    start_s: Mapped[float]
    end_s: Mapped[float | None]
    row_start: Mapped[int]
    row_end: Mapped[int]
    is_outlap: Mapped[bool] = mapped_column(default=False)
    is_inlap: Mapped[bool] = mapped_column(default=False)
    is_pit: Mapped[bool] = mapped_column(default=False)
    is_valid: Mapped[bool] = mapped_column(default=True)  # as computed by analysis
    invalid_reason: Mapped[str | None] = mapped_column(sa.String(200))
    valid_override: Mapped[bool | None]  # the driver's verdict; wins over is_valid when set
    override_reason: Mapped[str | None] = mapped_column(sa.String(500))
    sector_times_ms: Mapped[list[Any]] = mapped_column(default=list)
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)
    length_m: Mapped[float | None]
    is_public: Mapped[bool] = mapped_column(default=False)

    session: Mapped[SessionRow] = relationship(back_populates="laps", lazy="raise")


class LapChannel(Base):
    """One array of one lap, encoded (see library/arrays.py). role 'axis' = time/distance/lat/lon/gps_fix."""

    __tablename__ = "lap_channels"
    __table_args__ = (sa.UniqueConstraint("lap_id", "role", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lap_id: Mapped[int] = mapped_column(sa.ForeignKey("laps.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(sa.String(8))
    key: Mapped[str] = mapped_column(sa.String(100))
    label: Mapped[str] = mapped_column(sa.String(200), default="")
    unit: Mapped[str] = mapped_column(sa.String(20), default="")
    display_unit: Mapped[str] = mapped_column(sa.String(20), default="")
    source: Mapped[str] = mapped_column(sa.String(20), default="file")
    encoding: Mapped[str] = mapped_column(sa.String(20))
    compression: Mapped[str] = mapped_column(sa.String(10))
    sample_count: Mapped[int]
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)


class SourceFile(Base):
    """The original file, compressed, so laps can be recomputed and re-imports detected."""

    __tablename__ = "source_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"), unique=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(500))
    size_bytes: Mapped[int]
    compression: Mapped[str] = mapped_column(sa.String(10))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

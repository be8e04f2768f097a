"""Read models: the plain records the library repositories hand back (frozen dataclasses, no SQLAlchemy)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from racetrace_desktop.telemetry.model import ChannelInfo, GeoPoint, LapData, TrackDefinition


@dataclass(frozen=True)
class ConfigurationRecord:
    id: int
    track_id: int
    track_name: str
    name: str
    start_lat: float
    start_lon: float
    start_heading_deg: float | None
    gate_width_m: float
    num_sectors: int
    sector_gates: tuple[tuple[float, float, float | None], ...]
    length_m: float | None
    version: int
    origin: str  # "local" (editable) or "server" (read-only cache)
    server_id: str | None
    session_count: int = 0

    @property
    def editable(self) -> bool:
        return self.origin == "local"

    def definition(self) -> TrackDefinition:
        """What analysis needs to lap a session on this configuration."""
        return TrackDefinition(
            start_finish=GeoPoint(self.start_lat, self.start_lon, self.start_heading_deg),
            num_sectors=self.num_sectors,
            gate_width_m=self.gate_width_m,
            sector_gates=tuple(GeoPoint(lat, lon, heading) for lat, lon, heading in self.sector_gates),
        )


@dataclass(frozen=True)
class TrackRecord:
    id: int
    name: str
    country: str | None
    city: str | None
    origin: str
    server_id: str | None
    configurations: tuple[ConfigurationRecord, ...] = ()


@dataclass(frozen=True)
class CarRecord:
    uuid: UUID
    make: str
    model: str
    year: int | None = None
    category: str | None = None
    drivetrain: str | None = None
    power_hp: float | None = None
    weight_kg: float | None = None
    engine_cc: int | None = None
    notes: str = ""
    updated_at: datetime | None = None

    @property
    def display_name(self) -> str:
        parts = [str(self.year) if self.year else "", self.make, self.model]
        return " ".join(part for part in parts if part) or "Unnamed car"


@dataclass(frozen=True)
class EventRecord:
    uuid: UUID
    name: str
    event_date: date | None = None
    notes: str = ""
    updated_at: datetime | None = None


@dataclass(frozen=True)
class SessionSummary:
    """One row of the library list."""

    uuid: UUID
    source_name: str
    track_id: int | None
    track_name: str | None
    configuration_id: int | None
    configuration_name: str | None
    car_uuid: UUID | None
    car_name: str | None
    event_uuid: UUID | None
    event_name: str | None
    session_type: str
    recorded_at_utc: datetime | None
    recorded_at_local: datetime | None
    vehicle: str | None
    lap_count: int
    timed_lap_count: int
    best_lap_ms: int | None
    is_public: bool
    fastest_full_lap_ms: int | None = None  # fastest timed lap that is not an out-/in-lap, valid or not

    @property
    def day(self) -> date | None:
        """The calendar day the driver remembers: local wall clock when the file tells it, else UTC."""
        moment = self.recorded_at_local or self.recorded_at_utc
        return moment.date() if moment else None


@dataclass(frozen=True)
class SessionRef:
    """Enough to find a stored session again inside the same unit of work (the id is local, never synced)."""

    id: int
    uuid: UUID
    source_name: str
    configuration_id: int | None


@dataclass(frozen=True)
class SessionGroup:
    """Sessions of one track on one day, as the library panel shows them."""

    track_name: str
    day: date | None
    sessions: tuple[SessionSummary, ...]


@dataclass(frozen=True)
class SessionDetail:
    summary: SessionSummary
    notes: str
    format_name: str
    app_version: str | None
    os_name: str | None
    os_version: str | None
    device: str | None
    vehicle_tune: str | None
    gps_source: str | None
    obd_adapter: str | None
    units: str
    row_count: int
    duration_s: float
    gps_rate_hz: float | None
    theoretical_best_ms: int | None
    sector_boundaries_m: tuple[float, ...]
    warnings: tuple[str, ...]
    file_metadata: dict[str, Any]
    source_sha256: str
    source_size_bytes: int | None
    configuration_version: int | None
    updated_at: datetime
    dirty: bool
    server_rev: int | None


@dataclass(frozen=True)
class LapRecord:
    uuid: UUID
    session_uuid: UUID
    number: int
    lap_time_ms: int | None
    time_source: str
    gps_time_ms: int | None
    start_s: float
    end_s: float | None
    row_count: int
    is_outlap: bool
    is_inlap: bool
    is_pit: bool
    is_valid: bool  # effective: the driver's override when set, else the analysis verdict
    invalid_reason: str | None  # effective reason shown to the user
    computed_valid: bool
    computed_reason: str | None
    valid_override: bool | None
    override_reason: str | None
    sector_times_ms: tuple[int | None, ...]
    stats: dict[str, float | None]
    length_m: float | None
    is_public: bool


@dataclass
class LoadedLap:
    """A lap's arrays as stored, ready for plots and compare."""

    lap: LapRecord
    data: LapData
    channel_info: dict[str, ChannelInfo] = field(default_factory=dict)

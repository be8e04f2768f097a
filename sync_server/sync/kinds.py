"""The synced record kinds: their wire schemas (the `data` of a record) and how they map to tables.

These schemas are the contract with the desktop client. Unknown fields are refused so a typo never silently
drops data; floats must be finite.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from sync_server.db import Base
from sync_server.models import Car, DrivingSession, Event, Lap

SHA256_PATTERN = r"^[0-9a-f]{64}$"
DAY_MS = 24 * 60 * 60 * 1000


def _to_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:  # e.g. 0001-01-01T00:00+05:00 is before year 1 in UTC
        raise ValueError("date and time out of range once converted to UTC (years 1 to 9999)") from exc


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
ShortText = Annotated[str, Field(max_length=128)]
Notes = Annotated[str, Field(max_length=20_000)]


INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1


class RecordData(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, from_attributes=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold NUL; refuse it here so the message names the field.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("text must not contain NUL characters")
        return value


class CarData(RecordData):
    make: str = Field(min_length=1, max_length=64)
    model: str = Field(min_length=1, max_length=64)
    year: int | None = Field(default=None, ge=1885, le=2100)
    category: str | None = Field(default=None, max_length=64, description="Car class used by leaderboard filters")
    drivetrain: str | None = Field(default=None, max_length=16)
    power_hp: float | None = Field(default=None, ge=0, le=10_000)
    weight_kg: float | None = Field(default=None, ge=0, le=100_000)
    engine_cc: int | None = Field(default=None, ge=0, le=100_000)
    notes: Notes | None = None


class EventData(RecordData):
    name: str = Field(min_length=1, max_length=128)
    event_date: date | None = None
    location: ShortText | None = None
    notes: Notes | None = None


class SessionData(RecordData):
    track_configuration_id: uuid.UUID | None = None
    track_configuration_version: int | None = Field(default=None, ge=1, le=INT32_MAX)
    car_id: uuid.UUID | None = None
    event_id: uuid.UUID | None = None
    session_type: str | None = Field(default=None, max_length=32)
    notes: Notes | None = None
    is_public: bool = False
    recorded_at: UtcDatetime | None = None
    recorded_at_local: str | None = Field(default=None, max_length=32, description="Naive local wall-clock ISO")
    file_sha256: str | None = Field(default=None, pattern=SHA256_PATTERN, description="Lower-case hex SHA-256")
    file_name: str | None = Field(default=None, max_length=255)
    file_size: int | None = Field(default=None, ge=0, le=INT64_MAX)
    format_name: str | None = Field(default=None, max_length=64)
    app_version: str | None = Field(default=None, max_length=64)
    device: ShortText | None = None
    os_name: str | None = Field(default=None, max_length=64)
    os_version: str | None = Field(default=None, max_length=64)
    gps_source: ShortText | None = None
    obd_adapter: ShortText | None = None
    vehicle_hint: ShortText | None = None
    gps_rate_hz: float | None = Field(default=None, ge=0, le=1000)
    row_count: int | None = Field(default=None, ge=0, le=INT32_MAX)
    duration_s: float | None = Field(default=None, ge=0, le=1e9)
    theoretical_best_ms: int | None = Field(default=None, ge=0, le=DAY_MS)


class LapData(RecordData):
    session_id: uuid.UUID
    lap_number: int = Field(ge=0, le=100_000)
    lap_time_ms: int | None = Field(default=None, ge=1, le=DAY_MS)
    time_source: str | None = Field(default=None, max_length=16)
    gps_time_ms: int | None = Field(default=None, ge=1, le=DAY_MS)
    is_outlap: bool = False
    is_inlap: bool = False
    is_pit: bool = False
    is_valid: bool = True
    invalid_reason: str | None = Field(default=None, max_length=200)
    length_m: float | None = Field(default=None, ge=0, le=1_000_000)
    sector_times_ms: list[Annotated[int, Field(ge=0, le=DAY_MS)] | None] = Field(default_factory=list, max_length=64)
    stats: dict[Annotated[str, Field(max_length=64)], float] = Field(default_factory=dict, max_length=64)
    is_public: bool = False


@dataclass(frozen=True)
class RecordKind:
    name: str
    model: type[Base]
    schema: type[RecordData]
    order: int  # push applies kinds in this order so references resolve
    references: dict[str, str] = field(default_factory=dict)  # data field -> kind it must point to (same owner)

    def data_of(self, row: Any) -> RecordData:
        return self.schema.model_validate(row, from_attributes=True)


CAR = RecordKind("car", Car, CarData, 0)
EVENT = RecordKind("event", Event, EventData, 1)
SESSION = RecordKind("session", DrivingSession, SessionData, 2, {"car_id": "car", "event_id": "event"})
LAP = RecordKind("lap", Lap, LapData, 3, {"session_id": "session"})
KINDS: dict[str, RecordKind] = {kind.name: kind for kind in (CAR, EVENT, SESSION, LAP)}

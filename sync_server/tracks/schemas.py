"""Track and configuration shapes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sync_server.text import TrackName

Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, from_attributes=True)


class _Patch(_Strict):
    """A partial update: omitted fields stay as they are; null is refused where the column needs a value."""

    _required_when_sent: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _no_null_for_required(self) -> _Patch:
        sent = self.model_fields_set
        nulls = [name for name in self._required_when_sent if name in sent and getattr(self, name) is None]
        if nulls:
            raise ValueError(f"{', '.join(nulls)}: may be omitted but not null")
        return self


class GeoPoint(_Strict):
    lat: Latitude
    lon: Longitude
    heading_deg: float | None = Field(default=None, ge=0, lt=360)


Distance = Annotated[float, Field(ge=0, le=100_000)]


class CornerFields(_Strict):
    """A corner, numbered in driving order from the start/finish line; distances along the lap they were found on."""

    number: int = Field(ge=1, le=99)
    name: str = Field(min_length=1, max_length=64)
    direction: Literal["L", "R"]
    start_m: Distance
    apex_m: Distance
    end_m: Distance
    apex_lat: Latitude | None = None
    apex_lon: Longitude | None = None
    lap_length_m: float | None = Field(default=None, gt=0, le=100_000)

    @model_validator(mode="after")
    def _ordered(self) -> CornerFields:
        if not self.start_m <= self.apex_m <= self.end_m:
            raise ValueError(f"corner {self.number}: start_m <= apex_m <= end_m does not hold")
        return self


def _numbered(corners: list[CornerFields] | None) -> list[CornerFields] | None:
    if corners is not None and [c.number for c in corners] != list(range(1, len(corners) + 1)):
        raise ValueError("corners: must be numbered 1, 2, 3... in driving order")
    return corners


class ConfigurationFields(_Strict):
    name: TrackName
    start_finish_lat: Latitude
    start_finish_lon: Longitude
    start_finish_heading_deg: float | None = Field(default=None, ge=0, lt=360)
    gate_width_m: float = Field(default=60.0, gt=0, le=1000)
    num_sectors: int = Field(default=3, ge=1, le=32)
    sector_gates: list[GeoPoint] = Field(default_factory=list, max_length=31)
    length_m: float | None = Field(default=None, gt=0, le=100_000)
    is_default: bool = False
    corners: list[CornerFields] = Field(default_factory=list, max_length=99)

    @model_validator(mode="after")
    def _corners_numbered(self) -> ConfigurationFields:
        _numbered(self.corners)
        return self


class ConfigurationUpdate(_Patch):
    _required_when_sent = (
        "name", "start_finish_lat", "start_finish_lon", "gate_width_m", "num_sectors", "sector_gates", "is_default",
        "corners",
    )

    name: TrackName | None = None
    start_finish_lat: Latitude | None = None
    start_finish_lon: Longitude | None = None
    start_finish_heading_deg: float | None = Field(default=None, ge=0, lt=360)
    gate_width_m: float | None = Field(default=None, gt=0, le=1000)
    num_sectors: int | None = Field(default=None, ge=1, le=32)
    sector_gates: list[GeoPoint] | None = Field(default=None, max_length=31)
    length_m: float | None = Field(default=None, gt=0, le=100_000)
    is_default: bool | None = None
    corners: list[CornerFields] | None = Field(default=None, max_length=99)

    @model_validator(mode="after")
    def _corners_numbered(self) -> ConfigurationUpdate:
        _numbered(self.corners)
        return self


class ConfigurationOut(ConfigurationFields):
    model_config = ConfigDict(extra="ignore", from_attributes=True)

    id: uuid.UUID
    track_id: uuid.UUID
    version: int = Field(description="Incremented on every edit; laps record the version that timed them")
    rev: int
    updated_at: datetime


class TrackFields(_Strict):
    name: TrackName
    country: str | None = Field(default=None, max_length=64)
    city: str | None = Field(default=None, max_length=64)


class TrackCreate(TrackFields):
    configurations: list[ConfigurationFields] = Field(default_factory=list, max_length=32)


class TrackUpdate(_Patch):
    _required_when_sent = ("name",)

    name: TrackName | None = None
    country: str | None = Field(default=None, max_length=64)
    city: str | None = Field(default=None, max_length=64)


class TrackOut(TrackFields):
    model_config = ConfigDict(extra="ignore", from_attributes=True)

    id: uuid.UUID
    rev: int
    updated_at: datetime
    configurations: list[ConfigurationOut]


def track_data(row: Any) -> dict[str, Any]:
    return TrackFields.model_validate(row).model_dump(mode="json")


def configuration_data(row: Any) -> dict[str, Any]:
    data = ConfigurationFields.model_validate(row).model_dump(mode="json")
    return {**data, "track_id": str(row.track_id), "version": row.version}

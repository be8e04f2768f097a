"""Plain data shapes passed between the telemetry stages.

reader (formats/) -> RawSession -> analysis (session.analyse) -> AnalysedSession -> library / compare.

All values are SI internally (m, m/s, s, Pa, degrees Celsius, g for accelerations, % for throttle);
`ChannelInfo.display_unit` remembers the unit the file used so the UI can show it back.
Missing samples are NaN, never a sentinel such as 0 or -1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np


@dataclass(frozen=True)
class GeoPoint:
    """A WGS84 position, optionally with the direction of travel (degrees, None = unknown)."""

    lat: float
    lon: float
    heading_deg: float | None = None


@dataclass(frozen=True)
class ChannelInfo:
    """What a channel is. `key` is stable across files (e.g. "speed", "rpm", "throttle")."""

    key: str
    label: str
    unit: str  # SI unit of the stored values, e.g. "m/s"
    display_unit: str  # unit used in the source file, e.g. "km/h" or "mph"
    source: str = "file"  # "gps", "obd", "accelerometer", "derived", "file"


@dataclass
class SessionMetadata:
    """Everything the file tells about the recording besides the samples."""

    source_name: str  # file name as given by the user
    format_name: str  # e.g. "TrackAddict"
    app_version: str | None = None
    os_name: str | None = None
    os_version: str | None = None
    device: str | None = None
    vehicle: str | None = None
    vehicle_tune: str | None = None
    start_finish: GeoPoint | None = None  # "# End Point" or inline "# Start Point"
    split_points: list[GeoPoint] = field(default_factory=list)
    gps_source: str | None = None
    obd_adapter: str | None = None
    units: str = "metric"  # "metric" or "imperial": the user's display preference in the file
    session_start_utc: datetime | None = None  # aware, UTC
    local_start: datetime | None = None  # naive local wall-clock time, from the file name
    track_name: str | None = None  # from the file name
    best_lap_ms: int | None = None  # from the file name
    extra: dict[str, str] = field(default_factory=dict)  # any other "# Key: value" preamble line
    mode: str | None = None  # "(Mode: 0)" of the first line; meaning undocumented
    device_free_space_mb: int | None = None  # "# Device Free Space: 23784 MB"
    app_name: str | None = None  # the app or software that wrote the file ("RaceChrono Pro", "Race Studio 3")
    logger: str | None = None  # the GPS / data logger hardware ("RaceBox Mini", "VBOX 3i"), when named
    driver: str | None = None


@dataclass(frozen=True)
class LapMarker:
    """A stated lap time ("# Lap N: hh:mm:ss.mmm")."""

    lap_number: int
    duration_ms: int
    row_index: int  # index of the first data row after the comment line
    line_no: int  # 1-based line number in the file (-1 when the lap comes from a column or beacon list)
    time_source: str = "stated"  # Lap.time_source of the lap: "stated", "beacon", "lap_column"


@dataclass(frozen=True)
class DataEvent:
    """Any other comment line inside the data: pit lane entry/exit, sector times, start point, session end."""

    kind: str  # "pit_entry", "pit_exit", "sector", "start_point", "session_end", "other"
    row_index: int
    line_no: int
    text: str
    duration_ms: int | None = None  # for "sector"
    number: int | None = None  # sector number


@dataclass
class RawSession:
    """A parsed file: one entry per data row in every array."""

    metadata: SessionMetadata
    time_s: np.ndarray  # float64, seconds since recording start (may repeat, never decreases)
    utc_s: np.ndarray | None  # float64 Unix epoch seconds, None for files without it
    lap_column: np.ndarray | None  # int32 lap number per row as written by the logger
    gps_fix: np.ndarray  # bool, True on rows carrying a new GPS fix
    lat: np.ndarray  # float64 degrees, held between fixes, NaN where unknown
    lon: np.ndarray
    channels: dict[str, np.ndarray]  # key -> float64 SI values, NaN = missing
    channel_info: dict[str, ChannelInfo]
    lap_markers: list[LapMarker] = field(default_factory=list)
    events: list[DataEvent] = field(default_factory=list)
    obd_update: np.ndarray | None = None  # bool, True on rows carrying new OBD data; None without an OBD block
    warnings: list[str] = field(default_factory=list)  # import went through but the user should know

    @property
    def row_count(self) -> int:
        return int(self.time_s.shape[0])


@dataclass(frozen=True)
class TrackDefinition:
    """What analysis needs to know about a track configuration."""

    start_finish: GeoPoint
    num_sectors: int = 3
    gate_width_m: float = 60.0
    sector_gates: tuple[GeoPoint, ...] = ()  # optional explicit gates; else equal-length sectors


@dataclass
class LapData:
    """Per-row arrays of one lap, as stored in the library and consumed by compare."""

    time_s: np.ndarray  # float64, seconds since this lap's start crossing
    distance_m: np.ndarray  # float64, metres since this lap's start crossing
    lat: np.ndarray
    lon: np.ndarray
    gps_fix: np.ndarray  # bool
    channels: dict[str, np.ndarray]

    @property
    def row_count(self) -> int:
        return int(self.time_s.shape[0])


@dataclass
class Lap:
    number: int
    lap_time_ms: int | None  # None for an untimed (in-)lap
    time_source: str  # "stated" (lap line, trap), "beacon" (AiM), "lap_column", "gps" (line crossing), "none"
    start_s: float  # session time of the start crossing
    end_s: float | None  # session time of the end crossing
    row_start: int  # rows [row_start, row_end) of the session belong to this lap
    row_end: int
    is_outlap: bool = False
    is_inlap: bool = False
    is_pit: bool = False
    is_valid: bool = True
    invalid_reason: str | None = None
    approximate_time: bool = False  # timed from the row where the Lap column changes, up to ~1 s late
    length_m: float | None = None
    sector_times_ms: list[int | None] = field(default_factory=list)
    stats: dict[str, float] = field(default_factory=dict)  # max_speed, avg_speed, ... (SI)
    gps_time_ms: int | None = None  # lap time from the GPS crossing when both exist
    data: LapData | None = None


@dataclass
class AnalysedSession:
    raw: RawSession
    laps: list[Lap]
    sector_boundaries_m: list[float]  # distances from the start line where sectors end (last = lap length)
    theoretical_best_ms: int | None
    warnings: list[str] = field(default_factory=list)

    @property
    def best_lap(self) -> Lap | None:
        timed = [lap for lap in self.laps if lap.lap_time_ms is not None and lap.is_valid]
        return min(timed, key=lambda lap: lap.lap_time_ms or 0) if timed else None

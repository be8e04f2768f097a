"""A small fake file format for the library tests, plus table dumps.

The fake format lets the import machinery be tested without depending on the real reader and analysis: a fake
file is JSON describing a session on a circular track; `fake_reader` turns it into a RawSession and
`fake_analyser` laps it from its stated lap times, honouring the TrackDefinition's number of sectors.
Real TrackAddict samples are imported through the real reader and analysis in test_library_samples.py.
"""

from __future__ import annotations

import json
import math
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from racetrace_desktop.library import Library
from racetrace_desktop.telemetry.errors import TelemetryFormatError
from racetrace_desktop.telemetry.model import (
    AnalysedSession,
    ChannelInfo,
    GeoPoint,
    Lap,
    LapData,
    LapMarker,
    RawSession,
    SessionMetadata,
    TrackDefinition,
)

EARTH_RADIUS_M = 6_371_000.0
TRACK_RADIUS_M = 300.0


def fake_file(path: Path, **params: Any) -> Path:
    """Write a fake telemetry file. Params: lap_times_ms, start (lat, lon) or None, track_name, seed, error, ..."""
    defaults: dict[str, Any] = {"lap_times_ms": [95000, 61234, 60876], "start": [51.99907, 13.68830], "seed": 0}
    path.write_text(json.dumps({**defaults, **params}))
    return path


def _circle(center_lat: float, center_lon: float, angle: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    north = TRACK_RADIUS_M * np.cos(angle)
    east = TRACK_RADIUS_M * np.sin(angle)
    lat = center_lat + np.degrees(north / EARTH_RADIUS_M)
    lon = center_lon + np.degrees(east / (EARTH_RADIUS_M * math.cos(math.radians(center_lat))))
    return lat, lon


def fake_reader(data: bytes, name: str) -> RawSession:
    try:
        params = json.loads(data)
    except ValueError:
        raise TelemetryFormatError(name, "not a fake telemetry file", 1) from None
    if "error" in params:
        raise TelemetryFormatError(name, params["error"], params.get("line"))
    return _raw_session(params, name)


def _raw_session(params: dict[str, Any], name: str) -> RawSession:
    hz, in_lap_s = 20, 20.0
    lap_times = [int(t) for t in params["lap_times_ms"]]
    duration = sum(lap_times) / 1000 + in_lap_s
    time_s = np.round(np.arange(0.0, duration, 1 / hz), 3)
    rng = np.random.default_rng(params["seed"])
    start = params.get("start")
    center = start if start else params.get("path_center", [45.0, 7.0])
    angle = 2 * np.pi * time_s / 60.0
    lat, lon = _circle(center[0] - np.degrees(TRACK_RADIUS_M / EARTH_RADIUS_M), center[1], angle)
    gps_fix = np.zeros(time_s.size, dtype=bool)
    gps_fix[::hz] = True
    speed = 31.4 + rng.normal(0, 0.5, time_s.size)
    rpm = 5000 + 1000 * np.sin(angle * 3) + rng.normal(0, 20, time_s.size)
    crossings = np.cumsum(lap_times) / 1000
    markers = [
        LapMarker(number, ms, int(np.searchsorted(time_s, cross)), 10 + number)
        for number, (ms, cross) in enumerate(zip(lap_times, crossings, strict=True))
    ]
    meta = SessionMetadata(
        source_name=name, format_name="FakeFormat", app_version="1.0", device="Test Phone",
        start_finish=GeoPoint(start[0], start[1], None) if start else None, track_name=params.get("track_name"),
        session_start_utc=datetime(2024, 6, 1, 9, 0, params["seed"] % 60, tzinfo=UTC),
        local_start=datetime(2024, 6, 1, 11, 0, params["seed"] % 60), vehicle=params.get("vehicle"),
    )  # fmt: skip
    infos = {
        "speed": ChannelInfo("speed", "Speed", "m/s", "km/h", "gps"),
        "rpm": ChannelInfo("rpm", "Engine Speed", "rpm", "rpm", "obd"),
    }
    return RawSession(
        meta, time_s, time_s + 1.7e9, np.zeros(time_s.size, np.int32), gps_fix, lat, lon,
        {"speed": speed, "rpm": rpm}, infos, markers,
    )  # fmt: skip


def fake_analyser(raw: RawSession, track: TrackDefinition | None) -> AnalysedSession:
    """Laps from the stated times; sectors split each lap's time equally into track.num_sectors parts."""
    sectors = track.num_sectors if track else 3
    bounds = [0.0, *(raw.time_s[0] + np.cumsum([m.duration_ms for m in raw.lap_markers]) / 1000)]
    laps = []
    for number, start_s in enumerate(bounds):
        stated = raw.lap_markers[number].duration_ms if number < len(raw.lap_markers) else None
        end_s = start_s + stated / 1000 if stated else None
        laps.append(_lap(raw, number, start_s, end_s, stated, sectors))
    laps[0].is_outlap, laps[0].is_valid, laps[0].invalid_reason = True, False, "out-lap"
    laps[-1].is_inlap, laps[-1].is_valid, laps[-1].invalid_reason = True, False, "in-lap"
    timed = [lap for lap in laps if lap.is_valid and lap.lap_time_ms]
    best_sectors = [min(lap.sector_times_ms[i] for lap in timed) for i in range(sectors)] if timed else []
    return AnalysedSession(raw, laps, [], sum(best_sectors) if timed else None, ["fake analysis"])


def _lap(raw: RawSession, number: int, start_s: float, end_s: float | None, ms: int | None, sectors: int) -> Lap:
    row_start = int(np.searchsorted(raw.time_s, start_s))
    row_end = int(np.searchsorted(raw.time_s, end_s)) if end_s is not None else raw.row_count
    rows = slice(row_start, row_end)
    time_s = raw.time_s[rows] - start_s
    distance = np.cumsum(raw.channels["speed"][rows] / 20)
    data = LapData(time_s, distance, raw.lat[rows], raw.lon[rows], raw.gps_fix[rows],
                   {key: values[rows] for key, values in raw.channels.items()})  # fmt: skip
    split = [ms // sectors] * (sectors - 1) + [ms - (ms // sectors) * (sectors - 1)] if ms else []
    return Lap(
        number=number, lap_time_ms=ms, time_source="stated" if ms else "none", start_s=start_s, end_s=end_s,
        row_start=row_start, row_end=row_end, length_m=float(distance[-1]) if distance.size else None,
        sector_times_ms=split, stats={"max_speed": float(np.max(raw.channels["speed"][rows])), "nan": math.nan},
        data=data,
    )  # fmt: skip


def table_dump(library: Library) -> list[str]:
    """Every row of every table as SQL text, read through a separate plain sqlite3 connection."""
    connection = sqlite3.connect(library.path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def row_counts(library: Library) -> dict[str, int]:
    connection = sqlite3.connect(library.path)
    try:
        tables = [r[0] for r in connection.execute("select name from sqlite_master where type='table'")]
        counts = {table: connection.execute(f'select count(*) from "{table}"').fetchone()[0] for table in tables}  # noqa: S608 - names come from sqlite_master
        return counts
    finally:
        connection.close()

"""What the non-TrackAddict readers share: canonical channels in SI units, held sensor values, lap markers.

Each reader maps its own column names onto the keys below (the keys the app plots, shared with the TrackAddict
reader), converts the file's unit to SI and keeps that unit as the display unit. Columns no table knows are
kept as channels keyed by a slug of their name, values as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from racetrace_desktop.telemetry import units
from racetrace_desktop.telemetry.formats.trackaddict_columns import slug
from racetrace_desktop.telemetry.geo import haversine_m
from racetrace_desktop.telemetry.model import ChannelInfo, GeoPoint, LapMarker, RawSession

LAP_COLUMN = "lap_column"  # lap time = row time where the file's lap number changes (one sample interval)
BEACON = "beacon"  # lap time = difference of the logger's beacon markers (AiM, exact to the ms)
STATED = "stated"  # lap time stated by the logger (TrackAddict lap lines, RaceChrono traps)


@dataclass(frozen=True)
class Canonical:
    label: str
    unit: str  # SI unit of the stored values
    source: str


CANONICAL: dict[str, Canonical] = {
    "speed": Canonical("Speed", "m/s", "gps"),
    "obd_speed": Canonical("Vehicle speed (OBD)", "m/s", "obd"),
    "altitude": Canonical("Altitude", "m", "gps"),
    "heading": Canonical("Heading", "deg", "gps"),
    "gps_accuracy": Canonical("GPS accuracy", "m", "gps"),
    "satellites": Canonical("Satellites", "", "gps"),
    "long_g": Canonical("Longitudinal acceleration", "g", "accelerometer"),
    "lat_g": Canonical("Lateral acceleration", "g", "accelerometer"),
    "accel_x": Canonical("Accel X", "g", "accelerometer"),
    "accel_y": Canonical("Accel Y", "g", "accelerometer"),
    "accel_z": Canonical("Accel Z", "g", "accelerometer"),
    "gyro_x": Canonical("Rotation rate X", "deg/s", "gyroscope"),
    "gyro_y": Canonical("Rotation rate Y", "deg/s", "gyroscope"),
    "gyro_z": Canonical("Rotation rate Z", "deg/s", "gyroscope"),
    "rpm": Canonical("Engine speed", "rpm", "obd"),
    "throttle": Canonical("Throttle position", "%", "obd"),
    "brake": Canonical("Brake", "%", "obd"),
    "gear": Canonical("Gear", "", "obd"),
    "coolant_temp": Canonical("Coolant temperature", "C", "obd"),
    "intake_temp": Canonical("Intake air temperature", "C", "obd"),
    "manifold_pressure": Canonical("Intake manifold pressure", "Pa", "obd"),
    "distance": Canonical("Distance", "m", "gps"),
    "lean_angle": Canonical("Lean angle", "deg", "derived"),
}


def channel(key: str, values: np.ndarray, file_unit: str, label: str | None = None,
            source: str | None = None) -> tuple[ChannelInfo, np.ndarray]:
    """ChannelInfo and SI values for `values` written in `file_unit` ("" = as the canonical unit)."""
    known = CANONICAL.get(key)
    unit = units.lookup(file_unit) if file_unit else None
    if unit is not None:
        si_values, stored, shown = unit.to_si(values), unit.si_symbol, unit.symbol
    else:
        si_values, stored = values, (known.unit if known and not file_unit else file_unit)
        shown = stored
    info = ChannelInfo(key, label or (known.label if known else key), stored, shown,
                       source or (known.source if known else "file"))
    return info, np.asarray(si_values, dtype=np.float64)


def add_channel(session: RawSession, key: str, values: np.ndarray, file_unit: str, label: str | None = None,
                source: str | None = None) -> None:
    """Add a channel, numbering the key when it is already taken (the same quantity from two sources)."""
    unique, number = key, 1
    while unique in session.channels:
        number += 1
        unique = f"{key}_{number}"
    info, si_values = channel(key, values, file_unit, label, source)
    if unique != key:
        info = ChannelInfo(unique, f"{info.label} ({number})", info.unit, info.display_unit, info.source)
    session.channels[unique] = si_values
    session.channel_info[unique] = info


def other_key(name: str, column: int) -> str:
    return slug(name) or f"column_{column + 1}"


def hold(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values held from their last update (NaN before the first) and the rows that carried an update."""
    updated = np.isfinite(values)
    if updated.all():
        return values, updated
    last = np.maximum.accumulate(np.where(updated, np.arange(values.size), -1))
    held = values[np.maximum(last, 0)]
    held[last < 0] = np.nan
    return held, updated


def markers_from_boundaries(time_s: np.ndarray, boundaries_s: Sequence[float], source: str) -> list[LapMarker]:
    """One marker per lap ending at each boundary: lap 0 runs from the first row to the first boundary."""
    markers: list[LapMarker] = []
    previous_ms = 0
    t0 = float(time_s[0])
    for number, boundary in enumerate(boundaries_s):
        end_ms = round((boundary - t0) * 1000.0)
        row = int(np.searchsorted(time_s, boundary, side="left"))
        markers.append(LapMarker(number, end_ms - previous_ms, row, -1, source))
        previous_ms = end_ms
    return markers


def lap_column_boundaries(time_s: np.ndarray, lap: np.ndarray, first_line: int) -> tuple[list[float], str | None]:
    """Row times where the file's lap number changes (the first row of each lap), and a warning when the
    numbers do not count up by one. A drop back to 0 after the last lap ends timing (RaceBox writes 0 after
    the finish); the rows after it are the in-lap."""
    rows = np.flatnonzero(np.diff(lap) != 0) + 1
    numbers = [int(lap[0]), *(int(v) for v in lap[rows])]
    counting = all(b == a + 1 for a, b in pairwise(numbers[:-1] if len(numbers) > 2 and numbers[-1] == 0 else numbers))
    warning = None
    if not counting:
        shown = ", ".join(str(n) for n in numbers[:12])
        warning = f"line {first_line}: the Lap column does not count up by one ({shown}); each change starts a lap"
    return [float(t) for t in time_s[rows]], warning


def running_lap_count(lap: np.ndarray) -> np.ndarray:
    """0 for the rows before the first lap change, then 1, 2, ... (what laps_from_markers assigns rows by)."""
    return np.concatenate(([0], np.cumsum(np.diff(lap) != 0))).astype(np.int32)


def point_at(lat: np.ndarray, lon: np.ndarray, row: int, heading: np.ndarray | None = None) -> GeoPoint | None:
    """The position at `row` (the first fix at or after it), with the heading when the file has one."""
    finite = np.flatnonzero(np.isfinite(lat[row:]) & np.isfinite(lon[row:]) & ((lat[row:] != 0) | (lon[row:] != 0)))
    if finite.size == 0:
        return None
    at = row + int(finite[0])
    direction = float(heading[at]) if heading is not None and np.isfinite(heading[at]) else None
    return GeoPoint(float(lat[at]), float(lon[at]), direction)


_SPEED_UNITS = {"m/s": 1.0, "km/h": 3.6, "mph": 1 / 0.44704, "kn": 3600 / 1852}


def speed_unit_from_positions(time_s: np.ndarray, lat: np.ndarray, lon: np.ndarray, speed: np.ndarray) -> str | None:
    """The unit a speed column without one is written in, from the speed the positions give (None if unsure).

    RaceBox writes its "Speed" column in the unit chosen in the app and does not say which.
    """
    ok = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon) & np.isfinite(speed))
    if ok.size < 20:
        return None
    step = max(1, ok.size // 2000)
    rows = ok[::step]
    dt = np.diff(time_s[rows])
    metres = haversine_m(lat[rows][:-1], lon[rows][:-1], lat[rows][1:], lon[rows][1:])
    moving = (dt > 0) & (metres > 2.0)
    if moving.sum() < 10:
        return None
    ratio = float(np.median(speed[rows][:-1][moving] / (metres[moving] / dt[moving])))
    best = min(_SPEED_UNITS, key=lambda unit: abs(np.log(ratio / _SPEED_UNITS[unit])) if ratio > 0 else np.inf)
    return best if ratio > 0 and abs(np.log(ratio / _SPEED_UNITS[best])) < 0.1 else None

"""VBO `[laptiming]` gates: two points in minutes (longitude positive west), crossing times of the path.

A gate is the segment between its two points. A crossing is a step between two consecutive fixes that
intersects it, timed by linear interpolation along the step; steps across an outage (> MAX_FIX_GAP_S)
are not crossings, and crossings closer than MIN_LAP_S to the previous one are GPS jitter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from racetrace_desktop.telemetry.gates import MIN_LAP_S
from racetrace_desktop.telemetry.geo import LocalFrame, haversine_m
from racetrace_desktop.telemetry.gps import MAX_FIX_GAP_S

SAME_PLACE_M = 5.0
NEAR_M = 30.0  # steps this close to the gate centre tell the direction of travel there
TURNED_WIDTH_M = 30.0


@dataclass(frozen=True)
class Gate:
    lat: tuple[float, float]  # degrees, the two ends
    lon: tuple[float, float]
    name: str

    @property
    def centre_lat(self) -> float:
        return (self.lat[0] + self.lat[1]) / 2

    @property
    def centre_lon(self) -> float:
        return (self.lon[0] + self.lon[1]) / 2

    def distance_from_path_m(self, lat: np.ndarray, lon: np.ndarray) -> float | None:
        """Metres from the gate centre to the nearest fix (of at most ~2000 evenly spread), None without fixes."""
        fixes = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
        if fixes.size == 0:
            return None
        rows = fixes[:: max(1, fixes.size // 2000)]
        return float(np.min(haversine_m(lat[rows], lon[rows], self.centre_lat, self.centre_lon)))

    def same_place(self, other: Gate) -> bool:
        return float(haversine_m(self.centre_lat, self.centre_lon, other.centre_lat, other.centre_lon)) < SAME_PLACE_M


def place_gate(minutes: list[float], lat: np.ndarray, lon: np.ndarray, name: str) -> Gate | None:
    """The gate read longitude-first (Racelogic) or latitude-first (RaceBox): the reading nearer the path."""
    a, b, c, d = (value / 60.0 for value in minutes)
    readings = [Gate((b, d), (-a, -c), name), Gate((a, c), (-b, -d), name)]  # lon-first, lat-first
    valid = [g for g in readings if all(abs(v) <= 90 for v in g.lat) and all(abs(v) <= 180 for v in g.lon)]
    if not valid:
        return None
    if len(valid) == 1 or not np.isfinite(lat).any():
        return valid[0]
    return min(valid, key=lambda gate: gate.distance_from_path_m(lat, lon) or 0.0)


def crossings(time_s: np.ndarray, lat: np.ndarray, lon: np.ndarray, gate: Gate) -> tuple[np.ndarray, bool]:
    """Session times at which the path crosses the gate segment, in the direction most crossings take, and
    whether the gate had to be turned: Harry's LapTimer writes a point and a second point along the track
    (the direction of travel), so a "gate" the car drives along is turned a quarter about its centre."""
    rows = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    if rows.size < 2:
        return np.empty(0), False
    frame = LocalFrame(gate.centre_lat, gate.centre_lon)
    x, y = frame.to_xy(lat[rows], lon[rows])
    (ax, bx), (ay, by) = frame.to_xy(np.array(gate.lat), np.array(gate.lon))
    gx, gy = bx - ax, by - ay
    dx, dy = np.diff(x), np.diff(y)
    turned = _along_the_track(x, y, dx, dy, gx, gy)
    if turned:
        half = max(np.hypot(gx, gy), TURNED_WIDTH_M) / 2 / np.hypot(gx, gy)
        gx, gy = -gy * half * 2, gx * half * 2
        ax, ay = -gx / 2, -gy / 2
    denom = dx * gy - dy * gx
    with np.errstate(divide="ignore", invalid="ignore"):
        rx, ry = ax - x[:-1], ay - y[:-1]
        u = (rx * gy - ry * gx) / denom  # along the step
        w = (rx * dy - ry * dx) / denom  # along the gate
    t = time_s[rows]
    hit = (denom != 0) & (u >= 0) & (u < 1) & (w >= 0) & (w <= 1) & (np.diff(t) <= MAX_FIX_GAP_S)
    side = np.sign(denom)
    if hit.any():
        usual = 1.0 if (side[hit] > 0).sum() >= (side[hit] < 0).sum() else -1.0
        hit &= side == usual
    idx = np.flatnonzero(hit)
    times = t[idx] + u[idx] * (t[idx + 1] - t[idx])
    kept: list[float] = []
    for value in times.tolist():  # a handful per session
        if not kept or value - kept[-1] >= MIN_LAP_S:
            kept.append(value)
    return np.asarray(kept), turned


def _along_the_track(x: np.ndarray, y: np.ndarray, dx: np.ndarray, dy: np.ndarray, gx: float, gy: float) -> bool:
    """True when the path near the gate centre runs within 45 degrees of the gate's own direction."""
    near = np.hypot((x[1:] + x[:-1]) / 2, (y[1:] + y[:-1]) / 2) < NEAR_M
    steps = np.hypot(dx[near], dy[near])
    moving = steps > 0
    if not moving.any():
        return False
    along = np.abs(dx[near][moving] * gx + dy[near][moving] * gy) / (steps[moving] * np.hypot(gx, gy))
    return bool(np.median(along) > np.cos(np.radians(45)))

"""Timing lines: build a directed gate from a point, find the instants the car crosses it."""

from __future__ import annotations

import numpy as np

from .geo import Gate, LocalFrame, gate_crossings, heading_to_vector
from .model import GeoPoint
from .trajectory import Trajectory

_SEARCH_RADII_M = (25.0, 50.0, 100.0)
MIN_LAP_S = 10.0  # two crossings closer than this are GPS jitter around the line, not a lap


def gate_at(point: GeoPoint, frame: LocalFrame, traj: Trajectory, width_m: float) -> Gate | None:
    """A gate through `point`, perpendicular to its heading, or to the direction the car mostly drove past
    it when the heading is unknown. None when the car never came near the point."""
    cx, cy = (float(v) for v in frame.to_xy(point.lat, point.lon))
    if point.heading_deg is not None and point.heading_deg >= 0:
        ux, uy = heading_to_vector(point.heading_deg)
        return Gate(cx, cy, ux, uy, width_m / 2)
    direction = _dominant_direction(traj, cx, cy)
    if direction is None:
        return None
    return Gate(cx, cy, direction[0], direction[1], width_m / 2)


def _dominant_direction(traj: Trajectory, cx: float, cy: float) -> tuple[float, float] | None:
    """Sum of the path's step vectors near the point: fast passes weigh more (longer steps) and passes in
    opposite directions cancel, so the racing direction wins over slow pit or reversing movements."""
    if traj.t.size < 2:
        return None
    dx, dy = np.diff(traj.x), np.diff(traj.y)
    dx[traj.bridged] = 0.0
    dy[traj.bridged] = 0.0
    mid_x, mid_y = (traj.x[1:] + traj.x[:-1]) / 2, (traj.y[1:] + traj.y[:-1]) / 2
    dist = np.hypot(mid_x - cx, mid_y - cy)
    for radius in _SEARCH_RADII_M:
        near = dist < radius
        sx, sy = float(dx[near].sum()), float(dy[near].sum())
        norm = np.hypot(sx, sy)
        if norm > 1.0:
            return sx / norm, sy / norm
    return None


def crossing_times(traj: Trajectory, gate: Gate, min_interval_s: float = MIN_LAP_S) -> np.ndarray:
    """Session times at which the car crossed `gate` in its direction, outages excluded."""
    if traj.t.size < 2:
        return np.empty(0)
    idx, u = gate_crossings(traj.x, traj.y, gate)
    ok = ~traj.bridged[idx]
    idx, u = idx[ok], u[ok]
    times = traj.t[idx] + u * (traj.t[idx + 1] - traj.t[idx])
    return _debounce(times, min_interval_s)


def _debounce(times: np.ndarray, min_interval_s: float) -> np.ndarray:
    if times.size < 2:
        return times
    kept = [times[0]]
    for t in times[1:]:  # a handful of crossings per session: a plain loop is clearest
        if t - kept[-1] >= min_interval_s:
            kept.append(t)
    return np.asarray(kept)


def bridged_crossing(traj: Trajectory, gate: Gate) -> bool:
    """True when the straight line across an outage passes the gate: a crossing may have been missed."""
    if traj.t.size < 2 or not traj.bridged.any():
        return False
    idx, _ = gate_crossings(traj.x, traj.y, gate)
    return bool(traj.bridged[idx].any())

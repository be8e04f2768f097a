"""Per-lap summary numbers, SI units (m/s, m, g, rpm, %)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .model import LapData


def lap_stats(data: LapData, lap_time_ms: int | None, length_m: float | None) -> dict[str, float]:
    """Only numbers the data supports: a channel that is absent or all-NaN gives no entry.

    Keys: max_speed, min_speed, avg_speed, length_m, max_rpm, max_throttle, avg_throttle, max_lat_g,
    max_accel_g, max_brake_g (the last three from GPS-derived accelerations, as positive magnitudes).
    """
    stats: dict[str, float] = {}
    inside = _inside_lap(data, lap_time_ms)
    speed = data.channels.get("speed")
    if speed is not None:
        _put(stats, "max_speed", np.max, speed[inside])
        _put(stats, "min_speed", np.min, speed[inside])
    if length_m is not None:
        stats["length_m"] = float(length_m)
        if lap_time_ms:
            stats["avg_speed"] = float(length_m) / (lap_time_ms / 1000.0)
    elif speed is not None:
        _put(stats, "avg_speed", np.mean, speed[inside])
    for key, channel in (("max_rpm", "rpm"), ("max_throttle", "throttle")):
        if channel in data.channels:
            _put(stats, key, np.max, data.channels[channel][inside])
    if "throttle" in data.channels:
        _put(stats, "avg_throttle", np.mean, data.channels["throttle"][inside])
    if "gps_lat_g" in data.channels:
        _put(stats, "max_lat_g", lambda v: np.max(np.abs(v)), data.channels["gps_lat_g"][inside])
    if "gps_long_g" in data.channels:
        long_g = data.channels["gps_long_g"][inside]
        _put(stats, "max_accel_g", lambda v: max(float(np.max(v)), 0.0), long_g)
        _put(stats, "max_brake_g", lambda v: max(float(-np.min(v)), 0.0), long_g)
    return stats


def _inside_lap(data: LapData, lap_time_ms: int | None) -> np.ndarray:
    """Rows between the lap's own crossings (the Lap column flips a little after the line)."""
    keep = data.time_s >= 0
    if lap_time_ms is not None:
        keep &= data.time_s <= lap_time_ms / 1000.0
    return keep


def _put(stats: dict[str, float], key: str, func: Callable[[np.ndarray], Any], values: np.ndarray) -> None:
    finite = values[np.isfinite(values)]
    if finite.size:
        stats[key] = float(func(finite))

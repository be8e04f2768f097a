"""Clean GPS fixes: which rows carry a position the analysis can trust.

Positions come only from rows flagged as a new fix. Stale fixes (the logger repeating the previous position
while the car moves), isolated jumps and impossible coordinates are dropped; gaps longer than
`MAX_FIX_GAP_S` are outages that nothing may interpolate across.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .geo import LocalFrame
from .model import RawSession

MAX_FIX_GAP_S = 2.0
_MOVING_MPS = 1.0  # above this a repeated position is a stale fix, not a parked car
_JUMP_SLACK_M = 15.0  # GPS noise allowance when testing a step against speed * dt


@dataclass
class Fixes:
    """Accepted GPS fixes of a session, in time order with strictly increasing times."""

    rows: np.ndarray  # int64 row index of each fix
    t: np.ndarray  # session seconds
    lat: np.ndarray
    lon: np.ndarray
    x: np.ndarray  # local metres
    y: np.ndarray
    frame: LocalFrame

    @property
    def count(self) -> int:
        return int(self.t.shape[0])

    def gap_after(self) -> np.ndarray:
        """True for each segment i -> i + 1 that is an outage (longer than MAX_FIX_GAP_S)."""
        return np.diff(self.t) > MAX_FIX_GAP_S

    def median_interval(self) -> float:
        return float(np.median(np.diff(self.t))) if self.count > 1 else 1.0


def clean_fixes(raw: RawSession, frame: LocalFrame | None = None) -> Fixes | None:
    """Accepted fixes of `raw`, or None when the file has no usable position."""
    rows = _candidate_rows(raw)
    if rows.size == 0:
        return None
    rows = _last_per_timestamp(rows, raw.time_s)
    speed = raw.channels.get("speed")
    rows = _drop_stale(rows, raw, speed)
    if frame is None:
        frame = LocalFrame.around(raw.lat[rows], raw.lon[rows])
    x, y = frame.to_xy(raw.lat[rows], raw.lon[rows])
    keep = _not_a_jump(x, y, raw.time_s[rows], None if speed is None else speed[rows])
    rows, x, y = rows[keep], x[keep], y[keep]
    return Fixes(rows, raw.time_s[rows], raw.lat[rows], raw.lon[rows], x, y, frame)


def _candidate_rows(raw: RawSession) -> np.ndarray:
    lat, lon = raw.lat, raw.lon
    valid = raw.gps_fix & np.isfinite(lat) & np.isfinite(lon)
    valid &= (np.abs(lat) <= 90) & (np.abs(lon) <= 180) & ~((lat == 0) & (lon == 0))
    return np.flatnonzero(valid)


def _last_per_timestamp(rows: np.ndarray, time_s: np.ndarray) -> np.ndarray:
    """Two fixes at the same instant cannot both be right; keep the later (fresher) one."""
    t = time_s[rows]
    later_same = np.append(t[1:] == t[:-1], False)
    return np.asarray(rows[~later_same])


def _drop_stale(rows: np.ndarray, raw: RawSession, speed: np.ndarray | None) -> np.ndarray:
    if speed is None or rows.size < 2:
        return rows
    same = np.append(False, (raw.lat[rows][1:] == raw.lat[rows][:-1]) & (raw.lon[rows][1:] == raw.lon[rows][:-1]))
    moving = np.nan_to_num(speed[rows], nan=0.0) > _MOVING_MPS
    return np.asarray(rows[~(same & moving)])


def _not_a_jump(x: np.ndarray, y: np.ndarray, t: np.ndarray, speed: np.ndarray | None) -> np.ndarray:
    """False for single fixes far off both neighbours while the neighbours agree with each other."""
    n = x.shape[0]
    keep = np.ones(n, dtype=bool)
    if n < 3:
        return keep
    v = np.full(n, 90.0) if speed is None else np.nan_to_num(speed, nan=90.0)
    vmax = np.maximum(v[:-1], v[1:]) * 1.3 + 5.0
    step = np.hypot(np.diff(x), np.diff(y))
    too_far = step > vmax * np.diff(t) + _JUMP_SLACK_M
    skip = np.hypot(x[2:] - x[:-2], y[2:] - y[:-2])
    skip_ok = skip <= np.maximum(vmax[:-1], vmax[1:]) * (t[2:] - t[:-2]) + _JUMP_SLACK_M
    keep[1:-1] = ~(too_far[:-1] & too_far[1:] & skip_ok)
    return keep

"""The car's path through a session: position and travelled distance at any instant.

Between two accepted fixes the path is a cubic Hermite curve in time whose tangents are the secant velocities
of the neighbouring fixes (a time-parameterised Catmull-Rom). At 1 Hz this follows corners far better than the
chord, and because it is parameterised by time the position moves with the car's changing speed, which is what
makes interpolated line crossings accurate. The curve is sampled densely once; every later query is a linear
interpolation on those samples.

Across an outage (no fix for more than 2 s) no position is invented: positions are NaN there and distance
grows with the integrated speed channel (at least the straight-line gap).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .gps import Fixes
from .model import RawSession

_DENSE_STEP_S = 0.1
_STANDING_MPS = 0.5  # below this at both ends of a fix interval the car stands; GPS jitter is not distance


@dataclass
class Trajectory:
    t: np.ndarray  # dense sample times, strictly increasing
    x: np.ndarray
    y: np.ndarray
    s: np.ndarray  # cumulative distance at each dense sample, non-decreasing
    bridged: np.ndarray  # bool per dense segment i -> i + 1: an outage, positions unknown
    row_t: np.ndarray  # session row times and the integral of speed over them (for outages and the ends)
    row_q: np.ndarray
    fixes: Fixes | None

    def distance_at(self, times: np.ndarray) -> np.ndarray:
        """Travelled distance since the first fix (negative before it) at each instant."""
        times = np.asarray(times, dtype=np.float64)
        if self.t.size < 2:
            return self._q(times) - (self._q(self.t[:1])[0] if self.t.size else 0.0)
        d = np.interp(times, self.t, self.s)
        seg = np.clip(np.searchsorted(self.t, times, side="right") - 1, 0, self.t.size - 2)
        inside_gap = self.bridged[seg] & (times > self.t[0]) & (times < self.t[-1])
        if inside_gap.any():
            d[inside_gap] = self._bridge(times[inside_gap], seg[inside_gap])
        before, after = times < self.t[0], times > self.t[-1]
        d[before] = self.s[0] - (self._q(self.t[:1])[0] - self._q(times[before]))
        d[after] = self.s[-1] + (self._q(times[after]) - self._q(self.t[-1:])[0])
        return np.asarray(d)

    def position_at(self, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Local (x, y) at each instant; NaN outside the fixes and inside outages."""
        times = np.asarray(times, dtype=np.float64)
        x = np.interp(times, self.t, self.x, left=np.nan, right=np.nan)
        y = np.interp(times, self.t, self.y, left=np.nan, right=np.nan)
        if self.t.size >= 2:
            seg = np.clip(np.searchsorted(self.t, times, side="right") - 1, 0, self.t.size - 2)
            gap = self.bridged[seg] & (times > self.t[seg]) & (times < self.t[seg + 1])
            x[gap] = np.nan
            y[gap] = np.nan
        return x, y

    def _q(self, times: np.ndarray) -> np.ndarray:
        return np.asarray(np.interp(times, self.row_t, self.row_q))

    def _bridge(self, times: np.ndarray, seg: np.ndarray) -> np.ndarray:
        t0, t1 = self.t[seg], self.t[seg + 1]
        q0, q1, q = self._q(t0), self._q(t1), self._q(times)
        span = q1 - q0
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.where(span > 0, (q - q0) / span, (times - t0) / (t1 - t0))
        return np.asarray(self.s[seg] + frac * (self.s[seg + 1] - self.s[seg]))


def build_trajectory(raw: RawSession, fixes: Fixes | None) -> Trajectory:
    row_t = raw.time_s.astype(np.float64)
    row_q = _integrated_speed(raw)
    if fixes is None or fixes.count == 0:
        empty = np.empty(0)
        return Trajectory(empty, empty, empty, empty, np.empty(0, dtype=bool), row_t, row_q, fixes)
    t, x, y, bridged, fix_segment = hermite_densify(fixes.t, fixes.x, fixes.y, fixes.gap_after())
    step = np.hypot(np.diff(x), np.diff(y))
    speed = raw.channels.get("speed")
    if speed is not None and fixes.count > 1:
        at_fix = np.nan_to_num(speed[fixes.rows], nan=np.inf)
        standing = (at_fix[:-1] < _STANDING_MPS) & (at_fix[1:] < _STANDING_MPS)
        step[standing[fix_segment]] = 0.0
    if bridged.any():
        q = np.interp(t, row_t, row_q)
        step[bridged] = np.maximum(np.hypot(np.diff(x), np.diff(y))[bridged], np.diff(q)[bridged])
    s = np.concatenate(([0.0], np.cumsum(step)))
    return Trajectory(t, x, y, s, bridged, row_t, row_q, fixes)


def _integrated_speed(raw: RawSession) -> np.ndarray:
    """Cumulative integral of speed over the rows (m); OBD speed wins where present because it is live
    during GPS outages while the GPS speed column is merely held."""
    t = raw.time_s.astype(np.float64)
    speed = np.zeros_like(t)
    for key in ("speed", "obd_speed"):
        values = raw.channels.get(key)
        if values is not None:
            speed = np.where(np.isfinite(values), values, speed)
    if t.size < 2:
        return np.zeros_like(t)
    steps = np.diff(t) * (speed[1:] + speed[:-1]) / 2
    return np.concatenate(([0.0], np.cumsum(np.maximum(steps, 0.0))))


def _tangents(t: np.ndarray, x: np.ndarray, y: np.ndarray, gap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Secant velocity at each fix, one-sided next to an outage or at the ends."""
    n = t.size
    prev_i = np.arange(n) - 1
    next_i = np.arange(n) + 1
    no_prev = np.concatenate(([True], gap))
    no_next = np.concatenate((gap, [True]))
    lo = np.where(no_prev, np.arange(n), prev_i)
    hi = np.where(no_next, np.arange(n), np.minimum(next_i, n - 1))
    dt = t[hi] - t[lo]
    with np.errstate(divide="ignore", invalid="ignore"):
        mx = np.where(dt > 0, (x[hi] - x[lo]) / dt, 0.0)
        my = np.where(dt > 0, (y[hi] - y[lo]) / dt, 0.0)
    return mx, my


def hermite_densify(t: np.ndarray, x: np.ndarray, y: np.ndarray,
                    gap: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Fixes (strictly increasing t) sampled about every 0.1 s along the time-Hermite curve.

    Returns dense (t, x, y), the outage flag of each dense segment (`gap` marks fix intervals not to bridge)
    and the fix interval each dense segment belongs to.
    """
    if t.size < 2:
        return t.copy(), x.copy(), y.copy(), np.empty(0, dtype=bool), np.empty(0, dtype=np.int64)
    mx, my = _tangents(t, x, y, gap)
    k = int(np.clip(np.ceil(float(np.median(np.diff(t))) / _DENSE_STEP_S), 1, 10))
    tau = np.arange(k) / k
    h00, h10 = 2 * tau**3 - 3 * tau**2 + 1, tau**3 - 2 * tau**2 + tau
    h01, h11 = -2 * tau**3 + 3 * tau**2, tau**3 - tau**2
    dt = np.diff(t)[:, None]
    px = h00 * x[:-1, None] + h10 * dt * mx[:-1, None] + h01 * x[1:, None] + h11 * dt * mx[1:, None]
    py = h00 * y[:-1, None] + h10 * dt * my[:-1, None] + h01 * y[1:, None] + h11 * dt * my[1:, None]
    pt = t[:-1, None] + dt * tau
    keep = np.ones(px.shape, dtype=bool)
    keep[gap, 1:] = False  # an outage contributes only its start point
    flag = np.zeros(px.shape, dtype=bool)
    flag[gap, 0] = True
    dense_t = np.append(pt[keep], t[-1])
    dense_x = np.append(px[keep], x[-1])
    dense_y = np.append(py[keep], y[-1])
    owner = np.broadcast_to(np.arange(px.shape[0])[:, None], px.shape)
    return dense_t, dense_x, dense_y, flag[keep], owner[keep]

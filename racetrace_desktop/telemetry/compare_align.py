"""Place every sample of a lap on the reference lap's distance axis.

Each lap is reduced to its GPS fixes (local metres, own distance, own time). The reference path is the reference
lap's fixes by distance, extended past both ends with the other end of the lap (the circuit is closed), so laps
that start a few metres early or late still find their place. Alignment gives pairs (own distance -> reference
distance) that are turned into a monotonic piecewise-linear map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .geo import Gate, LocalFrame, gate_crossings
from .gps import MAX_FIX_GAP_S
from .model import LapData
from .trajectory import hermite_densify

MAX_LATERAL_M = 25.0  # a fix farther than this from the reference path is off track or a GPS jump
MIN_HEADING_COS = 0.5  # directions more than 60 degrees apart are a different part of the track
OUTLIER_M = 10.0  # a projection this far from its neighbours' trend is a mismatch (track crossing, jitter)
_MIN_MOVE_M = 0.5
_WRAP_M = 150.0
_PRIOR_FIXES = 200
_PRIOR_SPACING_M = 10.0


@dataclass
class LapTrack:
    """One lap reduced to what alignment needs."""

    t: np.ndarray  # row times and own distances, finite, in row order
    d: np.ndarray
    fix_t: np.ndarray
    fix_d: np.ndarray
    fix_x: np.ndarray
    fix_y: np.ndarray
    lap_time_s: float
    length_m: float
    fix_interval_s: float = 1.0  # typical time between the receiver's fixes
    integrated: bool = False  # positions from integrated velocity (compare_fusion), not the fixes themselves


def lap_track(data: LapData, lap_time_ms: int, length_m: float | None, frame: LocalFrame) -> LapTrack:
    ok = np.isfinite(data.time_s) & np.isfinite(data.distance_m)
    t, d = data.time_s[ok], data.distance_m[ok]
    lap_time = lap_time_ms / 1000.0
    length = float(length_m) if length_m else float(np.interp(lap_time, t, d))
    fix = ok & data.gps_fix & np.isfinite(data.lat) & np.isfinite(data.lon)
    x, y = frame.to_xy(data.lat[fix], data.lon[fix])
    fix_t = data.time_s[fix]
    interval = float(np.median(np.diff(fix_t))) if fix_t.size > 1 else 1.0
    return LapTrack(t, d, fix_t, data.distance_m[fix], x, y, lap_time, length, interval)


@dataclass
class RefPath:
    d: np.ndarray  # reference distance of each vertex, strictly increasing
    x: np.ndarray
    y: np.ndarray

    def __post_init__(self) -> None:
        self.sx, self.sy = np.diff(self.x), np.diff(self.y)
        seg = np.hypot(self.sx, self.sy)
        self.len2 = np.maximum(seg * seg, 1e-9)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.ux, self.uy = np.where(seg > 0, self.sx / seg, 0.0), np.where(seg > 0, self.sy / seg, 0.0)

    @classmethod
    def of(cls, ref: LapTrack) -> RefPath:
        """The reference fixes by distance, plus the end of the lap copied before its start and the start copied
        after its end, so the path also runs across the start/finish line between the last and first fix."""
        length, d0 = ref.length_m, ref.fix_d
        tail, head = d0 > length - _WRAP_M, d0 < _WRAP_M
        d = np.concatenate((d0[tail] - length, d0, d0[head] + length))
        x = np.concatenate((ref.fix_x[tail], ref.fix_x, ref.fix_x[head]))
        y = np.concatenate((ref.fix_y[tail], ref.fix_y, ref.fix_y[head]))
        t = np.concatenate((ref.fix_t[tail] - ref.lap_time_s, ref.fix_t, ref.fix_t[head] + ref.lap_time_s))
        order = np.argsort(t, kind="stable")
        t, d, x, y = t[order], d[order], x[order], y[order]
        keep = np.concatenate(([True], (np.diff(t) > 0) & (np.diff(d) > 0)))  # a standing car adds no path
        return cls(*_smooth_path(t[keep], d[keep], x[keep], y[keep]))

    def point(self, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.interp(s, self.d, self.x), np.interp(s, self.d, self.y)

    def gate(self, s: float, half_width: float) -> Gate:
        x, y = self.point(np.array([s - 3.0, s, s + 3.0]))
        ux, uy = x[2] - x[0], y[2] - y[0]
        norm = float(np.hypot(ux, uy)) or 1.0
        return Gate(float(x[1]), float(y[1]), ux / norm, uy / norm, half_width)


@dataclass
class Projection:
    s: np.ndarray  # reference distance of each fix, NaN where rejected
    lateral: np.ndarray  # signed distance from the path (+ = left of the reference direction)
    normal_x: np.ndarray  # unit left-normal of the path at the foot
    normal_y: np.ndarray


def _smooth_path(t: np.ndarray, d: np.ndarray, x: np.ndarray,
                 y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The same time-Hermite curve the analysis measured distance along (so 1 Hz corners are not cut short);
    distance between two fixes is shared out in proportion to arc length along the curve."""
    if t.size < 3:
        return d, x, y
    dt, dx, dy, _, owner = hermite_densify(t, x, y, np.diff(t) > MAX_FIX_GAP_S)
    step = np.hypot(np.diff(dx), np.diff(dy))
    arc = np.concatenate(([0.0], np.cumsum(step)))
    start = np.searchsorted(dt, t)  # dense index of each fix
    span = arc[start[1:]] - arc[start[:-1]]
    own_start = np.append(start[owner], dt.size - 1)
    frac = np.zeros(dt.size)
    inner = np.arange(dt.size - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac[inner] = np.where(span[owner] > 0, (arc[inner] - arc[own_start[:-1]]) / span[owner], 0.0)
    seg = np.append(owner, owner[-1] if owner.size else 0)
    dd = d[seg] + frac * (d[seg + 1] - d[seg]) if owner.size else d
    dd[-1] = d[-1]
    keep = np.concatenate(([True], np.diff(dd) > 0))
    return dd[keep], dx[keep], dy[keep]


def project(lap: LapTrack, path: RefPath, ref_length: float, offset: tuple[float, float] = (0.0, 0.0),
            window_m: float | None = None, every: int = 1, prior: np.ndarray | None = None) -> Projection:
    """Place each fix of `lap` (every `every`-th) on the reference path: the nearest segment, within a window
    around where the fix is expected (`prior`, default its normalised distance), whose direction agrees."""
    px, py = lap.fix_x[::every] - offset[0], lap.fix_y[::every] - offset[1]
    own = lap.fix_d[::every]
    m = px.size
    if m == 0 or path.d.size < 2:
        return Projection(np.full(m, np.nan), np.zeros(m), np.zeros(m), np.zeros(m))
    expected = (own * ref_length / lap.length_m) if prior is None else prior[::every]
    window = window_m if window_m is not None else max(40.0, 0.015 * ref_length)
    nseg = path.d.size - 1
    lo = np.clip(np.searchsorted(path.d, expected - window) - 1, 0, nseg - 1)
    hi = np.clip(np.searchsorted(path.d, expected + window), 0, nseg - 1)
    cand = lo[:, None] + np.arange(int((hi - lo).max()) + 1)
    usable = cand <= hi[:, None]
    cand = np.minimum(cand, nseg - 1)
    rx, ry = px[:, None] - path.x[cand], py[:, None] - path.y[cand]
    sx, sy = path.sx[cand], path.sy[cand]
    u = np.clip((rx * sx + ry * sy) / path.len2[cand], 0.0, 1.0)
    ex, ey = rx - u * sx, ry - u * sy
    dist2 = ex * ex + ey * ey
    usable &= _same_direction(px, py, path.ux[cand], path.uy[cand])
    dist2[~usable] = np.inf
    best = np.argmin(dist2, axis=1)
    rows = np.arange(m)
    c, ub = cand[rows, best], u[rows, best]
    s = path.d[c] + ub * (path.d[c + 1] - path.d[c])
    beyond_path = ((c == 0) & (ub <= 0.0)) | ((c == nseg - 1) & (ub >= 1.0))
    s[~(dist2[rows, best] <= MAX_LATERAL_M**2) | beyond_path] = np.nan
    nx, ny = -path.uy[c], path.ux[c]
    return Projection(s, ex[rows, best] * nx + ey[rows, best] * ny, nx, ny)


def coarse_prior(lap: LapTrack, path: RefPath, ref_length: float, offset: tuple[float, float]) -> np.ndarray:
    """Where each fix should be looked for: a whole-lap nearest-vertex match of a few hundred fixes against the
    reference path thinned to ~10 m, made monotonic. Unlike the normalised distance alone, this still finds the
    way for laps much longer or shorter than the reference (pit lane, a detour, a cut)."""
    scaled = lap.fix_d * ref_length / lap.length_m
    every = max(1, lap.fix_d.size // _PRIOR_FIXES)
    px, py = lap.fix_x[::every] - offset[0], lap.fix_y[::every] - offset[1]
    vertices = np.unique(np.searchsorted(path.d, np.arange(path.d[0], path.d[-1], _PRIOR_SPACING_M)))
    vertices = np.minimum(vertices, path.d.size - 2)
    dist2 = (px[:, None] - path.x[vertices]) ** 2 + (py[:, None] - path.y[vertices]) ** 2
    dist2[~_same_direction(px, py, path.ux[vertices], path.uy[vertices])] = np.inf
    best = np.argmin(dist2, axis=1)
    matched = path.d[vertices[best]]
    matched[dist2[np.arange(best.size), best] > MAX_LATERAL_M**2] = np.nan
    own, on_ref = monotonic_pairs(lap.fix_d[::every], matched, lap.length_m, ref_length)
    if own.size <= 2:  # nothing matched: fall back to the lap's own distance scaled to the reference
        return scaled
    return np.asarray(np.interp(lap.fix_d, own, on_ref))


def _same_direction(px: np.ndarray, py: np.ndarray, ux: np.ndarray, uy: np.ndarray) -> np.ndarray:
    """Heading agreement between the lap's direction at each fix and each candidate segment (unit vectors)."""
    if px.size < 2:
        return np.ones(ux.shape, dtype=bool)
    vx, vy = np.gradient(px), np.gradient(py)
    speed = np.hypot(vx, vy)
    moving = speed >= _MIN_MOVE_M
    inv = np.where(moving, 1.0 / np.maximum(speed, 1e-9), 0.0)
    cos = (vx * inv)[:, None] * ux + (vy * inv)[:, None] * uy
    return np.asarray(~moving[:, None] | (cos >= MIN_HEADING_COS) | ((ux == 0) & (uy == 0)))


def monotonic_pairs(own: np.ndarray, ref: np.ndarray, own_length: float,
                    ref_length: float) -> tuple[np.ndarray, np.ndarray]:
    """Strictly increasing (own distance, reference distance) pairs from (0, 0) to (own_length, ref_length):
    drops rejected and out-of-range points, outliers against the local trend and any step backwards."""
    ok = np.isfinite(ref) & (own > 0) & (own < own_length) & (ref > 0) & (ref < ref_length)
    own, ref = own[ok], ref[ok]
    if own.size >= 7:
        residual = ref - own * ref_length / own_length
        padded = np.pad(residual, 3, mode="edge")
        trend = np.median(sliding_window_view(padded, 7), axis=1)
        keep = np.abs(residual - trend) <= OUTLIER_M
        own, ref = own[keep], ref[keep]
    own = np.concatenate(([0.0], own, [own_length]))
    ref = np.concatenate(([0.0], ref, [ref_length]))
    forward = ref >= np.maximum.accumulate(ref)
    own, ref = own[forward], ref[forward]
    # Both sequences are now non-decreasing; dropping ties with the previous point makes them strict (the anchors
    # are beyond every other point, so they always stay).
    strict = np.concatenate(([True], (np.diff(own) > 0) & (np.diff(ref) > 0)))
    return own[strict], ref[strict]


def gate_crossing(lap: LapTrack, gate: Gate, expected_d: float, window_m: float,
                  offset: tuple[float, float] = (0.0, 0.0)) -> tuple[float, float] | None:
    """(own distance, time) where the lap's fix path crosses `gate`, the crossing nearest `expected_d`.
    The time is read from the lap's own distance-time curve, so it is consistent with the delta trace."""
    if lap.fix_x.size < 2:
        return None
    idx, u = gate_crossings(lap.fix_x - offset[0], lap.fix_y - offset[1], gate)
    if idx.size == 0:
        return None
    d = lap.fix_d[idx] + u * (lap.fix_d[idx + 1] - lap.fix_d[idx])
    best = int(np.argmin(np.abs(d - expected_d)))
    if abs(d[best] - expected_d) > window_m:
        return None
    return float(d[best]), float(np.interp(d[best], lap.d, lap.t))

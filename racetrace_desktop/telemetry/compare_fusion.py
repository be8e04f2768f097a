"""A lap's path from its Doppler velocity, placed by its GPS positions (the "doppler" alignment).

GPS positions drift: metres of slow wander, different on every lap. The receiver's Doppler speed and course are
far more accurate and do not drift, so integrating the velocity vector (speed along the course) gives the shape of
the lap's path to a few decimetres; only where the whole path lies comes from the positions, as the mean of
(fix - integrated path) over the lap, which averages the drift out. The integrated speed is also the lap's own
distance. Laps without a course channel, or whose fixes stray from the integrated path by much more than the
receiver's stated accuracy (a coarse 1 Hz phone course through slow corners), are left to the position-based
alignment.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .compare_align import LapTrack
from .geo import LocalFrame
from .model import LapData

_MIN_FIXES = 10
DEFAULT_ACCURACY_M = 3.0  # a receiver that states no accuracy is taken for a phone
PLACE_STEP_S = 0.2
SEARCH_WINDOW_M = 30.0
PATH_SPACING_M = 2.0  # vertex spacing of a reference path made from an integrated path
AGREEMENT = 2.0  # the fixes may stray from the integrated path by this many stated accuracies (RMS)
_MOVING_MPS = 0.3  # below this a receiver's course is meaningless (TrackAddict writes -1)


def fused_track(data: LapData, lap_time_ms: int, length_m: float | None, frame: LocalFrame) -> LapTrack | None:
    """The lap with every row placed on its dead-reckoned, GPS-anchored path; None without speed and course."""
    speed, course = data.channels.get("speed"), data.channels.get("heading")
    if speed is None or course is None:
        return None
    ok = np.isfinite(data.time_s) & np.isfinite(data.distance_m)
    fix = ok & data.gps_fix & np.isfinite(data.lat) & np.isfinite(data.lon) & np.isfinite(speed)
    fix &= np.isfinite(course) & ((course >= 0) | (speed < _MOVING_MPS))
    if fix.sum() < _MIN_FIXES:
        return None
    t = data.time_s[ok]
    fix_t, first = np.unique(data.time_s[fix], return_index=True)
    v_fix = speed[fix][first]
    psi_fix = _course_radians(course[fix][first], v_fix)
    v, psi = _between_fixes(fix_t, v_fix, t), _between_fixes(fix_t, psi_fix, t)
    q = _integral(t, v)
    x, y = _integral(t, v * np.sin(psi)), _integral(t, v * np.cos(psi))
    gx, gy = frame.to_xy(data.lat[fix][first], data.lon[fix][first])
    ex, ey = gx - np.interp(fix_t, t, x), gy - np.interp(fix_t, t, y)
    ex, ey = ex - ex.mean(), ey - ey.mean()
    accuracy = stated_accuracy_m(data)
    if float(np.sqrt(np.mean(ex**2 + ey**2))) > AGREEMENT * accuracy:
        return None  # speed and course do not describe the path the fixes show (coarse course, slow corners)
    x += float(np.mean(gx - np.interp(fix_t, t, x)))
    y += float(np.mean(gy - np.interp(fix_t, t, y)))
    q += float(data.distance_m[ok][0]) - q[0]  # the first row comes a moment after the start crossing
    lap_time = lap_time_ms / 1000.0
    end = float(np.interp(lap_time, t, q))
    if length_m and end > 0:
        q *= length_m / end
    length = float(length_m) if length_m else end
    return LapTrack(t, q, t, q, x, y, lap_time, length, float(np.median(np.diff(fix_t))), integrated=True)


def thinned(track: LapTrack, spacing_m: float = PATH_SPACING_M) -> LapTrack:
    """The track with positions at least `spacing_m` apart (an integrated path has one at every row)."""
    keep = np.concatenate(([True], np.diff(np.floor(track.fix_d / spacing_m)) > 0))
    return replace(track, fix_t=track.fix_t[keep], fix_d=track.fix_d[keep], fix_x=track.fix_x[keep],
                   fix_y=track.fix_y[keep])


def placement(track: LapTrack) -> tuple[int, float]:
    """Which positions to project (every how many) and how far from the expected place to look: an integrated
    path is smooth and its own distance is sure to metres, so a position every ~0.2 s and a narrow window do."""
    row_step = float(np.median(np.diff(track.fix_t))) if track.fix_t.size > 1 else PLACE_STEP_S
    return max(1, round(PLACE_STEP_S / max(row_step, 1e-3))), SEARCH_WINDOW_M


def stated_accuracy_m(data: LapData) -> float:
    """The receiver's typical stated horizontal accuracy over the lap (metres, 1 sigma radial)."""
    values = data.channels.get("gps_accuracy")
    if values is not None:
        stated = values[data.gps_fix & np.isfinite(values) & (values > 0)]
        if stated.size:
            return float(np.median(stated))
    return DEFAULT_ACCURACY_M


def _course_radians(course_deg: np.ndarray, speed: np.ndarray) -> np.ndarray:
    """Unwrapped course; a standing car keeps the course it last had."""
    valid = (course_deg >= 0) & (speed >= _MOVING_MPS)
    if not valid.any():
        return np.zeros(course_deg.size)
    index = np.maximum.accumulate(np.where(valid, np.arange(course_deg.size), -1))
    index[index < 0] = int(np.flatnonzero(valid)[0])
    return np.unwrap(np.radians(course_deg[index]))


def _between_fixes(fix_t: np.ndarray, values: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Cubic Hermite through the fix values with secant tangents (Catmull-Rom in time): at 1 Hz it follows a
    speed or course curve through a corner far better than straight lines between the fixes."""
    if fix_t.size < 3:
        return np.asarray(np.interp(t, fix_t, values), dtype=np.float64)
    slope = np.gradient(values, fix_t)
    i = np.clip(np.searchsorted(fix_t, t, side="right") - 1, 0, fix_t.size - 2)
    h = fix_t[i + 1] - fix_t[i]
    u = np.clip((t - fix_t[i]) / h, 0.0, 1.0)
    h00, h10, h01, h11 = 2 * u**3 - 3 * u**2 + 1, u**3 - 2 * u**2 + u, -2 * u**3 + 3 * u**2, u**3 - u**2
    curve: np.ndarray = h00 * values[i] + h10 * h * slope[i] + h01 * values[i + 1] + h11 * h * slope[i + 1]
    return curve


def _integral(t: np.ndarray, values: np.ndarray) -> np.ndarray:
    return np.concatenate(([0.0], np.cumsum(np.diff(t) * (values[1:] + values[:-1]) / 2)))

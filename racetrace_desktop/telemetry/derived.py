"""Channels computed from GPS: longitudinal and lateral acceleration in g.

long-g = dv/dt and lat-g = v * dpsi/dt, with the derivatives from a local quadratic least-squares fit over
0.5-0.8 s of fixes (a Savitzky-Golay filter that copes with uneven fix times). Only fixes are used (the
positions between them are held copies); the fit never spans a GPS outage. Lateral g is + for a right turn.
"""

from __future__ import annotations

import numpy as np

from .gps import Fixes
from .model import ChannelInfo, RawSession

STANDARD_GRAVITY = 9.80665
_MIN_SPEED_FOR_LATERAL = 3.0  # m/s: below this the course is mostly noise
_MAX_PLAUSIBLE_G = 4.0
_MAX_YAW_RATE = np.radians(90.0)  # rad/s: a kart in a hairpin; faster course changes are fix noise
_MAX_ACCURACY_M = 25.0
_CLOSE_FIX_FRACTION = 0.3  # a fix this close (in median intervals) to the next adds noise, not information
_LONG_HALF_SPAN_S = 0.25  # Doppler speed is clean: a short window keeps braking onsets sharp
_LAT_HALF_SPAN_S = 0.4  # the course is noisier at low speed

DERIVED_CHANNELS = {
    "gps_long_g": ChannelInfo("gps_long_g", "Longitudinal g (GPS)", "g", "g", "derived"),
    "gps_lat_g": ChannelInfo("gps_lat_g", "Lateral g (GPS)", "g", "g", "derived"),
}


def local_slope(t: np.ndarray, y: np.ndarray, half_window: int, block: np.ndarray) -> np.ndarray:
    """dy/dt at each sample from a quadratic fit over up to `half_window` neighbours on each side within the
    same block; a straight-line fit where only two points are available; NaN for a lone point."""
    n = t.size
    if n == 0:
        return np.empty(0)
    scale = max(float(np.median(np.diff(t))) if n > 1 else 1.0, 1e-3) * max(half_window, 1)
    s0, s1, s2, s3, s4, r0, r1, r2 = (np.zeros(n) for _ in range(8))
    finite = np.isfinite(y)
    for offset in range(-half_window, half_window + 1):  # one vector pass per neighbour position
        me = slice(max(0, -offset), n - max(0, offset))
        other = slice(max(0, offset), n - max(0, -offset))
        ok = (block[other] == block[me]) & finite[other]
        tau = np.where(ok, (t[other] - t[me]) / scale, 0.0)
        yv = np.where(ok, y[other], 0.0)
        tau2 = tau * tau
        s0[me] += ok
        s1[me] += tau
        s2[me] += tau2
        s3[me] += tau2 * tau
        s4[me] += tau2 * tau2
        r0[me] += yv
        r1[me] += tau * yv
        r2[me] += tau2 * yv
    with np.errstate(divide="ignore", invalid="ignore"):
        line = (s0 * r1 - s1 * r0) / (s0 * s2 - s1 * s1)
        # Linear coefficient of the least-squares quadratic (Cramer's rule on the 3x3 normal equations).
        det = s0 * (s2 * s4 - s3 * s3) - s1 * (s1 * s4 - s3 * s2) + s2 * (s1 * s3 - s2 * s2)
        det1 = s0 * (r1 * s4 - s3 * r2) - r0 * (s1 * s4 - s3 * s2) + s2 * (s1 * r2 - r1 * s2)
        quad = det1 / det
    use_quad = (s0 >= 3) & (np.abs(det) > 1e-9) & np.isfinite(quad)
    slope = np.where(use_quad, quad, line)
    slope[(s0 < 2) | ~np.isfinite(slope)] = np.nan
    return slope / scale


def gps_accelerations(raw: RawSession, fixes: Fixes | None) -> dict[str, np.ndarray]:
    """Per-row "gps_long_g" and "gps_lat_g" (NaN where no fixes support them)."""
    nan_rows = np.full(raw.row_count, np.nan)
    if fixes is None or fixes.count < 2:
        return {"gps_long_g": nan_rows, "gps_lat_g": nan_rows.copy()}
    fixes = _spread_out(fixes)
    speed, course = _fix_speed_and_course(raw, fixes)
    gap = fixes.gap_after()
    block = np.concatenate(([0], np.cumsum(gap)))
    def half(span_s: float) -> int:
        return max(1, round(span_s / fixes.median_interval()))

    long_g = local_slope(fixes.t, speed, half(_LONG_HALF_SPAN_S), block) / STANDARD_GRAVITY
    yaw_rate = local_slope(fixes.t, course, half(_LAT_HALF_SPAN_S), block)
    lat_g = np.where(speed >= _MIN_SPEED_FOR_LATERAL, speed * yaw_rate / STANDARD_GRAVITY, 0.0)
    lat_g[np.abs(yaw_rate) > _MAX_YAW_RATE] = np.nan
    accuracy = raw.channels.get("gps_accuracy")
    if accuracy is not None:
        poor = accuracy[fixes.rows] > _MAX_ACCURACY_M
        long_g[poor] = np.nan
        lat_g[poor] = np.nan
    for g in (long_g, lat_g):
        g[np.abs(g) > _MAX_PLAUSIBLE_G] = np.nan
    return {"gps_long_g": _to_rows(raw, fixes, long_g, gap), "gps_lat_g": _to_rows(raw, fixes, lat_g, gap)}


def _spread_out(fixes: Fixes) -> Fixes:
    """Drop a fix that arrives a small fraction of an interval before the next one (seen at start-up)."""
    too_close = np.append(np.diff(fixes.t) < _CLOSE_FIX_FRACTION * fixes.median_interval(), False)
    if not too_close.any():
        return fixes
    keep = ~too_close
    return Fixes(fixes.rows[keep], fixes.t[keep], fixes.lat[keep], fixes.lon[keep], fixes.x[keep], fixes.y[keep],
                 fixes.frame)


def _fix_speed_and_course(raw: RawSession, fixes: Fixes) -> tuple[np.ndarray, np.ndarray]:
    """Doppler speed and course from the file where valid, else from the fix positions (unwrapped radians)."""
    vx, vy = np.gradient(fixes.x, fixes.t), np.gradient(fixes.y, fixes.t)
    speed = np.hypot(vx, vy)
    course = np.arctan2(vx, vy)
    file_speed = raw.channels.get("speed")
    if file_speed is not None:
        fs = file_speed[fixes.rows]
        speed = np.where(np.isfinite(fs), fs, speed)
    file_heading = raw.channels.get("heading")
    if file_heading is not None:
        fh = np.radians(file_heading[fixes.rows])
        use = np.isfinite(fh) & (speed >= _MIN_SPEED_FOR_LATERAL)
        course = np.where(use, fh, course)
    return speed, np.unwrap(course)


def _to_rows(raw: RawSession, fixes: Fixes, values: np.ndarray, gap: np.ndarray) -> np.ndarray:
    t = raw.time_s
    good = np.isfinite(values)
    if good.sum() < 2:
        return np.full(raw.row_count, np.nan)
    out = np.interp(t, fixes.t[good], values[good], left=np.nan, right=np.nan)
    seg = np.clip(np.searchsorted(fixes.t, t, side="right") - 1, 0, fixes.count - 2)
    out[gap[seg] & (t > fixes.t[seg]) & (t < fixes.t[seg + 1])] = np.nan
    return np.asarray(out)

"""Per lap and corner: what happened in the corner segment, from a compare's traces on the reference distance axis.

Every figure is read off the compare's grid, so a corner's delta is exactly the delta trace's change across the
segment. Hints are sentences built only from those figures, for the corners where a lap lost the most time, and
only where the loss is larger than its uncertainty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .compare import CompareResult
from .corners import Corner, ReferencePath, gaussian_circular
from .model import LapData

BRAKE_DECEL_G = 0.25  # deceleration beyond this is braking (engine braking and drag stay below it)
THROTTLE_PICKUP_PCT = 20.0  # throttle beyond this after the slowest point is the pick-up
BRAKE_SEARCH_M = 250.0  # braking for a corner is looked for this far before its slowest point
MIN_HINT_LOSS_S = 0.05  # smaller losses are within what two GPS laps can tell apart
MAX_HINTS = 3
_G = 9.80665
_MS_TO_KMH = 3.6
_SPEED_SMOOTH_M = 4.0
_LATERAL_SMOOTH_M = 6.0  # peak lateral g of the car, not of one noisy fix
# Differences below these are not worth a word (metres, km/h).
_BRAKE_WORTH_M = 3.0
_SPEED_WORTH_KMH = 1.0


@dataclass(frozen=True)
class CornerFigures:
    time_s: float  # through the segment start..end
    delta_s: float  # gained (-) or lost (+) against the reference across the segment
    sigma_s: float | None  # uncertainty of delta_s (None: not known)
    entry_kmh: float | None
    min_kmh: float | None
    min_at_m: float | None  # reference distance of the slowest point
    exit_kmh: float | None
    brake_m: float | None  # where braking begins, metres relative to the apex (negative = before it)
    max_lat_g: float | None
    throttle_m: float | None  # throttle pick-up relative to the apex (None: no throttle channel or no pick-up)
    brake_within_m: float = 0.0  # the brake point is known to +- this: half the distance between GPS fixes there


@dataclass(frozen=True)
class _LapTraces:
    """One lap's traces on the compare grid, prepared once for all its corners."""

    time_s: np.ndarray
    delta_s: np.ndarray
    sigma_s: np.ndarray | None
    speed: np.ndarray | None  # m/s, smoothed
    decel_g: np.ndarray | None  # deceleration from the speed trace (+ = slowing down)
    lateral_g: np.ndarray | None  # |lateral g|: the lap's channel, else speed squared times reference curvature
    throttle: np.ndarray | None


def corner_figures(result: CompareResult, corners: list[Corner],
                   fix_interval_s: dict[str, float] | None = None) -> dict[str, list[CornerFigures]]:
    """Lap key -> figures per corner, corners in the order given (distances on the result's grid).
    `fix_interval_s` (per lap, see `fix_interval`) bounds how exactly a brake point is known."""
    grid = result.distance_m
    curvature = _reference_curvature(result)
    out: dict[str, list[CornerFigures]] = {}
    for key in result.keys:
        traces = _lap_traces(result, key, curvature)
        interval = (fix_interval_s or {}).get(key, 0.0)
        out[key] = [_figures(grid, corner, traces, interval) for corner in corners]
    return out


def fix_interval(data: LapData) -> float:
    """Typical seconds between GPS fixes of a lap (0 when unknown)."""
    times = data.time_s[data.gps_fix & np.isfinite(data.time_s)]
    return float(np.median(np.diff(times))) if times.size > 2 else 0.0


def _lap_traces(result: CompareResult, key: str, curvature: np.ndarray | None) -> _LapTraces:
    channels = result.channels.get(key, {})
    speed = _smoothed(result.distance_m, channels.get("speed"), _SPEED_SMOOTH_M)
    lateral = _smoothed(result.distance_m, channels.get("gps_lat_g"), _LATERAL_SMOOTH_M)
    if lateral is None and speed is not None and curvature is not None:
        lateral = speed**2 * curvature / _G
    decel = None if speed is None else -speed * np.gradient(speed, result.distance_m) / _G
    return _LapTraces(result.time_s[key], result.delta_s[key],
                      result.delta_sigma_s.get(key),
                      speed, decel, None if lateral is None else np.abs(lateral), channels.get("throttle"))


def _figures(grid: np.ndarray, corner: Corner, lap: _LapTraces, fix_interval_s: float) -> CornerFigures:
    a, b = corner.start_m, corner.end_m
    t0, t1 = np.interp([a, b], grid, lap.time_s)
    d0, d1 = np.interp([a, b], grid, lap.delta_s)
    lo, hi = int(np.searchsorted(grid, a)), int(np.searchsorted(grid, b, side="right"))
    sig = None if lap.sigma_s is None else float(np.hypot(*np.interp([a, b], grid, lap.sigma_s)))
    entry = minimum = min_at = exit_ = brake = throttle = None
    brake_within = 0.0
    if lap.speed is not None and lap.decel_g is not None and hi > lo:
        entry, exit_ = (float(v) * _MS_TO_KMH for v in np.interp([a, b], grid, lap.speed))
        i_min = lo + int(np.argmin(lap.speed[lo:hi]))
        minimum, min_at = float(lap.speed[i_min]) * _MS_TO_KMH, float(grid[i_min])
        brake = _brake_point(grid, lap.decel_g, i_min, a)
        if brake is not None:  # the speed between two fixes is interpolated: the onset is somewhere in between
            brake_within = float(np.interp(brake, grid, lap.speed)) * fix_interval_s / 2
        throttle = _throttle_pickup(grid, lap.throttle, i_min, hi)
    lateral = None if lap.lateral_g is None or hi <= lo else float(np.max(lap.lateral_g[lo:hi]))
    return CornerFigures(float(t1 - t0), float(d1 - d0), sig, entry, minimum, min_at, exit_,
                         None if brake is None else brake - corner.apex_m, lateral,
                         None if throttle is None else throttle - corner.apex_m, brake_within)


def _smoothed(grid: np.ndarray, values: np.ndarray | None, sigma_m: float) -> np.ndarray | None:
    """A channel with its gaps bridged and smoothed over a few metres (held 1 Hz values become a smooth trace)."""
    if values is None or np.isfinite(values).sum() < 2:
        return None
    step = float(grid[-1] - grid[0]) / max(grid.size - 1, 1) or 1.0
    ok = np.isfinite(values)
    return gaussian_circular(np.interp(grid, grid[ok], values[ok]), sigma_m / step)


def _brake_point(grid: np.ndarray, decel_g: np.ndarray, i_min: int, start_m: float) -> float | None:
    """Start of the run of deceleration beyond BRAKE_DECEL_G that ends at the slowest point."""
    lo = int(np.searchsorted(grid, min(start_m, grid[i_min]) - BRAKE_SEARCH_M))
    braking = decel_g[lo: i_min + 1] > BRAKE_DECEL_G
    if not braking.any():
        return None
    last = int(np.flatnonzero(braking)[-1])
    off = np.flatnonzero(~braking[: last + 1])
    first = int(off[-1]) + 1 if off.size else 0
    return float(grid[lo + first])


def _reference_curvature(result: CompareResult) -> np.ndarray | None:
    speed = result.channels.get(result.reference_key, {}).get("speed")
    try:
        path = ReferencePath.of(result.distance_m, result.lat, result.lon, speed)
    except ValueError:
        return None
    curvature: np.ndarray = np.interp(result.distance_m, path.distance_m, path.curvature)
    return curvature


def _throttle_pickup(grid: np.ndarray, throttle: np.ndarray | None, i_min: int, hi: int) -> float | None:
    """First point after the slowest one where the throttle opens beyond THROTTLE_PICKUP_PCT."""
    if throttle is None:
        return None
    opened = throttle[i_min:hi] > THROTTLE_PICKUP_PCT
    return float(grid[i_min + int(np.argmax(opened))]) if opened.any() else None


@dataclass(frozen=True)
class CornerLoss:
    corner: Corner
    lap: CornerFigures
    reference: CornerFigures


def ranked_losses(corners: list[Corner], figures: dict[str, list[CornerFigures]], key: str,
                  reference_key: str) -> list[CornerLoss]:
    """The corners of one lap, most time lost against the reference first."""
    rows = [CornerLoss(c, f, r) for c, f, r in zip(corners, figures[key], figures[reference_key], strict=True)]
    return sorted(rows, key=lambda row: row.lap.delta_s, reverse=True)


def hints(corners: list[Corner], figures: dict[str, list[CornerFigures]], key: str, reference_key: str,
          min_loss_s: float = MIN_HINT_LOSS_S) -> list[str]:
    """At most three plain sentences for the corners where this lap lost most, each backed by its numbers."""
    if key == reference_key:
        return []
    out = []
    for row in ranked_losses(corners, figures, key, reference_key):
        loss = row.lap.delta_s
        if loss < min_loss_s or (row.lap.sigma_s is not None and row.lap.sigma_s >= loss):
            continue
        reasons = _reasons(row.lap, row.reference)
        text = f"{row.corner.name}: {loss:.2f} s lost"
        out.append(f"{text}: {', '.join(reasons)}" if reasons else text)
        if len(out) == MAX_HINTS:
            break
    return out


def _reasons(lap: CornerFigures, ref: CornerFigures) -> list[str]:
    reasons = []
    worth = max(_BRAKE_WORTH_M, lap.brake_within_m + ref.brake_within_m)
    if lap.brake_m is not None and ref.brake_m is not None and abs(lap.brake_m - ref.brake_m) >= worth:
        gap = lap.brake_m - ref.brake_m
        reasons.append(f"braking {abs(gap):.0f} m {'earlier' if gap < 0 else 'later'} than the reference")
    for label, mine, theirs in (("minimum speed", lap.min_kmh, ref.min_kmh), ("exit speed", lap.exit_kmh, ref.exit_kmh),
                                ("entry speed", lap.entry_kmh, ref.entry_kmh)):  # fmt: skip
        if mine is not None and theirs is not None and abs(mine - theirs) >= _SPEED_WORTH_KMH:
            reasons.append(f"{label} {abs(mine - theirs):.0f} km/h {'lower' if mine < theirs else 'higher'}")
    return reasons[:3]


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def figures_json(figures: CornerFigures) -> dict[str, Any]:
    """The JSON of one lap in one corner, as the CLI and the server's compare give it."""
    return {"time_s": round(figures.time_s, 3), "delta_s": round(figures.delta_s, 3),
            "entry_kmh": _rounded(figures.entry_kmh, 1), "min_kmh": _rounded(figures.min_kmh, 1),
            "min_at_m": _rounded(figures.min_at_m, 1), "exit_kmh": _rounded(figures.exit_kmh, 1),
            "brake_m": _rounded(figures.brake_m, 1), "max_lat_g": _rounded(figures.max_lat_g, 2),
            "throttle_m": _rounded(figures.throttle_m, 1)}  # fmt: skip


def report_json(corners: list[Corner], figures: dict[str, list[CornerFigures]],
                hints_of: dict[str, list[str]]) -> dict[str, Any]:
    """`corners` (each with its figures per lap key) and `hints` per lap key."""
    return {
        "corners": [{"number": c.number, "name": c.name, "direction": c.direction, "start_m": round(c.start_m, 1),
                     "apex_m": round(c.apex_m, 1), "end_m": round(c.end_m, 1),
                     "laps": {key: figures_json(per[i]) for key, per in figures.items()}}
                    for i, c in enumerate(corners)],
        "hints": hints_of,
    }  # fmt: skip

"""Per lap and corner: what happened in the corner segment, from a compare's traces on the reference distance axis.

Every figure is read off the compare's grid, so a corner's delta is exactly the delta trace's change across the
segment. Hints are sentences built only from those figures, for the corners where a lap lost the most time, and
only where the loss is larger than its uncertainty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .compare import CompareResult
from .corners import Corner, gaussian_circular

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
_BRAKE_WORTH_M = 4.0
_SPEED_WORTH_KMH = 2.0


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


def corner_figures(result: CompareResult, corners: list[Corner]) -> dict[str, list[CornerFigures]]:
    """Lap key -> figures per corner, corners in the order given (distances on the result's grid)."""
    grid = result.distance_m
    curvature = _reference_curvature(result)
    out: dict[str, list[CornerFigures]] = {}
    for key in result.keys:
        speed = _lap_speed(result, key)
        sigma = getattr(result, "delta_sigma_s", {}).get(key)  # delta_sigma_s: from the delta branch
        out[key] = [_figures(result, key, corner, grid, speed, curvature, sigma) for corner in corners]
    return out


def _figures(result: CompareResult, key: str, corner: Corner, grid: np.ndarray, speed: np.ndarray | None,
             curvature: np.ndarray | None, sigma: np.ndarray | None) -> CornerFigures:
    a, b = corner.start_m, corner.end_m
    t0, t1 = np.interp([a, b], grid, result.time_s[key])
    d0, d1 = np.interp([a, b], grid, result.delta_s[key])
    inside = (grid >= a) & (grid <= b)
    sig = None if sigma is None else float(np.hypot(*np.interp([a, b], grid, sigma)))
    entry = minimum = min_at = exit_ = brake = None
    if speed is not None and inside.any() and np.isfinite(speed[inside]).all():
        entry, exit_ = (float(v) * _MS_TO_KMH for v in np.interp([a, b], grid, speed))
        i_min = int(np.flatnonzero(inside)[np.argmin(speed[inside])])
        minimum, min_at = float(speed[i_min]) * _MS_TO_KMH, float(grid[i_min])
        brake = _brake_point(grid, speed, i_min, a)
    return CornerFigures(float(t1 - t0), float(d1 - d0), sig, entry, minimum, min_at, exit_,
                         None if brake is None else brake - corner.apex_m,
                         _max_lateral_g(result, key, inside, speed, curvature),
                         _throttle_pickup(result, key, grid, inside, min_at, corner.apex_m))


def _lap_speed(result: CompareResult, key: str) -> np.ndarray | None:
    speed = result.channels.get(key, {}).get("speed")
    if speed is None or not np.isfinite(speed).any():
        return None
    step = float(np.median(np.diff(result.distance_m))) if result.distance_m.size > 1 else 1.0
    filled = np.interp(result.distance_m, result.distance_m[np.isfinite(speed)], speed[np.isfinite(speed)])
    return gaussian_circular(filled, _SPEED_SMOOTH_M / step)  # held 1 Hz values become a smooth trace


def _brake_point(grid: np.ndarray, speed: np.ndarray, i_min: int, start_m: float) -> float | None:
    """Start of the run of deceleration beyond BRAKE_DECEL_G that ends at the slowest point."""
    lo = int(np.searchsorted(grid, min(start_m, grid[i_min]) - BRAKE_SEARCH_M))
    decel = -speed[lo: i_min + 1] * np.gradient(speed[lo: i_min + 1], grid[lo: i_min + 1]) / _G \
        if i_min - lo >= 2 else np.empty(0)
    braking = decel > BRAKE_DECEL_G
    if not braking.any():
        return None
    last = int(np.flatnonzero(braking)[-1])
    off = np.flatnonzero(~braking[: last + 1])
    first = int(off[-1]) + 1 if off.size else 0
    return float(grid[lo + first])


def _reference_curvature(result: CompareResult) -> np.ndarray | None:
    from .corners import ReferencePath

    speed = result.channels.get(result.reference_key, {}).get("speed")
    try:
        path = ReferencePath.of(result.distance_m, result.lat, result.lon, speed)
    except ValueError:
        return None
    return np.interp(result.distance_m, path.distance_m, path.curvature)


def _max_lateral_g(result: CompareResult, key: str, inside: np.ndarray, speed: np.ndarray | None,
                   curvature: np.ndarray | None) -> float | None:
    """From the lap's own lateral acceleration channel, else speed squared times the reference curvature."""
    if not inside.any():
        return None
    lateral = result.channels.get(key, {}).get("gps_lat_g")
    if lateral is not None and np.isfinite(lateral).sum() > 2 and np.isfinite(lateral[inside]).any():
        step = float(np.median(np.diff(result.distance_m)))
        fin = np.isfinite(lateral)
        filled = np.interp(result.distance_m, result.distance_m[fin], lateral[fin])
        return float(np.max(np.abs(gaussian_circular(filled, _LATERAL_SMOOTH_M / step)[inside])))
    if speed is None or curvature is None:
        return None
    return float(np.max(speed[inside] ** 2 * np.abs(curvature[inside])) / _G)


def _throttle_pickup(result: CompareResult, key: str, grid: np.ndarray, inside: np.ndarray,
                     min_at: float | None, apex_m: float) -> float | None:
    throttle = result.channels.get(key, {}).get("throttle")
    if throttle is None or min_at is None:
        return None
    after = inside & (grid >= min_at) & (throttle > THROTTLE_PICKUP_PCT)
    return float(grid[np.argmax(after)]) - apex_m if after.any() else None


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
    if lap.brake_m is not None and ref.brake_m is not None and abs(lap.brake_m - ref.brake_m) >= _BRAKE_WORTH_M:
        gap = lap.brake_m - ref.brake_m
        reasons.append(f"braking {abs(gap):.0f} m {'earlier' if gap < 0 else 'later'} than the reference")
    for label, mine, theirs in (("minimum speed", lap.min_kmh, ref.min_kmh), ("exit speed", lap.exit_kmh, ref.exit_kmh),
                                ("entry speed", lap.entry_kmh, ref.entry_kmh)):  # fmt: skip
        if mine is not None and theirs is not None and abs(mine - theirs) >= _SPEED_WORTH_KMH:
            reasons.append(f"{label} {abs(mine - theirs):.0f} km/h {'lower' if mine < theirs else 'higher'}")
    return reasons[:3]

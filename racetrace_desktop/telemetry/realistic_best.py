"""Best laps that could have been driven: segments joined only where they fit together (see CORNERS.md).

The lap is cut into corner segments, one corner each, the cuts halfway along the straights between corners.
- Sum of best segments: the plain theoretical best over those segments.
- Realistic best: the fastest choice of one lap per segment such that at every cut (the start/finish line
  included, the lap is a loop) the two chosen laps pass within `tolerance_kmh` of each other; a lap joined to
  itself always fits. Solved exactly by dynamic programming over the segments.
- Rolling best: the fastest stretch of one lap's length actually driven, starting at any cut, across
  consecutive laps of one session.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from .compare import CompareResult
from .corners import Corner

DEFAULT_TOLERANCE_KMH = 3.0


@dataclass(frozen=True)
class LapSegments:
    key: str
    times_s: np.ndarray  # per segment
    boundary_kmh: np.ndarray  # speed at each cut, start line first and finish line last (NaN: unknown)


@dataclass(frozen=True)
class RealisticBest:
    time_s: float
    laps: list[str]  # the lap key chosen for each segment


def segment_cuts(corners: list[Corner], length_m: float) -> list[float]:
    """0, the middle of each straight between consecutive corners, the lap length."""
    ordered = sorted(corners, key=lambda c: c.apex_m)
    mids = [(a.end_m + b.start_m) / 2 for a, b in pairwise(ordered)]
    return [0.0, *(m for m in mids if 0 < m < length_m), float(length_m)]


def lap_segments(result: CompareResult, cuts: list[float], keys: list[str] | None = None) -> dict[str, LapSegments]:
    out = {}
    for key in keys or result.keys:
        times = np.interp(cuts, result.distance_m, result.time_s[key])
        speed = result.channels.get(key, {}).get("speed")
        kmh = np.full(len(cuts), np.nan) if speed is None else np.interp(cuts, result.distance_m, speed) * 3.6
        out[key] = LapSegments(key, np.diff(times), kmh)
    return out


def sum_of_best(laps: list[LapSegments]) -> float | None:
    if not laps:
        return None
    return float(np.min(np.stack([lap.times_s for lap in laps]), axis=0).sum())


def realistic_best(laps: list[LapSegments], tolerance_kmh: float = DEFAULT_TOLERANCE_KMH) -> RealisticBest | None:
    """The fastest consistent combination (see the module doc); None without laps."""
    if not laps:
        return None
    times = np.stack([lap.times_s for lap in laps])  # laps x segments
    speeds = np.stack([lap.boundary_kmh for lap in laps])  # laps x cuts
    best: RealisticBest | None = None
    for first in range(len(laps)):
        total, path = _best_from(first, times, speeds, tolerance_kmh)
        if total is not None and (best is None or total < best.time_s):
            best = RealisticBest(total, [laps[i].key for i in path])
    return best


def _fits(speeds: np.ndarray, cut: int, tolerance: float) -> np.ndarray:
    """fits[k, i]: lap k's segment may be followed by lap i's at this cut."""
    v = speeds[:, cut]
    ok = np.abs(v[:, None] - v[None, :]) <= tolerance
    fits: np.ndarray = ok | np.eye(v.size, dtype=bool)  # NaN compares False: only a lap with itself
    return fits


def _best_from(first: int, times: np.ndarray, speeds: np.ndarray, tolerance: float) -> tuple[float | None, list[int]]:
    n_laps, n_seg = times.shape
    cost = np.full(n_laps, np.inf)
    cost[first] = times[first, 0]
    back = np.zeros((n_seg, n_laps), dtype=int)
    for j in range(1, n_seg):
        options = np.where(_fits(speeds, j, tolerance), cost[:, None], np.inf)  # from k (rows) to i (columns)
        back[j] = np.argmin(options, axis=0)
        cost = options[back[j], np.arange(n_laps)] + times[:, j]
    closes = np.abs(speeds[:, -1] - speeds[first, 0]) <= tolerance  # the finish meets the first segment
    closes[first] = True
    cost = np.where(closes, cost, np.inf)
    last = int(np.argmin(cost))
    if not np.isfinite(cost[last]):
        return None, []
    path = [last]
    for j in range(n_seg - 1, 0, -1):
        path.append(int(back[j, path[-1]]))
    return float(cost[last]), path[::-1]


def rolling_best(runs: list[list[LapSegments]]) -> float | None:
    """Fastest window of one lap's worth of consecutive segments; `runs` are unbroken sequences of laps driven
    one after another (a pit stop or an untimed lap breaks a run)."""
    best: float | None = None
    for run in runs:
        if not run:
            continue
        n = run[0].times_s.size
        flat = np.concatenate([lap.times_s for lap in run])
        sums = np.convolve(flat, np.ones(n), mode="valid")
        window = float(sums.min())
        best = window if best is None else min(best, window)
    return best

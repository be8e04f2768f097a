"""Sectors: gates along the lap, split times per lap, theoretical best.

Equal-length sectors are placed on a reference lap (the fastest valid one) at equal fractions of its length and
turned into gates perpendicular to its path there, so every lap is split at the same place on the ground
whatever line it took. Each lap's split is the interpolated crossing of those gates; sector times are the
differences of the splits rounded to the millisecond, so they add up exactly to the lap time.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from .gates import crossing_times, gate_at
from .geo import Gate
from .model import Lap, TrackDefinition
from .trajectory import Trajectory

_FALLBACK_LENGTH_TOLERANCE = 0.10  # use proportional splits only for laps within 10 % of the reference length


@dataclass
class SectorLayout:
    gates: list[Gate]  # the N - 1 inner boundaries, in lap order
    boundaries_m: list[float]  # distance of each inner boundary on the reference lap, then the lap length
    reference_length_m: float


def layout_sectors(track: TrackDefinition | None, reference: Lap, traj: Trajectory,
                   num_sectors: int) -> SectorLayout | None:
    if reference.length_m is None or reference.end_s is None or traj.t.size < 2 or traj.fixes is None:
        return None
    length = reference.length_m
    d0 = float(traj.distance_at(np.array([reference.start_s]))[0])
    if track is not None and track.sector_gates:
        return _explicit_layout(track, reference, traj, d0, length)
    gates: list[Gate] = []
    bounds: list[float] = []
    for j in range(1, max(num_sectors, 1)):
        b = length * j / num_sectors
        gate = _gate_at_distance(traj, d0 + b, track.gate_width_m if track else 60.0)
        if gate is None:
            return None
        gates.append(gate)
        bounds.append(b)
    return SectorLayout(gates, [*bounds, length], length)


def _explicit_layout(track: TrackDefinition, reference: Lap, traj: Trajectory, d0: float,
                     length: float) -> SectorLayout | None:
    assert traj.fixes is not None
    found: list[tuple[float, Gate]] = []
    for point in track.sector_gates:
        gate = gate_at(point, traj.fixes.frame, traj, track.gate_width_m)
        if gate is None:
            continue
        hits = crossing_times(traj, gate, 0.0)
        hits = hits[(hits > reference.start_s) & (hits < (reference.end_s or np.inf))]
        if hits.size:
            found.append((float(traj.distance_at(hits[:1])[0]) - d0, gate))
    if not found:
        return None
    found.sort(key=lambda item: item[0])
    return SectorLayout([g for _, g in found], [d for d, _ in found] + [length], length)


def _gate_at_distance(traj: Trajectory, target_s: float, width_m: float) -> Gate | None:
    t = float(np.interp(target_s, traj.s, traj.t))
    x, y = traj.position_at(np.array([t - 0.25, t, t + 0.25]))
    if not np.all(np.isfinite(x)):
        return None
    ux, uy = x[2] - x[0], y[2] - y[0]
    norm = float(np.hypot(ux, uy))
    if norm < 0.5:
        return None
    return Gate(float(x[1]), float(y[1]), ux / norm, uy / norm, width_m / 2)


def split_laps(laps: list[Lap], layout: SectorLayout, traj: Trajectory, warnings: list[str]) -> None:
    """Fill `sector_times_ms` of every timed lap."""
    all_hits = [crossing_times(traj, gate, 0.0) for gate in layout.gates]
    for lap in laps:
        if lap.lap_time_ms is None or lap.end_s is None:
            lap.sector_times_ms = []
            continue
        splits = _lap_splits(lap, all_hits, layout, traj)
        if any(s is None for s in splits) and lap.is_valid:
            warnings.append(f"lap {lap.number}: a sector line was not crossed; its sector times are unknown")
        lap.sector_times_ms = _sector_times(splits, lap.lap_time_ms)


def _lap_splits(lap: Lap, all_hits: list[np.ndarray], layout: SectorLayout,
                traj: Trajectory) -> list[float | None]:
    """Seconds from the lap's start crossing to each inner gate, gates taken in order."""
    assert lap.end_s is not None
    splits: list[float | None] = []
    after = lap.start_s
    for j, hits in enumerate(all_hits):
        inside = hits[(hits > after) & (hits < lap.end_s)]
        if inside.size:
            after = float(inside[0])
            splits.append(after - lap.start_s)
        else:
            split = _proportional_split(lap, layout, layout.boundaries_m[j], traj)
            splits.append(split)
            after = after if split is None else lap.start_s + split
    return splits


def _proportional_split(lap: Lap, layout: SectorLayout, boundary_m: float, traj: Trajectory) -> float | None:
    """Where the gate was missed (GPS outage), the time at the same fraction of this lap's own length."""
    if lap.length_m is None or lap.end_s is None:
        return None
    if abs(lap.length_m / layout.reference_length_m - 1) > _FALLBACK_LENGTH_TOLERANCE:
        return None
    d0 = float(traj.distance_at(np.array([lap.start_s]))[0])
    target = d0 + boundary_m * lap.length_m / layout.reference_length_m
    times = np.array([lap.start_s, lap.end_s])
    lo, hi = traj.distance_at(times)
    if not lo <= target <= hi:
        return None
    grid = np.linspace(lap.start_s, lap.end_s, 2048)
    return float(np.interp(target, traj.distance_at(grid), grid)) - lap.start_s


def _sector_times(splits: list[float | None], lap_ms: int) -> list[int | None]:
    marks: list[int | None] = [0, *(None if s is None else round(s * 1000.0) for s in splits), lap_ms]
    times: list[int | None] = []
    for a, b in pairwise(marks):
        times.append(None if a is None or b is None or b <= a else b - a)
    return times


def theoretical_best(laps: list[Lap]) -> int | None:
    """Sum of the best valid sector times; None unless every sector has one."""
    rows = [lap.sector_times_ms for lap in laps if lap.is_valid and lap.lap_time_ms is not None and lap.sector_times_ms]
    if not rows:
        return None
    best: list[int] = []
    for j in range(len(rows[0])):
        values = [r[j] for r in rows if j < len(r) and r[j] is not None]
        if not values:
            return None
        best.append(min(v for v in values if v is not None))
    return sum(best)

"""Compare N laps on a common, length-normalised distance grid.

Each lap's distance is divided by its own length, so fraction 0 is the start line and 1 the finish line for
every lap even when GPS made one lap a few metres longer. Time at each fraction is interpolated; the delta of a
lap is its time minus the reference's time at the same fraction. Each lap's time at fraction 1 is pinned to its
recorded lap time, so the delta at the finish equals the lap-time difference exactly.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import numpy as np


class CompareError(ValueError):
    """A lap cannot be compared (e.g. zero length); the message names the lap."""


@dataclass(frozen=True)
class LapTrace:
    lap_id: uuid.UUID
    lap_time_ms: int | None
    arrays: dict[str, np.ndarray]


@dataclass(frozen=True)
class ComparedLap:
    lap_id: uuid.UUID
    lap_time_s: float
    length_m: float
    time_s: np.ndarray  # time at each grid fraction
    delta_s: np.ndarray  # minus the reference's time at the same fraction
    channels: dict[str, np.ndarray | None]


@dataclass(frozen=True)
class Comparison:
    fraction: np.ndarray
    distance_m: np.ndarray  # the fraction scaled to the reference lap's length
    reference_lap_id: uuid.UUID
    laps: list[ComparedLap]


def _normalised(trace: LapTrace) -> tuple[np.ndarray, np.ndarray, float, float]:
    """(fraction, time, length_m, lap_time_s) with strictly increasing fraction."""
    distance = np.maximum.accumulate(trace.arrays["distance_m"])
    time = trace.arrays["time_s"] - trace.arrays["time_s"][0]
    length = float(distance[-1] - distance[0])
    if length <= 0:
        raise CompareError(f"lap {trace.lap_id}: its distance never increases, it cannot be compared")
    fraction, first = np.unique((distance - distance[0]) / length, return_index=True)
    lap_time_s = trace.lap_time_ms / 1000 if trace.lap_time_ms is not None else float(time[-1])
    time_at = time[first]
    time_at[-1] = lap_time_s  # fraction 1 is the finish line: the recorded lap time is authoritative
    return fraction, time_at, length, lap_time_s


def _resample(trace: LapTrace, key: str, fraction_of_samples: np.ndarray, grid: np.ndarray) -> np.ndarray | None:
    values = trace.arrays.get(key)
    if values is None:
        return None
    finite = np.isfinite(values)
    if finite.sum() < 2:
        return None
    order = np.argsort(fraction_of_samples[finite], kind="stable")
    return np.interp(grid, fraction_of_samples[finite][order], values[finite][order])


def compare(traces: list[LapTrace], reference_lap_id: uuid.UUID, points: int, channels: list[str]) -> Comparison:
    grid = np.linspace(0.0, 1.0, points)
    prepared = {trace.lap_id: (trace, *_normalised(trace)) for trace in traces}
    reference = prepared[reference_lap_id]
    reference_time = np.interp(grid, reference[1], reference[2])
    compared = []
    for trace, fraction, time_at, length, lap_time_s in prepared.values():
        lap_time = np.interp(grid, fraction, time_at)
        distance = np.maximum.accumulate(trace.arrays["distance_m"])
        sample_fraction = (distance - distance[0]) / length
        resampled = {key: _resample(trace, key, sample_fraction, grid) for key in channels}
        compared.append(
            ComparedLap(trace.lap_id, lap_time_s, length, lap_time, lap_time - reference_time, resampled)
        )
    return Comparison(grid, grid * reference[3], reference_lap_id, compared)

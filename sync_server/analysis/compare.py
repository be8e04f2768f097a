"""`POST /laps/compare` computed by the desktop app's own compare (racetrace_desktop.telemetry, pure numpy), so a
pair of laps gives the same delta-T in the window, the CLI and the server.

The laps' telemetry documents become the same lap arrays the desktop library holds; the compare runs on the
reference lap's 1 m grid, and is resampled onto `points` evenly spaced distances when the caller asks for that.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np

from racetrace_desktop.telemetry.compare import CompareLap, CompareResult, compare_laps
from racetrace_desktop.telemetry.corner_figures import corner_figures, fix_interval, hints, report_json
from racetrace_desktop.telemetry.corners import Corner, place_corners
from racetrace_desktop.telemetry.model import LapData

AXES = ("time_s", "distance_m", "lat", "lon", "gps_fix")
CORNER_CHANNELS = ("speed", "gps_lat_g", "throttle")  # what the corner figures read besides the traces
MAX_LAP_M = 100_000.0  # the 1 m grid of a longer "lap" would let one request take the server's memory


class CompareError(ValueError):
    """A lap cannot be compared (no lap time, no distance); the message names the lap."""


@dataclass(frozen=True)
class LapTrace:
    lap_id: uuid.UUID
    lap_number: int
    lap_time_ms: int | None
    is_valid: bool
    length_m: float | None
    session_id: uuid.UUID
    arrays: dict[str, np.ndarray]


def compare_input(trace: LapTrace) -> CompareLap:
    if trace.lap_time_ms is None or trace.lap_time_ms <= 0:
        raise CompareError(f"lap {trace.lap_id}: it has no lap time (out-lap or in-lap) and cannot be compared")
    arrays = trace.arrays
    if float(np.nanmax(arrays["distance_m"], initial=0.0)) > MAX_LAP_M:
        raise CompareError(f"lap {trace.lap_id}: longer than {MAX_LAP_M / 1000:.0f} km, it cannot be compared")
    n = arrays["time_s"].size
    data = LapData(
        time_s=arrays["time_s"],
        distance_m=arrays["distance_m"],
        lat=arrays.get("lat", np.full(n, np.nan)),
        lon=arrays.get("lon", np.full(n, np.nan)),
        gps_fix=arrays["gps_fix"].astype(bool) if "gps_fix" in arrays else np.zeros(n, dtype=bool),
        channels={k: v for k, v in arrays.items() if k not in AXES},
    )
    return CompareLap(str(trace.lap_id), trace.lap_time_ms, data, trace.is_valid, f"Lap {trace.lap_number}",
                      trace.length_m, str(trace.session_id))


def compare(traces: list[LapTrace], reference_lap_id: uuid.UUID | None, channels: list[str]) -> CompareResult:
    """The desktop compare of these laps (reference: the given lap, else the fastest valid one)."""
    inputs = [compare_input(trace) for trace in traces]
    try:
        return compare_laps(inputs, str(reference_lap_id) if reference_lap_id else None,
                            channels=list(dict.fromkeys([*channels, *CORNER_CHANNELS])))
    except ValueError as exc:
        raise CompareError(str(exc)) from exc


def resampled(result: CompareResult, values: np.ndarray, points: int | None) -> np.ndarray:
    """`values` on the result's grid, or on `points` evenly spaced distances over the reference lap."""
    if points is None:
        return values
    grid = np.linspace(0.0, float(result.distance_m[-1]), points)
    out: np.ndarray = np.interp(grid, result.distance_m, values)
    return out


def corner_report(result: CompareResult, stored_corners: list[dict[str, Any]],
                  traces: list[LapTrace]) -> dict[str, Any]:
    """`corners` and `hints` as the desktop compare gives them, from the configuration's stored corners."""
    corners = place_corners([Corner.from_json(c) for c in stored_corners], result.distance_m, result.lat,
                            result.lon)
    intervals = {str(trace.lap_id): fix_interval(compare_input(trace).data) for trace in traces}
    figures = corner_figures(result, corners, intervals)
    return report_json(corners, figures, {key: hints(corners, figures, key, result.reference_key)
                                          for key in result.keys})

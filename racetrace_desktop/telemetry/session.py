"""analyse(): a parsed recording in, laps with per-lap arrays, sectors and stats out."""

from __future__ import annotations

import numpy as np

from .derived import DERIVED_CHANNELS, gps_accelerations
from .gates import bridged_crossing, crossing_times, gate_at
from .geo import haversine_m
from .gps import Fixes, clean_fixes
from .held import interpolate_held
from .laps import (
    apply_flags,
    attach_gps_times,
    has_lap_lines,
    lap_column_flips,
    laps_from_crossings,
    laps_from_lap_column,
    laps_from_markers,
    single_lap,
)
from .model import AnalysedSession, ChannelInfo, GeoPoint, Lap, LapData, RawSession, TrackDefinition
from .sectors import layout_sectors, split_laps, theoretical_best
from .stats import lap_stats
from .trajectory import Trajectory, build_trajectory

DEFAULT_GATE_WIDTH_M = 60.0
MOVED_LINE_M = 50.0  # a track line this far from the file's own line makes the stated lap times meaningless


def analyse(raw: RawSession, track: TrackDefinition | None = None, *, prefer_gps: bool = False) -> AnalysedSession:
    """Split `raw` into laps and compute distance, sectors, stats and derived channels.

    Stated lap times win unless `prefer_gps` is set or `track` moves the start/finish line more than
    MOVED_LINE_M away from the file's own; then laps are re-timed from the GPS crossings.
    """
    warnings: list[str] = []
    if raw.row_count == 0:
        return AnalysedSession(raw, [], [], None, [f"{raw.metadata.source_name}: no data rows"])
    fixes = clean_fixes(raw)
    traj = build_trajectory(raw, fixes)
    crossings = _start_finish_crossings(raw, track, fixes, traj, warnings)
    laps = _split_into_laps(raw, track, crossings, prefer_gps, warnings)
    apply_flags(laps, raw)
    _fill_lap_data(raw, laps, fixes, traj)
    boundaries, best = _sectors(laps, track, traj, warnings)
    return AnalysedSession(raw, laps, boundaries, best, warnings)


def derived_channel_info() -> dict[str, ChannelInfo]:
    """ChannelInfo of the channels analyse() adds to every LapData."""
    return dict(DERIVED_CHANNELS)


def _start_finish_crossings(raw: RawSession, track: TrackDefinition | None, fixes: Fixes | None,
                            traj: Trajectory, warnings: list[str]) -> np.ndarray | None:
    """Interpolated crossings of the start/finish gate, or None when there is no line or no GPS."""
    point = track.start_finish if track is not None else raw.metadata.start_finish
    if point is None or fixes is None:
        return None
    if not (np.isfinite(point.lat) and np.isfinite(point.lon)):
        warnings.append(f"start/finish point ({point.lat}, {point.lon}) is not a valid position")
        return None
    width = track.gate_width_m if track is not None else DEFAULT_GATE_WIDTH_M
    gate = gate_at(point, fixes.frame, traj, width)
    if gate is None:
        warnings.append(f"{raw.metadata.source_name}: the car never came near the start/finish point")
        return None
    if bridged_crossing(traj, gate):
        warnings.append(f"{raw.metadata.source_name}: a start/finish crossing fell in a GPS outage and was not timed")
    return crossing_times(traj, gate)


def _split_into_laps(raw: RawSession, track: TrackDefinition | None, crossings: np.ndarray | None,
                     prefer_gps: bool, warnings: list[str]) -> list[Lap]:
    moved = _line_moved(raw, track)
    if moved is not None:
        warnings.append(f"the track's start/finish is {moved:.0f} m from the file's: laps re-timed from GPS")
    own_laps = not prefer_gps and moved is None
    if own_laps and has_lap_lines(raw):
        laps = laps_from_markers(raw, warnings, crossings)
        if crossings is not None:
            attach_gps_times(laps, crossings, float(raw.time_s[0]), warnings)
        return laps
    if own_laps and lap_column_flips(raw) is not None:  # the file's own lap count, not a silent re-lap
        return laps_from_lap_column(raw, crossings, warnings)
    if crossings is not None and crossings.size:
        return laps_from_crossings(raw, crossings, warnings)
    if has_lap_lines(raw):
        warnings.append("no GPS crossing of the start/finish line: using the stated lap times")
        return laps_from_markers(raw, warnings)
    return single_lap(raw)


def _line_moved(raw: RawSession, track: TrackDefinition | None) -> float | None:
    own: GeoPoint | None = raw.metadata.start_finish
    if track is None or own is None or not (has_lap_lines(raw) or lap_column_flips(raw) is not None):
        return None
    gap = float(haversine_m(own.lat, own.lon, track.start_finish.lat, track.start_finish.lon))
    return gap if gap > MOVED_LINE_M else None


def _fill_lap_data(raw: RawSession, laps: list[Lap], fixes: Fixes | None, traj: Trajectory) -> None:
    derived = gps_accelerations(raw, fixes)
    measured = interpolate_held(raw)
    has_distance = fixes is not None or "speed" in raw.channels or "obd_speed" in raw.channels
    distance = traj.distance_at(raw.time_s)
    accepted = np.zeros(raw.row_count, dtype=bool)
    if fixes is not None:
        accepted[fixes.rows] = True
    for lap in laps:
        rows = slice(lap.row_start, lap.row_end)
        d0 = float(traj.distance_at(np.array([lap.start_s]))[0])
        channels = {key: values[rows] for key, values in measured.items()}
        channels.update({key: values[rows] for key, values in derived.items()})
        lap.data = LapData(time_s=raw.time_s[rows] - lap.start_s, distance_m=distance[rows] - d0,
                           lat=raw.lat[rows], lon=raw.lon[rows], gps_fix=accepted[rows], channels=channels)
        if has_distance:
            last_row = min(max(lap.row_end - 1, lap.row_start), raw.row_count - 1)
            end = lap.end_s if lap.end_s is not None else max(float(raw.time_s[last_row]), lap.start_s)
            lap.length_m = float(traj.distance_at(np.array([end]))[0]) - d0
        lap.stats = lap_stats(lap.data, lap.lap_time_ms, lap.length_m)


def _reference_lap(laps: list[Lap]) -> Lap | None:
    """Fastest valid timed lap; else the fastest timed lap that is not the out-lap; else any timed lap."""
    timed = [lap for lap in laps if lap.lap_time_ms is not None and lap.length_m]
    for pool in ([lap for lap in timed if lap.is_valid], [lap for lap in timed if not lap.is_outlap], timed):
        if pool:
            return min(pool, key=lambda lap: lap.lap_time_ms or 0)
    return None


def _sectors(laps: list[Lap], track: TrackDefinition | None, traj: Trajectory,
             warnings: list[str]) -> tuple[list[float], int | None]:
    reference = _reference_lap(laps)
    if reference is None:
        return [], None
    num = track.num_sectors if track is not None else 3
    layout = layout_sectors(track, reference, traj, num)
    if layout is None:
        warnings.append("sector lines could not be placed (no GPS path on the reference lap)")
        return [], None
    split_laps(laps, layout, traj, warnings)
    return layout.boundaries_m, theoretical_best(laps)

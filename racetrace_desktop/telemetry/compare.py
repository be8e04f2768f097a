"""Compare laps on one distance axis: channels resampled onto a common grid and delta-T against a reference lap.

The method, why it was chosen and its measured accuracy are in DELTA_T.md (next to this file). Alignment:
- "doppler" (default) places every lap by its integrated Doppler velocity (compare_fusion), positioned by its own
  fixes, registered to the reference path by one fitted offset (compare_registration), then projected onto the
  reference path like "projection"; laps without a usable course fall back to "projection";
- "projection" places every GPS fix of a lap on the reference path (windowed search around its normalised
  distance, heading agreement, outlier and monotonic filtering); for laps from another recording (`source`
  differs from the reference's) a constant GPS offset is estimated and removed first;
- "sectors" stretches each lap piecewise between the sector gates;
- "distance" scales each lap to the reference length;
- "raw" uses the lap's own distance unchanged (diagnostic only: it does not close).
Except "raw", every lap is pinned to (0, 0) and (reference length, its lap time), so the delta at the finish equals
the lap-time difference exactly. Gate checks compare the trace at each sector line with the time difference of
the interpolated line crossings. `delta_sigma_s` is the trace's 1-sigma uncertainty (compare_sigma).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .compare_align import LapTrack, RefPath, coarse_prior, gate_crossing, lap_track, monotonic_pairs, project
from .compare_fusion import fused_track, placement, stated_accuracy_m, thinned
from .compare_registration import LINE_CORRELATION_M, Registration, fit_offsets, register_laps
from .compare_sigma import PlaceError, delta_sigma
from .geo import LocalFrame
from .model import Lap, LapData

METHODS = ("doppler", "projection", "sectors", "distance", "raw")
MAX_FIX_GAP_S = 2.0
OFFSET_MIN_M = 1.0  # a fitted offset smaller than this is line difference, not a GPS offset
_GATE_HALF_WIDTH_M = 30.0
_OFFSET_SUBSAMPLE = 3
_WELL_MATCHED = 0.8  # fraction of fixes placed on the reference path below which the lap-wide search is tried
_SIMILAR_LENGTH = 0.03
PRIOR_OF_ACCURACY = 0.5  # within a recording two laps' fixes agree to this fraction of the stated accuracy


@dataclass(frozen=True)
class CompareLap:
    """One lap to compare. `key` is any unique id (e.g. "<session>/<lap>")."""

    key: str
    lap_time_ms: int
    data: LapData
    is_valid: bool = True
    label: str = ""
    length_m: float | None = None  # default: the lap's distance at its lap time
    source: str | None = None  # recording it comes from: GPS offsets are only removed between recordings

    @classmethod
    def from_lap(cls, lap: Lap, key: str, label: str = "", source: str | None = None) -> CompareLap:
        if lap.lap_time_ms is None or lap.data is None:
            raise ValueError(f"lap {lap.number} ({key}) has no lap time or no data and cannot be compared")
        return cls(key, lap.lap_time_ms, lap.data, lap.is_valid, label or f"Lap {lap.number}", lap.length_m, source)


@dataclass(frozen=True)
class GateCheck:
    key: str
    gate: int  # 1-based inner sector line
    distance_m: float  # on the reference
    delta_s: float  # the delta trace at the line
    split_delta_s: float | None  # crossing time difference at the line (None: line not crossed)
    error_s: float | None


@dataclass
class CompareResult:
    reference_key: str
    keys: list[str]  # input order
    method: str
    distance_m: np.ndarray  # common grid over the reference lap, spacing <= spacing_m
    lat: np.ndarray  # reference path on the grid (NaN where the reference has no GPS)
    lon: np.ndarray
    time_s: dict[str, np.ndarray]  # lap time at each grid distance
    delta_s: dict[str, np.ndarray]  # time_s[key] - time_s[reference]
    channels: dict[str, dict[str, np.ndarray]]  # key -> channel -> values on the grid
    gps_gap: dict[str, np.ndarray]  # True where the lap had no fix within 2 s: the trace there is bridged
    offset_m: dict[str, tuple[float, float]]  # constant GPS offset removed (east, north)
    lap_time_ms: dict[str, int]
    labels: dict[str, str]
    sector_boundaries_m: list[float]
    gate_checks: list[GateCheck]
    warnings: list[str] = field(default_factory=list)
    delta_sigma_s: dict[str, np.ndarray] = field(default_factory=dict)  # 1-sigma uncertainty of delta_s, seconds
    registration_sigma_m: dict[str, float] = field(default_factory=dict)  # place uncertainty from the registration
    fix_spacing_s: dict[str, np.ndarray] = field(default_factory=dict)  # time between the fixes around each point

    @property
    def max_gate_error_s(self) -> float | None:
        errors = [abs(c.error_s) for c in self.gate_checks if c.error_s is not None]
        return max(errors) if errors else None

    def finish_delta_s(self, key: str) -> float:
        return float(self.delta_s[key][-1])


def compare_laps(laps: list[CompareLap], reference_key: str | None = None, spacing_m: float = 1.0,
                 channels: list[str] | None = None, num_sectors: int = 3, method: str = "doppler",
                 remove_offsets: bool = True) -> CompareResult:
    """Align `laps` to the reference (default: the fastest valid lap) and resample them on one distance grid."""
    _check_input(laps, method, spacing_m)
    ref_lap = _reference(laps, reference_key)
    frame = _frame(ref_lap)
    gps = {lap.key: lap_track(lap.data, lap.lap_time_ms, lap.length_m, frame) for lap in laps}
    tracks = {lap.key: _aligned_track(lap, gps[lap.key], frame, method) for lap in laps}
    for key, track in gps.items():
        if not track.length_m > 0:
            raise ValueError(f"lap {key} covers no distance and cannot be placed on a distance axis")
    ref = tracks[ref_lap.key]
    grid = np.linspace(0.0, ref.length_m, int(np.ceil(ref.length_m / spacing_m)) + 1)
    path = RefPath.of(thinned(ref) if tracks[ref_lap.key] is not gps[ref_lap.key] else ref)
    bounds = [ref.length_m * j / num_sectors for j in range(1, max(num_sectors, 1))]
    result = CompareResult(ref_lap.key, [lap.key for lap in laps], method, grid, *_grid_latlon(path, grid, frame),
                           {}, {}, {}, {}, {}, {lap.key: lap.lap_time_ms for lap in laps},
                           {lap.key: lap.label or lap.key for lap in laps}, [*bounds, ref.length_m], [])
    registrations = _registrations(laps, ref_lap, tracks, gps, path, ref.length_m) if (
        method == "doppler" and remove_offsets) else {}
    for lap in laps:
        other_recording = lap.key != ref_lap.key and lap.source != ref_lap.source
        _add_lap(result, lap, tracks[lap.key], ref, path, bounds, grid, channels, method,
                 remove_offsets and other_recording, gps[lap.key].fix_t, registrations.get(lap.key))
    for key in result.keys:
        result.delta_s[key] = result.time_s[key] - result.time_s[ref_lap.key]
    _check_gates(result, tracks, path, bounds, ref_lap.key)
    _add_sigmas(result, laps, tracks, method)
    return result


def _registrations(laps: list[CompareLap], ref_lap: CompareLap, tracks: dict[str, LapTrack],
                   gps: dict[str, LapTrack], path: RefPath, ref_length: float) -> dict[str, Registration]:
    """Offsets of the laps placed by their integrated paths (the others are aligned by their fixes)."""
    placed = [lap for lap in laps if lap.key != ref_lap.key and tracks[lap.key] is not gps[lap.key]]
    fits = {lap.key: fit_offsets(tracks[lap.key], path, ref_length, *placement(tracks[lap.key])) for lap in placed}
    ref_accuracy = stated_accuracy_m(ref_lap.data)
    prior = {lap.key: PRIOR_OF_ACCURACY * float(np.hypot(stated_accuracy_m(lap.data), ref_accuracy)) for lap in placed}
    return register_laps(fits, {lap.key: lap.source for lap in placed}, ref_lap.source, prior)


def _add_sigmas(result: CompareResult, laps: list[CompareLap], tracks: dict[str, LapTrack], method: str) -> None:
    def place_error(lap: CompareLap) -> tuple[PlaceError, str]:
        used = method if method != "doppler" or tracks[lap.key].integrated else "projection"
        return PlaceError(stated_accuracy_m(lap.data), result.fix_spacing_s[lap.key],
                          result.registration_sigma_m.get(lap.key, 0.0)), used

    ref_error, _ = place_error(next(lap for lap in laps if lap.key == result.reference_key))
    ref_time = result.time_s[result.reference_key]
    for lap in laps:
        if lap.key == result.reference_key:
            result.delta_sigma_s[lap.key] = np.zeros(result.distance_m.size)
            continue
        error, used = place_error(lap)
        gates = [(c.distance_m, abs(c.error_s)) for c in result.gate_checks
                 if c.key == lap.key and c.error_s is not None]
        result.delta_sigma_s[lap.key] = delta_sigma(result.distance_m, ref_time, error, ref_error, used, gates)


def _aligned_track(lap: CompareLap, gps: LapTrack, frame: LocalFrame, method: str) -> LapTrack:
    """What a lap is aligned by: its GPS fixes, or for "doppler" its integrated velocity placed by them."""
    if method != "doppler":
        return gps
    return fused_track(lap.data, lap.lap_time_ms, lap.length_m, frame) or gps


def _check_input(laps: list[CompareLap], method: str, spacing_m: float) -> None:
    if not laps:
        raise ValueError("nothing to compare: no laps given")
    if method not in METHODS:
        raise ValueError(f"unknown alignment method {method!r}; use one of {', '.join(METHODS)}")
    if not spacing_m > 0:
        raise ValueError(f"spacing_m must be positive, not {spacing_m}")
    keys = [lap.key for lap in laps]
    if len(set(keys)) != len(keys):
        raise ValueError(f"lap keys must be unique: {keys}")
    for lap in laps:
        if lap.lap_time_ms is None or lap.lap_time_ms <= 0:
            raise ValueError(f"lap {lap.key} has no positive lap time")
        if lap.data.row_count < 2 or not np.isfinite(lap.data.distance_m).any():
            raise ValueError(f"lap {lap.key} has no distance data")


def _reference(laps: list[CompareLap], reference_key: str | None) -> CompareLap:
    if reference_key is not None:
        for lap in laps:
            if lap.key == reference_key:
                return lap
        raise ValueError(f"reference lap {reference_key!r} is not among the laps compared")
    valid = [lap for lap in laps if lap.is_valid] or laps
    return min(valid, key=lambda lap: lap.lap_time_ms)


def _frame(ref_lap: CompareLap) -> LocalFrame:
    data = ref_lap.data
    try:
        return LocalFrame.around(data.lat, data.lon)
    except ValueError:
        return LocalFrame(0.0, 0.0)


def _grid_latlon(path: RefPath, grid: np.ndarray, frame: LocalFrame) -> tuple[np.ndarray, np.ndarray]:
    if path.d.size < 2:
        return np.full(grid.size, np.nan), np.full(grid.size, np.nan)
    x, y = path.point(grid)
    return frame.to_latlon(x, y)


def _add_lap(result: CompareResult, lap: CompareLap, track: LapTrack, ref: LapTrack, path: RefPath,
             bounds: list[float], grid: np.ndarray, channels: list[str] | None, method: str,
             remove_offset: bool, gps_fix_t: np.ndarray, registration: Registration | None) -> None:
    own, on_ref, offset = _alignment(result, lap.key, track, ref, path, bounds, method, remove_offset,
                                     registration)
    s_rows = np.interp(track.d, own, on_ref) if method != "raw" else track.d.copy()
    inside = (s_rows > 0) & (s_rows < (ref.length_m if method != "raw" else np.inf)) & (track.t > 0)
    if method != "raw":
        inside &= track.t < track.lap_time_s
    s_curve = np.concatenate(([0.0], s_rows[inside], [ref.length_m] if method != "raw" else []))
    t_curve = np.concatenate(([0.0], track.t[inside], [track.lap_time_s] if method != "raw" else []))
    s_curve, first = np.unique(s_curve, return_index=True)
    result.time_s[lap.key] = np.interp(grid, s_curve, t_curve[first])
    result.offset_m[lap.key] = offset
    result.channels[lap.key] = _resample_channels(lap.data, np.isfinite(lap.data.time_s)
                                                  & np.isfinite(lap.data.distance_m), s_rows, grid, channels)
    fix_s = np.interp(gps_fix_t, t_curve[first], s_curve)
    result.fix_spacing_s[lap.key] = _fix_spacing(fix_s, gps_fix_t, grid, track.lap_time_s)
    result.gps_gap[lap.key] = result.fix_spacing_s[lap.key] > MAX_FIX_GAP_S


def _alignment(result: CompareResult, key: str, track: LapTrack, ref: LapTrack, path: RefPath,
               bounds: list[float], method: str,
               remove_offset: bool,
               registration: Registration | None) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    """Pairs (own distance, reference distance) and the GPS offset used."""
    scale_pairs = (np.array([0.0, track.length_m]), np.array([0.0, ref.length_m]))
    if method in ("distance", "raw") or track is ref:
        return *scale_pairs, (0.0, 0.0)
    if track.fix_x.size < 2 or path.d.size < 2:
        result.warnings.append(f"{key}: no GPS positions; aligned by scaling its distance")
        return *scale_pairs, (0.0, 0.0)
    every, window = placement(track) if track.integrated else (1, None)
    offset = (0.0, 0.0)
    if registration is not None:  # placed by its own drifting fixes: registered to the reference
        offset = registration.offset_m
        result.registration_sigma_m[key] = registration.along_sigma_m()
    elif remove_offset:
        offset = _gps_offset(track, path, ref.length_m)
    if method == "sectors":
        window = max(60.0, 0.03 * ref.length_m)
        own, on_ref = [], []
        for b in bounds:
            hit = gate_crossing(track, path.gate(b, _GATE_HALF_WIDTH_M), b * track.length_m / ref.length_m,
                                window, offset)
            if hit is not None:
                own.append(hit[0])
                on_ref.append(b)
        pairs = monotonic_pairs(np.array(own), np.array(on_ref), track.length_m, ref.length_m)
        return *pairs, offset
    proj = project(track, path, ref.length_m, offset, window, every)
    s = proj.s
    matched = np.isfinite(s)
    if registration is None and matched.any():  # line differences and drift left: alike over ~150 m stretches
        residual = float(np.sqrt(np.mean(proj.lateral[matched] ** 2)))
        result.registration_sigma_m[key] = residual * np.sqrt(min(LINE_CORRELATION_M / ref.length_m, 1.0))
    if np.isfinite(s).mean() < _WELL_MATCHED or abs(track.length_m / ref.length_m - 1) > _SIMILAR_LENGTH:
        # A lap much longer or shorter than the reference (pit lane, detour, cut): look for it lap-wide first.
        prior = coarse_prior(track, path, ref.length_m, offset)
        retry = project(track, path, ref.length_m, offset, every=every, prior=prior).s
        s = retry if np.isfinite(retry).sum() > np.isfinite(s).sum() else s
    if np.isfinite(s).sum() < 0.5 * s.size:
        result.warnings.append(f"{key}: only {np.isfinite(s).sum()} of {s.size} positions matched the reference path")
    return *monotonic_pairs(track.fix_d[::every], s, track.length_m, ref.length_m), offset


def _gps_offset(track: LapTrack, path: RefPath, ref_length: float) -> tuple[float, float]:
    """A constant displacement between two receivers or days, by least squares on the signed lateral distances:
    lateral_j = n_j . offset + line_j, where the path normals n_j point every way round a circuit and the
    driver's line differences line_j average out. Small results are just different lines and are ignored."""
    proj = project(track, path, ref_length, every=_OFFSET_SUBSAMPLE)
    ok = np.isfinite(proj.s)
    if ok.sum() < 20:
        return 0.0, 0.0
    n = np.stack((proj.normal_x[ok], proj.normal_y[ok]), axis=1)
    lateral = proj.lateral[ok]
    for _ in range(2):  # refit without the points the first fit explains worst (off-line moments)
        offset, *_ = np.linalg.lstsq(n, lateral, rcond=None)
        keep = np.abs(lateral - n @ offset) <= max(2.5 * float(np.std(lateral - n @ offset)), 0.5)
        n, lateral = n[keep], lateral[keep]
    if np.linalg.cond(n.T @ n) > 50:  # normals all alike: the offset is not observable
        return 0.0, 0.0
    ox, oy = float(offset[0]), float(offset[1])
    return (ox, oy) if np.hypot(ox, oy) >= OFFSET_MIN_M else (0.0, 0.0)


def _resample_channels(data: LapData, ok: np.ndarray, s_rows: np.ndarray, grid: np.ndarray,
                       channels: list[str] | None) -> dict[str, np.ndarray]:
    wanted = data.channels.keys() if channels is None else [c for c in channels if c in data.channels]
    s, first = np.unique(s_rows, return_index=True)
    out = {}
    for key in wanted:
        values = data.channels[key][ok][first]
        out[key] = np.interp(grid, s, values) if s.size else np.full(grid.size, np.nan)
    return out


def _fix_spacing(fix_s: np.ndarray, fix_t: np.ndarray, grid: np.ndarray, lap_time: float) -> np.ndarray:
    """Seconds between the two fixes around each grid point (lap start and end count as ends of a gap)."""
    order = np.argsort(fix_s, kind="stable")
    s = np.concatenate(([-np.inf], fix_s[order], [np.inf]))
    t = np.concatenate(([min(0.0, fix_t.min()) if fix_t.size else 0.0], fix_t[order],
                        [max(lap_time, fix_t.max()) if fix_t.size else lap_time]))
    i = np.clip(np.searchsorted(s, grid, side="right"), 1, s.size - 1)
    spacing: np.ndarray = t[i] - t[i - 1]
    return spacing


def _check_gates(result: CompareResult, tracks: dict[str, LapTrack], path: RefPath, bounds: list[float],
                 ref_key: str) -> None:
    if path.d.size < 2:
        return
    ref = tracks[ref_key]
    window = max(60.0, 0.03 * ref.length_m)
    for j, b in enumerate(bounds, start=1):
        gate = path.gate(b, _GATE_HALF_WIDTH_M)
        ref_hit = gate_crossing(ref, gate, b, window)
        for key in result.keys:
            track = tracks[key]
            hit = gate_crossing(track, gate, b * track.length_m / ref.length_m, window, result.offset_m[key])
            delta = float(np.interp(b, result.distance_m, result.delta_s[key]))
            split = None if hit is None or ref_hit is None else hit[1] - ref_hit[1]
            result.gate_checks.append(GateCheck(key, j, b, delta, split, None if split is None else delta - split))

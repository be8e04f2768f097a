"""Corners of a track configuration, detected once from a reference lap's path and speed (see CORNERS.md).

The path is resampled every metre; curvature is the derivative of the heading, smoothed over a few tens of metres
so GPS jitter and 1 Hz fix corners do not make corners of their own. A corner is a stretch where the curvature
stays on one side beyond a threshold; two stretches turning the same way are one corner (a double apex) when the
car does not get back on a straight between them, while a change of side always starts a new corner (a chicane
is two). Apex: the middle of the tightest part. Start: where braking for the corner begins on the reference
(the speed peak before it), else where the bend begins. End: where the path is straight again.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .geo import LocalFrame

STRAIGHT_CURVATURE = 1 / 450  # 1/m: a radius above 450 m is a straight for the driver
MIN_TURN_DEG = 12.0  # smaller bends are kinks taken flat
MIN_BRAKING_KMH = 4.0  # speed lost before the apex for it to count as braking
DOUBLE_APEX_GAP_M = 60.0  # same-side bends closer than this are one corner ...
DOUBLE_APEX_RECOVERY_KMH = 8.0  # ... unless the car gains this much speed between them
_SMOOTH_M = 12.0  # Gaussian sigma of the curvature
_STEP_M = 1.0


@dataclass(frozen=True)
class Corner:
    """One corner, distances along the reference lap that detected it (metres from the start/finish line)."""

    number: int
    name: str
    direction: str  # "L" or "R"
    start_m: float
    apex_m: float
    end_m: float
    apex_lat: float | None = None  # where the apex is on the ground, to place it on other laps
    apex_lon: float | None = None
    lap_length_m: float | None = None  # length of the lap the distances are measured on

    def to_json(self) -> dict[str, Any]:
        return {"number": self.number, "name": self.name, "direction": self.direction,
                "start_m": round(self.start_m, 1), "apex_m": round(self.apex_m, 1), "end_m": round(self.end_m, 1),
                "apex_lat": self.apex_lat, "apex_lon": self.apex_lon, "lap_length_m": self.lap_length_m}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Corner:
        """A stored corner; ValueError naming the field that is missing or wrong."""
        try:
            corner = cls(int(data["number"]), str(data["name"]), str(data["direction"]), float(data["start_m"]),
                         float(data["apex_m"]), float(data["end_m"]), _opt_float(data.get("apex_lat")),
                         _opt_float(data.get("apex_lon")), _opt_float(data.get("lap_length_m")))  # fmt: skip
        except KeyError as missing:
            raise ValueError(f"corner {data.get('number', '?')}: field {missing} is missing") from None
        except (TypeError, ValueError) as bad:
            raise ValueError(f"corner {data.get('number', '?')}: {bad}") from None
        if corner.direction not in ("L", "R"):
            raise ValueError(f"corner {corner.number}: direction must be 'L' or 'R', not {corner.direction!r}")
        if not corner.start_m <= corner.apex_m <= corner.end_m:
            raise ValueError(f"corner {corner.number}: start_m <= apex_m <= end_m does not hold")
        return corner


@dataclass(frozen=True)
class ReferencePath:
    """The reference lap on a 1 m grid: local metres, speed (m/s, NaN unknown) and signed curvature (+ = right)."""

    distance_m: np.ndarray
    x: np.ndarray
    y: np.ndarray
    speed: np.ndarray
    curvature: np.ndarray
    frame: LocalFrame

    @property
    def length_m(self) -> float:
        return float(self.distance_m[-1])

    @classmethod
    def of(cls, distance_m: np.ndarray, lat: np.ndarray, lon: np.ndarray, speed: np.ndarray | None) -> ReferencePath:
        ok = np.isfinite(distance_m) & np.isfinite(lat) & np.isfinite(lon)
        if ok.sum() < 10:
            raise ValueError("the reference lap has too few GPS positions to find corners")
        frame = LocalFrame.around(lat[ok], lon[ok])
        x0, y0 = frame.to_xy(lat[ok], lon[ok])
        d0 = distance_m[ok]
        grid = np.arange(0.0, float(distance_m[-1]) + _STEP_M / 2, _STEP_M)
        x, y = np.interp(grid, d0, x0), np.interp(grid, d0, y0)
        v = np.full(grid.size, np.nan)
        if speed is not None and np.isfinite(speed).sum() >= 2:
            fin = np.isfinite(speed) & np.isfinite(distance_m)
            v = np.interp(grid, distance_m[fin], speed[fin])
        return cls(grid, x, y, v, signed_curvature(x, y, _SMOOTH_M / _STEP_M), frame)

    def latlon_at(self, distance_m: float) -> tuple[float, float]:
        x = float(np.interp(distance_m, self.distance_m, self.x))
        y = float(np.interp(distance_m, self.distance_m, self.y))
        lat, lon = self.frame.to_latlon(x, y)
        return float(lat), float(lon)


def signed_curvature(x: np.ndarray, y: np.ndarray, sigma_samples: float) -> np.ndarray:
    """d(heading)/ds on an evenly spaced closed path, + = turning right (clockwise), smoothed by a Gaussian."""
    xs, ys = gaussian_circular(x, sigma_samples), gaussian_circular(y, sigma_samples)
    heading = np.unwrap(np.arctan2(np.gradient(xs), np.gradient(ys)))  # compass: clockwise = increasing
    step = np.maximum(np.hypot(np.gradient(xs), np.gradient(ys)), 1e-6)
    return gaussian_circular(np.gradient(heading) / step, sigma_samples)


def gaussian_circular(values: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian smoothing with the ends joined (a lap is a loop), edge-padded when the path does not close."""
    radius = max(int(3 * sigma), 1)
    kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    kernel /= kernel.sum()
    radius = min(radius, values.size - 1)
    padded = np.concatenate((values[-radius:], values, values[:radius])) if _closes(values) else np.pad(
        values, radius, mode="edge")
    out = np.convolve(padded, kernel, mode="same")
    return out[radius: radius + values.size]


def _closes(values: np.ndarray) -> bool:
    """The series ends about where it starts (a lap round a circuit), judged against its typical step."""
    return values.size > 2 and abs(float(values[-1] - values[0])) < 3 * float(np.mean(np.abs(np.diff(values))))


def detect_corners(path: ReferencePath) -> list[Corner]:
    """Corners in driving order from the start/finish line, numbered T1, T2, ..."""
    runs = _bends(path.curvature)
    runs = [r for r in _merge_double_apexes(runs, path) if _is_corner(r, path)]
    corners: list[Corner] = []
    for i, (lo, hi) in enumerate(runs):
        sign = float(np.sign(path.curvature[lo:hi].sum()))
        apex = _apex_index(path.curvature[lo:hi] * sign) + lo
        prev_end = runs[i - 1][1] if i else 0
        start = _braking_start(path, prev_end, lo, apex)
        lat, lon = path.latlon_at(float(path.distance_m[apex]))
        corners.append(Corner(i + 1, f"T{i + 1}", "R" if sign > 0 else "L", float(path.distance_m[start]),
                              float(path.distance_m[apex]), float(path.distance_m[min(hi, path.distance_m.size - 1)]),
                              lat, lon, path.length_m))
    return _no_overlaps(corners)


def _bends(curvature: np.ndarray) -> list[tuple[int, int]]:
    """[lo, hi) runs where |curvature| is beyond the straight threshold, split where the side changes."""
    side = np.where(np.abs(curvature) > STRAIGHT_CURVATURE, np.sign(curvature), 0).astype(int)
    edges = np.flatnonzero(np.diff(side)) + 1
    bounds = np.concatenate(([0], edges, [side.size]))
    return [(int(a), int(b)) for a, b in itertools.pairwise(bounds) if side[a] != 0]


def _merge_double_apexes(runs: list[tuple[int, int]], path: ReferencePath) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in runs:
        if merged:
            plo, phi = merged[-1]
            same_side = np.sign(path.curvature[plo:phi].sum()) == np.sign(path.curvature[lo:hi].sum())
            if same_side and lo - phi <= DOUBLE_APEX_GAP_M / _STEP_M and not _recovers(path, plo, phi, lo, hi):
                merged[-1] = (plo, hi)
                continue
        merged.append((lo, hi))
    return merged


def _recovers(path: ReferencePath, plo: int, phi: int, lo: int, hi: int) -> bool:
    """The car accelerates clearly between two bends: they are two corners."""
    v = path.speed
    if not np.isfinite(v[plo:hi]).all():
        return False
    gain = float(v[phi:lo + 1].max() - max(v[plo:phi].min(), v[lo:hi].min()))
    return gain * 3.6 > DOUBLE_APEX_RECOVERY_KMH


def _turn_deg(run: tuple[int, int], curvature: np.ndarray) -> float:
    """Total turning of the bend, its gentle entry and exit (beyond a third of the threshold) included."""
    lo, hi = run
    sign = np.sign(curvature[lo:hi].sum())
    gentle = sign * curvature > STRAIGHT_CURVATURE / 3
    while lo > 0 and gentle[lo - 1]:
        lo -= 1
    while hi < curvature.size and gentle[hi]:
        hi += 1
    return float(np.degrees(abs(curvature[lo:hi].sum()) * _STEP_M))


def _is_corner(run: tuple[int, int], path: ReferencePath) -> bool:
    """Turns enough to count, or less but with clear braking before it (a kink taken slowly is a corner)."""
    lo, hi = run
    turn = _turn_deg(run, path.curvature)
    if turn >= MIN_TURN_DEG:
        return True
    approach = path.speed[max(0, lo - int(_APPROACH_M / _STEP_M)): hi]
    if turn < MIN_TURN_DEG / 2 or not approach.size or not np.isfinite(approach).all():
        return False
    return bool((approach.max() - path.speed[lo:hi].min()) * 3.6 >= 2 * MIN_BRAKING_KMH)


_APPROACH_M = 150.0  # how far before a bend its braking is looked for


def _apex_index(magnitude: np.ndarray) -> int:
    """Curvature-weighted centre of the part tighter than half the peak around the peak."""
    peak = int(np.argmax(magnitude))
    core = magnitude >= 0.5 * magnitude[peak]
    lo = peak - int(np.argmin(core[peak::-1])) if not core[: peak + 1].all() else 0
    hi = peak + int(np.argmin(core[peak:])) if not core[peak:].all() else magnitude.size
    idx = np.arange(lo, hi)
    return round(float(np.average(idx, weights=magnitude[lo:hi])))


def _braking_start(path: ReferencePath, prev_end: int, lo: int, apex: int) -> int:
    """Where the reference starts braking for the corner: walking back from the slowest point towards the
    previous corner, the last speed peak before the speed falls again (GPS ripple of a km/h ignored), when
    braking from it loses MIN_BRAKING_KMH; else where the bend begins."""
    v = path.speed[prev_end: apex + 1]
    if v.size < 2 or not np.isfinite(v).all():
        return lo
    i = lo - prev_end + int(np.argmin(v[lo - prev_end:])) if apex >= lo > prev_end else int(np.argmin(v))
    peak = i
    while i > 0 and v[i - 1] >= v[peak] - _RIPPLE_MPS:
        i -= 1
        if v[i] >= v[peak]:
            peak = i
    drop_kmh = (v[peak] - v[peak:].min()) * 3.6
    return min(prev_end + peak, lo) if drop_kmh >= MIN_BRAKING_KMH else lo


_RIPPLE_MPS = 1.0 / 3.6


def _no_overlaps(corners: list[Corner]) -> list[Corner]:
    """A corner starts no earlier than the previous one ends (a chicane's halves meet at the change of side)."""
    out: list[Corner] = []
    for corner in corners:
        if out and corner.start_m < out[-1].end_m:
            meet = max(out[-1].apex_m, min(corner.start_m, out[-1].end_m))
            meet = min(max(meet, out[-1].apex_m + 1.0), corner.apex_m - 1.0)
            out[-1] = replace(out[-1], end_m=meet)
            corner = replace(corner, start_m=max(corner.start_m, meet))
        out.append(corner)
    return out


def renumber(corners: list[Corner]) -> list[Corner]:
    """Driving order from the line; a corner keeps a name the driver gave it, default names follow the number."""
    ordered = sorted(corners, key=lambda c: c.apex_m)
    out = []
    for i, corner in enumerate(ordered, start=1):
        name = f"T{i}" if _default_name(corner.name) else corner.name
        out.append(replace(corner, number=i, name=name))
    return out


def _default_name(name: str) -> bool:
    return not name or (name[0] == "T" and name[1:].isdigit())


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def place_corners(corners: list[Corner], distance_m: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> list[Corner]:
    """Stored corners on another lap's distance axis: scaled by the length ratio, then each shifted so its apex
    sits where the new path passes the stored apex position (laps differ in length by their lines)."""
    length = float(distance_m[-1])
    ok = np.isfinite(lat) & np.isfinite(lon)
    frame = LocalFrame.around(lat[ok], lon[ok]) if ok.any() else None
    out = []
    for corner in corners:
        scale = length / corner.lap_length_m if corner.lap_length_m else 1.0
        shift = 0.0
        apex = corner.apex_m * scale
        if frame is not None and corner.apex_lat is not None and corner.apex_lon is not None:
            near = ok & (np.abs(distance_m - apex) <= _PLACE_WINDOW_M)
            if near.any():
                x, y = frame.to_xy(lat[near], lon[near])
                ax, ay = frame.to_xy(corner.apex_lat, corner.apex_lon)
                shift = float(distance_m[near][np.argmin(np.hypot(x - ax, y - ay))]) - apex
        out.append(replace(corner, start_m=float(np.clip(corner.start_m * scale + shift, 0, length)),
                           apex_m=float(np.clip(apex + shift, 0, length)),
                           end_m=float(np.clip(corner.end_m * scale + shift, 0, length)), lap_length_m=length))
    return out


_PLACE_WINDOW_M = 60.0

"""Turn a lap's positions and a value per point into a few coloured polylines, plus the matching legend.

Points are grouped into colour classes; consecutive points of one class become one polyline, so a 4 km lap is a
few dozen Leaflet layers rather than thousands of segments.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

# Perceptually ordered, readable on the light map background: slow = blue, fast = red.
SPEED_COLOURS = ("#313695", "#4575b4", "#74add1", "#abd9e9", "#fee090", "#fdae61", "#f46d43", "#d73027", "#a50026")
# Time gained (green) or lost (red) per metre against the reference; grey = even.
DELTA_COLOURS = ("#1a9850", "#66bd63", "#a6d96a", "#bdbdbd", "#fdae61", "#f46d43", "#d73027")


@dataclass
class LegendStop:
    color: str
    label: str


@dataclass
class Legend:
    title: str
    stops: list[LegendStop]

    def to_json(self) -> dict:
        return {"title": self.title, "stops": [{"color": s.color, "label": s.label} for s in self.stops]}


@dataclass
class MapLine:
    """One lap on the map: `segments` are (colour, [[lat, lon], ...]) runs."""

    key: str
    segments: list[tuple[str, list[list[float]]]] = field(default_factory=list)
    weight: int = 4
    opacity: float = 0.95

    def to_json(self) -> dict:
        return {
            "id": "".join(ch if ch.isalnum() else "-" for ch in self.key),
            "weight": self.weight,
            "opacity": self.opacity,
            "segments": [{"color": c, "points": pts} for c, pts in self.segments],
        }


def coloured_line(key: str, lat: np.ndarray, lon: np.ndarray, classes: np.ndarray, palette: tuple[str, ...],
                  weight: int = 4, opacity: float = 0.95) -> MapLine:
    """Split the track where the colour class changes. NaN positions break the line."""
    line = MapLine(key=key, weight=weight, opacity=opacity)
    valid = np.isfinite(lat) & np.isfinite(lon)
    # A run ends where the class changes or a position is missing; the next run starts on the shared point.
    breaks = np.flatnonzero((np.diff(classes) != 0) | ~valid[1:] | ~valid[:-1]) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [len(lat)]))
    coords = np.round(np.column_stack((lat, lon)), 7)
    for start, end in zip(starts, ends, strict=True):
        stop = min(end + 1, len(lat)) if end < len(lat) and valid[end] else end
        chunk = coords[start:stop][valid[start:stop]]
        if len(chunk) >= 2:
            line.segments.append((palette[int(classes[start])], chunk.tolist()))
    return line


def plain_line(key: str, lat: np.ndarray, lon: np.ndarray, color: str, weight: int = 4,
               opacity: float = 0.95) -> MapLine:
    return coloured_line(key, lat, lon, np.zeros(len(lat), dtype=int), (color,), weight=weight, opacity=opacity)


def speed_classes(speed: np.ndarray, lo: float, hi: float, n: int = len(SPEED_COLOURS)) -> np.ndarray:
    span = max(hi - lo, 1e-9)
    filled = np.where(np.isfinite(speed), speed, lo)
    return np.clip(((filled - lo) / span * n).astype(int), 0, n - 1)


def speed_legend(lo: float, hi: float, unit: str, n: int = len(SPEED_COLOURS)) -> Legend:
    edges = np.linspace(lo, hi, n + 1)
    stops = [LegendStop(SPEED_COLOURS[i], f"{edges[i]:.0f}–{edges[i + 1]:.0f} {unit}") for i in reversed(range(n))]
    return Legend(title="Speed", stops=stops)


def delta_rate(distance_m: np.ndarray, delta_s: np.ndarray, window_m: float = 40.0) -> np.ndarray:
    """Slope of delta-T in s per 100 m over +-window_m/2: where time is lost (> 0) or gained (< 0).

    A central difference over some metres rather than point to point: GPS noise would speckle the map.
    """
    delta = np.where(np.isfinite(delta_s), delta_s, np.nan)
    if len(distance_m) < 2:
        return np.zeros(len(distance_m))
    half = window_m / 2
    lo = np.interp(distance_m - half, distance_m, np.nan_to_num(delta))
    hi = np.interp(distance_m + half, distance_m, np.nan_to_num(delta))
    span = np.clip(distance_m + half, distance_m[0], distance_m[-1]) - np.clip(distance_m - half, distance_m[0],
                                                                              distance_m[-1])
    return np.where(span > 0, (hi - lo) / np.maximum(span, 1e-9) * 100.0, 0.0)


def delta_rate_classes(distance_m: np.ndarray, delta_s: np.ndarray, scale_s_per_100m: float) -> np.ndarray:
    """Class per point from the local slope of delta-T (s per 100 m): gaining < 0 < losing."""
    rate = delta_rate(distance_m, delta_s)
    half = len(DELTA_COLOURS) // 2
    scaled = np.clip(np.round(rate / max(scale_s_per_100m, 1e-9) * half), -half, half)
    return (scaled + half).astype(int)


def merge_short_runs(classes: np.ndarray, min_points: int) -> np.ndarray:
    """Runs shorter than `min_points` take the class of the run before them: a readable map, not confetti."""
    if len(classes) == 0:
        return classes
    out = classes.copy()
    starts = np.flatnonzero(np.diff(out) != 0) + 1
    bounds = np.concatenate(([0], starts, [len(out)]))
    for start, end in itertools.pairwise(bounds[1:]):  # the first run has no run before it
        if end - start < min_points:
            out[start:end] = out[start - 1]
    return out


def delta_legend(scale_s_per_100m: float) -> Legend:
    half = len(DELTA_COLOURS) // 2
    stops = []
    for i in reversed(range(len(DELTA_COLOURS))):
        rate = (i - half) / half * scale_s_per_100m
        text = "even" if i == half else f"{'losing' if rate > 0 else 'gaining'} {abs(rate):.2f} s/100 m"
        stops.append(LegendStop(DELTA_COLOURS[i], text))
    return Legend(title="vs reference", stops=stops)


def nearest_index(lat: np.ndarray, lon: np.ndarray, at_lat: float, at_lon: float) -> int | None:
    """Index of the track point closest to a clicked position (equirectangular, plenty for one track)."""
    valid = np.isfinite(lat) & np.isfinite(lon)
    if not valid.any():
        return None
    k = np.cos(np.radians(at_lat))
    d2 = (lat - at_lat) ** 2 + ((lon - at_lon) * k) ** 2
    return int(np.nanargmin(np.where(valid, d2, np.nan)))

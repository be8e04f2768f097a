"""The track itself on the map (Qt-free): its outline, the start/finish and sector lines across it, an arrow for
the driving direction and numbered corners. Drawn under and over the lap lines, with or without tiles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

GATE_HALF_WIDTH_M = 18.0
ARROW_AT = 0.04  # fraction of the lap after the start/finish line
_EARTH_M_PER_DEG = 111_320.0


@dataclass
class TrackMarks:
    outline: list[list[float]] = field(default_factory=list)  # [[lat, lon], ...] of the reference path
    gates: list[dict] = field(default_factory=list)  # {"label", "a": [lat, lon], "b": [lat, lon]}
    arrow: dict | None = None  # {"lat", "lon", "bearing"} (degrees clockwise from north)
    corners: list[dict] = field(default_factory=list)  # {"number", "lat", "lon"}

    def to_json(self) -> dict:
        return {"outline": self.outline, "gates": self.gates, "arrow": self.arrow, "corners": self.corners}


def track_marks(lat: np.ndarray, lon: np.ndarray, distance_m: np.ndarray, sector_boundaries_m: list[float],
                corners: Sequence[tuple[int, float]] = ()) -> TrackMarks | None:
    """Marks along a path given per point; `sector_boundaries_m` ends with the lap length (its last line is S/F)."""
    lat, lon, distance = (np.asarray(a, float) for a in (lat, lon, distance_m))
    valid = np.isfinite(lat) & np.isfinite(lon) & np.isfinite(distance)
    if valid.sum() < 2:
        return None
    lat, lon, distance = lat[valid], lon[valid], distance[valid]
    marks = TrackMarks(outline=np.round(np.column_stack((lat, lon)), 6).tolist())
    inner = [b for b in sector_boundaries_m[:-1] if distance[0] < b < distance[-1]]
    for label, at in [("S/F", float(distance[0])), *((f"S{i + 2}", b) for i, b in enumerate(inner))]:
        marks.gates.append(_gate(lat, lon, distance, at, label))
    length = float(distance[-1] - distance[0])
    i = _index(distance, distance[0] + ARROW_AT * length)
    marks.arrow = {"lat": float(lat[i]), "lon": float(lon[i]), "bearing": _bearing(lat, lon, i)}
    for number, apex in corners:
        j = _index(distance, apex)
        marks.corners.append({"number": int(number), "lat": float(lat[j]), "lon": float(lon[j])})
    return marks


def _index(distance: np.ndarray, at: float) -> int:
    return int(np.clip(np.searchsorted(distance, at), 0, len(distance) - 1))


def _bearing(lat: np.ndarray, lon: np.ndarray, i: int, span: int = 5) -> float:
    """Direction of travel at point i, degrees clockwise from north."""
    a, b = max(i - span, 0), min(i + span, len(lat) - 1)
    north = (lat[b] - lat[a]) * _EARTH_M_PER_DEG
    east = (lon[b] - lon[a]) * _EARTH_M_PER_DEG * np.cos(np.radians(lat[i]))
    return float(np.degrees(np.arctan2(east, north)) % 360.0)


def _gate(lat: np.ndarray, lon: np.ndarray, distance: np.ndarray, at: float, label: str) -> dict:
    """A short line across the track at `at` metres, perpendicular to the direction of travel."""
    i = _index(distance, at)
    heading = np.radians(_bearing(lat, lon, i))
    k = np.cos(np.radians(lat[i]))
    # Perpendicular: rotate the heading by 90 degrees; offsets in metres to degrees.
    d_north = -np.sin(heading) * GATE_HALF_WIDTH_M / _EARTH_M_PER_DEG
    d_east = np.cos(heading) * GATE_HALF_WIDTH_M / (_EARTH_M_PER_DEG * k)
    return {"label": label, "a": [float(lat[i] + d_north), float(lon[i] + d_east)],
            "b": [float(lat[i] - d_north), float(lon[i] - d_east)]}

"""What a view hands to the shared map: lines, legend and the track the cursor moves along."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from racetrace_desktop.ui.map.lines import Legend, MapLine
from racetrace_desktop.ui.map.track import TrackMarks


@dataclass
class MapPayload:
    lines: list[MapLine] = field(default_factory=list)
    legend: Legend | None = None
    cursor_lat: np.ndarray = field(default_factory=lambda: np.empty(0))
    cursor_lon: np.ndarray = field(default_factory=lambda: np.empty(0))
    cursor_distance_m: np.ndarray = field(default_factory=lambda: np.empty(0))
    track: TrackMarks | None = None  # outline, S/F and sector lines, direction, corners

    def points_between(self, start_m: float, end_m: float) -> list[list[float]]:
        """Cursor-track positions from start_m to end_m (what the map zooms to for a sector or corner)."""
        d = self.cursor_distance_m
        if not len(d):
            return []
        inside = (d >= start_m) & (d <= end_m) & np.isfinite(self.cursor_lat) & np.isfinite(self.cursor_lon)
        return np.round(np.column_stack((self.cursor_lat[inside], self.cursor_lon[inside])), 6).tolist()

    def covers_whole_lap(self, start_m: float, end_m: float) -> bool:
        d = self.cursor_distance_m
        return bool(len(d)) and start_m <= float(d[0]) + 1.0 and end_m >= float(d[-1]) - 1.0

    def index_at(self, distance_m: float) -> int | None:
        if not len(self.cursor_distance_m):
            return None
        i = int(np.searchsorted(self.cursor_distance_m, distance_m))
        return min(i, len(self.cursor_distance_m) - 1)

    def distance_at(self, index: int) -> float | None:
        if 0 <= index < len(self.cursor_distance_m):
            return float(self.cursor_distance_m[index])
        return None

"""What a view hands to the shared map: lines, legend and the track the cursor moves along."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from racetrace_desktop.ui.map.lines import Legend, MapLine


@dataclass
class MapPayload:
    lines: list[MapLine] = field(default_factory=list)
    legend: Legend | None = None
    cursor_lat: np.ndarray = field(default_factory=lambda: np.empty(0))
    cursor_lon: np.ndarray = field(default_factory=lambda: np.empty(0))
    cursor_distance_m: np.ndarray = field(default_factory=lambda: np.empty(0))

    def index_at(self, distance_m: float) -> int | None:
        if not len(self.cursor_distance_m):
            return None
        i = int(np.searchsorted(self.cursor_distance_m, distance_m))
        return min(i, len(self.cursor_distance_m) - 1)

    def distance_at(self, index: int) -> float | None:
        if 0 <= index < len(self.cursor_distance_m):
            return float(self.cursor_distance_m[index])
        return None

"""TrackAddict's live prediction columns for a synthetic recording.

From the second timed lap on, the logger predicts the lap time as best-so-far plus the current gap to the best
lap at the same place on track; it updates at each GPS fix and holds in between. 0 means "no prediction".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .synthetic_rows import RowTimes

if TYPE_CHECKING:
    from .synthetic import SyntheticTruth


def predicted_columns(t: np.ndarray, rows: RowTimes, truth: SyntheticTruth,
                      lap_col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Predicted Lap Time, Predicted vs Best Lap) per row, seconds rounded to ms; 0 where unavailable."""
    predicted = np.zeros(t.size)
    gap = np.zeros(t.size)
    fix_rows = np.flatnonzero(rows.is_fix)
    drive = truth.drive
    length = truth.track_length_m
    for lap in range(2, truth.inlap_number + 1):
        mine = fix_rows[lap_col[fix_rows] == lap]
        if mine.size == 0:
            continue
        earlier = range(1, lap)
        best_lap = min(earlier, key=lambda k: truth.lap_times_ms[k])
        best_s = truth.lap_times_ms[best_lap] / 1000.0
        elapsed = t[mine] - truth.crossing_times_s[lap - 1]
        place = drive.at_times(t[mine], drive.sigma) - (lap - 1) * length
        behind = elapsed - truth.time_at(best_lap, np.clip(place, 0.0, length))
        predicted[mine] = np.round(best_s + behind, 3)
        gap[mine] = np.round(behind, 3)
    held = fix_rows[np.maximum(rows.fix_of_row, 0)]
    return predicted[held], gap[held]

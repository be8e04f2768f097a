"""The best laps a session could have had, for the lap table and `racetrace laps`: the sum of best sectors (as
stored by analysis), and over the configuration's corner segments the realistic best and the rolling best
(telemetry/realistic_best.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from racetrace_desktop.library import Library, remote_repo
from racetrace_desktop.library.read_models import LapRecord
from racetrace_desktop.services import corner_service, library_service
from racetrace_desktop.telemetry.compare import CompareLap, compare_laps
from racetrace_desktop.telemetry.corners import place_corners
from racetrace_desktop.telemetry.realistic_best import (
    DEFAULT_TOLERANCE_KMH,
    LapSegments,
    lap_segments,
    realistic_best,
    rolling_best,
    segment_cuts,
)


@dataclass(frozen=True)
class SessionBests:
    theoretical_best_ms: int | None  # sum of the best valid sector times
    realistic_best_ms: int | None  # corner segments joined only where boundary speeds agree
    rolling_best_ms: int | None  # fastest lap-long stretch across consecutive laps
    realistic_laps: tuple[int, ...]  # lap number used for each corner segment
    tolerance_kmh: float


def session_bests(library: Library, session_uuid: uuid.UUID,
                  tolerance_kmh: float = DEFAULT_TOLERANCE_KMH) -> SessionBests:
    detail = library_service.session_detail(library, session_uuid)
    empty = SessionBests(detail.theoretical_best_ms, None, None, (), tolerance_kmh)
    laps = _timed_laps_here(library, session_uuid)
    valid = [lap for lap in laps if lap.is_valid]
    config_id = detail.summary.configuration_id
    if not valid or config_id is None:
        return empty
    try:
        corners = corner_service.configuration_corners(library, config_id)
    except corner_service.NoReferenceLapError:
        return empty
    loaded = {item.lap.uuid: item for item in library_service.load_laps(library, [lap.uuid for lap in laps])}
    inputs = [CompareLap(str(lap.uuid), lap.lap_time_ms or 0, loaded[lap.uuid].data, lap.is_valid,
                         f"Lap {lap.number}", lap.length_m) for lap in laps]  # fmt: skip
    result = compare_laps(inputs, channels=["speed"])
    placed = place_corners(corners, result.distance_m, result.lat, result.lon)
    segments = lap_segments(result, segment_cuts(placed, float(result.distance_m[-1])))
    best = realistic_best([segments[str(lap.uuid)] for lap in valid], tolerance_kmh)
    numbers = {str(lap.uuid): lap.number for lap in laps}
    rolling = rolling_best(_consecutive_runs(valid, segments))
    return SessionBests(
        detail.theoretical_best_ms,
        None if best is None else round(best.time_s * 1000),
        None if rolling is None else round(rolling * 1000),
        () if best is None else tuple(numbers[key] for key in best.laps),
        tolerance_kmh,
    )


def _timed_laps_here(library: Library, session_uuid: uuid.UUID) -> list[LapRecord]:
    laps = [lap for lap in library_service.session_laps(library, session_uuid) if lap.lap_time_ms]
    with library.read() as db:
        return [lap for lap in laps if remote_repo.has_arrays(db, lap.uuid)]


def _consecutive_runs(valid: list[LapRecord], segments: dict[str, LapSegments]) -> list[list[LapSegments]]:
    """Valid laps driven one straight after another (numbers without a gap, no pit stop in between)."""
    runs: list[list[LapSegments]] = []
    previous: LapRecord | None = None
    for lap in sorted(valid, key=lambda lap: lap.number):
        joined = previous is not None and lap.number == previous.number + 1 and not previous.is_pit
        if not joined:
            runs.append([])
        runs[-1].append(segments[str(lap.uuid)])
        previous = lap
    return runs

"""Compare stored laps: load their arrays from the library and align them with telemetry.compare.

The one compare path of the window and the CLI: sector boundaries are those of the reference lap's session (as
its lap table shows them), corners those of the track configuration (detected once, see corner_service), and each
lap gets its corner figures and at most three hints.

A lap synced from another device (or the leaderboard) may have no arrays here yet: the caller passes a
`TelemetryFetcher` (the sync service's, when signed in) to download them first; without one, or when the download
fails, the error says which lap lacks them and what to do.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from racetrace_desktop.library import Library, remote_repo, sessions_repo
from racetrace_desktop.library.read_models import LapRecord, LoadedLap
from racetrace_desktop.services import corner_service, library_service
from racetrace_desktop.telemetry.compare import CompareLap, CompareResult, compare_laps
from racetrace_desktop.telemetry.corner_figures import CornerFigures, corner_figures, fix_interval, hints
from racetrace_desktop.telemetry.corners import Corner, place_corners

# Downloads a lap's arrays into the library: None when they are there now, else why not (in words).
TelemetryFetcher = Callable[[uuid.UUID], str | None]


class MissingTelemetryError(ValueError):
    """A lap to compare has no arrays on this computer and they could not be downloaded."""


@dataclass(frozen=True)
class ComparedLap:
    lap: LapRecord
    delta_s: np.ndarray  # on StoredComparison.distance_m; 0 everywhere for the reference
    sector_deltas_s: list[float]  # time lost (+) or gained (-) in each sector against the reference
    corners: list[CornerFigures]  # per StoredComparison.corners
    hints: list[str]  # at most three, the costliest corners first


@dataclass(frozen=True)
class StoredComparison:
    reference: LapRecord
    laps: list[ComparedLap]  # in the order asked for
    result: CompareResult  # everything else: channels and lat/lon on the grid, gate checks, warnings
    sector_boundaries_m: list[float]  # on distance_m, the last one the reference length
    corners: list[Corner]  # the configuration's corners placed on distance_m
    configuration_id: int | None  # None: laps of one session on no track configuration here

    @property
    def distance_m(self) -> np.ndarray:
        return self.result.distance_m

    @property
    def max_gate_error_s(self) -> float | None:
        return self.result.max_gate_error_s


def compare_stored_laps(
    library: Library,
    lap_uuids: Sequence[uuid.UUID],
    reference: uuid.UUID | None = None,
    spacing_m: float = 1.0,
    fetch_telemetry: TelemetryFetcher | None = None,
) -> StoredComparison:
    """Compare laps of one track configuration. Reference: `reference`, else the fastest valid lap.

    Laps without arrays here are fetched with `fetch_telemetry`; MissingTelemetryError when that is not possible.
    """
    if len(set(lap_uuids)) < 2:
        raise ValueError("pick at least two different laps to compare")
    wanted = list(dict.fromkeys(lap_uuids))
    ensure_telemetry(library, wanted, fetch_telemetry)
    return compare_loaded(library, library_service.load_laps(library, wanted), reference, spacing_m)


def compare_loaded(library: Library, loaded: list[LoadedLap], reference: uuid.UUID | None = None,
                   spacing_m: float = 1.0) -> StoredComparison:
    """The compare of laps whose arrays are already loaded (the window shows their channels too)."""
    config = corner_service.configuration_of_laps(library, [item.lap.uuid for item in loaded])
    inputs = [_compare_input(item) for item in loaded]
    reference_key = str(reference) if reference else None
    if config is None:  # no configuration: the analysis's default sector count
        result = compare_laps(inputs, reference_key, spacing_m=spacing_m)
    else:
        result = compare_laps(inputs, reference_key, spacing_m=spacing_m, num_sectors=config.num_sectors)
    records = {str(item.lap.uuid): item.lap for item in loaded}
    reference_lap = records[result.reference_key]
    bounds = _sector_boundaries(library, reference_lap, result)
    corners = _corners_on(library, config.id, result) if config is not None else []
    figures = corner_figures(result, corners, {str(item.lap.uuid): fix_interval(item.data) for item in loaded})
    laps = [
        ComparedLap(records[key], result.delta_s[key], _sector_deltas(result, key, bounds), figures[key],
                    hints(corners, figures, key, result.reference_key))
        for key in result.keys
    ]
    return StoredComparison(reference_lap, laps, result, bounds, corners, config.id if config else None)


def _sector_boundaries(library: Library, reference: LapRecord, result: CompareResult) -> list[float]:
    """The reference session's sector boundaries (its lap table's), scaled onto the compare's reference length."""
    stored = list(library_service.session_detail(library, reference.session_uuid).sector_boundaries_m)
    length = float(result.distance_m[-1])
    if len(stored) < 1 or not stored[-1] > 0:
        return list(result.sector_boundaries_m)
    return [float(b) * length / float(stored[-1]) for b in stored]


def _corners_on(library: Library, configuration_id: int, result: CompareResult) -> list[Corner]:
    try:
        corners = corner_service.configuration_corners(library, configuration_id)
    except corner_service.NoReferenceLapError:
        return []
    except ValueError as error:  # stored corners that do not read back: the traces are still worth showing
        result.warnings.append(f"the corners of this track configuration could not be read ({error}); "
                               "re-detect them with `racetrace corners ... --redetect`")
        return []
    return place_corners(corners, result.distance_m, result.lat, result.lon)


def ensure_telemetry(library: Library, lap_uuids: Sequence[uuid.UUID], fetch: TelemetryFetcher | None) -> None:
    """Make every lap's arrays available here, downloading the missing ones with `fetch`."""
    for lap_uuid in lap_uuids:
        with library.read() as db:
            if remote_repo.has_arrays(db, lap_uuid):
                continue
            lap = sessions_repo.lap_record(db, lap_uuid)  # RecordNotFoundError for a lap that is not here at all
            session = sessions_repo.session_summary(db, lap.session_uuid)
        problem = fetch(lap_uuid) if fetch is not None else "not signed in to a sync server"
        if problem is not None:
            raise MissingTelemetryError(
                f"lap {lap.number} of {session.source_name} ({lap.uuid}) has no telemetry on this computer yet: "
                f"sync or sign in to download it ({problem})"
            )


def _compare_input(item: LoadedLap) -> CompareLap:
    lap = item.lap
    if lap.lap_time_ms is None:
        raise ValueError(f"lap {lap.number} ({lap.uuid}) has no lap time (out-lap or in-lap) and cannot be compared")
    return CompareLap(
        key=str(lap.uuid),
        lap_time_ms=lap.lap_time_ms,
        data=item.data,
        is_valid=lap.is_valid,
        label=f"Lap {lap.number}",
        length_m=lap.length_m,
        source=str(lap.session_uuid),
    )


def _sector_deltas(result: CompareResult, key: str, bounds: list[float]) -> list[float]:
    at_bounds = np.interp(bounds, result.distance_m, result.delta_s[key])
    deltas: list[float] = np.diff(np.concatenate([[0.0], at_bounds])).round(4).tolist()
    return deltas

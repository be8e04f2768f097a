"""Which configuration a recording belongs to: the server's copy of the desktop's rule (its track_matching service
may not be imported here). A configuration matches when its start/finish lies within MATCH_TOLERANCE_M of the
file's own start/finish point, or, for a file without one, of any point its GPS path went through."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from racetrace_desktop.telemetry.geo import haversine_m
from racetrace_desktop.telemetry.model import GeoPoint, RawSession, TrackDefinition
from sync_server.models import TrackConfiguration
from sync_server.tracks import repository

# Same value as the desktop: loggers place the start/finish where the driver tapped, 70-110 m off the line.
MATCH_TOLERANCE_M = 150.0
MAX_PATH_POINTS = 4000


@dataclass(frozen=True)
class KnownConfiguration:
    id: uuid.UUID
    version: int
    lat: float
    lon: float
    definition: TrackDefinition


def live_configurations(db: Session) -> list[KnownConfiguration]:
    rows = repository.live_configurations(db)
    return [KnownConfiguration(row.id, row.version, row.start_finish_lat, row.start_finish_lon, definition(row))
            for row in rows]  # fmt: skip


def definition(row: TrackConfiguration) -> TrackDefinition:
    gates = tuple(GeoPoint(g["lat"], g["lon"], g.get("heading_deg")) for g in row.sector_gates or [])
    return TrackDefinition(
        start_finish=GeoPoint(row.start_finish_lat, row.start_finish_lon, row.start_finish_heading_deg),
        num_sectors=row.num_sectors,
        gate_width_m=row.gate_width_m,
        sector_gates=gates,
    )


def file_start(raw: RawSession) -> GeoPoint | None:
    """The file's own start/finish point, when it has a usable one (TrackAddict writes heading -1 = unknown)."""
    start = raw.metadata.start_finish
    if start is None or not (np.isfinite(start.lat) and np.isfinite(start.lon)):
        return None
    heading = start.heading_deg
    known = heading is not None and np.isfinite(heading) and heading >= 0
    return GeoPoint(start.lat, start.lon, heading if known else None)


def probe_points(raw: RawSession) -> tuple[np.ndarray, np.ndarray]:
    start = file_start(raw)
    if start is not None:
        return np.array([start.lat]), np.array([start.lon])
    fixes = raw.gps_fix.astype(bool)
    lats, lons = raw.lat[fixes], raw.lon[fixes]
    step = max(1, lats.size // MAX_PATH_POINTS)
    return lats[::step], lons[::step]


def nearest(
    configurations: list[KnownConfiguration], lats: np.ndarray, lons: np.ndarray,
    tolerance_m: float = MATCH_TOLERANCE_M,
) -> KnownConfiguration | None:  # fmt: skip
    """The configuration whose start/finish lies closest to any of the points, if within the tolerance."""
    known = np.isfinite(lats) & np.isfinite(lons)
    lats, lons = lats[known], lons[known]
    if lats.size == 0:
        return None
    best: tuple[float, KnownConfiguration] | None = None
    for configuration in configurations:
        gap = float(np.min(haversine_m(lats, lons, configuration.lat, configuration.lon)))
        if gap <= tolerance_m and (best is None or gap < best[0]):
            best = (gap, configuration)
    return best[1] if best else None

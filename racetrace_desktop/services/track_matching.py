"""Which track configuration a file belongs to, creating a local one when the library knows none nearby."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from racetrace_desktop.library import LibrarySession, tracks_repo
from racetrace_desktop.library.records import ConfigurationRecord
from racetrace_desktop.telemetry.model import GeoPoint, RawSession, TrackDefinition

# Loggers place the start/finish where the driver tapped: S1's fixes pass 70-110 m from its End Point.
MATCH_TOLERANCE_M = 150.0
MAX_PATH_POINTS = 4000  # enough to find a start line on the path, cheap for any session length


@dataclass(frozen=True)
class TrackPlan:
    """Either an existing configuration, or the start/finish and name of a new local one, or no track at all."""

    configuration: ConfigurationRecord | None = None
    new_start: GeoPoint | None = None
    new_track_name: str | None = None

    @property
    def key(self) -> tuple[object, ...]:
        if self.configuration is not None:
            return ("existing", self.configuration.id, self.configuration.version)
        return ("new", self.new_start) if self.new_start else ("none",)

    @property
    def definition(self) -> TrackDefinition | None:
        if self.configuration is not None:
            return self.configuration.definition()
        return TrackDefinition(start_finish=self.new_start) if self.new_start else None


def _file_start(raw: RawSession) -> GeoPoint | None:
    start = raw.metadata.start_finish
    if start is None or not (np.isfinite(start.lat) and np.isfinite(start.lon)):
        return None
    heading = start.heading_deg
    unknown_heading = heading is None or not np.isfinite(heading) or heading < 0  # TrackAddict writes -1
    return GeoPoint(start.lat, start.lon, None if unknown_heading else heading)


def _path_points(raw: RawSession) -> tuple[np.ndarray, np.ndarray]:
    fixes = raw.gps_fix.astype(bool)
    lats, lons = raw.lat[fixes], raw.lon[fixes]
    step = max(1, lats.size // MAX_PATH_POINTS)
    return lats[::step], lons[::step]


def new_track_name(raw: RawSession, start: GeoPoint) -> str:
    name = (raw.metadata.track_name or "").strip()
    return name or f"Track near {start.lat:.4f}, {start.lon:.4f}"


def plan_track(db: LibrarySession, raw: RawSession) -> TrackPlan:
    """Match by the file's start/finish point; a file without one is matched by where its GPS path went."""
    start = _file_start(raw)
    if start is not None:
        lats, lons = np.array([start.lat]), np.array([start.lon])
    else:
        lats, lons = _path_points(raw)
    configuration = tracks_repo.nearest_configuration(db, lats, lons, MATCH_TOLERANCE_M)
    if configuration is not None:
        return TrackPlan(configuration=configuration)
    if start is not None:
        return TrackPlan(new_start=start, new_track_name=new_track_name(raw, start))
    return TrackPlan()


def resolve_configuration(db: LibrarySession, plan: TrackPlan) -> tuple[ConfigurationRecord | None, bool]:
    """The configuration to store the session under, creating the planned local one. Second value: created."""
    if plan.configuration is not None:
        return plan.configuration, False
    if plan.new_start is None or plan.new_track_name is None:
        return None, False
    defaults = TrackDefinition(start_finish=plan.new_start)
    created = tracks_repo.create_local_configuration(
        db, plan.new_track_name, plan.new_start, defaults.num_sectors, defaults.gate_width_m
    )
    return created, True
